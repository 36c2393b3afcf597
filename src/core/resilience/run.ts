/**
 * The resilience layer around one HTTP attempt: client-side rate limits and free-model pacing,
 * the per-model circuit breaker, retries with backoff, the 402 "reduce max_tokens" retry, model
 * fallback, hooks and OpenTelemetry spans. The transport supplies the attempt; everything that
 * decides *whether and when* to send again lives here, so `chat`, `chatStream` and `client.api`
 * share one behaviour.
 *
 * A stream is an attempt that resolves when its headers arrive, so it is retried (or falls back)
 * only before its first event: once the attempt has resolved this layer never sends it again.
 *
 * @module
 */
import {
  AbortError,
  CircuitOpenError,
  InvalidArgumentError,
  OpenRouterError,
  TimeoutError,
  describe,
  isOpenRouterError,
  type RequestInfo,
} from "../errors.js";
import { CircuitBreaker, type CircuitBreakerOptions } from "./circuit.js";
import { type FallbackRecord, type Hooks, contentFreeError, emitHook, validateHooks } from "./hooks.js";
import {
  QueueAbortedError,
  RateLimiter,
  type LimiterClock,
  type RateLimitOptions,
  type RateLimitPermit,
  estimateRequestTokens,
  isFreeModel,
} from "./rate-limit.js";
import {
  type RetryOptions,
  type RetryPolicy,
  SleepAbortedError,
  abortableSleep,
  availabilityOf,
  isFreeDailyLimit,
  isRetryable,
  resolveRetryPolicy,
  retryDelay,
} from "../retry.js";
import { NOOP_SPAN, checkTelemetryOption } from "./span.js";
import type { CallSpan, OtelLoader, SpanStart, Telemetry, TelemetryOptions } from "./telemetry.js";

export type { FallbackRecord } from "./hooks.js";

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

/** What a call reports after parsing its result (a `ChatResult` fits as is). */
export interface RecordedResult {
  model?: string | undefined;
  generationId?: string | undefined;
  provider?: string | undefined;
  usage?: Readonly<Record<string, unknown>> | undefined;
  cost?: number | undefined;
  finishReason?: string | null | undefined;
  message?: unknown;
}

/** A successful call: the attempt's value plus which model answered and what failed before it. */
export interface ResilientResult<T = Response> {
  /** What the successful attempt resolved with. */
  readonly value: T;
  /** The model the successful attempt was sent to (the request's, or a fallback). */
  readonly model: string | undefined;
  /** HTTP attempts made, the successful one included. */
  readonly attempts: number;
  /** Models that failed before `model` answered, with their final errors (empty without fallback). */
  readonly fallbacks: readonly FallbackRecord[];
  readonly requestId: string;
  /**
   * Report the parsed result (usage, cost, generation id, provider): corrects the tokens-per-minute
   * estimate, fires `onResult` and ends the span. Called automatically when the value is not a
   * `Response`; the stream layer calls it with its assembled result. Only the first report counts.
   */
  recordResult(result: RecordedResult): void;
  /** Report a failure after the attempt resolved (body read, mid-stream error, abort). */
  recordError(error: unknown): void;
}

/** The resilient call runner of one client. */
export interface Resilience {
  /**
   * Run one logical call through limits, breaker, retries and fallbacks.
   *
   * @example
   * ```ts
   * const { value: response, model, fallbacks } = await resilience.run(req, { signal }, (r) => transport.sendOnce(r, deadline));
   * ```
   */
  run<R extends SendRequest, T>(req: R, call: CallResilienceOptions, attempt: SendOnce<R, T>): Promise<ResilientResult<T>>;
  /** The circuit breaker (undefined when off), for inspection. */
  readonly circuit: CircuitBreaker | undefined;
  /** The client-wide limiter (undefined when no limit is set). */
  readonly limiter: RateLimiter | undefined;
}

/** Option checks in the pure modules throw TypeError/RangeError; callers of the client get InvalidArgumentError. */
function checked<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) throw new InvalidArgumentError(error.message, { cause: error });
    throw error;
  }
}

const INSUFFICIENT_POLICIES: ReadonlySet<string> = new Set(["throw", "reduce-max-tokens"]);

function validateModels(name: string, value: unknown): readonly string[] {
  if (value === undefined || value === false) return [];
  if (!Array.isArray(value) || value.some((m) => typeof m !== "string" || m.trim() === "")) {
    throw new TypeError(`${name} must be an array of model ids (non-empty strings)`);
  }
  return value as string[];
}

function validateInsufficient(name: string, value: unknown): InsufficientCreditsPolicy | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !INSUFFICIENT_POLICIES.has(value)) {
    throw new TypeError(`${name} must be "throw" or "reduce-max-tokens", got ${String(value)}`);
  }
  return value as InsufficientCreditsPolicy;
}

function defaultAbortError(info: RequestInfo, reason: unknown, cause: unknown): OpenRouterError {
  const name = (reason as { name?: unknown } | null)?.name;
  if (name === "TimeoutError") {
    return new TimeoutError(`Request timed out${describe(info)}`, { ...info, retryable: false, cause });
  }
  return new AbortError(`Request aborted by the caller${describe(info)}`, { ...info, cause });
}

/** Can the next model help after this one gave up with `error`? */
function canFallback(error: OpenRouterError): boolean {
  if (error.kind === "aborted" || error.kind === "invalid_argument" || error.kind === "budget_exceeded") return false;
  // A client-side timeout means the call's whole time budget is spent.
  if (error.kind === "timeout" && error.status === undefined) return false;
  if (error.kind === "circuit_open" || error.kind === "not_found") return true;
  if (availabilityOf(error)) return true;
  // The daily cap binds free variants only; a paid fallback can still answer.
  if (isFreeDailyLimit(error)) return true;
  return isRetryable(error);
}

function maxTokensField(body: Record<string, unknown>): "max_tokens" | "max_completion_tokens" {
  return body["max_tokens"] === undefined && body["max_completion_tokens"] !== undefined ? "max_completion_tokens" : "max_tokens";
}

/** Keeps a concurrency slot until the body is consumed, cancelled or fails. */
function releaseWithBody(response: Response, release: () => void): Response {
  if (!response.body) {
    release();
    return response;
  }
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk = await reader.read();
        if (chunk.done) {
          release();
          controller.close();
        } else {
          controller.enqueue(chunk.value);
        }
      } catch (error) {
        release();
        controller.error(error);
      }
    },
    cancel(reason) {
      release();
      return reader.cancel(reason);
    },
  });
  const wrapped = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  Object.defineProperty(wrapped, "url", { value: response.url });
  return wrapped;
}

function tokensOf(usage: Readonly<Record<string, unknown>> | undefined): number | undefined {
  if (!usage) return undefined;
  const total = usage["total_tokens"];
  if (typeof total === "number" && Number.isFinite(total)) return total;
  const p = usage["prompt_tokens"];
  const c = usage["completion_tokens"];
  if (typeof p === "number" || typeof c === "number") return (typeof p === "number" ? p : 0) + (typeof c === "number" ? c : 0);
  return undefined;
}

/** The client-wide settings a {@link CallRecord} reports with. */
interface Reporting {
  hooks: Hooks | undefined;
  includeContent: boolean;
  forHooks: <E extends OpenRouterError>(error: E) => E;
  now: () => number;
}

/** What a successful call still has to report once its result is known. */
interface PendingReport {
  req: SendRequest;
  started: number;
  permits: RateLimitPermit[];
  /** Undefined when telemetry is off. */
  span: CallSpan | undefined;
  reporting: Reporting;
}

/**
 * The result of a successful call, and what it still owes: the span, the rate-limit permits and the `onResult`
 * hook, settled by the first `recordResult` / `recordError`. A class holding only these, rather than closures
 * over `run()`'s scope, so a long stream does not keep the whole call's state alive.
 */
class CallRecord<T> implements ResilientResult<T> {
  #report: PendingReport | undefined;

  constructor(
    readonly value: T,
    readonly model: string | undefined,
    readonly attempts: number,
    readonly fallbacks: readonly FallbackRecord[],
    readonly requestId: string,
    report: PendingReport,
  ) {
    this.#report = report;
  }

  /** Takes the pending report once; later calls get undefined (only the first report counts). */
  #take(): PendingReport | undefined {
    const report = this.#report;
    this.#report = undefined;
    if (report) for (const p of report.permits) p.release();
    return report;
  }

  recordResult(r: RecordedResult): void {
    const report = this.#take();
    if (!report) return;
    const { req, permits, span, reporting } = report;
    if (permits.length > 0) {
      const used = tokensOf(r?.usage);
      if (used !== undefined) for (const p of permits) p.settle(used);
    }
    const model = r?.model ?? this.model;
    span?.succeed({
      model,
      generationId: r?.generationId,
      provider: r?.provider,
      usage: r?.usage,
      cost: r?.cost,
      finishReason: r?.finishReason,
      fallbacks: this.fallbacks.map((f) => f.model),
      attempts: this.attempts,
      message: r?.message,
    });
    const { hooks, includeContent, forHooks, now } = reporting;
    if (!hooks) return;
    emitHook(hooks, "onResult", {
      requestId: this.requestId,
      method: req.method,
      path: req.path,
      model,
      stream: req.stream,
      attempts: this.attempts,
      durationMs: now() - report.started,
      usage: r?.usage,
      cost: r?.cost,
      generationId: r?.generationId,
      provider: r?.provider,
      finishReason: r?.finishReason,
      fallbacks: this.fallbacks.map((f) => ({ model: f.model, error: forHooks(f.error) })),
      ...(includeContent && { result: r }),
    });
  }

  recordError(error: unknown): void {
    const report = this.#take();
    if (!report) return;
    if (isOpenRouterError(error) && error.attempts === undefined) error.attempts = this.attempts;
    report.span?.fail(error, this.attempts, this.fallbacks.map((f) => f.model));
  }
}

/**
 * Build the resilience runner of one client. All state (breaker, buckets, queue, tracer) lives in
 * the returned object, so two clients never share it.
 *
 * @example
 * ```ts
 * const resilience = createResilience({ retry: { maxRetries: 3 }, fallbackModels: ["anthropic/claude-sonnet-4"] });
 * const { value, model, fallbacks } = await resilience.run(
 *   { method: "POST", path: "/chat/completions", model: "openai/gpt-4o", body, stream: false },
 *   { signal },
 *   (req, n) => transport.sendOnce(req, deadline),
 * );
 * ```
 */
export function createResilience(config: ResilienceConfig = {}): Resilience {
  return checked(() => buildResilience(config));
}

function buildResilience(config: ResilienceConfig): Resilience {
  if (typeof config !== "object" || config === null) throw new TypeError("resilience config must be an object");
  const now = config.now ?? Date.now;
  const sleep = config.sleep ?? abortableSleep;
  const random = config.random ?? Math.random;
  const clientPolicy = resolveRetryPolicy(config.retry);
  const clientFallbacks = validateModels("fallbackModels", config.fallbackModels);
  const clientInsufficient = validateInsufficient("onInsufficientCredits", config.onInsufficientCredits) ?? "throw";
  const hooks = validateHooks(config.hooks);
  const includeContent = hooks?.includeContent === true;
  /** Errors handed to hooks: without `includeContent` they carry no generated or prompt text. */
  const forHooks = <E extends OpenRouterError>(error: E): E => (includeContent ? error : contentFreeError(error));
  // The telemetry module (span attributes, the OpenTelemetry loader) is imported on the first traced call.
  const tracing = checkTelemetryOption(config.telemetry);
  let telemetry: Promise<Telemetry> | undefined;
  const startSpan = async (start: SpanStart): Promise<CallSpan> => {
    telemetry ??= import("./telemetry.js").then(({ Telemetry }) => new Telemetry(config.telemetry, config.otelLoader));
    return (await telemetry).start(start);
  };

  const cb = config.circuitBreaker;
  if (cb !== undefined && typeof cb !== "boolean" && (typeof cb !== "object" || cb === null)) {
    throw new TypeError("circuitBreaker must be a boolean or an options object");
  }
  const circuit = cb === undefined || cb === false ? undefined : new CircuitBreaker(cb === true ? {} : cb, now);

  const rl = config.rateLimit;
  if (rl !== undefined && rl !== false && (typeof rl !== "object" || rl === null)) {
    throw new TypeError("rateLimit must be an options object or false");
  }
  const clock: LimiterClock = { now, sleep };
  const limits = rl === false || rl === undefined ? undefined : rl;
  const limiter =
    limits &&
    (limits.requestsPerMinute !== undefined || limits.tokensPerMinute !== undefined || limits.maxConcurrency !== undefined)
      ? new RateLimiter(
          {
            ...(limits.requestsPerMinute !== undefined && { requestsPerMinute: limits.requestsPerMinute }),
            ...(limits.requestsBurst !== undefined && { requestsBurst: limits.requestsBurst }),
            ...(limits.tokensPerMinute !== undefined && { tokensPerMinute: limits.tokensPerMinute }),
            ...(limits.tokensBurst !== undefined && { tokensBurst: limits.tokensBurst }),
            ...(limits.maxConcurrency !== undefined && { maxConcurrency: limits.maxConcurrency }),
          },
          clock,
        )
      : undefined;
  const freePerMinute = rl === false ? false : (limits?.freeModelsPerMinute ?? 20);
  const freePacer =
    freePerMinute === false ? undefined : new RateLimiter({ window: { limit: freePerMinute, windowMs: 60_000 } }, clock);
  if (limits?.estimateTokens !== undefined && typeof limits.estimateTokens !== "function") {
    throw new TypeError("rateLimit.estimateTokens must be a function");
  }
  const estimate = limits?.estimateTokens ?? estimateRequestTokens;
  let sequence = 0;
  const reporting: Reporting = { hooks, includeContent, forHooks, now };

  async function run<R extends SendRequest, T>(
    original: R,
    call: CallResilienceOptions,
    attempt: SendOnce<R, T>,
  ): Promise<ResilientResult<T>> {
    if (typeof attempt !== "function") throw new InvalidArgumentError("resilience.run needs an attempt function");
    // Per-call overrides are validated only when given: the common call pays for none of this.
    const policy: RetryPolicy = call.retry === undefined ? clientPolicy : checked(() => resolveRetryPolicy(call.retry, clientPolicy));
    const fallbackList =
      call.fallbackModels === undefined ? clientFallbacks : checked(() => validateModels("fallbackModels", call.fallbackModels));
    const insufficient =
      call.onInsufficientCredits === undefined
        ? clientInsufficient
        : (checked(() => validateInsufficient("onInsufficientCredits", call.onInsufficientCredits)) ?? clientInsufficient);
    const signal = call.signal ?? original.signal;
    // Statuses a caller's own policy also retries (the generation lookup's early 404); internal, not a public option.
    const alsoRetry = call.retry ? (call.retry as { alsoRetry?: readonly number[] }).alsoRetry : undefined;
    const requestId = `req-${++sequence}`;
    const started = now();

    const models: Array<string | undefined> = [original.model];
    if (original.model !== undefined) {
      for (const m of fallbackList) if (!models.includes(m)) models.push(m);
    }

    // No await when telemetry is off: every await is a microtask hop on the hot path.
    const span: CallSpan = tracing
      ? await startSpan({
          method: original.method,
          path: original.path,
          model: original.model,
          stream: original.stream,
          body: original.body,
          baseUrl: config.baseUrl,
        })
      : NOOP_SPAN;
    const traced = span !== NOOP_SPAN;

    const fallbacks: FallbackRecord[] = [];
    let attempts = 0;
    let reducedOnce = false;
    let body = original.body;

    const infoFor = (model: string | undefined): RequestInfo => ({
      method: original.method,
      path: original.path,
      ...(model !== undefined && { model }),
    });
    const abortErrorFor = (model: string | undefined, cause: unknown): OpenRouterError => {
      const reason = signal?.reason;
      const error = call.abortError
        ? call.abortError(cause)
        : call.deadline
          ? call.deadline.failure(infoFor(model), cause)
          : defaultAbortError(infoFor(model), reason, cause);
      return error;
    };
    const finish = (error: OpenRouterError): OpenRouterError => {
      error.attempts = attempts;
      span.fail(error, attempts, fallbacks.map((f) => f.model));
      return error;
    };

    for (let m = 0; m < models.length; m++) {
      const model = models[m];
      // A copy: the 402 retry rewrites the body, and the caller's request object stays untouched.
      if (m > 0 && body !== undefined) body = { ...body, model };
      // The first model sends the caller's request as is; a fallback or the 402 retry sends a copy.
      let req: R = m === 0 ? original : { ...original, model, ...(body !== undefined && { body, serialized: undefined }) };
      let retries = 0;
      let lastError: OpenRouterError | undefined;

      for (;;) {
        if (signal?.aborted) throw finish(abortErrorFor(model, lastError ?? signal.reason));
        const context = {
          requestId,
          method: req.method,
          path: req.path,
          model,
          stream: req.stream,
          attempt: attempts + 1,
        };

        // Circuit: fail fast (and fall back at once) while the model's circuit is open.
        let probe = false;
        if (circuit && model !== undefined) {
          const decision = circuit.check(model);
          if (!decision.allowed) {
            if (lastError === undefined) {
              const waitMs = Math.max(0, decision.retryAt - now());
              lastError = new CircuitOpenError(
                `Circuit open for model ${model} after repeated failures; it half-opens at ${new Date(decision.retryAt).toISOString()} (in ${Math.ceil(waitMs / 1000)} s)${describe(infoFor(model))}`,
                { ...infoFor(model), retryAfterMs: waitMs, retryable: false },
              );
              emitHook(hooks, "onError", {
                ...context,
                status: undefined,
                durationMs: 0,
                error: lastError,
                willRetry: false,
                willFallback: m + 1 < models.length,
              });
            }
            // Mid-retries the circuit opened under us: stop with the real failure, not the breaker's.
            break;
          }
          probe = decision.probe;
        }

        // Client-side limits: free-model pacing first, then the client's own limits.
        const permits: RateLimitPermit[] = [];
        const tokenEstimate = limiter ? estimate(body) : 0;
        const queuedAt = now();
        try {
          if (freePacer && isFreeModel(model)) permits.push(await freePacer.acquire(signal ? { signal } : {}));
          if (limiter) permits.push(await limiter.acquire({ tokens: tokenEstimate, ...(signal && { signal }) }));
        } catch (error) {
          for (const p of permits) p.release();
          if (probe && model !== undefined) circuit?.release(model);
          if (error instanceof QueueAbortedError) throw finish(abortErrorFor(model, lastError ?? error.reason));
          throw error;
        }
        const releaseAll = (): void => {
          for (const p of permits) p.release();
        };

        attempts++;
        span.attempt(attempts, model);
        const queuedMs = now() - queuedAt;
        if (hooks) emitHook(hooks, "onRequest", includeContent && body !== undefined ? { ...context, queuedMs, body } : { ...context, queuedMs });
        const t0 = now();
        let value: T;
        try {
          value = await attempt(req, attempts);
        } catch (thrown) {
          releaseAll();
          for (const p of permits) p.settle(0);
          if (!isOpenRouterError(thrown)) {
            if (probe && model !== undefined) circuit?.release(model);
            span.fail(thrown, attempts, fallbacks.map((f) => f.model));
            throw thrown;
          }
          const error = thrown;
          const durationMs = now() - t0;
          if (model !== undefined && circuit) {
            if (error.kind === "aborted") circuit.release(model);
            else circuit.recordFailure(model, isRetryable(error));
          }
          if (error.kind === "aborted" || (error.kind === "timeout" && error.status === undefined)) {
            emitHook(hooks, "onError", { ...context, status: error.status, durationMs, error: forHooks(error), willRetry: false, willFallback: false });
            throw finish(error);
          }

          // 402 "can only afford N": optionally retry once with max_tokens lowered to N.
          const affordable = (error as { affordableTokens?: unknown }).affordableTokens;
          const field = body ? maxTokensField(body) : "max_tokens";
          const current = body?.[field];
          if (
            error.kind === "insufficient_credits" &&
            insufficient === "reduce-max-tokens" &&
            !reducedOnce &&
            body !== undefined &&
            typeof affordable === "number" &&
            affordable > 0 &&
            (typeof current !== "number" || current > affordable)
          ) {
            reducedOnce = true;
            emitHook(hooks, "onError", { ...context, status: error.status, durationMs, error: forHooks(error), willRetry: true, willFallback: false });
            emitHook(hooks, "onRetry", {
              ...context,
              nextAttempt: attempts + 1,
              delayMs: 0,
              status: error.status,
              error: forHooks(error),
              reason: "reduce-max-tokens",
              maxTokens: affordable,
            });
            span.retry({ attempt: attempts, delayMs: 0, status: error.status, errorType: String(error.status ?? error.kind) });
            body = { ...body, [field]: affordable };
            req = { ...req, body, serialized: undefined };
            lastError = error;
            continue;
          }

          const retryable = isRetryable(error) || (alsoRetry !== undefined && alsoRetry.includes(error.status as number));
          let delayMs = 0;
          let willRetry = false;
          if (retryable && retries < policy.maxRetries) {
            const delay = retryDelay(retries + 1, policy, error.retryAfterMs, random);
            if (delay !== undefined) {
              delayMs = delay;
              willRetry = now() - started + delayMs <= policy.maxElapsedMs;
            }
          }
          const willFallback = !willRetry && m + 1 < models.length && canFallback(error);
          emitHook(hooks, "onError", { ...context, status: error.status, durationMs, error: forHooks(error), willRetry, willFallback });
          lastError = error;
          if (!willRetry) break;

          retries++;
          emitHook(hooks, "onRetry", {
            ...context,
            nextAttempt: attempts + 1,
            delayMs,
            status: error.status,
            error: forHooks(error),
            reason: "retry",
          });
          span.retry({ attempt: attempts, delayMs, status: error.status, errorType: String(error.status ?? error.kind) });
          try {
            await sleep(delayMs, signal);
          } catch (sleepError) {
            if (signal?.aborted || sleepError instanceof SleepAbortedError) {
              throw finish(abortErrorFor(model, error));
            }
            throw sleepError;
          }
          continue;
        }

        // Success.
        if (model !== undefined) circuit?.recordSuccess(model);
        const isResponse = value instanceof Response;
        const status = isResponse ? (value as Response).status : 200;
        span.response(status);
        if (hooks) {
          const generationId = isResponse
            ? ((value as Response).headers.get("x-generation-id") ?? undefined)
            : typeof (value as { generationId?: unknown } | null)?.generationId === "string"
              ? (value as { generationId: string }).generationId
              : undefined;
          emitHook(hooks, "onResponse", { ...context, status, durationMs: now() - t0, generationId });
        }

        const result = new CallRecord<T>(
          isResponse && limiter && permits.length > 0 ? (releaseWithBody(value as Response, releaseAll) as T) : value,
          model,
          attempts,
          fallbacks,
          requestId,
          { req, started, permits, span: traced ? span : undefined, reporting },
        );
        if (!isResponse) {
          // The attempt already parsed its result: report it now.
          result.recordResult(value as RecordedResult);
        } else if (!limiter) {
          releaseAll();
        }
        return result;
      }

      // This model is done. Move to the next one if that can help.
      const error = lastError as OpenRouterError;
      const next = models[m + 1];
      if (next === undefined || model === undefined || !canFallback(error)) throw finish(error);
      fallbacks.push({ model, error });
      span.fallback(model, next, String(error.status ?? error.kind));
      emitHook(hooks, "onFallback", {
        requestId,
        method: original.method,
        path: original.path,
        model,
        stream: original.stream,
        attempt: attempts,
        fromModel: model,
        toModel: next,
        error: forHooks(error),
      });
    }
    // Unreachable: the loop either returns or throws.
    throw new OpenRouterError(`No model left to try${describe(infoFor(original.model))}`, infoFor(original.model));
  }

  return { run, circuit, limiter };
}
