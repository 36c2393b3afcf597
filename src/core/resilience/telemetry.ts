/**
 * Opt-in OpenTelemetry spans following the GenAI semantic conventions: one CLIENT span per call
 * named `{operation} {model}` (for example `chat openai/gpt-4o`), with `gen_ai.*` attributes, an
 * event per retry and fallback, and OpenRouter's own facts (generation id, upstream provider,
 * reported cost, fallbacks taken) as `openrouter.*` attributes.
 *
 * `@opentelemetry/api` is an optional peer: it is only reached through a dynamic `import()` the
 * first time a span is needed, and everything is a no-op when it is absent. The types below are
 * structural so the package's types never mention it either.
 *
 * @module
 */

import {
  type Attributes,
  type CallSpan,
  NOOP_SPAN,
  type SpanLike,
  type SpanResult,
  type SpanStart,
  type TelemetryOptions,
  type TracerLike,
  checkTelemetryOption,
} from "./span.js";
import { redact } from "../../internal/redact.js";


// OpenTelemetry's numeric enums, fixed by the API: SpanKind.CLIENT = 2, SpanStatusCode.ERROR = 2.
const SPAN_KIND_CLIENT = 2;
const STATUS_ERROR = 2;

/**
 * The GenAI operation name for an OpenRouter path.
 *
 * @example
 * ```ts
 * operationName("/chat/completions"); // "chat"
 * operationName("/embeddings"); // "embeddings"
 * ```
 */
export function operationName(path: string): string {
  const p = path.split("?")[0] ?? path;
  if (p.endsWith("/chat/completions")) return "chat";
  if (p.endsWith("/completions")) return "text_completion";
  if (p.endsWith("/embeddings")) return "embeddings";
  if (p.endsWith("/responses") || p.endsWith("/messages")) return "chat";
  return "http";
}

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function requestAttributes(start: SpanStart, includeContent: boolean): Attributes {
  const body = start.body ?? {};
  const stop = body["stop"];
  const attrs: Attributes = {
    "gen_ai.operation.name": operationName(start.path),
    "gen_ai.provider.name": "openrouter",
    "gen_ai.request.model": start.model,
    "gen_ai.request.max_tokens": num(body["max_tokens"]) ?? num(body["max_completion_tokens"]),
    "gen_ai.request.temperature": num(body["temperature"]),
    "gen_ai.request.top_p": num(body["top_p"]),
    "gen_ai.request.top_k": num(body["top_k"]),
    "gen_ai.request.frequency_penalty": num(body["frequency_penalty"]),
    "gen_ai.request.presence_penalty": num(body["presence_penalty"]),
    "gen_ai.request.seed": num(body["seed"]),
    "gen_ai.request.stop_sequences": typeof stop === "string" ? [stop] : Array.isArray(stop) ? stop.filter((s): s is string => typeof s === "string") : undefined,
    "http.request.method": start.method,
    "url.path": start.path.split("?")[0],
    "openrouter.stream": start.stream,
  };
  if (start.baseUrl) {
    try {
      const url = new URL(start.baseUrl);
      attrs["server.address"] = url.hostname;
      attrs["server.port"] = url.port ? Number(url.port) : url.protocol === "http:" ? 80 : 443;
    } catch {
      // A bad base URL fails elsewhere with a clear message.
    }
  }
  if (includeContent && body["messages"] !== undefined) {
    attrs["gen_ai.input.messages"] = safeJson(body["messages"]);
  }
  return attrs;
}

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

function setAll(span: SpanLike, attrs: Attributes): void {
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined) span.setAttribute(key, value);
  }
}

function errorTypeOf(error: unknown): string {
  const e = error as { status?: unknown; kind?: unknown; name?: unknown } | null;
  if (e && typeof e.status === "number") return String(e.status);
  if (e && typeof e.kind === "string") return e.kind;
  if (e && typeof e.name === "string") return e.name;
  return "_OTHER";
}

class OtelCallSpan implements CallSpan {
  #ended = false;
  constructor(
    private readonly span: SpanLike,
    private readonly includeContent: boolean,
  ) {}

  attempt(attempt: number, model: string | undefined): void {
    if (this.#ended) return;
    this.span.addEvent("openrouter.attempt", { "openrouter.attempt": attempt, "gen_ai.request.model": model });
  }

  retry(attrs: { attempt: number; delayMs: number; status: number | undefined; errorType: string }): void {
    if (this.#ended) return;
    this.span.addEvent("openrouter.retry", {
      "openrouter.attempt": attrs.attempt,
      "openrouter.retry.delay_ms": attrs.delayMs,
      "http.response.status_code": attrs.status,
      "error.type": attrs.errorType,
    });
  }

  fallback(from: string, to: string, errorType: string): void {
    if (this.#ended) return;
    this.span.addEvent("openrouter.fallback", {
      "openrouter.fallback.from": from,
      "openrouter.fallback.to": to,
      "error.type": errorType,
    });
  }

  response(status: number): void {
    if (this.#ended) return;
    this.span.setAttribute("http.response.status_code", status);
  }

  succeed(result: SpanResult): void {
    if (this.#ended) return;
    this.#ended = true;
    const usage = result.usage ?? {};
    const attrs: Attributes = {
      "gen_ai.response.model": result.model,
      "gen_ai.response.id": result.generationId,
      "gen_ai.response.finish_reasons": typeof result.finishReason === "string" ? [result.finishReason] : undefined,
      "gen_ai.usage.input_tokens": num(usage["prompt_tokens"]) ?? num(usage["input_tokens"]),
      "gen_ai.usage.output_tokens": num(usage["completion_tokens"]) ?? num(usage["output_tokens"]),
      "openrouter.generation_id": result.generationId,
      "openrouter.provider": result.provider,
      "openrouter.cost": result.cost,
      "openrouter.attempts": result.attempts,
      "openrouter.fallbacks": result.fallbacks && result.fallbacks.length > 0 ? [...result.fallbacks] : undefined,
    };
    if (this.includeContent && result.message !== undefined) attrs["gen_ai.output.messages"] = safeJson([result.message]);
    setAll(this.span, attrs);
    this.span.end();
  }

  fail(error: unknown, attempts: number, fallbacks: readonly string[]): void {
    if (this.#ended) return;
    this.#ended = true;
    const e = error as { name?: unknown; message?: unknown; status?: unknown };
    const type = errorTypeOf(error);
    setAll(this.span, {
      "error.type": type,
      "http.response.status_code": typeof e?.status === "number" ? e.status : undefined,
      "openrouter.attempts": attempts,
      "openrouter.fallbacks": fallbacks.length > 0 ? [...fallbacks] : undefined,
    });
    // Only name and message. An OpenRouterError's are scrubbed when it is built; anything else that reached
    // here (an attempt function's own throw) is scrubbed now, once, on the failure path only.
    const name = typeof e?.name === "string" ? e.name : "Error";
    const message = redact(typeof e?.message === "string" ? e.message : String(error));
    this.span.recordException({ name, message });
    this.span.setStatus({ code: STATUS_ERROR, message });
    this.span.end();
  }
}

/** What the loader returns: the `trace` API's `getTracer`, or nothing. */
export type OtelLoader = () => Promise<{ getTracer(name: string, version?: string): TracerLike } | undefined>;

/**
 * Loads `@opentelemetry/api` lazily. The specifier is a variable so bundlers do not try to
 * resolve (and fail on) an optional dependency that is not installed.
 *
 * @example
 * ```ts
 * const api = await loadOpenTelemetry(); // undefined when the package is absent
 * ```
 */
export const loadOpenTelemetry: OtelLoader = async () => {
  const specifier = "@opentelemetry/api";
  try {
    const mod = (await import(/* @vite-ignore */ specifier)) as {
      trace?: { getTracer(name: string, version?: string): TracerLike };
      default?: { trace?: { getTracer(name: string, version?: string): TracerLike } };
    };
    return mod.trace ?? mod.default?.trace;
  } catch {
    return undefined;
  }
};

/**
 * Per-client telemetry: resolves the tracer once and starts one span per call. With `telemetry`
 * off (the default) `start()` returns a shared no-op span without loading anything.
 *
 * @example
 * ```ts
 * const telemetry = new Telemetry(true);
 * const span = await telemetry.start({ method: "POST", path: "/chat/completions", model, stream: false, body });
 * span.succeed({ generationId: "gen-1", usage: { prompt_tokens: 10, completion_tokens: 5 } });
 * ```
 */
export class Telemetry {
  readonly enabled: boolean;
  readonly includeContent: boolean;
  readonly #options: TelemetryOptions;
  readonly #loader: OtelLoader;
  #tracer: Promise<TracerLike | undefined> | undefined;

  constructor(option: boolean | TelemetryOptions | undefined, loader: OtelLoader = loadOpenTelemetry) {
    this.enabled = checkTelemetryOption(option);
    this.#options = typeof option === "object" ? option : {};
    this.includeContent = this.#options.includeContent === true;
    this.#loader = loader;
  }

  #getTracer(): Promise<TracerLike | undefined> {
    if (!this.#tracer) {
      const given = this.#options.tracer;
      this.#tracer = given
        ? Promise.resolve(given)
        : this.#loader().then(
            (api) => api?.getTracer(this.#options.tracerName ?? "openrouter-fetch"),
            () => undefined,
          );
    }
    return this.#tracer;
  }

  /**
   * Start the span of one call (no-op when telemetry is off or the API is missing).
   *
   * @example
   * ```ts
   * const span = await telemetry.start({ method: "POST", path: "/embeddings", model, stream: false, body });
   * ```
   */
  async start(start: SpanStart): Promise<CallSpan> {
    if (!this.enabled) return NOOP_SPAN;
    const tracer = await this.#getTracer();
    if (!tracer) return NOOP_SPAN;
    try {
      const attrs = requestAttributes(start, this.includeContent);
      const name = start.model ? `${attrs["gen_ai.operation.name"]} ${start.model}` : String(attrs["gen_ai.operation.name"]);
      const clean: Attributes = {};
      for (const [k, v] of Object.entries(attrs)) if (v !== undefined) clean[k] = v;
      return new OtelCallSpan(tracer.startSpan(name, { kind: SPAN_KIND_CLIENT, attributes: clean }), this.includeContent);
    } catch {
      return NOOP_SPAN;
    }
  }
}
