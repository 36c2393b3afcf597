/**
 * What a successful call still reports once its result is known: hooks (`onResult`), the span and the
 * rate-limit permits, settled once by `recordResult` / `recordError`.
 */
import { type OpenRouterError, isOpenRouterError } from "../errors.js";
import { type FallbackRecord, type Hooks, emitHook } from "./hooks.js";
import type { RateLimitPermit } from "./rate-limit.js";
import type { CallSpan, SpanResult } from "./span.js";
import type { SendRequest } from "./config.js";

/** What a call reports after parsing its result (a `ChatResult` fits as is): the span's result facts. */
export type RecordedResult = Omit<SpanResult, "fallbacks" | "attempts">;

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
export interface Reporting {
  hooks: Hooks | undefined;
  includeContent: boolean;
  forHooks: <E extends OpenRouterError>(error: E) => E;
  now: () => number;
}

/** What a successful call still has to report once its result is known. */
export interface PendingReport {
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
export class CallRecord<T> implements ResilientResult<T> {
  #report: PendingReport | undefined;

  constructor(
    readonly value: T,
    readonly model: string | undefined,
    readonly attempts: number,
    readonly fallbacks: readonly FallbackRecord[],
    readonly requestId: string,
    /** Undefined when there is nothing to report: no span, no hooks, no permits (the fast path's calls). */
    report: PendingReport | undefined,
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

