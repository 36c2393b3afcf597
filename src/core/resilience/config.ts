/**
 * The settings of the resilience layer: what a client configures, what a call overrides, and their checks.
 */
import { InvalidArgumentError, type OpenRouterError, type RequestInfo } from "../errors.js";
import type { Hooks } from "./hooks.js";
import { type RetryOptions, type RetryPolicy, resolveRetryPolicy } from "../retry.js";
import type { OtelLoader } from "./telemetry.js";
import { type TelemetryOptions, checkTelemetryOption } from "./span.js";

/** One logical request, as the transport understands it. Extra fields of a subtype are kept. */
export interface SendRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path below the base URL (query string included). */
  path: string;
  body?: Record<string, unknown> | undefined;
  /** The model the request targets; fallback replaces it (and `body.model`). */
  model?: string | undefined;
  stream: boolean;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  headers?: Record<string, string> | undefined;
  /** `body` as JSON text, made once per call; dropped whenever this layer changes the body. */
  serialized?: string | undefined;
}

/**
 * One attempt. Resolves with its value (a 2xx `Response` with an unread body, or anything the
 * caller built from it, such as a parsed `ChatResult`); throws an `OpenRouterError` otherwise.
 * `attempt` is 1-based and counts every attempt of the call, across fallbacks.
 */
export type SendOnce<R extends SendRequest = SendRequest, T = Response> = (req: R, attempt: number) => Promise<T>;

/** What to do with a 402 "… can only afford N": throw, or retry once with `max_tokens: N`. */
export type InsufficientCreditsPolicy = "throw" | "reduce-max-tokens";

/** Client-level settings (the client's options, normalised once). */
export interface ResilienceConfig {
  retry?: RetryOptions | false | undefined;
  /** Models to try, in order, when the requested one fails with a retryable or availability error. */
  fallbackModels?: readonly string[] | undefined;
  /** Per-model circuit breaker; off unless given (`true` for the defaults). */
  circuitBreaker?: CircuitBreakerOptions | boolean | undefined;
  /** Client-side limits; `false` also turns off free-model pacing. */
  rateLimit?: RateLimitOptions | false | undefined;
  hooks?: Hooks | undefined;
  telemetry?: boolean | TelemetryOptions | undefined;
  onInsufficientCredits?: InsufficientCreditsPolicy | undefined;
  /** For `server.address` on spans. */
  baseUrl?: string | undefined;
  /** Clock (epoch ms). Default `Date.now`. */
  now?: (() => number) | undefined;
  /** Cancellable sleep. Must reject when `signal` aborts. Default: a `setTimeout` sleep. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** Jitter source in [0, 1). Default `Math.random`. */
  random?: (() => number) | undefined;
  /** How `@opentelemetry/api` is loaded (tests). */
  otelLoader?: OtelLoader | undefined;
}

/** Per-call overrides. */
export interface CallResilienceOptions {
  retry?: RetryOptions | false | undefined;
  /** Replaces the client's list for this call; `false` or `[]` for none. */
  fallbackModels?: readonly string[] | false | undefined;
  onInsufficientCredits?: InsufficientCreditsPolicy | undefined;
  /** Cancels queue waits and backoff sleeps (the transport uses the same signal for the fetch). */
  signal?: AbortSignal | undefined;
  /**
   * Builds the error for an abort of `signal` (the transport's deadline knows whether it was the
   * caller or the total timeout). Default: a `TimeoutError` when the abort reason is named
   * `TimeoutError`, otherwise an `AbortError`.
   */
  abortError?: ((cause: unknown) => OpenRouterError) | undefined;
  /**
   * The call's deadline (core/deadline.ts): builds the abort/timeout error when `abortError` is not given, and,
   * without `signal`, is what aborts the call: its `aborted` is checked between attempts and its `signal`, made
   * on first read, is read only by a backoff sleep or a queue wait.
   */
  deadline?: CallDeadline | undefined;
}

/** What the run loop reads of a call's deadline (core/deadline.ts's `Deadline`). */
export interface CallDeadline {
  failure(info: RequestInfo, cause?: unknown): OpenRouterError;
  readonly aborted?: boolean;
  readonly reason?: unknown;
  readonly signal?: AbortSignal | undefined;
}

/** Option checks in the pure modules throw TypeError/RangeError; callers of the client get InvalidArgumentError. */
export function checked<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) throw new InvalidArgumentError(error.message, { cause: error });
    throw error;
  }
}

const INSUFFICIENT_POLICIES: ReadonlySet<string> = new Set(["throw", "reduce-max-tokens"]);

export function validateModels(name: string, value: unknown): readonly string[] {
  if (value === undefined || value === false) return [];
  if (!Array.isArray(value) || value.some((m) => typeof m !== "string" || m.trim() === "")) {
    throw new TypeError(`${name} must be an array of model ids (non-empty strings)`);
  }
  return value as string[];
}

export function validateInsufficient(name: string, value: unknown): InsufficientCreditsPolicy | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !INSUFFICIENT_POLICIES.has(value)) {
    throw new TypeError(`${name} must be "throw" or "reduce-max-tokens", got ${String(value)}`);
  }
  return value as InsufficientCreditsPolicy;
}

const HOOK_NAMES = ["onRequest", "onResponse", "onError", "onRetry", "onFallback", "onResult"] as const;

/**
 * Check a `hooks` option once, when the client is built, so a typo fails loudly there. Here, with the other
 * settings checks, rather than in hooks.ts: this runs in every constructor, the hooks' code only once a call runs.
 *
 * @example
 * ```ts
 * validateHooks({ onRetry: (e) => console.log(e.delayMs) }); // ok
 * validateHooks({ onRetry: 42 }); // throws TypeError
 * ```
 */
export function validateHooks(hooks: unknown): Hooks | undefined {
  if (hooks === undefined) return undefined;
  if (typeof hooks !== "object" || hooks === null) throw new TypeError("hooks must be an object of callbacks");
  const h = hooks as Record<string, unknown>;
  for (const name of HOOK_NAMES) {
    if (h[name] !== undefined && typeof h[name] !== "function") {
      throw new TypeError(`hooks.${name} must be a function, got ${typeof h[name]}`);
    }
  }
  if (h["includeContent"] !== undefined && typeof h["includeContent"] !== "boolean") {
    throw new TypeError("hooks.includeContent must be a boolean");
  }
  return hooks as Hooks;
}


/** Circuit breaker settings (all optional). */
export interface CircuitBreakerOptions {
  /** Consecutive retryable failures that open the circuit. Default 5. */
  failureThreshold?: number;
  /** Failures older than this no longer count towards the threshold. Default 60 s. */
  windowMs?: number;
  /** How long an open circuit stays open before it lets one probe through. Default 30 s. */
  cooldownMs?: number;
}

/** Client-side limits (all opt-in except the free-model pacing, which is on by default). */
export interface RateLimitOptions {
  /** Requests per minute across the client. */
  requestsPerMinute?: number;
  /** Request burst (bucket capacity). Default: `requestsPerMinute`. */
  requestsBurst?: number;
  /** Tokens (prompt + completion) per minute, estimated before sending and corrected by usage. */
  tokensPerMinute?: number;
  /** Token burst (bucket capacity). Default: `tokensPerMinute`. */
  tokensBurst?: number;
  /** Calls in flight at once (a stream counts until its body ends). */
  maxConcurrency?: number;
  /**
   * Pacing of `:free` models (and the `openrouter/free` router): at most this many requests in
   * any 60 s window. Default 20, OpenRouter's published free-model cap; `false` turns it off.
   */
  freeModelsPerMinute?: number | false;
  /** Replace the built-in token estimate (characters / 4 of the input plus `max_tokens`). */
  estimateTokens?: (body: Record<string, unknown> | undefined) => number;
}

/** Limits for one {@link RateLimiter}; the resilience layer builds these from {@link RateLimitOptions}. */
export interface LimiterConfig {
  requestsPerMinute?: number;
  requestsBurst?: number;
  tokensPerMinute?: number;
  tokensBurst?: number;
  maxConcurrency?: number;
  /** Sliding-window cap `{limit, windowMs}` (used for free-model pacing). */
  window?: { limit: number; windowMs: number };
}

/** A `rateLimit.*` setting: a finite number above zero. */
export function positiveNumber(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`rateLimit.${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

function positive(name: string, value: unknown, integer: boolean): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new TypeError(`circuitBreaker.${name} must be a positive ${integer ? "integer" : "number"}, got ${String(value)}`);
  }
  return value;
}

/** The breaker's settings, checked, with their defaults. */
export function circuitSettings(options: CircuitBreakerOptions): Required<CircuitBreakerOptions> {
  if (typeof options !== "object" || options === null) throw new TypeError("circuitBreaker must be an object");
  return {
    failureThreshold: positive("failureThreshold", options.failureThreshold ?? 5, true),
    windowMs: positive("windowMs", options.windowMs ?? 60_000, false),
    cooldownMs: positive("cooldownMs", options.cooldownMs ?? 30_000, false),
  };
}

/** One limiter's settings, checked: the buckets' sizes and rates, the concurrency cap. */
export function checkLimiterConfig(config: LimiterConfig): {
  requests: { burst: number; perMinute: number } | undefined;
  tokens: { burst: number; perMinute: number } | undefined;
  maxConcurrency: number;
} {
  if (typeof config !== "object" || config === null) throw new TypeError("rateLimit must be an object");
  const bucket = (rate: string, burst: string, perMinute: number | undefined, size: number | undefined) => {
    if (perMinute === undefined) return undefined;
    const checked = positiveNumber(rate, perMinute);
    return { perMinute: checked, burst: positiveNumber(burst, size ?? checked) };
  };
  const requests = bucket("requestsPerMinute", "requestsBurst", config.requestsPerMinute, config.requestsBurst);
  const tokens = bucket("tokensPerMinute", "tokensBurst", config.tokensPerMinute, config.tokensBurst);
  if (config.window) {
    positiveNumber("freeModelsPerMinute", config.window.limit);
    positiveNumber("windowMs", config.window.windowMs);
  }
  const max = config.maxConcurrency;
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
    throw new TypeError(`rateLimit.maxConcurrency must be an integer >= 1, got ${String(max)}`);
  }
  return { requests, tokens, maxConcurrency: max ?? Number.POSITIVE_INFINITY };
}

/**
 * Checks every client-level setting of the resilience layer: the client's constructor calls this (through
 * `lazyResilience`), so a bad option fails there even though the run loop is loaded on the first call. Only
 * the checks are here; run.ts's `resilienceSettings` builds the settings the loop starts from when it loads.
 * Throws TypeError/RangeError (callers wrap them with {@link checked}).
 *
 * @example
 * checked(() => checkResilienceConfig({ retry: { maxRetries: -1 } })); // throws InvalidArgumentError
 */
export function checkResilienceConfig(config: ResilienceConfig): CheckedResilience {
  if (typeof config !== "object" || config === null) throw new TypeError("resilience config must be an object");
  const cb = config.circuitBreaker;
  if (cb !== undefined && typeof cb !== "boolean" && (typeof cb !== "object" || cb === null)) {
    throw new TypeError("circuitBreaker must be a boolean or an options object");
  }
  if (typeof cb === "object") circuitSettings(cb);
  const rl = config.rateLimit;
  if (rl !== undefined && rl !== false && (typeof rl !== "object" || rl === null)) {
    throw new TypeError("rateLimit must be an options object or false");
  }
  if (rl) {
    // The client's own limiter takes only these fields (a stray `window` is not one of its options).
    const { requestsPerMinute, requestsBurst, tokensPerMinute, tokensBurst, maxConcurrency } = rl;
    checkLimiterConfig({ requestsPerMinute, requestsBurst, tokensPerMinute, tokensBurst, maxConcurrency } as LimiterConfig);
  }
  const freePerMinute = rl === false ? false : (rl?.freeModelsPerMinute ?? 20);
  if (freePerMinute !== false) checkLimiterConfig({ window: { limit: freePerMinute, windowMs: 60_000 } });
  if (rl && rl.estimateTokens !== undefined && typeof rl.estimateTokens !== "function") {
    throw new TypeError("rateLimit.estimateTokens must be a function");
  }
  return {
    policy: resolveRetryPolicy(config.retry),
    fallbacks: validateModels("fallbackModels", config.fallbackModels),
    insufficient: validateInsufficient("onInsufficientCredits", config.onInsufficientCredits),
    hooks: validateHooks(config.hooks),
    tracing: checkTelemetryOption(config.telemetry),
  };
}

/** What the checks of {@link checkResilienceConfig} resolve on the way, so the run loop does not check them again. */
export interface CheckedResilience {
  policy: RetryPolicy;
  fallbacks: readonly string[];
  insufficient: InsufficientCreditsPolicy | undefined;
  hooks: Hooks | undefined;
  tracing: boolean;
}
