/**
 * The resilience layer around one HTTP attempt: client-side rate limits and free-model pacing,
 * the per-model circuit breaker, retries with backoff, the 402 "reduce max_tokens" retry, model
 * fallback, hooks and OpenTelemetry spans. The transport supplies the attempt; everything that
 * decides *whether and when* to send again lives here, so `chat`, `chatStream` and `client.api`
 * share one behaviour.
 *
 * A stream is an attempt that resolves when its headers arrive, so it is retried (or falls back)
 * only before its first event: once the attempt has resolved this layer never sends it again. The settings
 * and their checks live in config.ts, the retry and fallback loop in loop.ts, fallback rules in fallback.ts,
 * the report of a call in report.ts.
 *
 * The common call (no breaker, limiter, pacing for its model, hooks or span) is sent here, in a small async
 * function: a first-time success builds its record and nothing else; a failure goes on to loop.ts.
 */
import { InvalidArgumentError, type OpenRouterError } from "../errors.js";
import { CircuitBreaker } from "./circuit.js";
import { contentFreeError } from "./hooks.js";
import { RateLimiter, type LimiterClock } from "./rate-limit.js";
import { estimateRequestTokens, isFreeModel } from "./free-models.js";
import { type RetryPolicy, resolveRetryPolicy } from "../retry.js";
import { abortableSleep } from "../../internal/sleep.js";
import type { Telemetry } from "./telemetry.js";
import type { CallSpan, SpanStart } from "./span.js";
import {
  type CallResilienceOptions,
  type CircuitBreakerOptions,
  type InsufficientCreditsPolicy,
  type LimiterConfig,
  type RateLimitOptions,
  type ResilienceConfig,
  type SendOnce,
  type SendRequest,
  checkResilienceConfig,
  checked,
  validateInsufficient,
  validateModels,
} from "./config.js";
import type { Hooks } from "./hooks.js";
import { type LoopClient, runLoop } from "./loop.js";
import { CallRecord, type ResilientResult } from "./report.js";

export type { CallResilienceOptions, InsufficientCreditsPolicy, ResilienceConfig, SendOnce, SendRequest } from "./config.js";
export type { RecordedResult, ResilientResult } from "./report.js";
export type { FallbackRecord } from "./hooks.js";

/** The resilient call runner of one client. */
export interface Resilience {
  /**
   * Run one logical call through limits, breaker, retries and fallbacks.
   *
   * @example
   * ```ts
   * const { value: response, model, fallbacks } = await resilience.run(req, { signal }, (r) => attemptOnce(r));
   * ```
   */
  run<R extends SendRequest, T>(req: R, call: CallResilienceOptions, attempt: SendOnce<R, T>): Promise<ResilientResult<T>>;
  /** The circuit breaker (undefined when off), for inspection. */
  readonly circuit: CircuitBreaker | undefined;
  /** The client-wide limiter (undefined when no limit is set). */
  readonly limiter: RateLimiter | undefined;
}

/** A client's resilience settings, checked once; what the run loop starts from. */
interface ResilienceSettings {
  policy: RetryPolicy;
  fallbacks: readonly string[];
  insufficient: InsufficientCreditsPolicy;
  hooks: Hooks | undefined;
  tracing: boolean;
  /** The breaker's options; undefined when it is off. */
  circuit: CircuitBreakerOptions | undefined;
  /** The client's own limiter; undefined when no limit is set. */
  limits: LimiterConfig | undefined;
  /** Free-model pacing per minute, or false. */
  freePerMinute: number | false;
  estimateTokens: RateLimitOptions["estimateTokens"];
}

/**
 * The settings the loop starts from, after config.ts's checks (the client ran them in its constructor; a
 * runner built directly runs them here). Built here, with the loop, so the client does not load the building.
 */
function resilienceSettings(config: ResilienceConfig): ResilienceSettings {
  const { policy, fallbacks, insufficient, hooks, tracing } = checkResilienceConfig(config);
  const cb = config.circuitBreaker;
  const rl = config.rateLimit;
  const given = rl === false || rl === undefined ? undefined : rl;
  let limits: LimiterConfig | undefined;
  if (given && (given.requestsPerMinute !== undefined || given.tokensPerMinute !== undefined || given.maxConcurrency !== undefined)) {
    limits = {
      ...(given.requestsPerMinute !== undefined && { requestsPerMinute: given.requestsPerMinute }),
      ...(given.requestsBurst !== undefined && { requestsBurst: given.requestsBurst }),
      ...(given.tokensPerMinute !== undefined && { tokensPerMinute: given.tokensPerMinute }),
      ...(given.tokensBurst !== undefined && { tokensBurst: given.tokensBurst }),
      ...(given.maxConcurrency !== undefined && { maxConcurrency: given.maxConcurrency }),
    };
  }
  return {
    policy,
    fallbacks,
    insufficient: insufficient ?? "throw",
    hooks,
    tracing,
    circuit: cb === undefined || cb === false ? undefined : cb === true ? {} : cb,
    limits,
    freePerMinute: rl === false ? false : (given?.freeModelsPerMinute ?? 20),
    estimateTokens: given?.estimateTokens,
  };
}

/**
 * Build the resilience runner of one client. All state (breaker, buckets, queue, tracer) lives in
 * the returned object, so two clients never share it.
 *
 * @example
 * ```ts
 * const resilience = createResilience({ retry: { maxRetries: 3 }, fallbackModels: ["anthropic/claude-sonnet-4"] });
 * const { value, model, fallbacks } = await resilience.run(call, { signal, deadline }, (req) => attemptOnce(req));
 * ```
 */
export function createResilience(config: ResilienceConfig = {}): Resilience {
  return checked(() => buildResilience(config));
}

function buildResilience(config: ResilienceConfig): Resilience {
  const settings = resilienceSettings(config);
  const now = config.now ?? Date.now;
  const sleep = config.sleep ?? abortableSleep;
  const { policy: clientPolicy, fallbacks: clientFallbacks, insufficient: clientInsufficient, hooks, tracing } = settings;
  const includeContent = hooks?.includeContent === true;
  /** Errors handed to hooks: without `includeContent` they carry no generated or prompt text. */
  const forHooks = <E extends OpenRouterError>(error: E): E => (includeContent ? error : contentFreeError(error));
  // The telemetry module (span attributes, the OpenTelemetry loader) is imported on the first traced call.
  let telemetry: Promise<Telemetry> | undefined;
  const startSpan = async (start: SpanStart): Promise<CallSpan> => {
    telemetry ??= import("./telemetry.js").then(({ Telemetry }) => new Telemetry(config.telemetry, config.otelLoader));
    return (await telemetry).start(start);
  };

  const circuit = settings.circuit && new CircuitBreaker(settings.circuit, now);
  const clock: LimiterClock = { now, sleep };
  const limiter = settings.limits && new RateLimiter(settings.limits, clock);
  const freePacer =
    settings.freePerMinute === false ? undefined : new RateLimiter({ window: { limit: settings.freePerMinute, windowMs: 60_000 } }, clock);
  const client: LoopClient = {
    circuit,
    limiter,
    freePacer,
    hooks,
    tracing,
    includeContent,
    forHooks,
    reporting: { hooks, includeContent, forHooks, now },
    now,
    sleep,
    random: config.random ?? Math.random,
    estimate: settings.estimateTokens ?? estimateRequestTokens,
    startSpan,
    baseUrl: config.baseUrl,
  };
  // Whether a call may take the fast path: nothing client-wide watches or gates its attempts.
  const plain = !tracing && !hooks && !circuit && !limiter;
  let sequence = 0;

  async function run<R extends SendRequest, T>(
    original: R,
    call: CallResilienceOptions,
    attempt: SendOnce<R, T>,
  ): Promise<ResilientResult<T>> {
    if (typeof attempt !== "function") throw new InvalidArgumentError("resilience.run needs an attempt function");
    // Per-call overrides are checked before anything is sent, and only when given.
    const policy: RetryPolicy = call.retry === undefined ? clientPolicy : checked(() => resolveRetryPolicy(call.retry, clientPolicy));
    const fallbackList =
      call.fallbackModels === undefined ? clientFallbacks : checked(() => validateModels("fallbackModels", call.fallbackModels));
    const insufficient =
      call.onInsufficientCredits === undefined
        ? clientInsufficient
        : (checked(() => validateInsufficient("onInsufficientCredits", call.onInsufficientCredits)) ?? clientInsufficient);
    const requestId = `req-${++sequence}`;
    const started = now();
    if (!plain || (freePacer !== undefined && isFreeModel(original.model)) || abortedBefore(original, call)) {
      return runLoop(client, { original, call, attempt, policy, fallbackList, insufficient, requestId, started });
    }
    // The fast path: one attempt, and for a success only its record (no gates, reports or permits to settle).
    let value: T;
    try {
      value = await attempt(original, 1);
    } catch (thrown) {
      return runLoop(client, { original, call, attempt, policy, fallbackList, insufficient, requestId, started, firstFailure: { thrown } });
    }
    return new CallRecord<T>(value, original.model, 1, [], requestId, undefined);
  }

  return { run, circuit, limiter };
}

/** Whether the call is aborted before its first attempt (the loop then builds the abort error). */
function abortedBefore(original: SendRequest, call: CallResilienceOptions): boolean {
  if (call.signal !== undefined) return call.signal.aborted;
  if (call.deadline?.aborted !== undefined) return call.deadline.aborted;
  return original.signal?.aborted === true;
}
