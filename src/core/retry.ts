/**
 * Retry policy for OpenRouter calls: which failures are worth another attempt, and the settings that
 * bound the retries. Everything here is pure, so the policy can be tested with a fixed `random()` and
 * clock. This is the one place that decides whether a failure is retryable: `OpenRouterError` sets its
 * `retryable` flag from `isRetryable`. How long to wait lives in retry-timing.ts: the error classes load
 * this module with every client, and the waits are only needed once a request has failed.
 *
 * @module
 */

/** Per-client or per-call retry settings. Every field is optional; missing ones take the defaults. */
export interface RetryOptions {
  /** Retries after the first attempt (so `2` means up to 3 attempts). Default 2. */
  maxRetries?: number;
  /** The backoff ceiling for the first retry; doubles per retry before jitter. Default 500 ms. */
  baseDelayMs?: number;
  /** No single wait is longer than this; a server asking for more (`Retry-After`) ends the retries. Default 30 s. */
  maxDelayMs?: number;
  /** Total time budget for all attempts and waits of one call. Default 120 s. */
  maxElapsedMs?: number;
}

/** A fully resolved retry policy (every field set and validated). */
export interface RetryPolicy {
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxElapsedMs: number;
}

/**
 * The defaults: 2 retries, 500 ms base (the figure OpenRouter's own SDK starts from), 30 s cap
 * per wait and a 2 minute budget per call.
 *
 * @example
 * ```ts
 * DEFAULT_RETRY_POLICY.maxRetries; // 2
 * ```
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxRetries: 2,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxElapsedMs: 120_000,
});

/**
 * HTTP statuses that may succeed when simply sent again. 400/401/402/403/404 (and every other 4xx)
 * never are: the same request gets the same answer.
 */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504, 524, 529]);

function checkNonNegative(name: string, value: unknown, integer: boolean): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new TypeError(
      `retry.${name} must be a non-negative ${integer ? "integer" : "finite number"}, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Resolve `RetryOptions | false | undefined` against a base policy (the client's, or the defaults)
 * and validate it. Per-call options override only the fields they set.
 *
 * @example
 * ```ts
 * const clientPolicy = resolveRetryPolicy({ maxRetries: 5 });
 * const callPolicy = resolveRetryPolicy({ baseDelayMs: 100 }, clientPolicy); // maxRetries still 5
 * resolveRetryPolicy(false).maxRetries; // 0
 * ```
 */
export function resolveRetryPolicy(
  options: RetryOptions | false | undefined,
  base: RetryPolicy = DEFAULT_RETRY_POLICY,
): RetryPolicy {
  if (options === false) return { ...base, maxRetries: 0 };
  if (options === undefined) return base;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`retry must be an object or false, got ${typeof options}`);
  }
  const policy: RetryPolicy = {
    maxRetries: checkNonNegative("maxRetries", options.maxRetries ?? base.maxRetries, true),
    baseDelayMs: checkNonNegative("baseDelayMs", options.baseDelayMs ?? base.baseDelayMs, false),
    maxDelayMs: checkNonNegative("maxDelayMs", options.maxDelayMs ?? base.maxDelayMs, false),
    maxElapsedMs: checkNonNegative("maxElapsedMs", options.maxElapsedMs ?? base.maxElapsedMs, false),
  };
  return policy;
}

/** The fields of an error that the policy looks at; OpenRouterError has all of them. */
export interface ErrorLike {
  name?: unknown;
  kind?: unknown;
  status?: unknown;
  message?: unknown;
  retryable?: unknown;
  metadata?: unknown;
  availability?: unknown;
  errorType?: unknown;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
}

/**
 * The `error.availability` object of an OpenRouter error, wherever the error class keeps it
 * (a property of its own, or inside `metadata`).
 *
 * @example
 * ```ts
 * availabilityOf({ metadata: { availability: { code: "no_endpoints", retryable: false } } })?.retryable; // false
 * ```
 */
export function availabilityOf(error: unknown): Record<string, unknown> | undefined {
  const e = asRecord(error);
  if (!e) return undefined;
  return asRecord(e["availability"]) ?? asRecord(asRecord(e["metadata"])?.["availability"]);
}

/**
 * True for the 429 that says the daily allowance of free-model requests is used up
 * (`free-models-per-day`). Waiting seconds cannot help with it, so it is never retried.
 *
 * @example
 * ```ts
 * isFreeDailyLimit({ status: 429, message: "Rate limit exceeded: free-models-per-day. Add 10 credits…" }); // true
 * isFreeDailyLimit({ status: 429, message: "Rate limit exceeded: free-models-per-min." }); // false
 * ```
 */
export function isFreeDailyLimit(error: unknown): boolean {
  const e = asRecord(error) as ErrorLike | undefined;
  if (!e || (e.status !== 429 && e.kind !== "rate_limit")) return false;
  const text = typeof e.message === "string" ? e.message : "";
  if (/free-models-per-day/i.test(text)) return true;
  const raw = asRecord(e.metadata)?.["raw"];
  return typeof raw === "string" && /free-models-per-day/i.test(raw);
}

/** Kinds (see `ErrorKind` in errors.ts) that are worth another attempt when there is no status. */
const RETRYABLE_KINDS: ReadonlySet<string> = new Set(["network", "rate_limit", "provider_unavailable", "server"]);

/**
 * True for a timeout the client itself raised (the call's `timeoutMs` or a stream timer): kind `timeout`
 * with no HTTP status. A 408/504/524 from the server is a timeout too, but one worth another attempt; the
 * client's own timeout means the call's time budget is spent, so it is neither retried nor sent to a
 * fallback model.
 *
 * @example
 * ```ts
 * isClientTimeout({ kind: "timeout" }); // true
 * isClientTimeout({ kind: "timeout", status: 504 }); // false
 * ```
 */
export function isClientTimeout(error: unknown): boolean {
  const e = asRecord(error) as ErrorLike | undefined;
  return e !== undefined && e.kind === "timeout" && e.status === undefined;
}

/**
 * Whether a failed attempt is worth sending again, from the error alone. `OpenRouterError` sets its own
 * `retryable` flag from this, so `error.retryable === isRetryable(error)` unless the layer that read a 2xx
 * body said otherwise. In order:
 * - a caller abort, an open circuit or a client-side timeout (the call's time budget is spent): no;
 * - `availability.retryable` (a boolean) is the server's explicit word and wins both ways, except on a
 *   401/403 (the same key gets the same answer): a 400 marked retryable is retried;
 * - the daily free-model cap: no (it resets in hours, not seconds);
 * - a network failure (kind `network`), also one after a 2xx's headers: yes;
 * - an error delivered inside a 200 (kind `stream`, `invalid_response`, a 2xx status): its own `retryable` flag;
 * - statuses 408, 429, 500, 502, 503, 504, 524, 529: yes; any other status: no;
 * - rate-limit, provider and server failures without a status: yes;
 * - otherwise the error's own `retryable` flag decides.
 *
 * @example
 * ```ts
 * isRetryable({ kind: "provider_unavailable", status: 503 }); // true
 * isRetryable({ kind: "authentication", status: 401, retryable: true }); // false
 * isRetryable({ kind: "invalid_request", status: 400, metadata: { availability: { retryable: true } } }); // true
 * isRetryable({ kind: "network" }); // true
 * ```
 */
export function isRetryable(error: unknown): boolean {
  const e = asRecord(error) as ErrorLike | undefined;
  if (!e) return false;
  if (e.kind === "aborted" || e.name === "AbortError") return false;
  if (e.kind === "circuit_open" || isClientTimeout(e)) return false;
  const serverSays = availabilityOf(e)?.["retryable"];
  if (typeof serverSays === "boolean") return serverSays && e.status !== 401 && e.status !== 403;
  if (isFreeDailyLimit(e)) return false;
  // A dropped connection is worth another attempt whatever status the headers before it carried.
  if (e.kind === "network") return true;
  // In-band errors and unreadable 200 bodies: the layer that read the body knows best.
  if (e.kind === "stream" || e.kind === "invalid_response") return e.retryable === true;
  if (typeof e.status === "number") {
    if (e.status >= 200 && e.status < 300) return e.retryable === true;
    return RETRYABLE_STATUSES.has(e.status);
  }
  if (typeof e.kind === "string" && RETRYABLE_KINDS.has(e.kind)) return true;
  return e.retryable === true;
}
