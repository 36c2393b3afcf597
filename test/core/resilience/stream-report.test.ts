/**
 * A streamed call's `onResult` hook and its status come from the stream itself: the resilience run hands back
 * the transport's response at its headers, and the stream reports the assembled result (usage, cost, generation
 * id) once its body has been read. Checked from the outside for `chatStream`, `responses.stream` and
 * `messages.stream`, with a token limit whose permit must be settled and released by that report.
 */
import { describe, expect, it } from "vitest";
import { OpenRouter } from "../../../src/index.js";
import type { ResultEvent } from "../../../src/core/resilience/hooks.js";
import { createMockOpenRouter } from "../../../src/testing/index.js";

const KEY = "sk-or-v1-stream-report-0123456789abcdef0123456789";
const MODEL = "openai/gpt-4o-mini";

function setup() {
  const mock = createMockOpenRouter({ apiKey: KEY, scenarios: [{ reply: "Four, reported once the stream is read." }] });
  const results: ResultEvent[] = [];
  const statuses: number[] = [];
  const client = new OpenRouter({
    apiKey: KEY,
    fetch: mock.fetch,
    hooks: { onResult: (c) => void results.push(c), onResponse: (c) => void statuses.push(c.status) },
    // One call at a time: a second call can only start if the first call's permit was released.
    rateLimit: { maxConcurrency: 1 },
  });
  return { client, results, statuses };
}

const STREAMS = [
  ["chatStream", (c: OpenRouter) => c.chatStream({ model: MODEL, messages: [{ role: "user", content: "2+2?" }] }).final()],
  ["responses.stream", (c: OpenRouter) => c.responses.stream({ model: MODEL, input: "2+2?" }).final()],
  ["messages.stream", (c: OpenRouter) => c.messages.stream({ model: MODEL, max_tokens: 64, messages: [{ role: "user", content: "2+2?" }] }).final()],
] as const;

describe.each(STREAMS)("%s", (_name, run) => {
  it("reports the assembled result to onResult (usage, generation id), once, after the body was read", async () => {
    const { client, results, statuses } = setup();
    const first = (await run(client)) as { generationId?: string };
    expect(statuses).toEqual([200]);
    expect(results).toHaveLength(1);
    expect(results[0]!.stream).toBe(true);
    expect(results[0]!.usage).toBeDefined();
    expect(results[0]!.generationId).toBe(first.generationId);
    // The concurrency permit was released by that report: a second stream runs (it would wait forever otherwise).
    await run(client);
    expect(results).toHaveLength(2);
  });
});
