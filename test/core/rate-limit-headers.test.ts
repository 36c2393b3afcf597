/**
 * `X-RateLimit-*` headers (src/core/rate-limit-headers.ts) as a caller reads them: `result.rateLimit` on plain and
 * streamed results, `RateLimitError.rateLimit` on a 429, `undefined` when the response has none. The 429 is
 * the recorded OpenRouter answer (test/fixtures/recorded/error-429-02.json).
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { OpenRouter, RateLimitError } from "../../src/index.js";
import { chatCompletion } from "../helpers/completions.js";

const KEY = "sk-or-v1-ratelimit-test-0123456789abcdef";
const MODEL = "openai/gpt-4o-mini";
const messages = [{ role: "user" as const, content: "Hi" }];
const completion = chatCompletion({ model: MODEL });

function clientAnswering(status: number, body: string, headers: Record<string, string>) {
  return new OpenRouter({
    apiKey: KEY,
    retry: false,
    fetch: (async () => new Response(body, { status, headers })) as typeof fetch,
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("result.rateLimit", () => {
  const limits = { "x-ratelimit-limit": "200", "x-ratelimit-remaining": "199", "x-ratelimit-reset": "1759845420000" };

  it("parses the three headers on a chat result", async () => {
    const client = clientAnswering(200, JSON.stringify(completion), { "content-type": "application/json", ...limits });
    const result = await client.chat({ model: MODEL, messages });
    expect(result.rateLimit).toEqual({ limit: 200, remaining: 199, resetAt: 1759845420000 });
  });

  it("parses them on a streamed result", async () => {
    const sse =
      `data: ${JSON.stringify({ id: "gen-1", model: MODEL, choices: [{ index: 0, delta: { role: "assistant", content: "Hello!" } }] })}\n\n` +
      `data: ${JSON.stringify({ id: "gen-1", model: MODEL, choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage: completion.usage })}\n\n` +
      "data: [DONE]\n\n";
    const client = clientAnswering(200, sse, { "content-type": "text/event-stream", ...limits });
    const result = await client.chatStream({ model: MODEL, messages }).final();
    expect(result.text).toBe("Hello!");
    expect(result.rateLimit).toEqual({ limit: 200, remaining: 199, resetAt: 1759845420000 });
  });

  it("is undefined when the response has none of them", async () => {
    const result = await clientAnswering(200, JSON.stringify(completion), { "content-type": "application/json" }).chat({ model: MODEL, messages });
    expect(result.rateLimit).toBeUndefined();
  });

  it("reads a reset in epoch seconds or as a delay in seconds as epoch milliseconds; garbage is undefined", async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000, toFake: ["Date"] });
    const seconds = await clientAnswering(200, JSON.stringify(completion), { "x-ratelimit-reset": "1759845420" }).chat({ model: MODEL, messages });
    expect(seconds.rateLimit).toEqual({ limit: undefined, remaining: undefined, resetAt: 1759845420000 });
    const delay = await clientAnswering(200, JSON.stringify(completion), { "x-ratelimit-reset": "30", "x-ratelimit-remaining": "nope" }).chat({ model: MODEL, messages });
    expect(delay.rateLimit).toEqual({ limit: undefined, remaining: undefined, resetAt: 1_700_000_030_000 });
  });
});

describe("RateLimitError.rateLimit", () => {
  it("carries the headers of OpenRouter's recorded 429", async () => {
    const recorded = JSON.parse(readFileSync(new URL("../fixtures/recorded/error-429-02.json", import.meta.url), "utf8")) as {
      response: { status: number; headers: Record<string, string>; body: unknown };
    };
    const { status, body } = recorded.response;
    const headers = Object.fromEntries(Object.entries(recorded.response.headers).filter(([name]) => name !== "transfer-encoding"));
    const error = await clientAnswering(status, JSON.stringify(body), headers).chat({ model: MODEL, messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).rateLimit).toEqual({ limit: 20, remaining: 0, resetAt: 1759845420000 });
    expect((error as RateLimitError).toJSON()["rateLimit"]).toEqual({ limit: 20, remaining: 0, resetAt: 1759845420000 });
  });

  it("is undefined on a 429 without them (an upstream provider's limit)", async () => {
    const error = await clientAnswering(429, JSON.stringify({ error: { code: 429, message: "slow down" } }), { "content-type": "application/json" })
      .chat({ model: MODEL, messages })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).rateLimit).toBeUndefined();
  });
});
