/**
 * Test helper: a client wired to the embedded stand-in (`createMockOpenRouter`) with the same key, and every
 * backoff sleep recorded instead of waited, so retry tests run at once and can assert the delays.
 */
import { expect } from "vitest";
import { OpenRouter } from "../../src/index.js";
import { createMockOpenRouter } from "../../src/testing/index.js";

export function standInClient(
  apiKey: string,
  options: Parameters<typeof createMockOpenRouter>[0] = {},
  clientOptions: ConstructorParameters<typeof OpenRouter>[0] = {},
) {
  const mock = createMockOpenRouter({ apiKey, ...options });
  const sleeps: number[] = [];
  const client = new OpenRouter({ apiKey, fetch: mock.fetch, sleep: async (ms) => void sleeps.push(ms), ...clientOptions });
  return { mock, client, sleeps };
}

/** A result priced by what the stand-in reported: its generation exists, and the result carries its id and cost. */
export function expectPricedByTheStandIn(mock: ReturnType<typeof createMockOpenRouter>, result: { id: string; generationId?: string | undefined; cost?: number | undefined; costSource?: string | undefined; usage?: { input_tokens?: number } | undefined }): void {
  const generation = mock.generations.get(result.id);
  expect(generation).toBeDefined();
  expect(result.generationId).toBe(result.id);
  expect(result.cost).toBe(generation!.total_cost);
  expect(result.costSource).toBe("usage");
  expect(result.usage?.input_tokens).toBeGreaterThan(0);
}
