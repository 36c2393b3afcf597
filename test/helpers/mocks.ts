/**
 * Test helpers for the stand-in's own tests: mocks made through `mockWith` are closed after each test, and an
 * SSE body split into its `data:` payloads.
 */
import { afterEach } from "vitest";
import { createMockOpenRouter, type MockOpenRouter } from "../../src/testing/index.js";

/** Registers the after-each close; returns the factory whose mocks it closes. */
export function mocksClosedAfterEach(): (...args: Parameters<typeof createMockOpenRouter>) => MockOpenRouter {
  let mocks: MockOpenRouter[] = [];
  afterEach(async () => {
    await Promise.all(mocks.map((m) => m.close()));
    mocks = [];
  });
  return (...args) => {
    const m = createMockOpenRouter(...args);
    mocks.push(m);
    return m;
  };
}

/** An SSE body's `data:` payloads (comments dropped), parsed, with `[DONE]` kept as a string. */
export function sseDataOf(text: string): unknown[] {
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("data: "))
    .map((block) => block.slice(6))
    .map((d) => (d === "[DONE]" ? d : JSON.parse(d)));
}
