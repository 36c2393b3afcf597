/** The types of a typed SSE event stream (event-stream.ts): what an API's folder returns and provides. */
import type { OpenRouterError, RequestInfo } from "../core/errors.js";
import type { ChatResult, ResultContext } from "../core/result.js";
import type { TransportResponse } from "../core/transport.js";
import type { WireError } from "../core/wire-error.js";
import type { Json } from "../internal/json.js";
import type { StreamOutcome } from "./events.js";

/** The payload moved the stream on. */
export const PROGRESS = 0;
/** The payload only says the connection lives (Messages' `ping`): delivered, but no progress for the timeouts. */
export const KEEP_ALIVE = 1;
/** The payload was the terminal event: the result is complete. */
export const END = 2;
/** What a payload means for the stream; a `WireError` is an in-band error event. */
export type Verdict = typeof PROGRESS | typeof KEEP_ALIVE | typeof END | WireError;

/** An API's side of an event stream. */
export interface EventFolder<E, R> {
  /** The terminal event's type, for the truncation message. */
  readonly terminal: string;
  /** Characters of text accumulated so far (answer, reasoning, arguments), for `maxResponseBytes`. */
  readonly textChars: number;
  readonly generationId: string | undefined;
  /** Folds one `data:` payload into the result being assembled. */
  fold(payload: Json): Verdict;
  /** The payload as the event a caller iterates. */
  event(payload: Json): E;
  /** The assembled result, after the terminal event. Throws the typed error for a result that is a failure. */
  result(ctx: ResultContext): R;
  /** A whole JSON body sent instead of an event stream (a proxy that ignored `stream: true`). */
  whole(body: Json, ctx: ResultContext): R;
  /** What arrived so far, for `error.partial`; undefined before anything did. */
  partial(ctx: ResultContext): ChatResult | undefined;
}

/** What `onSettled` receives, exactly once per stream. */
export interface EventStreamSettled<R> {
  outcome: StreamOutcome;
  result?: R;
  error?: OpenRouterError;
}

export interface EventStreamInit<E, R> {
  /** The stream's name in messages ("ResponsesStream"). */
  what: string;
  /** Sends the request; resolves with the 2xx response whose body is unread, or throws the typed error. */
  open: (signal: AbortSignal) => Promise<TransportResponse>;
  /**
   * The request's controller, whose signal `open` receives: given by a verb that also hands it to the call's
   * deadline (`Call.signalController`), so a stream holds one controller, not two. Default: the stream makes one.
   */
  controller?: AbortController | undefined;
  folder: EventFolder<E, R>;
  info: RequestInfo;
  signal?: AbortSignal | undefined;
  firstEventTimeoutMs?: number | undefined;
  idleTimeoutMs?: number | undefined;
  maxResponseBytes?: number | undefined;
  now?: (() => number) | undefined;
  /** Called once when the stream settles, before `final()` settles. Exceptions are ignored. */
  onSettled?: ((settled: EventStreamSettled<R>) => void) | undefined;
}


/** An event of a type the stream does not model (Responses' annotations, server tool progress, …), passed on untouched. */
export interface OtherStreamEvent {
  type: "other";
  event: Json & { type: string };
}
