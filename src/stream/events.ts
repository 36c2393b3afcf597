/** The public types of a chat stream: its events, how it ends, and how it is opened. */
import type { components } from "../generated/openrouter.js";
import type { OpenRouterError, RequestInfo } from "../core/errors.js";
import type { Annotation, ChatResult, ReasoningDetail, Usage } from "../core/result.js";
import type { TransportResponse } from "../core/transport.js";

export type ImageOutput = components["schemas"]["ImageOutput"];

/**
 * How a stream ended. Only `completed` resolves; the others reject with a typed error. `failed`: the request
 * failed before the stream started (a non-2xx answer, a network error before the headers).
 */
export type StreamOutcome = "completed" | "error" | "truncated" | "timeout" | "aborted" | "failed";

/** What `onSettled` receives, exactly once per stream. */
export interface ChatStreamSettled {
  outcome: StreamOutcome;
  result?: ChatResult;
  error?: OpenRouterError;
}

/**
 * How the client hands a request to a `ChatStream` (also usable with a bare fetch).
 *
 * @example
 * const stream = new ChatStream({
 *   open: (signal) => fetch(url, { method: "POST", headers, body: JSON.stringify({ ...params, stream: true }), signal }),
 *   info: { method: "POST", path: "/chat/completions", model: params.model },
 *   idleTimeoutMs: 30_000,
 * });
 */
export interface ChatStreamInit {
  /**
   * Sends the request with `stream: true` and resolves with a 2xx `Response` (or the transport seam's
   * `TransportResponse`) whose body is unread, or throws a typed `OpenRouterError`. Called once, from the
   * constructor. Aborting `signal` must cancel the fetch.
   */
  open: (signal: AbortSignal) => Promise<Response | TransportResponse>;
  /** Method, path and model, for error messages. */
  info?: RequestInfo | undefined;
  /** The caller's signal: aborting it ends the stream with an `AbortError`. */
  signal?: AbortSignal | undefined;
  /** Fail with a `TimeoutError` when no data event arrived this long after the stream started. 0 / undefined: off. */
  firstEventTimeoutMs?: number | undefined;
  /**
   * Fail with a `TimeoutError` when no data event arrived for this long: counted from the first data event when
   * `firstEventTimeoutMs` is set (that one covers the wait before it), else from the response headers.
   */
  idleTimeoutMs?: number | undefined;
  /** A monotonic clock in ms for the timing metrics and the timeouts. Default `performance.now()`. */
  now?: (() => number) | undefined;
  /** Called exactly once when the stream settles (before `final()` resolves or rejects). Exceptions are ignored. */
  onSettled?: ((settled: ChatStreamSettled) => void) | undefined;
  /** Characters the SSE parser may hold for one unfinished event. Default 32 Mi. */
  maxBufferSize?: number | undefined;
  /**
   * The most the stream may accumulate: characters of text (content, reasoning, refusal, tool arguments,
   * audio), or bytes of a JSON body sent instead of SSE. Past it the stream fails with
   * `ResponseTooLargeError` carrying `partial`. Default 64 MiB (`DEFAULT_MAX_RESPONSE_BYTES`).
   */
  maxResponseBytes?: number | undefined;
}

/** A piece of the answer's text. */
export interface ContentEvent {
  type: "content";
  text: string;
}
/** Reasoning text and/or the raw `reasoning_details` entries of one chunk. */
export interface ReasoningEvent {
  type: "reasoning";
  /** `delta.reasoning` ("" when the chunk carried only details, e.g. a signature or encrypted data). */
  text: string;
  details: ReasoningDetail[];
}
/** A tool-call fragment. `index` is the assembled call's index (also when the upstream left it out). */
export interface ToolCallEvent {
  type: "tool_call";
  index: number;
  id?: string | undefined;
  name?: string | undefined;
  argumentsDelta: string;
}
export interface RefusalEvent {
  type: "refusal";
  text: string;
}
/** A citation (web search, file parser). */
export interface AnnotationEvent {
  type: "annotation";
  annotation: Annotation;
}
export interface ImageEvent {
  type: "image";
  image: ImageOutput;
}
/** The model stopped (the usage chunk and `[DONE]` usually follow). Sent once. */
export interface FinishEvent {
  type: "finish";
  finishReason: string;
  nativeFinishReason: string | null;
}
/** Token counts and cost (USD), from the last chunk. */
export interface UsageEvent {
  type: "usage";
  usage: Usage;
  cost: number | undefined;
}
/** The last event: the assembled result, the same that `final()` resolves with. */
export interface DoneEvent {
  type: "done";
  result: ChatResult;
}

/**
 * One event of a `ChatStream`, discriminated on `type`.
 *
 * @example
 * for await (const e of stream) if (e.type === "tool_call") args[e.index] = (args[e.index] ?? "") + e.argumentsDelta;
 */
export type ChatStreamEvent =
  | ContentEvent
  | ReasoningEvent
  | ToolCallEvent
  | RefusalEvent
  | AnnotationEvent
  | ImageEvent
  | FinishEvent
  | UsageEvent
  | DoneEvent;
