/**
 * OpenRouter's `X-RateLimit-*` response headers as numbers, for `ChatResult.rateLimit` and
 * `RateLimitError.rateLimit`. OpenRouter documents them on the 429s of its own limits; a proxy or a future
 * version may send them on successes too, so every result reads them when present.
 */

export interface RateLimitInfo {
  /** `X-RateLimit-Limit`: requests allowed in the window. */
  limit: number | undefined;
  /** `X-RateLimit-Remaining`: requests left in the window. */
  remaining: number | undefined;
  /**
   * `X-RateLimit-Reset` as a moment in epoch milliseconds (compare with `Date.now()`). OpenRouter sends epoch
   * milliseconds; epoch seconds and a delay in seconds are converted too.
   */
  resetAt: number | undefined;
}

function count(value: string | null): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** The reset header as epoch milliseconds; the same reading of its unit as the retry layer's. */
function resetAt(value: string | null, now: number): number | undefined {
  const n = count(value);
  if (n === undefined) return undefined;
  if (n >= 1e12) return Math.round(n); // epoch milliseconds (what OpenRouter sends)
  if (n >= 1e9) return Math.round(n * 1000); // epoch seconds
  return Math.round(now + n * 1000); // a delay in seconds
}

/**
 * The rate-limit headers, or `undefined` when the response has none of them.
 *
 * @example
 * rateLimitFromHeaders(new Headers({ "x-ratelimit-limit": "20", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1759845420000" }));
 * // { limit: 20, remaining: 0, resetAt: 1759845420000 }
 */
export function rateLimitFromHeaders(headers: Headers, now: number = Date.now()): RateLimitInfo | undefined {
  const limit = headers.get("x-ratelimit-limit");
  const remaining = headers.get("x-ratelimit-remaining");
  const reset = headers.get("x-ratelimit-reset");
  if (limit === null && remaining === null && reset === null) return undefined;
  return { limit: count(limit), remaining: count(remaining), resetAt: resetAt(reset, now) };
}
