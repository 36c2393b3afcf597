/**
 * What the core needs of telemetry without loading it: the span types (structural, so neither this package's
 * types nor its static graph mention `@opentelemetry/api`), the no-op span of every call when telemetry is
 * off, and the check of the `telemetry` option (made when the client is built, so a bad option fails there
 * even though `src/core/resilience/telemetry.ts` is only imported on the first traced call). Imports nothing:
 * telemetry.ts builds on this file, never the reverse.
 */

/** Attribute values as OpenTelemetry accepts them. */
export type AttributeValue = string | number | boolean | string[] | number[];
export type Attributes = Record<string, AttributeValue | undefined>;

/** The part of an OpenTelemetry `Span` this module uses. */
export interface SpanLike {
  setAttribute(key: string, value: AttributeValue): unknown;
  addEvent(name: string, attributes?: Attributes): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: { name: string; message: string }): unknown;
  end(): unknown;
}

/** The part of an OpenTelemetry `Tracer` this module uses. */
export interface TracerLike {
  startSpan(name: string, options?: { kind?: number; attributes?: Attributes }): SpanLike;
}

/** `telemetry` option: `true` for the global tracer provider, or settings. */
export interface TelemetryOptions {
  /** Use this tracer instead of `trace.getTracer(tracerName)` from `@opentelemetry/api`. */
  tracer?: TracerLike;
  /** Default `"openrouter-fetch"`. */
  tracerName?: string;
  /** Record `gen_ai.input.messages` / `gen_ai.output.messages` (prompt and completion text). Default false. */
  includeContent?: boolean;
}

/** Facts about a call known before it is sent. */
export interface SpanStart {
  method: string;
  path: string;
  model: string | undefined;
  stream: boolean;
  body: Record<string, unknown> | undefined;
  /** The base URL, for `server.address` / `server.port`. */
  baseUrl?: string | undefined;
}

/** Facts known once the call has a parsed result (what `recordResult` receives). */
export interface SpanResult {
  model?: string | undefined;
  generationId?: string | undefined;
  provider?: string | undefined;
  usage?: Readonly<Record<string, unknown>> | undefined;
  cost?: number | undefined;
  finishReason?: string | null | undefined;
  fallbacks?: readonly string[];
  attempts?: number;
  /** Output message, recorded only with `includeContent`. */
  message?: unknown;
}

/** One call's span; every method is safe to call on the no-op span too. */
export interface CallSpan {
  attempt(attempt: number, model: string | undefined): void;
  retry(attrs: { attempt: number; delayMs: number; status: number | undefined; errorType: string }): void;
  fallback(from: string, to: string, errorType: string): void;
  response(status: number): void;
  /** Success: set the result attributes and end the span. */
  succeed(result: SpanResult): void;
  /** Failure: record the error and end the span. */
  fail(error: unknown, attempts: number, fallbacks: readonly string[]): void;
}

/** The span of every call when telemetry is off: callers compare against it to skip building span payloads. */
export const NOOP_SPAN: CallSpan = {
  attempt() {},
  retry() {},
  fallback() {},
  response() {},
  succeed() {},
  fail() {},
};

/**
 * Validates the `telemetry` option; true when it turns telemetry on.
 *
 * @example
 * checkTelemetryOption({ tracer }); // true
 * checkTelemetryOption(undefined); // false
 */
export function checkTelemetryOption(option: unknown): option is true | TelemetryOptions {
  if (option !== undefined && typeof option !== "boolean" && (typeof option !== "object" || option === null)) {
    throw new TypeError("telemetry must be a boolean or an options object");
  }
  const tracer = typeof option === "object" && option !== null ? (option as TelemetryOptions).tracer : undefined;
  if (tracer !== undefined && typeof tracer?.startSpan !== "function") {
    throw new TypeError("telemetry.tracer must have a startSpan() method");
  }
  return option !== undefined && option !== false;
}
