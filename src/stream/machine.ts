/**
 * `StreamMachine`: drives one streamed chat completion from the response to its one outcome. It owns the
 * request's abort controller, the body reader, the SSE parser, the timeouts and the settling; the chunks go to
 * a `ChunkAccumulator`, the events to an `EventChannel` (the consumer's side).
 *
 * Time to first token: the first network read's payloads are folded in as the iterator pulls (the first event
 * does not wait for the rest of the read to be parsed); later reads at once, which is faster per event.
 */
import { describe, type OpenRouterError, type RequestInfo } from "../core/errors.js";
import { wireErrorOf } from "../core/wire-error.js";
import { tooLargeError } from "../core/body.js";
import { EventChannel, type ChannelSource } from "../core/final-iterable.js";
import { chatResultFromResponse, type ChatResult, type ChatTiming, type ResultContext } from "../core/result.js";
import type { ByteReader, TransportResponse } from "../core/transport.js";
import { type Json, isObject } from "../internal/json.js";
import { ChunkAccumulator } from "./accumulator.js";
import type { ChatStreamEvent, ChatStreamSettled, StreamOutcome } from "./events.js";
import * as failure from "./failures.js";
import { JsonBody, bodyKind, releaseAfterDone } from "./non-sse.js";
import type { OwnedStreamInit } from "./options.js";
import { streamSettings } from "./settings.js";
import { opened, transportResponseOf } from "./open.js";
import { FirstRead } from "./first-read.js";
import { SseReader, type SseSink } from "./sse.js";
import { StreamTimers, type TimeoutSink } from "./timers.js";

export class StreamMachine implements ChannelSource, SseSink, TimeoutSink {
  readonly channel: EventChannel<ChatStreamEvent, ChatResult>;
  /** How the stream ended; `undefined` while it runs. */
  outcome: StreamOutcome | undefined;
  private readonly info: RequestInfo;
  private readonly ac: AbortController;
  private readonly now: () => number;
  private readonly onSettled: ((settled: ChatStreamSettled) => void) | undefined;
  private readonly callerSignal: AbortSignal | undefined;
  private readonly onCallerAbort: (() => void) | undefined;
  private readonly sse: SseReader;
  private readonly maxBufferSize: number;
  private readonly maxResponseBytes: number;
  /** Made at the first chunk: a stream still waiting for data carries none. */
  private acc: ChunkAccumulator | undefined;
  private readonly timers: StreamTimers | undefined;
  private firstRead: FirstRead | undefined;
  private inflight: Promise<void> | undefined;
  private readonly opening: Promise<void>;
  private reader: ByteReader | undefined;
  private headers: Headers | undefined;
  /** Set for a 2xx `application/json` body instead of SSE. */
  private json: JsonBody | undefined;
  /** Wakes a read that waits for the response when the stream settles first (an abort, a timeout). */
  private wake: (() => void) | undefined;
  private readonly startedAt: number;
  private ttfbMs: number | undefined;
  private ttftMs: number | undefined;
  private sawDone = false;
  private truncatedTail = false;
  /** A data event arrived during the current network read: the timeouts hear of it once, after the read. */
  private gotData = false;

  constructor(init: OwnedStreamInit) {
    this.ac = init.controller ?? new AbortController();
    const { info, now, firstEventTimeoutMs, idleTimeoutMs, maxBufferSize, maxResponseBytes } = streamSettings(init);
    this.info = info;
    this.now = now;
    this.onSettled = init.onSettled;
    this.callerSignal = init.signal;
    this.maxBufferSize = maxBufferSize;
    this.maxResponseBytes = maxResponseBytes;
    this.channel = new EventChannel("ChatStream", this);
    this.sse = new SseReader(this, maxBufferSize);
    this.timers = firstEventTimeoutMs > 0 || idleTimeoutMs > 0 ? new StreamTimers(this, now, firstEventTimeoutMs, idleTimeoutMs) : undefined;
    this.startedAt = this.now();

    if (this.callerSignal?.aborted) {
      this.opening = Promise.resolve();
      this.abort(this.callerSignal.reason);
      return;
    }
    if (this.callerSignal) {
      // The one closure a stream allocates: the caller's signal calls it with no arguments of ours.
      this.onCallerAbort = () => this.abort(this.callerSignal?.reason);
      this.callerSignal.addEventListener("abort", this.onCallerAbort, { once: true });
    }
    this.timers?.start();
    this.opening = opened(init.open, this.ac.signal).then(
      (response) => {
        try {
          return this.onResponse(transportResponseOf(response));
        } catch (e) {
          this.onInternalError(e);
          return undefined;
        }
      },
      (e: unknown) => this.onOpenError(e),
    );
  }

  get settled(): boolean {
    return this.outcome !== undefined;
  }
  // ---- The consumer's side (ChannelSource)

  /** The queue is empty: fold in waiting payloads of the first read until there is an event, else read on. */
  pull(): Promise<void> | undefined {
    if (this.firstRead !== undefined) {
      this.processPending(true);
      if (this.channel.hasQueued || this.settled) return undefined;
    }
    if (this.settled) return undefined;
    return (this.inflight ??= this.readOnce());
  }

  /**
   * The caller's loop ended early (break, return or throw). `final()` then rejects with an `AbortError` that
   * says so and carries what arrived as `partial` (an answer cut off by the caller is not a completed one).
   */
  cancel(): void {
    if (this.settled) return;
    this.processPending(false);
    this.fail("aborted", failure.closedEarly(this.info, this.errorInit()), true);
  }

  abort(reason?: unknown): void {
    if (this.settled) return;
    // What arrived before the abort belongs to the partial result (and to the events still to be read).
    this.processPending(false);
    this.fail("aborted", failure.aborted(this.info, this.errorInit(), reason), true);
  }

  // ---- Reading
  /** A promise chain rather than an async function: nothing suspended while waiting for data. */
  private readOnce(): Promise<void> {
    if (this.reader === undefined) return this.waitForResponse();
    return this.reader.read().then(
      (chunk) => {
        this.inflight = undefined;
        try {
          this.onRead(chunk);
        } catch (e) {
          // Whatever goes wrong while folding a read in must end the stream, never escape as an unhandled rejection.
          this.onInternalError(e);
        }
      },
      (e: unknown) => {
        this.inflight = undefined;
        this.onReadError(e);
      },
    );
  }

  private async waitForResponse(): Promise<void> {
    try {
      if (this.settled) return;
      // Also wake up when the stream settles while `open` is still pending (an abort or a timeout).
      const settledFirst = new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      await Promise.race([this.opening, settledFirst]);
      // Never spin: without a reader there is nothing to read until the stream settles.
      if (this.reader === undefined && !this.settled) await settledFirst;
    } finally {
      this.wake = undefined;
      this.inflight = undefined;
    }
  }

  /** One network read (`undefined`: the body ended). */
  private onRead(chunk: Uint8Array | undefined): void {
    if (this.settled) return;
    if (chunk === undefined) this.onEnd();
    else if (this.json === undefined) {
      this.sse.push(chunk);
      // One clock reading per read rather than per event: the events of one read all arrived at its moment.
      if (this.gotData) this.dataArrived();
    } else if (!this.json.add(chunk, this.maxResponseBytes)) this.failTooLarge("The JSON body of the stream");
  }

  private onResponse(response: TransportResponse): Promise<void> | undefined {
    if (this.settled) {
      // Aborted or timed out while the request was in flight: release the body we will never read.
      response.body.cancel();
      return;
    }
    this.ttfbMs = this.now() - this.startedAt;
    this.headers = response.headers;
    const kind = bodyKind(response, this.info);
    if (typeof kind !== "string") return kind.then((error) => this.fail("failed", error, false));
    if (kind === "json") this.json = new JsonBody();
    this.timers?.onHeaders();
    this.reader = response.body.reader();
    return undefined;
  }

  private onOpenError(e: unknown): void {
    // Once settled, we aborted it ourselves; the settled error says why.
    if (!this.settled) this.fail("failed", failure.openFailure(e, this.info), false);
  }

  private onInternalError(e: unknown): void {
    if (!this.settled) this.fail("error", failure.internalFailure(e, this.info, this.errorInit()), true);
  }

  private onReadError(e: unknown): void {
    if (this.settled) return;
    this.processPending(false);
    if (this.settled) return;
    if (this.acc !== undefined && this.acc.finishReason !== null) {
      // The model had finished; only the usage chunk and [DONE] were lost with the connection.
      this.complete();
      return;
    }
    const { outcome, error } = failure.readFailure(e, this.info, this.errorInit());
    this.fail(outcome, error, true);
  }

  /** The body ended cleanly (EOF). */
  private onEnd(): void {
    if (this.json !== undefined) {
      const body = this.json.finish();
      if ("problem" in body) {
        this.fail("error", failure.notAChunk(body.problem, this.info, this.errorInit()), false);
        return;
      }
      this.onChunk(body.chunk);
      if (!this.settled) this.complete();
      return;
    }
    this.sse.end();
    if (this.gotData) this.dataArrived();
    this.processPending(false);
    if (this.settled) return; // [DONE] or an error chunk was among the last payloads
    const acc = this.acc;
    if (acc !== undefined && acc.finishReason !== null && !this.truncatedTail) {
      // OpenRouter always sends [DONE]; a finish reason is enough to call the answer complete (usage may be missing).
      this.complete();
      return;
    }
    const why = acc === undefined ? "before any data event" : this.truncatedTail ? "in the middle of an event" : "without [DONE] or a finish reason";
    this.fail("truncated", failure.endedEarly(why, this.info, this.errorInit()), false);
  }

  /** The accumulated text or the JSON body outgrew `maxResponseBytes`: stop reading, keep what arrived. */
  private failTooLarge(what: string): void {
    this.fail("error", tooLargeError(this.maxResponseBytes, what, describe(this.info), this.errorInit()), true);
  }

  // ---- Events (SseSink, TimeoutSink)
  sseComment(): void {
    if (this.timers !== undefined) this.timers.keepAlives++;
  }

  sseOverflow(message: string): void {
    this.processPending(false);
    this.fail("error", failure.overflow(this.maxBufferSize, message, this.info, this.errorInit()), true);
  }

  /**
   * A `data:` payload from the SSE parser, folded in at once; except in the first read, after an event the
   * iterator has not taken yet (time to first token): then it waits in `firstRead` for `pull()`, and later
   * payloads queue behind it, in order. Later reads are folded in whole, which is faster per event.
   */
  sseData(data: string): void {
    if (this.settled || data === "") return;
    this.gotData = true;
    if (this.firstRead !== undefined || (this.channel.firstWaiting && this.channel.delivering)) {
      (this.firstRead ??= new FirstRead()).add(data, this.sse.ending);
      return;
    }
    this.onData(data, this.sse.ending);
  }

  /** The read carried data events: they count as progress for the timeouts (unless they ended the stream). */
  private dataArrived(): void {
    this.gotData = false;
    if (!this.settled) this.timers?.onData();
  }

  onTimeout(kind: "first" | "idle"): void {
    if (this.settled) return;
    if (kind === "idle") this.processPending(false);
    this.fail("timeout", failure.timedOut(kind, this.timers!, this.info, this.errorInit()), true);
  }

  /** Folds in pending payloads in order: all of them, or (`untilEvent`) until the iterator has an event to take. */
  private processPending(untilEvent: boolean): void {
    const first = this.firstRead;
    if (first === undefined) return;
    while (first.waiting && !this.settled) {
      this.onData(first.take(), first.lastWasTail);
      if (untilEvent && this.channel.hasQueued) break;
    }
    if (!first.waiting || this.settled) this.firstRead = undefined;
  }

  /** One `data:` payload; `tail`: it was flushed at the end of the body without its closing blank line. */
  private onData(data: string, tail: boolean): void {
    if (this.settled) return;
    if (data === "[DONE]") {
      this.sawDone = true;
      this.complete();
      return;
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      if (tail) {
        // The body stopped in the middle of an event's JSON.
        this.truncatedTail = true;
        return;
      }
      this.fail("error", failure.badEvent(data, true, this.info, this.errorInit()), true);
      return;
    }
    if (isObject(chunk)) this.onChunk(chunk);
    else this.fail("error", failure.badEvent(data, false, this.info, this.errorInit()), true);
  }

  private onChunk(chunk: Json): void {
    const acc = (this.acc ??= new ChunkAccumulator(this.channel));
    const choiceFailed = acc.fold(chunk);
    if (this.ttftMs === undefined && acc.sawToken) this.ttftMs = this.now() - this.startedAt;
    if (acc.textChars > this.maxResponseBytes) {
      this.failTooLarge("The text of the stream");
      return;
    }
    // Property reads first: the wire error only for the rare chunk that has an `error`.
    const topError = chunk["error"] === undefined ? undefined : wireErrorOf(chunk);
    if (topError !== undefined || choiceFailed) {
      const wire = topError ?? acc.choiceError ?? { message: 'The generation ended with finish_reason "error"' };
      this.fail("error", failure.inBand(wire, this.info, this.headers, this.errorInit()), false);
    }
  }

  // ---- Settling
  private generationId(): string | undefined {
    return this.acc?.id ?? this.headers?.get("x-generation-id") ?? undefined;
  }

  private resultContext(): ResultContext {
    const { ttfbMs, ttftMs } = this;
    const timing: ChatTiming = { ...(ttfbMs !== undefined && { ttfbMs }), ...(ttftMs !== undefined && { ttftMs }), totalMs: this.now() - this.startedAt };
    return { ...this.info, headers: this.headers ?? new Headers(), timing };
  }

  /** What arrived so far, for `error.partial`; undefined before the first data event. */
  private snapshot(): ChatResult | undefined {
    return this.acc?.snapshot(this.headers?.get("x-generation-id") ?? undefined, this.resultContext());
  }

  private errorInit(): failure.ErrorInit {
    const [generationId, partial] = [this.generationId(), this.snapshot()];
    return { ...this.info, ...(generationId !== undefined && { generationId }), ...(partial !== undefined && { partial }) };
  }

  private complete(): void {
    if (this.settled) return;
    let result: ChatResult;
    try {
      // `[DONE]` before any chunk still assembles (an empty answer): the accumulator is made for it then.
      const acc = (this.acc ??= new ChunkAccumulator(this.channel));
      result = chatResultFromResponse(acc.toResponse(this.headers?.get("x-generation-id") ?? undefined), this.resultContext());
    } catch (e) {
      this.fail("error", failure.assemblyFailure(e, this.info), false);
      return;
    }
    if (this.channel.delivering) this.channel.push({ type: "done", result });
    this.acc.retire(); // the result holds what the stream produced; the accumulator lets go of it
    this.settle("completed", result, undefined);
    if (this.reader !== undefined && this.sawDone) releaseAfterDone(this.reader);
  }

  private fail(outcome: StreamOutcome, error: OpenRouterError, abortRequest: boolean): void {
    if (this.settled) return;
    // Format the stack now: until it is read, V8 keeps each frame's receiver (this stream, its buffers) alive.
    void error.stack;
    this.settle(outcome, undefined, error);
    if (abortRequest) this.ac.abort(error);
    this.reader?.cancel(error);
  }

  private settle(outcome: StreamOutcome, result: ChatResult | undefined, error: OpenRouterError | undefined): void {
    this.outcome = outcome;
    this.timers?.stop();
    if (this.onCallerAbort) this.callerSignal?.removeEventListener("abort", this.onCallerAbort);
    if (this.onSettled) {
      try {
        this.onSettled({ outcome, ...(result !== undefined && { result }), ...(error !== undefined && { error }) });
      } catch {
        // A failing hook must not change the stream's outcome.
      }
    }
    this.wake?.();
    if (error !== undefined) this.channel.fail(error);
    else this.channel.end(result!);
  }
}

/** An idle machine (it never sends, arms no timer), so V8 keeps this class's hidden class: see stream/keep-alive.ts. */
export const KEEP = new StreamMachine({ open: () => new Promise<never>(() => undefined) });
