import { describe, expect, it } from "vitest";
import {
  ConnectionError,
  InsufficientCreditsError,
  ProviderUnavailableError,
  RateLimitError,
  TimeoutError,
} from "../../src/core/errors.js";
import { errorFromResponse } from "../../src/core/wire-error.js";
import {
  DEFAULT_RETRY_POLICY,
  SleepAbortedError,
  abortableSleep,
  availabilityOf,
  backoffDelay,
  isFreeDailyLimit,
  isRetryable,
  parseAffordableTokens,
  parseRateLimitReset,
  parseRetryAfter,
  resolveRetryPolicy,
  retryDelay,
} from "../../src/core/retry.js";

const info = { method: "POST", path: "/chat/completions", model: "openai/gpt-4o" };
const statusError = (status: number, body: unknown = { error: { code: status, message: `failed ${status}` } }) =>
  errorFromResponse(status, new Headers(), JSON.stringify(body), info);

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-11-22T10:00:00Z");
  it.each([
    ["1", 1000],
    ["0", 0],
    [" 2 ", 2000],
    ["1.5", 1500],
    ["Sun, 22 Nov 2026 10:00:03 GMT", 3000],
    ["Sun, 22 Nov 2026 09:59:00 GMT", 0],
  ])("%j -> %d ms", (value, want) => {
    expect(parseRetryAfter(value, now)).toBe(want);
  });
  it.each([[undefined], [null], [""], ["soon"], ["-1"], ["1 2"], ["Mon, 99 Foo 2026"], ["9".repeat(400)]])("%j -> undefined", (value) => {
    expect(parseRetryAfter(value as string | null | undefined, now)).toBeUndefined();
  });
});

describe("parseRateLimitReset", () => {
  it("reads epoch milliseconds (what OpenRouter's 429 recordings carry)", () => {
    expect(parseRateLimitReset("1759845420000", 1759845419000)).toBe(1000);
  });
  it("reads epoch seconds and small deltas", () => {
    expect(parseRateLimitReset("1759845420", 1759845418000)).toBe(2000);
    expect(parseRateLimitReset("3", 0)).toBe(3000);
    expect(parseRateLimitReset("x", 0)).toBeUndefined();
  });
});

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

describe("backoffDelay (full jitter)", () => {
  const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 60_000 };
  it("doubles the ceiling per retry and caps it at maxDelayMs", () => {
    expect([1, 2, 3, 4, 5, 6].map((r) => backoffDelay(r, policy, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
  it("draws uniformly below the ceiling", () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0.25)).toBe(100);
    expect(backoffDelay(3, policy, () => Number.NaN)).toBe(0);
  });
  it("rejects a retry number below 1", () => {
    expect(() => backoffDelay(0, policy)).toThrow(RangeError);
  });
  it("retryDelay prefers the server's hint and gives up when it exceeds maxDelayMs", () => {
    expect(retryDelay(1, policy, 700, () => 0)).toBe(700);
    expect(retryDelay(1, policy, 1000, () => 0)).toBe(1000);
    expect(retryDelay(1, policy, 5000, () => 0)).toBeUndefined();
    expect(retryDelay(2, policy, undefined, () => 0.5)).toBe(100);
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

describe("abortableSleep", () => {
  it("resolves after the delay", async () => {
    await expect(abortableSleep(1)).resolves.toBeUndefined();
  });
  it("rejects at once for an aborted signal and on abort mid-sleep", async () => {
    await expect(abortableSleep(10, AbortSignal.abort("x"))).rejects.toBeInstanceOf(SleepAbortedError);
    const controller = new AbortController();
    const wait = abortableSleep(60_000, controller.signal);
    controller.abort(new Error("stop"));
    const error = await wait.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SleepAbortedError);
    expect((error as SleepAbortedError).reason).toBeInstanceOf(Error);
  });
  it("rejects a bad duration", async () => {
    await expect(abortableSleep(-1)).rejects.toThrow(RangeError);
  });
});
