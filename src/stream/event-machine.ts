/**
 * The state machine behind an `EventStream` (event-stream.ts): it owns the request's abort controller, the body
 * reader, the SSE parser, the timeouts and the settling; the payloads go to the API's `EventFolder`, the events
 * to an `EventChannel` (the consumer's side).
 */
import { type OpenRouterError, type RequestInfo, describe } from "../core/errors.js";
import { tooLargeError } from "../core/body.js";
import { EventChannel, type ChannelSource } from "../core/final-iterable.js";
import type { ChatTiming, ResultContext } from "../core/result.js";
import type { ByteReader, TransportResponse } from "../core/transport.js";
import { type Json, isObject } from "../internal/json.js";
import type { StreamOutcome } from "./events.js";
import { END, type EventFolder, type EventStreamInit, KEEP_ALIVE } from "./event-types.js";
import * as failure from "./failures.js";
import { excerpt, htmlPageError, noop } from "./non-sse.js";
import { streamSettings } from "./settings.js";
import { SseReader, type SseSink } from "./sse.js";
import { StreamTimers, type TimeoutSink } from "./timers.js";

export class EventMachine<E, R> implements ChannelSource, SseSink, TimeoutSink {
  readonly channel: EventChannel<E, R>;
  outcome: StreamOutcome | undefined;
  readonly #init: EventStreamInit<E, R>;
  readonly #folder: EventFolder<E, R>;
  readonly #info: RequestInfo;
  readonly #now: () => number;
  readonly #ac: AbortController;
  readonly #sse: SseReader;
  readonly #maxBufferSize: number;
  readonly #maxResponseBytes: number;
  readonly #timers: StreamTimers | undefined;
  readonly #onCallerAbort: (() => void) | undefined;
  #startedAt = 0;
  #opening: Promise<void> = Promise.resolve();
  #reader: ByteReader | undefined;
  #headers: Headers | undefined;
  /** The bytes of a JSON body sent instead of an event stream. */
  #json: Uint8Array[] | undefined;
  #jsonBytes = 0;
  #inflight: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #ttfbMs: number | undefined;
  #ttftMs: number | undefined;
  #started = false;
  #sawData = false;
  #truncatedTail = false;
  /** A data event arrived during the current read: the timeouts hear of it once, after the read (one clock reading). */
  #gotData = false;

  constructor(init: EventStreamInit<E, R>) {
    // The chat stream's checks and defaults (timeouts, maxResponseBytes, the parser's buffer cap), shared.
    const { open, info, signal, firstEventTimeoutMs, idleTimeoutMs, maxResponseBytes, now } = init;
    const settings = streamSettings({ open, info, signal, firstEventTimeoutMs, idleTimeoutMs, maxResponseBytes, now });
    this.#init = init;
    this.#ac = init.controller ?? new AbortController();
    this.#folder = init.folder;
    this.#info = settings.info;
    this.#now = settings.now;
    this.#maxBufferSize = settings.maxBufferSize;
    this.#maxResponseBytes = settings.maxResponseBytes;
    this.channel = new EventChannel(init.what, this);
    this.#sse = new SseReader(this, settings.maxBufferSize);
    const { firstEventTimeoutMs: first, idleTimeoutMs: idle } = settings;
    this.#timers = first > 0 || idle > 0 ? new StreamTimers(this, this.#now, first, idle) : undefined;
    if (signal?.aborted) {
      this.abort(signal.reason);
      return;
    }
    if (signal) {
      this.#onCallerAbort = () => this.abort(signal.reason);
      signal.addEventListener("abort", this.#onCallerAbort, { once: true });
    }
  }

  /**
   * Sends the request: at the first `next()` or `final()`, not when the stream is made, so a stream aborted
   * before anyone read it (a lazy stream's `abort()` before its code loaded) never sends anything.
   */
  #start(): void {
    this.#started = true;
    this.#startedAt = this.#now();
    this.#timers?.start();
    let opened: Promise<TransportResponse>;
    try {
      opened = this.#init.open(this.#ac.signal);
    } catch (e) {
      opened = Promise.reject(e);
    }
    this.#opening = opened.then(
      (res) => this.#guard(() => this.#onResponse(res)),
      (e: unknown) => {
        // Once settled, we aborted it ourselves; the settled error says why.
        if (this.outcome === undefined) this.#fail("failed", failure.openFailure(e, this.#info), false);
      },
    );
  }

  // ---- The consumer's side (ChannelSource)

  pull(): Promise<void> | undefined {
    if (this.outcome !== undefined) return undefined;
    if (!this.#started) this.#start();
    return (this.#inflight ??= this.#readOnce());
  }

  cancel(): void {
    if (this.outcome === undefined) this.#fail("aborted", failure.closedEarly(this.#info, this.#errorInit()), true);
  }

  abort(reason?: unknown): void {
    if (this.outcome === undefined) this.#fail("aborted", failure.aborted(this.#info, this.#errorInit(), reason), true);
  }

  // ---- Reading

  #readOnce(): Promise<void> {
    const reader = this.#reader;
    if (reader === undefined) return this.#waitForResponse();
    return reader.read().then(
      (chunk) => {
        this.#inflight = undefined;
        this.#guard(() => this.#onRead(chunk));
      },
      (e: unknown) => {
        this.#inflight = undefined;
        if (this.outcome !== undefined) return;
        const { outcome, error } = failure.readFailure(e, this.#info, this.#errorInit());
        this.#fail(outcome, error, true);
      },
    );
  }

  async #waitForResponse(): Promise<void> {
    try {
      const settledFirst = new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      await Promise.race([this.#opening, settledFirst]);
      // Never spin: without a reader there is nothing to read until the stream settles.
      if (this.#reader === undefined && this.outcome === undefined) await settledFirst;
    } finally {
      this.#wake = undefined;
      this.#inflight = undefined;
    }
  }

  /** Whatever goes wrong while folding in must end the stream, never escape as an unhandled rejection. */
  #guard(work: () => Promise<void> | void): Promise<void> | void {
    try {
      const done = work();
      return done?.catch((e: unknown) => this.#internal(e));
    } catch (e) {
      this.#internal(e);
    }
  }

  #internal(e: unknown): void {
    if (this.outcome === undefined) this.#fail("error", failure.internalFailure(e, this.#info, this.#errorInit()), true);
  }

  #onResponse(res: TransportResponse): Promise<void> | void {
    if (this.outcome !== undefined) {
      // Aborted or timed out while the request was in flight: release the body we will never read.
      res.body.cancel();
      return;
    }
    this.#ttfbMs = this.#now() - this.#startedAt;
    this.#headers = res.headers;
    const type = res.headers.get("content-type") ?? "";
    if (/\bhtml\b/i.test(type)) return htmlPageError(res, this.#info).then((error) => this.#fail("failed", error, false));
    if (/\bjson\b/i.test(type) && !/event-stream/i.test(type)) this.#json = [];
    this.#timers?.onHeaders();
    this.#reader = res.body.reader();
  }

  #onRead(chunk: Uint8Array | undefined): void {
    if (this.outcome !== undefined) return;
    if (chunk === undefined) this.#onEnd();
    else if (this.#json === undefined) {
      this.#sse.push(chunk);
      if (this.#gotData) this.#dataArrived();
    } else {
      this.#jsonBytes += chunk.byteLength;
      if (this.#jsonBytes > this.#maxResponseBytes) this.#tooLarge("The JSON body of the stream");
      else this.#json.push(chunk);
    }
  }

  /** The body ended cleanly (EOF): complete only if the terminal event came (it settles the stream itself). */
  #onEnd(): void {
    if (this.#json !== undefined) return this.#onJsonEnd(this.#json);
    this.#sse.end();
    if (this.#gotData) this.#dataArrived();
    if (this.outcome !== undefined) return;
    const why = !this.#sawData
      ? "before any data event"
      : this.#truncatedTail
        ? "in the middle of an event"
        : `without its terminal event (${this.#folder.terminal})`;
    this.#fail("truncated", failure.endedEarly(why, this.#info, this.#errorInit()), false);
  }

  #onJsonEnd(parts: Uint8Array[]): void {
    const decoder = new TextDecoder();
    let text = "";
    for (const part of parts) text += decoder.decode(part, { stream: true });
    text += decoder.decode();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!isObject(body)) {
      this.#fail("error", failure.notAChunk(`The stream response is neither SSE nor a JSON object: ${excerpt(text.trim())}`, this.#info, this.#errorInit()), false);
      return;
    }
    let result: R;
    try {
      result = this.#folder.whole(body, this.#context());
    } catch (e) {
      this.#fail("error", failure.assemblyFailure(e, this.#info), false);
      return;
    }
    this.#settle("completed", result, undefined);
  }

  #tooLarge(what: string): void {
    this.#fail("error", tooLargeError(this.#maxResponseBytes, what, describe(this.#info), this.#errorInit()), true);
  }

  /** The read carried data events: they count as progress for the timeouts (unless they ended the stream). */
  #dataArrived(): void {
    this.#gotData = false;
    if (this.outcome === undefined) this.#timers?.onData();
  }

  // ---- Events (SseSink, TimeoutSink)

  sseComment(): void {
    if (this.#timers !== undefined) this.#timers.keepAlives++;
  }

  sseOverflow(message: string): void {
    this.#fail("error", failure.overflow(this.#maxBufferSize, message, this.#info, this.#errorInit()), true);
  }

  onTimeout(kind: "first" | "idle"): void {
    if (this.outcome === undefined) this.#fail("timeout", failure.timedOut(kind, this.#timers!, this.#info, this.#errorInit()), true);
  }

  sseData(data: string): void {
    if (this.outcome !== undefined || data === "") return;
    if (data === "[DONE]") {
      // OpenRouter's closing line comes after the terminal event, which has settled the stream already.
      this.#fail("truncated", failure.endedEarly(`with [DONE] before its terminal event (${this.#folder.terminal})`, this.#info, this.#errorInit()), true);
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      // The body stopped in the middle of an event's JSON (flushed at its end): a truncation, not a bad event.
      if (this.#sse.ending) this.#truncatedTail = true;
      else this.#fail("error", failure.badEvent(data, true, this.#info, this.#errorInit()), true);
      return;
    }
    if (!isObject(payload) || typeof payload["type"] !== "string") {
      this.#fail("error", failure.badEvent(data, false, this.#info, this.#errorInit()), true);
      return;
    }
    this.#onPayload(payload);
  }

  #onPayload(payload: Json): void {
    const folder = this.#folder;
    const chars = folder.textChars;
    const verdict = folder.fold(payload);
    if (verdict === KEEP_ALIVE) {
      if (this.#timers !== undefined) this.#timers.keepAlives++;
    } else {
      this.#sawData = true;
      this.#gotData = true;
    }
    if (this.#ttftMs === undefined && chars === 0 && folder.textChars > 0) this.#ttftMs = this.#now() - this.#startedAt;
    if (this.channel.delivering) this.channel.push(folder.event(payload));
    else this.channel.skip();
    if (folder.textChars > this.#maxResponseBytes) {
      this.#tooLarge("The text of the stream");
      return;
    }
    if (verdict === END) this.#complete();
    else if (typeof verdict === "object") this.#fail("error", failure.inBand(verdict, this.#info, this.#headers, this.#errorInit()), true);
  }

  // ---- Settling

  #context(): ResultContext {
    const timing: ChatTiming = {
      ...(this.#ttfbMs !== undefined && { ttfbMs: this.#ttfbMs }),
      ...(this.#ttftMs !== undefined && { ttftMs: this.#ttftMs }),
      totalMs: this.#now() - this.#startedAt,
    };
    return { ...this.#info, headers: this.#headers ?? new Headers(), timing };
  }

  #errorInit(): failure.ErrorInit {
    const generationId = this.#folder.generationId ?? this.#headers?.get("x-generation-id") ?? undefined;
    const partial = this.#folder.partial(this.#context());
    return { ...this.#info, ...(generationId !== undefined && { generationId }), ...(partial !== undefined && { partial }) };
  }

  #complete(): void {
    let result: R;
    try {
      result = this.#folder.result(this.#context());
    } catch (e) {
      this.#fail("error", failure.assemblyFailure(e, this.#info), true);
      return;
    }
    this.#settle("completed", result, undefined);
    // Read what follows (normally just `[DONE]` and the end) so the connection can be reused; more is cut.
    const reader = this.#reader;
    reader?.read().then((rest) => {
      if (rest !== undefined) reader.cancel();
    }, noop);
  }

  #fail(outcome: StreamOutcome, error: OpenRouterError, abortRequest: boolean): void {
    if (this.outcome !== undefined) return;
    this.#settle(outcome, undefined, error);
    if (abortRequest) this.#ac.abort(error);
    this.#reader?.cancel(error);
  }

  #settle(outcome: StreamOutcome, result: R | undefined, error: OpenRouterError | undefined): void {
    this.outcome = outcome;
    this.#timers?.stop();
    if (this.#onCallerAbort) this.#init.signal?.removeEventListener("abort", this.#onCallerAbort);
    try {
      this.#init.onSettled?.({ outcome, ...(result !== undefined && { result }), ...(error !== undefined && { error }) });
    } catch {
      // A failing hook must not change the stream's outcome.
    }
    this.#wake?.();
    if (error !== undefined) this.channel.fail(error);
    else this.channel.end(result as R);
  }
}

/** An idle machine (it never sends: a stream starts at its first read), so V8 keeps this class's hidden class: see stream/keep-alive.ts. */
export const KEEP = new EventMachine({ open: () => new Promise<never>(() => undefined), info: {}, what: "", folder: undefined as never });
