/**
 * The settings of the resilience layer: what a client configures, what a call overrides, and their checks.
 */
import { InvalidArgumentError, type OpenRouterError, type RequestInfo } from "../errors.js";
import type { CircuitBreakerOptions } from "./circuit.js";
import type { Hooks } from "./hooks.js";
import type { RateLimitOptions } from "./rate-limit.js";
import type { RetryOptions } from "../retry.js";
import type { OtelLoader } from "./telemetry.js";
import type { TelemetryOptions } from "./span.js";

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
  /** The call's deadline (core/deadline.ts): builds the abort/timeout error when `abortError` is not given. */
  deadline?: { failure(info: RequestInfo, cause?: unknown): OpenRouterError } | undefined;
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

