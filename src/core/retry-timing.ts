/**
 * How long to wait before another attempt: exponential backoff with full jitter, or what the server asked
 * for (`Retry-After`, `X-RateLimit-Reset`). Pure functions, tested with a fixed `random()` and clock.
 *
 * Apart from retry.ts (which decides whether to retry at all) because the error classes load retry.ts with
 * every client, while these are only needed by the code that reads a failed response and by the retry loop,
 * both loaded on a client's first request.
 *
 * @module
 */
import type { RetryPolicy } from "./retry.js";

/**
 * Parse a `Retry-After` header value into milliseconds from `now`. Accepts delay-seconds (`"1"`,
 * also a decimal such as `"1.5"`, which some proxies send) and an HTTP date. A date in the past
 * means "now" (0). Anything else, including negative numbers, gives `undefined` so the caller
 * falls back to its own backoff.
 *
 * @example
 * ```ts
 * parseRetryAfter("1", Date.now()); // 1000
 * parseRetryAfter("Wed, 21 Oct 2026 07:28:00 GMT", Date.parse("Wed, 21 Oct 2026 07:27:58 GMT")); // 2000
 * parseRetryAfter("soon", Date.now()); // undefined
 * ```
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) {
    const ms = Math.round(Number(text) * 1000);
    return Number.isFinite(ms) ? ms : undefined;
  }
  // Only try a date when it looks like one: Date.parse accepts odd strings such as "1 2".
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Parse OpenRouter's `X-RateLimit-Reset` (sent only on its own 429s) into milliseconds from `now`.
 * Recordings show an epoch in milliseconds (`1759845420000`); an epoch in seconds or a small
 * delta in seconds is also accepted because the unit is not documented.
 *
 * @example
 * ```ts
 * parseRateLimitReset("1759845420000", 1759845419000); // 1000
 * ```
 */
export function parseRateLimitReset(value: string | null | undefined, now: number): number | undefined {
  if (typeof value !== "string" || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
  const n = Number(value.trim());
  if (n >= 1e12) return Math.max(0, Math.round(n - now)); // epoch milliseconds
  if (n >= 1e9) return Math.max(0, Math.round(n * 1000 - now)); // epoch seconds
  return Math.round(n * 1000); // delta seconds
}

/**
 * The wait before retry number `retry` (1 for the first retry): "full jitter", a uniform draw
 * between 0 and `min(maxDelayMs, baseDelayMs * 2^(retry-1))`. Full jitter spreads a crowd of
 * clients that failed together, which is the common case behind a 429 or 503.
 *
 * @example
 * ```ts
 * backoffDelay(1, DEFAULT_RETRY_POLICY, () => 1); // 500
 * backoffDelay(3, DEFAULT_RETRY_POLICY, () => 0.5); // 1000
 * ```
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  if (!Number.isInteger(retry) || retry < 1) throw new RangeError(`retry must be an integer >= 1, got ${retry}`);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  const r = random();
  const unit = Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 0;
  return Math.round(ceiling * unit);
}

/**
 * The wait before the next attempt: the server's hint (`retryAfterMs`, from `Retry-After` or
 * `availability.retry_after`) when present, otherwise the jittered backoff. When the server asks for
 * more than `maxDelayMs` the answer is `undefined`, meaning "do not retry": sending earlier than asked
 * only earns another refusal, and the error keeps `retryAfterMs` for the caller to schedule.
 *
 * @example
 * ```ts
 * retryDelay(1, DEFAULT_RETRY_POLICY, 1000); // 1000 (the server's Retry-After wins)
 * retryDelay(1, DEFAULT_RETRY_POLICY, 3_600_000); // undefined (longer than maxDelayMs)
 * ```
 */
export function retryDelay(
  retry: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  if (typeof retryAfterMs === "number" && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
    return retryAfterMs > policy.maxDelayMs ? undefined : Math.round(retryAfterMs);
  }
  return backoffDelay(retry, policy, random);
}
