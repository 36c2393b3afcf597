/**
 * The retry and fallback loop of a call that did not succeed at its first attempt, or that passes a gate
 * (circuit breaker, rate limiter, free-model pacing), hooks or a span: run.ts sends the common call's first
 * attempt itself and hands its failure here. One model after another, each attempt is gated, sent, judged by
 * `isRetryable` and the 402 "reduce max_tokens" rule, and either retried after a backoff, dropped for the next
 * fallback model, or given up with the typed error.
 */
import { OpenRouterError, describe, isOpenRouterError, type RequestInfo } from "../errors.js";
import { AbortError, CircuitOpenError, TimeoutError } from "../call-errors.js";
import type { CircuitBreaker } from "./circuit.js";
import { type FallbackRecord, type Hooks, emitHook } from "./hooks.js";
import { QueueAbortedError, type RateLimiter, type RateLimitPermit } from "./rate-limit.js";
import { isFreeModel } from "./free-models.js";
import { type RetryPolicy, isClientTimeout, isRetryable } from "../retry.js";
import { retryDelay } from "../retry-timing.js";
import { SleepAbortedError } from "../../internal/sleep.js";
import { type CallSpan, NOOP_SPAN, type SpanStart } from "./span.js";
import type { CallResilienceOptions, InsufficientCreditsPolicy, SendOnce, SendRequest } from "./config.js";
import { canFallback, maxTokensField } from "./fallback.js";
import { releaseWithBody } from "./gates.js";
import { CallRecord, type RecordedResult, type Reporting, type ResilientResult } from "./report.js";

/** The client-wide state the loop reads: built once per client by run.ts. */
export interface LoopClient {
  readonly circuit: CircuitBreaker | undefined;
  readonly limiter: RateLimiter | undefined;
  readonly freePacer: RateLimiter | undefined;
  readonly hooks: Hooks | undefined;
  readonly tracing: boolean;
  readonly includeContent: boolean;
  readonly forHooks: <E extends OpenRouterError>(error: E) => E;
  readonly reporting: Reporting;
  readonly now: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random: () => number;
  readonly estimate: (body: Record<string, unknown> | undefined) => number;
  readonly startSpan: (start: SpanStart) => Promise<CallSpan>;
  readonly baseUrl: string | undefined;
}

/** One call as run.ts hands it over: its overrides already checked, and the fast path's failure if it made one. */
export interface CallPlan<R extends SendRequest, T> {
  original: R;
  call: CallResilienceOptions;
  attempt: SendOnce<R, T>;
  policy: RetryPolicy;
  fallbackList: readonly string[];
  insufficient: InsufficientCreditsPolicy | undefined;
  requestId: string;
  /** `now()` when the call started. */
  started: number;
  /** What the first attempt threw when run.ts's fast path sent it. */
  firstFailure?: { thrown: unknown } | undefined;
}

/** What a response answered at its headers exposes before its body is read. */
interface OpenedResponse {
  status: number;
  headers: Headers;
}

/** The transport seam's response (core/transport.ts), recognised by shape: a body with a `reader()`. */
function isOpenedResponse(value: unknown): value is OpenedResponse {
  const body = typeof value === "object" && value !== null ? (value as { body?: { reader?: unknown } }).body : undefined;
  return typeof body?.reader === "function" && typeof (value as { status?: unknown }).status === "number";
}

/** The abort error when the call brings no deadline: a timeout reason (ours, or `AbortSignal.timeout()`'s) or the caller's abort. */
function defaultAbortError(info: RequestInfo, reason: unknown, cause: unknown): OpenRouterError {
  if (isClientTimeout(reason) || (reason as { name?: unknown } | null)?.name === "TimeoutError") {
    return new TimeoutError(`Request timed out${describe(info)}`, { ...info, retryable: false, cause });
  }
  return new AbortError(`Request aborted by the caller${describe(info)}`, { ...info, cause });
}

/** Runs `plan` through gates, retries and fallbacks; resolves with the successful attempt's record or throws. */
export async function runLoop<R extends SendRequest, T>(client: LoopClient, plan: CallPlan<R, T>): Promise<ResilientResult<T>> {
  const { original, call, attempt, policy, fallbackList, insufficient, requestId, started } = plan;
  const { circuit, limiter, freePacer, hooks, tracing, now, sleep, random, estimate, forHooks, includeContent, reporting } = client;
  // The deadline (when the pipeline runs the call) is the abort source; its real AbortSignal is made only when
  // a sleep or a queue wait needs one, so a first-time success makes none.
  const deadline = call.signal === undefined ? call.deadline : undefined;
  const watched = deadline?.aborted !== undefined;
  const signal = call.signal ?? (watched ? undefined : original.signal);
  const isAborted = (): boolean => (watched ? deadline!.aborted === true : signal?.aborted === true);
  const signalNow = (): AbortSignal | undefined => (watched ? deadline!.signal : signal);
  // Statuses a caller's own policy also retries (the generation lookup's early 404); internal, not a public option.
  const alsoRetry = call.retry ? (call.retry as { alsoRetry?: readonly number[] }).alsoRetry : undefined;
  // The fast path's failed first attempt, judged below as this loop's own first attempt.
  let resumed = plan.firstFailure;

  const models: Array<string | undefined> = [original.model];
  if (original.model !== undefined) {
    for (const m of fallbackList) if (!models.includes(m)) models.push(m);
  }

  // No await when telemetry is off: every await is a microtask hop on the hot path.
  const span: CallSpan = tracing
    ? await client.startSpan({
        method: original.method,
        path: original.path,
        model: original.model,
        stream: original.stream,
        body: original.body,
        baseUrl: client.baseUrl,
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
    const reason = watched ? deadline!.reason : signal?.reason;
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
      const context = {
        requestId,
        method: req.method,
        path: req.path,
        model,
        stream: req.stream,
        attempt: attempts + 1,
      };

      let probe = false;
      const permits: RateLimitPermit[] = [];
      if (resumed !== undefined) {
        // The fast path (run.ts) sent this first attempt with every gate off: no breaker, limiter, pacing for
        // this model, hooks or span. Its failure is judged below as if this loop had sent it.
        attempts = 1;
      } else {
        if (isAborted()) throw finish(abortErrorFor(model, lastError ?? (watched ? deadline!.reason : signal?.reason)));
        // Circuit: fail fast (and fall back at once) while the model's circuit is open.
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
        const tokenEstimate = limiter ? estimate(body) : 0;
        const queuedAt = now();
        try {
          if (freePacer && isFreeModel(model)) {
            const queueSignal = signalNow();
            permits.push(await freePacer.acquire(queueSignal ? { signal: queueSignal } : {}));
          }
          if (limiter) {
            const queueSignal = signalNow();
            permits.push(await limiter.acquire({ tokens: tokenEstimate, ...(queueSignal && { signal: queueSignal }) }));
          }
        } catch (error) {
          for (const p of permits) p.release();
          if (probe && model !== undefined) circuit?.release(model);
          if (error instanceof QueueAbortedError) throw finish(abortErrorFor(model, lastError ?? error.reason));
          throw error;
        }
        attempts++;
        span.attempt(attempts, model);
        const queuedMs = now() - queuedAt;
        if (hooks) emitHook(hooks, "onRequest", includeContent && body !== undefined ? { ...context, queuedMs, body } : { ...context, queuedMs });
      }
      const releaseAll = (): void => {
        for (const p of permits) p.release();
      };
      const t0 = resumed === undefined ? now() : started;
      let value: T;
      try {
        if (resumed !== undefined) {
          const { thrown } = resumed;
          resumed = undefined;
          throw thrown;
        }
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
        if (error.kind === "aborted" || isClientTimeout(error)) {
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
          await sleep(delayMs, signalNow());
        } catch (sleepError) {
          if (isAborted() || sleepError instanceof SleepAbortedError) {
            throw finish(abortErrorFor(model, error));
          }
          throw sleepError;
        }
        continue;
      }

      // Success.
      if (model !== undefined) circuit?.recordSuccess(model);
      const isResponse = value instanceof Response;
      // A response handed back at its headers (client.api's Response, a stream's TransportResponse): its caller
      // reports the parsed result later, once the body has been read.
      const opened = isResponse || isOpenedResponse(value);
      const status = opened ? (value as unknown as OpenedResponse).status : 200;
      span.response(status);
      if (hooks) {
        const generationId = opened
          ? ((value as unknown as OpenedResponse).headers.get("x-generation-id") ?? undefined)
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
      if (!opened) {
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
