import { describe, expect, it } from "vitest";
import { backoffDelay, parseRateLimitReset, parseRetryAfter, retryDelay } from "../../src/core/retry-timing.js";

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
