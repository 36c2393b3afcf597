import { describe, expect, it } from "vitest";
import { OpenRouter } from "../../src/index.js";
import { ConnectionError } from "../../src/core/errors.js";
import {
  InsufficientCreditsError,
  ProviderUnavailableError,
  RateLimitError,
  TimeoutError,
  parseAffordableTokens,
} from "../../src/core/call-errors.js";
import { errorFromResponse } from "../../src/core/wire-error.js";
import {
  DEFAULT_RETRY_POLICY,
  availabilityOf,
  isClientTimeout,
  isFreeDailyLimit,
  isRetryable,
  resolveRetryPolicy,
} from "../../src/core/retry.js";

const info = { method: "POST", path: "/chat/completions", model: "openai/gpt-4o" };
const statusError = (status: number, body: unknown = { error: { code: status, message: `failed ${status}` } }) =>
  errorFromResponse(status, new Headers(), JSON.stringify(body), info);

describe("resolveRetryPolicy", () => {
  it("defaults, overrides field by field, and false means no retries", () => {
    expect(resolveRetryPolicy(undefined)).toEqual(DEFAULT_RETRY_POLICY);
    const client = resolveRetryPolicy({ maxRetries: 5 });
    expect(resolveRetryPolicy({ baseDelayMs: 100 }, client)).toEqual({ ...DEFAULT_RETRY_POLICY, maxRetries: 5, baseDelayMs: 100 });
    expect(resolveRetryPolicy(false, client).maxRetries).toBe(0);
  });
  it("rejects bad values with a message naming the field", () => {
    expect(() => resolveRetryPolicy({ maxRetries: -1 })).toThrow(/retry\.maxRetries/);
    expect(() => resolveRetryPolicy({ maxRetries: 1.5 })).toThrow(/integer/);
    expect(() => resolveRetryPolicy({ baseDelayMs: Number.NaN })).toThrow(/retry\.baseDelayMs/);
    expect(() => resolveRetryPolicy("yes" as never)).toThrow(/object or false/);
  });
});

describe("isRetryable", () => {
  it.each([408, 429, 500, 502, 503, 504, 524, 529])("retries status %d", (status) => {
    expect(isRetryable(statusError(status))).toBe(true);
  });
  it.each([400, 401, 402, 403, 404, 409, 413, 422])("never retries status %d", (status) => {
    expect(isRetryable(statusError(status))).toBe(false);
  });
  it("ignores a stray retryable flag on a 4xx", () => {
    expect(isRetryable({ kind: "authentication", status: 401, retryable: true })).toBe(false);
  });
  it("retries network failures but not client timeouts or aborts", () => {
    expect(isRetryable(new ConnectionError("reset", info))).toBe(true);
    expect(isRetryable(new TimeoutError("timed out", { ...info, retryable: false }))).toBe(false);
    expect(isRetryable({ kind: "aborted" })).toBe(false);
    expect(isRetryable(new DOMException("x", "AbortError"))).toBe(false);
    expect(isRetryable("boom")).toBe(false);
  });
  it("stops on availability.retryable false, whatever the status", () => {
    const e = statusError(503, {
      error: { code: 503, message: "down", availability: { code: "no_endpoints", retryable: false, requested_models: [] } },
    });
    expect(availabilityOf(e)?.["code"]).toBe("no_endpoints");
    expect(isRetryable(e)).toBe(false);
  });
  it("treats the daily free-model cap as final, the per-minute cap as retryable", () => {
    const daily = statusError(429, {
      error: { code: 429, message: "Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 free model requests per day" },
    });
    const minute = statusError(429, { error: { code: 429, message: "Rate limit exceeded: free-models-per-min. " } });
    expect(isFreeDailyLimit(daily)).toBe(true);
    expect(isRetryable(daily)).toBe(false);
    expect(isFreeDailyLimit(minute)).toBe(false);
    expect(isRetryable(minute)).toBe(true);
  });
  it("judges errors inside a 200 by their own flag", () => {
    expect(isRetryable({ kind: "invalid_response", status: 200, retryable: true })).toBe(true);
    expect(isRetryable({ kind: "stream", status: 429, retryable: false })).toBe(false);
  });
  it("never retries an open circuit, and judges kinds without a status", () => {
    expect(isRetryable({ kind: "circuit_open", retryable: true })).toBe(false);
    expect(isRetryable({ kind: "server" })).toBe(true);
    expect(isRetryable({ kind: "rate_limit" })).toBe(true);
    expect(isRetryable({ kind: "provider_unavailable" })).toBe(true);
    expect(isRetryable({ kind: "unknown", retryable: true })).toBe(true);
    expect(isRetryable({ kind: "unknown" })).toBe(false);
    expect(isRetryable({ status: 200, retryable: false })).toBe(false);
    expect(isRetryable(null)).toBe(false);
    expect(availabilityOf(null)).toBeUndefined();
  });
  it("reads the daily cap from metadata.raw too", () => {
    expect(isFreeDailyLimit({ status: 429, message: "Provider returned error", metadata: { raw: "free-models-per-day exceeded" } })).toBe(true);
    expect(isFreeDailyLimit({ kind: "rate_limit", metadata: { raw: 42 } })).toBe(false);
    expect(isFreeDailyLimit({ status: 500, message: "free-models-per-day" })).toBe(false);
  });
  it("matches the error classes' own classification", () => {
    expect(statusError(503)).toBeInstanceOf(ProviderUnavailableError);
    expect(statusError(429)).toBeInstanceOf(RateLimitError);
  });
});

describe("parseAffordableTokens", () => {
  it("reads N from OpenRouter's 402 text", () => {
    const msg =
      "This request requires more credits, or fewer max_tokens. You requested up to 4096 tokens, but can only afford 512. To increase, visit https://openrouter.ai/settings/credits and add more credits";
    expect(parseAffordableTokens(msg)).toBe(512);
    expect(parseAffordableTokens("…but can only afford 1,024.")).toBe(1024);
    expect(new InsufficientCreditsError(msg, info).affordableTokens).toBe(512);
  });
  it("is undefined for other messages", () => {
    expect(parseAffordableTokens("Insufficient credits. Add more using https://openrouter.ai/settings/credits")).toBeUndefined();
    expect(parseAffordableTokens(undefined)).toBeUndefined();
    // A number too large to be exact is no answer.
    expect(parseAffordableTokens(`can only afford ${"9".repeat(20)}`)).toBeUndefined();
  });
});

describe("isClientTimeout: the one 'client-side timeout' convention", () => {
  it("is a timeout the client raised itself (no status), never a server's 408/504/524", () => {
    expect(isClientTimeout(new TimeoutError("Request timed out", info))).toBe(true);
    expect(isClientTimeout({ kind: "timeout" })).toBe(true);
    expect(isClientTimeout(new TimeoutError("Gateway timeout", { ...info, status: 504 }))).toBe(false);
    expect(isClientTimeout({ kind: "timeout", status: 408 })).toBe(false);
    expect(isClientTimeout(new ConnectionError("reset", info))).toBe(false);
    expect(isClientTimeout(undefined)).toBe(false);
  });
  it("decides the flag of a client-side TimeoutError and isRetryable alike: not retryable; a server's 524 is", () => {
    const own = new TimeoutError("Request timed out", info);
    expect(own.retryable).toBe(false);
    expect(isRetryable(own)).toBe(false);
    const server = new TimeoutError("Provider timed out", { ...info, status: 524 });
    expect(server.retryable).toBe(true);
    expect(isRetryable(server)).toBe(true);
  });
});

describe("availability.retryable is the server's word, both ways", () => {
  it("a 400 marked retryable is retryable; a 401/403 marked so is not; a 503 marked not retryable is not", () => {
    const marked = (status: number, retryable: boolean) => ({ kind: "invalid_request", status, metadata: { availability: { retryable } } });
    expect(isRetryable(marked(400, true))).toBe(true);
    expect(isRetryable(marked(401, true))).toBe(false);
    expect(isRetryable(marked(403, true))).toBe(false);
    expect(isRetryable(marked(503, false))).toBe(false);
  });

  it("the client retries a 400 with availability.retryable: true once, then returns the answer", async () => {
    const bodies = [
      { status: 400, body: { error: { code: 400, message: "Model warming up", availability: { code: "temporarily_unavailable", retryable: true } } } },
      {
        status: 200,
        body: {
          id: "gen-1",
          object: "chat.completion",
          created: 1700000000,
          model: "openai/gpt-4o-mini",
          choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "Hello!" } }],
        },
      },
    ];
    let calls = 0;
    const fetch = async (): Promise<Response> => {
      const next = bodies[Math.min(calls++, bodies.length - 1)]!;
      return new Response(JSON.stringify(next.body), { status: next.status, headers: { "content-type": "application/json" } });
    };
    const sleeps: number[] = [];
    const client = new OpenRouter({ apiKey: "sk-or-v1-retry-test-0123456789", fetch, retry: { maxRetries: 2 }, sleep: async (ms) => void sleeps.push(ms) });
    const result = await client.chat({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });
    expect(result.text).toBe("Hello!");
    expect(result.attempts).toBe(2);
    expect(calls).toBe(2);
    expect(sleeps).toHaveLength(1);
  });
});
