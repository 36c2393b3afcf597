/**
 * `ChatStream`: a streamed chat completion. It reads the SSE body once, in one pass, turns each `data:` chunk
 * into typed events and folds it into a `ChatResponse`-shaped accumulator; at the end that accumulator goes
 * through `chatResultFromResponse`, so a streamed call and a plain call of the same generation give the same
 * `ChatResult`.
 *
 * Every stream ends in exactly one of these outcomes (see `StreamOutcome`):
 * - `completed`: `data: [DONE]`, or the body ended cleanly after a finish reason;
 * - `error`: an in-band error chunk (top-level `error`, a choice `error` or `finish_reason: "error"`), an
 *   event that is not JSON, or more text than `maxResponseBytes` (`ResponseTooLargeError`);
 * - `truncated`: the connection dropped, or the body ended with neither `[DONE]` nor a finish reason;
 * - `timeout`: `firstEventTimeoutMs` / `idleTimeoutMs` passed without a data event (keep-alive comments do
 *   not count);
 * - `aborted`: the caller's signal, `stream.abort()`, or leaving the `for await` loop before the end;
 * - `failed`: the request failed before the stream started (the same typed error `client.chat` raises), or
 *   the answer was an HTML page instead of an event stream (`InvalidResponseError`).
 * Every failure after the first data event carries what arrived before it as `error.partial`.
 */
import {
  AbortError,
  ConnectionError,
  InvalidArgumentError,
  InvalidResponseError,
  OpenRouterError,
  TimeoutError,
  describe,
  isOpenRouterError,
  type RequestInfo,
} from "../core/errors.js";
import { type WireError, errorFromResponse, errorFromWire, wireErrorOf } from "../core/wire-error.js";
import type { components } from "../generated/openrouter.js";
import { SseReader, type SseSink } from "./sse.js";
import { stripCause } from "../core/transport.js";
import { redact } from "../internal/redact.js";
import { DEFAULT_MAX_RESPONSE_BYTES, ERROR_BODY_MAX_BYTES, checkMaxResponseBytes, excerptOf, readBounded, tooLargeError } from "../core/body.js";
import {
  chatResultFromResponse,
  type Annotation,
  type ChatResult,
  type ChatTiming,
  type ReasoningDetail,
  type ResultContext,
  type Usage,
} from "../core/result.js";
import { type Json, isObject } from "../internal/json.js";
import { plausibleCost } from "../core/reported-cost.js";

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
   * Sends the request with `stream: true` and resolves with a 2xx `Response` whose body is unread, or throws a
   * typed `OpenRouterError`. Called once, from the constructor. Aborting `signal` must cancel the fetch.
   */
  open: (signal: AbortSignal) => Promise<Response>;
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

const noop = (): void => {};

/** The parts of `ChatStream` its iterator calls (private there; reached through a cast in `[Symbol.asyncIterator]`). */
interface IteratorSource {
  pullEvent(): Promise<IteratorResult<ChatStreamEvent, undefined>>;
  closeIterator(): Promise<IteratorResult<ChatStreamEvent, undefined>>;
}

/**
 * The iterator of a `ChatStream`. Hand-written rather than an async generator (a generator's `yield` costs
 * extra promise ticks per event), and a class rather than an object of closures (one fewer allocation set per
 * open stream).
 */
class EventIterator implements AsyncIterableIterator<ChatStreamEvent, undefined> {
  readonly #source: IteratorSource;

  constructor(source: IteratorSource) {
    this.#source = source;
  }

  next(): Promise<IteratorResult<ChatStreamEvent, undefined>> {
    return this.#source.pullEvent();
  }

  return(): Promise<IteratorResult<ChatStreamEvent, undefined>> {
    return this.#source.closeIterator();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

interface Extras {
  details: ReasoningDetail[];
  detailSlots: Map<string, number>;
  calls: ToolAcc[];
  callByIndex: Map<number, ToolAcc>;
  annotations: Annotation[];
  images: ImageOutput[];
}

interface ToolAcc {
  index: number;
  id: string;
  type: string;
  name: string;
  arguments: string;
}

const READING = 0;
const SETTLED = 1;
const DEFAULT_MAX_BUFFER = 32 * 1024 * 1024;
const EMPTY_DETAILS: ReasoningDetail[] = [];
/** Shared, always empty: a stream allocates its own pending list only when it first needs one. */
const NO_PENDING: string[] = [];

function defaultClock(): () => number {
  const perf = (globalThis as { performance?: { now?: () => number } }).performance;
  return typeof perf?.now === "function" ? () => perf.now!() : () => Date.now();
}

function checkTimeout(name: string, value: unknown): number {
  if (value === undefined || value === 0 || value === Infinity) return 0;
  if (typeof value !== "number" || !(value > 0)) {
    throw new InvalidArgumentError(`${name} must be a positive number of milliseconds (or 0 / undefined for none), got ${String(value)}`);
  }
  return value;
}

/** A short, printable excerpt of a payload for an error message: a copy, never a slice of a large body. */
function excerpt(text: string): string {
  // Scrubbed before it is cut, so the cut cannot leave the start of a key behind.
  return excerptOf(redact(text.length > 4096 ? text.slice(0, 4096) : text), 120);
}

/**
 * A streamed chat completion: an `AsyncIterable` of `ChatStreamEvent`s (read once; `break` aborts the
 * request), plus `final()` for the assembled `ChatResult`.
 *
 * @example
 * const stream = client.chatStream({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });
 * for await (const event of stream) {
 *   if (event.type === "content") process.stdout.write(event.text);
 * }
 * const result = await stream.final(); // usage, cost, tool calls, timing
 */
export class ChatStream implements AsyncIterable<ChatStreamEvent> {
  private state = READING;
  private outcomeValue: StreamOutcome | undefined;
  private resultValue: ChatResult | undefined;
  private errorValue: OpenRouterError | undefined;
  /** What `final()` returns; made on its first call, so a stream nobody awaits carries no promise for it. */
  private settled: Promise<ChatResult> | undefined;
  private resolveSettled: ((result: ChatResult) => void) | undefined;
  private rejectSettled: ((error: OpenRouterError) => void) | undefined;
  /** Wakes a read that waits for the response when the stream settles first (an abort, a timeout). */
  private wake: (() => void) | undefined;

  private readonly info: RequestInfo;
  private readonly ac = new AbortController();
  private readonly now: () => number;
  private readonly onSettled: ((settled: ChatStreamSettled) => void) | undefined;
  private readonly callerSignal: AbortSignal | undefined;
  private readonly onCallerAbort: (() => void) | undefined;
  private readonly sse: SseReader;
  private readonly maxBufferSize: number;
  private readonly maxResponseBytes: number;
  /** Characters of text folded into the accumulator so far (checked against `maxResponseBytes`). */
  private textChars = 0;
  /** Bytes of a JSON body read so far (see `jsonBody`). */
  private jsonBytes = 0;

  /** Who drives the body: nobody yet, the iterator, or `final()` draining it without keeping events. */
  private consumer: "none" | "iterator" | "final" = "none";
  /** An event was produced while nobody iterated (so iterating later would miss it). */
  private dropped = false;
  /**
   * Events not yet taken by the iterator: `queue[queueHead..queueTail)`. Indices rather than push/shift, and
   * the array is reused when it empties (truncating it would reallocate on every event of a fast stream).
   */
  private readonly queue: (ChatStreamEvent | undefined)[] = [];
  private queueHead = 0;
  private queueTail = 0;
  /** The iterator has taken an event: from then on, whole reads are folded in at once. */
  private tookFirstEvent = false;
  /**
   * `data:` payloads of the first read received while the iterator still had an event to take: folded in as
   * it pulls, so the first event reaches the caller without waiting for the rest of the read to be parsed.
   */
  private pending: string[] = NO_PENDING;
  private pendingHead = 0;
  /** Index in `pending` from which payloads came from the end-of-body flush (a possibly cut-off last event). */
  private pendingTailFrom = -1;
  private inflight: Promise<void> | undefined;
  private readonly opening: Promise<void>;
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  /** The response headers, once the response has arrived. */
  private headers: Headers | undefined;
  /** 2xx `application/json` instead of SSE (a proxy that ignored `stream: true`, or a bare error envelope). */
  private jsonBody = false;

  // Timing and timeouts.
  private readonly startedAt: number;
  private ttfbMs: number | undefined;
  private ttftMs: number | undefined;
  private readonly firstEventTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private firstTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private lastDataAt = 0;
  private keepAlives = 0;

  // The accumulator: everything the assembled result needs, and nothing else.
  private dataEvents = 0;
  private sawDone = false;
  private truncatedTail = false;
  private id: string | undefined;
  private created: unknown;
  private model: string | undefined;
  private provider: string | undefined;
  private systemFingerprint: unknown;
  private serviceTier: unknown;
  private usage: Usage | undefined;
  private openrouterMetadata: unknown;
  private role = "assistant";
  private content = "";
  private reasoning = "";
  private refusal: string | undefined;
  /** Reasoning details, tool calls, annotations, images: created on first use (see {@link more}). */
  private extras: Extras | undefined;
  private audio: Json | undefined;
  private logprobs: { content: unknown[]; refusal: unknown[] } | undefined;
  private finishReason: string | null = null;
  private nativeFinishReason: string | null = null;
  private choiceError: WireError | undefined;

  constructor(init: ChatStreamInit) {
    if (!isObject(init) || typeof init.open !== "function") {
      throw new InvalidArgumentError("new ChatStream(init): init.open must be a function (signal) => Promise<Response>");
    }
    if (init.now !== undefined && typeof init.now !== "function") throw new InvalidArgumentError("ChatStream: init.now must be a function");
    this.firstEventTimeoutMs = checkTimeout("firstEventTimeoutMs", init.firstEventTimeoutMs);
    this.idleTimeoutMs = checkTimeout("idleTimeoutMs", init.idleTimeoutMs);
    const maxResponseBytes = checkMaxResponseBytes(init.maxResponseBytes) ?? DEFAULT_MAX_RESPONSE_BYTES;
    // One event cannot usefully be much larger than the whole answer may be (twice it, for the JSON around
    // the text): a small maxResponseBytes also keeps the parser from buffering a huge event first.
    const maxBufferSize = init.maxBufferSize ?? Math.min(DEFAULT_MAX_BUFFER, 2 * maxResponseBytes + 65_536);
    if (!(maxBufferSize > 0)) throw new InvalidArgumentError(`maxBufferSize must be a positive number, got ${String(maxBufferSize)}`);
    this.info = {
      ...(init.info?.method !== undefined && { method: init.info.method }),
      ...(init.info?.path !== undefined && { path: init.info.path }),
      ...(init.info?.model !== undefined && { model: init.info.model }),
    };
    this.now = init.now ?? defaultClock();
    this.onSettled = init.onSettled;
    this.callerSignal = init.signal;
    this.maxBufferSize = maxBufferSize;
    this.maxResponseBytes = maxResponseBytes;
    // The stream is its own sink (sseData / sseComment / sseOverflow): no closures per stream.
    this.sse = new SseReader(this as unknown as SseSink, maxBufferSize);
    this.startedAt = this.now();

    if (this.callerSignal?.aborted) {
      this.opening = Promise.resolve();
      this.abort(this.callerSignal.reason);
      return;
    }
    if (this.callerSignal) {
      this.onCallerAbort = () => this.abort(this.callerSignal?.reason);
      this.callerSignal.addEventListener("abort", this.onCallerAbort, { once: true });
    }
    if (this.firstEventTimeoutMs > 0) {
      this.firstTimer = setTimeout(() => {
        this.firstTimer = undefined;
        this.fail(
          "timeout",
          new TimeoutError(
            `No data event within firstEventTimeoutMs (${this.firstEventTimeoutMs} ms)${this.keepAliveNote()}${describe(this.info)}`,
            this.errorInit(),
          ),
          true,
        );
      }, this.firstEventTimeoutMs);
    }
    let opened: Promise<Response>;
    try {
      opened = Promise.resolve(init.open(this.ac.signal));
    } catch (e) {
      opened = Promise.reject(e);
    }
    this.opening = opened.then(
      (response) => {
        try {
          return this.onResponse(response);
        } catch (e) {
          this.onInternalError(e);
          return undefined;
        }
      },
      (e: unknown) => this.onOpenError(e),
    );
  }

  /** How the stream ended, once it has (`undefined` while it runs). */
  get outcome(): StreamOutcome | undefined {
    return this.outcomeValue;
  }

  /** True once the stream has completed, failed or been aborted. */
  get done(): boolean {
    return this.state === SETTLED;
  }

  /**
   * The events, in order, ending with `{ type: "done", result }`. Read once: a second iterator throws
   * (`InvalidArgumentError`: "already being iterated" while the first is in use, "already been consumed"
   * after it ended). Leaving the loop early (`break`, `return`, an exception) aborts the request; `final()`
   * then rejects with an `AbortError` that says the loop ended early and carries what arrived as `partial`
   * (usage and cost are usually missing: they come last). Breaking after the `done` event changes nothing.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<ChatStreamEvent> {
    if (this.consumer === "iterator") {
      throw new InvalidArgumentError(
        this.iteratorFinished
          ? "This ChatStream has already been consumed (its loop ended); a stream can be read only once: use final() for the result"
          : "This ChatStream is already being iterated; a stream can be read only once",
      );
    }
    if (this.consumer === "final" && this.dropped) {
      throw new InvalidArgumentError(
        "final() has already consumed events of this ChatStream without keeping them; start iterating before awaiting final()",
      );
    }
    this.consumer = "iterator";
    return new EventIterator(this as unknown as IteratorSource);
  }

  /**
   * `return()` of the iterator: `break` or a throw in the caller's loop body stops the request. `final()`
   * then rejects with an `AbortError` that says so and carries what arrived as `partial` (an answer cut off
   * by the caller is not a completed one: usage and cost may be missing). A stream that had already ended
   * keeps its outcome.
   */
  private closeIterator(): Promise<IteratorResult<ChatStreamEvent, undefined>> {
    this.iteratorFinished = true;
    if (this.state === SETTLED) return Promise.resolve({ done: true, value: undefined });
    this.processPending(false);
    if (this.state !== SETTLED) {
      this.fail(
        "aborted",
        new AbortError(
          `The stream was closed early: the loop reading it ended (break, return or throw) before the answer was complete; what arrived is on error.partial${describe(this.info)}`,
          this.errorInit(),
        ),
        true,
      );
    }
    return Promise.resolve({ done: true, value: undefined });
  }

  /** True once the iterator has delivered `done` or thrown: later `next()` calls report the end. */
  private iteratorFinished = false;

  private shift(): ChatStreamEvent {
    const i = this.queueHead++;
    this.tookFirstEvent = true;
    const event = this.queue[i] as ChatStreamEvent;
    this.queue[i] = undefined;
    if (this.queueHead === this.queueTail) this.queueHead = this.queueTail = 0;
    return event;
  }

  /**
   * `next()` of the iterator: a queued event, else the next pending payload folded in, else one more read and
   * look again. A promise chain rather than an async function, so a stream waiting for data does not also
   * hold a suspended function frame.
   */
  private pullEvent(): Promise<IteratorResult<ChatStreamEvent, undefined>> {
    if (this.queueHead === this.queueTail && this.pendingHead < this.pending.length) this.processPending(true);
    if (this.queueHead < this.queueTail) return Promise.resolve({ done: false, value: this.shift() });
    if (this.iteratorFinished) return Promise.resolve({ done: true, value: undefined });
    if (this.state === SETTLED) {
      this.iteratorFinished = true;
      if (this.errorValue) return Promise.reject(this.errorValue);
      return Promise.resolve({ done: false, value: { type: "done", result: this.resultValue! } });
    }
    return this.step().then(() => this.pullEvent());
  }

  /**
   * The assembled `ChatResult` (the same `client.chat` gives for the generation), with `timing`. Rejects with
   * the typed error (with `partial`) when the stream did not complete, including an `AbortError` when the
   * caller's loop left the stream early. Works whether or not the caller iterates: without an iterator it
   * reads the body itself and keeps no events. Always settles: every stream ends in one outcome.
   *
   * @example
   * const { text, usage, cost } = await client.chatStream(params).final();
   */
  final(): Promise<ChatResult> {
    const settled = (this.settled ??=
      this.state !== SETTLED
        ? new Promise<ChatResult>((resolve, reject) => {
            this.resolveSettled = resolve;
            this.rejectSettled = reject;
          })
        : this.errorValue !== undefined
          ? Promise.reject(this.errorValue)
          : Promise.resolve(this.resultValue as ChatResult));
    if (this.consumer === "none" && this.state !== SETTLED) {
      this.consumer = "final";
      // Nothing may escape as an unhandled rejection: whatever goes wrong ends the stream, so final() settles.
      this.drain().catch((e: unknown) => this.onInternalError(e));
    }
    return settled;
  }

  /**
   * Stops the request and the body read at once; the stream ends with an `AbortError` carrying the partial
   * result. No-op once the stream has ended.
   *
   * @example
   * setTimeout(() => stream.abort(), 5_000);
   */
  abort(reason?: unknown): void {
    if (this.state === SETTLED) return;
    // What arrived before the abort belongs to the partial result (and to the events still to be read).
    this.processPending(false);
    if (this.state === SETTLED) return;
    this.fail(
      "aborted",
      new AbortError(`The stream was aborted${describe(this.info)}`, { ...this.errorInit(), ...(reason !== undefined && { cause: reason }) }),
      true,
    );
  }

  /**
   * The answer's text as a web `ReadableStream` of UTF-8 bytes, e.g. to return from a fetch handler
   * (`new Response(stream.toReadableStream())`). Errors the stream on failure; cancelling it aborts the request.
   *
   * @example
   * return new Response(client.chatStream(params).toReadableStream(), { headers: { "content-type": "text/plain; charset=utf-8" } });
   */
  toReadableStream(): ReadableStream<Uint8Array> {
    const iterator = this[Symbol.asyncIterator]();
    const encoder = new TextEncoder();
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        for (;;) {
          const next = await iterator.next();
          if (next.done) {
            controller.close();
            return;
          }
          const event = next.value;
          if (event.type === "content") {
            controller.enqueue(encoder.encode(event.text));
            return;
          }
        }
      },
      cancel: async (reason) => {
        this.abort(reason);
        await iterator.return?.();
      },
    });
  }

  /**
   * Only the text deltas, as an async iterable (read once, like the stream itself).
   *
   * @example
   * for await (const text of client.chatStream(params).textStream()) process.stdout.write(text);
   */
  textStream(): AsyncIterable<string> {
    const iterator = this[Symbol.asyncIterator]();
    return {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<string>> => {
          for (;;) {
            const next = await iterator.next();
            if (next.done) return { done: true, value: undefined };
            if (next.value.type === "content") return { done: false, value: next.value.text };
          }
        },
        return: async (): Promise<IteratorResult<string>> => {
          await iterator.return?.();
          return { done: true, value: undefined };
        },
      }),
    };
  }

  // ---------------------------------------------------------------------------------------------------------
  // Reading

  /** Reads the body until the end without keeping events (final() without an iterator). */
  private async drain(): Promise<void> {
    while (this.state !== SETTLED && this.consumer === "final") await this.step();
  }

  /** One network read, processed. Concurrent callers share the read in flight. */
  private step(): Promise<void> {
    return (this.inflight ??= this.readOnce());
  }

  /** Like `pullEvent`, a promise chain rather than an async function: nothing suspended while waiting for data. */
  private readOnce(): Promise<void> {
    if (this.reader === undefined) return this.waitForResponse();
    return this.reader.read().then(
      (read) => {
        this.inflight = undefined;
        try {
          this.onRead(read);
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
      if (this.state === SETTLED) return;
      // Also wake up when the stream settles while `open` is still pending (an abort or a timeout).
      const settledFirst = new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      await Promise.race([this.opening, settledFirst]);
      // Never spin: without a reader there is nothing to read until the stream settles.
      if (this.reader === undefined && this.state !== SETTLED) await settledFirst;
    } finally {
      this.wake = undefined;
      this.inflight = undefined;
    }
  }

  private onRead(read: ReadableStreamReadResult<Uint8Array>): void {
    if (this.state === SETTLED) return;
    if (read.done) {
      this.onEnd();
      return;
    }
    if (this.jsonBody) {
      this.jsonBytes += read.value.byteLength;
      if (this.jsonBytes > this.maxResponseBytes) {
        this.jsonText = "";
        this.failTooLarge("The JSON body of the stream");
        return;
      }
      this.jsonText += (this.jsonDecoder ??= new TextDecoder()).decode(read.value, { stream: true });
      return;
    }
    this.sse.push(read.value);
  }

  private jsonText = "";
  private jsonDecoder: TextDecoder | undefined;

  private onResponse(response: Response): Promise<void> | undefined {
    if (this.state === SETTLED) {
      // Aborted or timed out while the request was in flight: release the body we will never read.
      response.body?.cancel().catch(noop);
      return;
    }
    this.ttfbMs = this.now() - this.startedAt;
    this.headers = response.headers;
    if (!response.ok) {
      // The client's transport never hands over a non-2xx, but a hand-written `open` (a bare fetch) may.
      return this.onErrorStatus(response);
    }
    const type = response.headers.get("content-type") ?? "";
    if (/\bhtml\b/i.test(type)) return this.onHtmlBody(response);
    this.jsonBody = /\bjson\b/i.test(type) && !/event-stream/i.test(type);
    // With a first-event timeout, the wait for the first data event is that timer's job (a long first token must
    // not trip the shorter idle timeout): the idle timer then starts at the first data event.
    if (this.idleTimeoutMs > 0 && this.firstEventTimeoutMs === 0) {
      this.lastDataAt = this.now();
      this.idleTimer = setTimeout(this.onIdleTimer, this.idleTimeoutMs);
    }
    if (response.body === null) {
      this.onEnd();
      return;
    }
    this.reader = response.body.getReader();
    return undefined;
  }

  private async onErrorStatus(response: Response): Promise<void> {
    const { text } = await readBounded(response, ERROR_BODY_MAX_BYTES).catch(() => ({ text: "" }));
    if (this.state !== SETTLED) this.fail("failed", errorFromResponse(response.status, response.headers, text, this.info), false);
  }

  /**
   * A 2xx HTML page instead of an event stream: a captive portal, a proxy's login or error page. Not a network
   * failure and not worth retrying; the error quotes the head of the page.
   */
  private async onHtmlBody(response: Response): Promise<void> {
    const { text } = await readBounded(response, ERROR_BODY_MAX_BYTES).catch(() => ({ text: "" }));
    if (this.state === SETTLED) return;
    const page = excerptOf(text.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim());
    this.fail(
      "failed",
      new InvalidResponseError(
        `Expected an event stream, got an HTML page${page ? `: ${page}` : ""}${describe({ ...this.info, status: response.status })}`,
        { ...this.info, status: response.status, retryable: false },
      ),
      false,
    );
  }

  private onOpenError(e: unknown): void {
    if (this.state === SETTLED) return; // we aborted it ourselves; the settled error says why
    const error = isOpenRouterError(e)
      ? e
      : new ConnectionError(`The request failed before the stream started: ${e instanceof Error ? e.message : String(e)}${describe(this.info)}`, {
          ...this.info,
          cause: stripCause(e),
        });
    this.fail("failed", error, false);
  }

  private onInternalError(e: unknown): void {
    if (this.state === SETTLED) return;
    this.fail(
      "error",
      new InvalidResponseError(`The stream could not be processed: ${e instanceof Error ? e.message : String(e)}${describe(this.info)}`, {
        ...this.errorInit(),
        cause: e,
      }),
      true,
    );
  }

  private onReadError(e: unknown): void {
    if (this.state === SETTLED) return;
    this.processPending(false);
    if (this.state === SETTLED) return;
    if (this.finishReason !== null) {
      // The model had finished; only the usage chunk and [DONE] were lost with the connection.
      this.complete();
      return;
    }
    const name = isObject(e) || e instanceof Error ? (e as { name?: unknown }).name : undefined;
    if (name === "TimeoutError") {
      this.fail("timeout", new TimeoutError(`The stream timed out mid-body${describe(this.info)}`, { ...this.errorInit(), cause: stripCause(e) }), true);
      return;
    }
    const message = e instanceof Error ? e.message : String(e);
    this.fail(
      "truncated",
      // stripCause: the platform's error can hold socket and request details; keep name, message and code.
      new ConnectionError(`The connection dropped mid-stream (truncated): ${message}${describe(this.info)}`, { ...this.errorInit(), cause: stripCause(e) }),
      true,
    );
  }

  /** The body ended cleanly (EOF). */
  private onEnd(): void {
    if (this.jsonBody) {
      const text = this.jsonText + (this.jsonDecoder?.decode() ?? "");
      this.jsonText = "";
      this.onJsonBody(text);
      return;
    }
    this.sse.end();
    this.processPending(false);
    if (this.state === SETTLED) return; // [DONE] or an error chunk was among the last payloads
    if (this.finishReason !== null && !this.truncatedTail) {
      // OpenRouter always sends [DONE]; a finish reason is enough to call the answer complete (usage may be missing).
      this.complete();
      return;
    }
    const why = this.dataEvents === 0 ? "before any data event" : this.truncatedTail ? "in the middle of an event" : "without [DONE] or a finish reason";
    this.fail("truncated", new ConnectionError(`The stream ended ${why} (truncated)${describe(this.info)}`, this.errorInit()), false);
  }

  /** A 2xx JSON body on a streaming request: a whole completion, or an error envelope. */
  private onJsonBody(text: string): void {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      this.fail("error", new InvalidResponseError(`The stream response is neither SSE nor JSON: ${excerpt(text.trim())}${describe(this.info)}`, this.errorInit()), false);
      return;
    }
    if (!isObject(body)) {
      this.fail("error", new InvalidResponseError(`Expected a chat completion, got ${excerpt(text.trim())}${describe(this.info)}`, this.errorInit()), false);
      return;
    }
    // Replay the completion as one chunk: `message` is the whole delta.
    const choices = Array.isArray(body["choices"])
      ? body["choices"].map((c) => (isObject(c) ? { ...c, delta: c["message"] } : c))
      : body["choices"];
    this.onChunk({ ...body, choices });
    if (this.state !== SETTLED) this.complete();
  }

  /** The accumulated text or the JSON body outgrew `maxResponseBytes`: stop reading, keep what arrived. */
  private failTooLarge(what: string): void {
    this.fail("error", tooLargeError(this.maxResponseBytes, what, describe(this.info), this.errorInit()), true);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Events

  private sseComment(): void {
    this.keepAlives++;
  }

  private sseOverflow(message: string): void {
    this.processPending(false);
    this.fail(
      "error",
      new InvalidResponseError(
        `The stream sent an event larger than maxBufferSize (${this.maxBufferSize} characters): ${message}${describe(this.info)}`,
        this.errorInit(),
      ),
      true,
    );
  }

  /**
   * A `data:` payload from the SSE parser. It counts for the timeouts at once; it is folded in at once too,
   * unless it comes after an event of the first read that the iterator has not taken yet (or after payloads
   * already waiting): then it waits in `pending` for `next()`.
   */
  private sseData(data: string): void {
    if (this.state === SETTLED || data === "") return;
    if (this.firstTimer !== undefined) {
      clearTimeout(this.firstTimer);
      this.firstTimer = undefined;
    }
    if (this.idleTimeoutMs > 0) {
      this.lastDataAt = this.now();
      if (this.idleTimer === undefined) this.idleTimer = setTimeout(this.onIdleTimer, this.idleTimeoutMs);
    }
    // Only the first read is folded in lazily (that is where time to first token is won); later reads are
    // folded in whole, which is faster per event. Once payloads wait, later ones queue behind them, in order.
    if (
      this.consumer === "iterator" &&
      (this.pendingHead < this.pending.length || (!this.tookFirstEvent && this.queueHead < this.queueTail))
    ) {
      if (this.sse.ending && this.pendingTailFrom < 0) this.pendingTailFrom = this.pending.length;
      if (this.pending === NO_PENDING) this.pending = [];
      this.pending.push(data);
      return;
    }
    this.onData(data, this.sse.ending);
  }

  /** Folds in pending payloads in order: all of them, or (`untilEvent`) until the iterator has an event to take. */
  private processPending(untilEvent: boolean): void {
    const pending = this.pending;
    while (this.pendingHead < pending.length && this.state !== SETTLED) {
      const i = this.pendingHead++;
      const data = pending[i] as string;
      pending[i] = "";
      this.onData(data, this.pendingTailFrom >= 0 && i >= this.pendingTailFrom);
      if (untilEvent && this.queueHead < this.queueTail) break;
    }
    if (this.pendingHead >= pending.length || this.state === SETTLED) {
      pending.length = 0;
      this.pendingHead = 0;
      this.pendingTailFrom = -1;
    }
  }

  /** One `data:` payload; `tail`: it was flushed at the end of the body without its closing blank line. */
  private onData(data: string, tail: boolean): void {
    if (this.state === SETTLED) return;
    if (data === "[DONE]") {
      this.sawDone = true;
      this.complete();
      return;
    }
    if (data === "") return;
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      if (tail) {
        // The body stopped in the middle of an event's JSON.
        this.truncatedTail = true;
        return;
      }
      this.fail("error", new InvalidResponseError(`A stream event is not JSON: ${excerpt(data)}${describe(this.info)}`, this.errorInit()), true);
      return;
    }
    if (!isObject(chunk)) {
      this.fail("error", new InvalidResponseError(`A stream event is not a chunk object: ${excerpt(data)}${describe(this.info)}`, this.errorInit()), true);
      return;
    }
    this.onChunk(chunk);
  }

  private onChunk(chunk: Json): void {
    this.dataEvents++;
    const deliver = this.consumer === "iterator";

    const id = chunk["id"];
    if (this.id === undefined && typeof id === "string" && id !== "") this.id = id;
    const model = chunk["model"];
    if (typeof model === "string" && model !== "") this.model = model;
    const provider = chunk["provider"];
    if (typeof provider === "string" && provider !== "") this.provider = provider;
    if (this.created === undefined && chunk["created"] !== undefined) this.created = chunk["created"];
    if (chunk["system_fingerprint"] != null) this.systemFingerprint = chunk["system_fingerprint"];
    if (chunk["service_tier"] != null) this.serviceTier = chunk["service_tier"];
    if (chunk["openrouter_metadata"] !== undefined) this.openrouterMetadata = chunk["openrouter_metadata"];

    let choiceFailed = false;
    const choices = chunk["choices"];
    if (Array.isArray(choices)) {
      for (let i = 0; i < choices.length; i++) {
        const choice: unknown = choices[i];
        // One assembled answer: choice 0 (OpenRouter does not stream n > 1).
        if (isObject(choice) && (choice["index"] === undefined || choice["index"] === 0)) {
          if (this.applyChoice(choice, deliver)) choiceFailed = true;
        }
      }
    }

    const usage = chunk["usage"];
    if (isObject(usage)) {
      this.usage = usage as Usage;
      if (deliver) this.queue[this.queueTail++] = { type: "usage", usage: usage as Usage, cost: plausibleCost(usage["cost"]) };
      else this.dropped = true;
    }

    if (this.textChars > this.maxResponseBytes) {
      this.failTooLarge("The text of the stream");
      return;
    }

    // Property reads first: wireErrorOf only for the rare chunk that has an `error`.
    const topError = chunk["error"] === undefined ? undefined : wireErrorOf(chunk);
    if (topError !== undefined || choiceFailed) {
      const wire = topError ?? this.choiceError ?? { message: 'The generation ended with finish_reason "error"' };
      const partial = this.snapshot();
      const generationId = this.generationId();
      const error = errorFromWire(wire, {
        ...this.info,
        inBand: true,
        ...(this.headers && { headers: this.headers }),
        ...(generationId !== undefined && { generationId }),
        ...(partial !== undefined && { partial }),
      });
      this.fail("error", error, false);
    }
  }

  /** Folds one choice delta into the accumulator; true when it reports an error. */
  private applyChoice(choice: Json, deliver: boolean): boolean {
    const delta = choice["delta"];
    if (isObject(delta)) {
      const role = delta["role"];
      if (typeof role === "string" && role !== "") this.role = role;

      const reasoning = delta["reasoning"] ?? delta["reasoning_content"];
      const reasoningText = typeof reasoning === "string" ? reasoning : "";
      const details = delta["reasoning_details"];
      const hasDetails = Array.isArray(details) && details.length > 0;
      if (reasoningText !== "" || hasDetails) {
        this.reasoning += reasoningText;
        this.textChars += reasoningText.length;
        if (hasDetails) for (const d of details) if (isObject(d)) this.mergeDetail(d);
        this.markToken();
        if (deliver) this.queue[this.queueTail++] = { type: "reasoning", text: reasoningText, details: hasDetails ? (details as ReasoningDetail[]) : EMPTY_DETAILS };
        else this.dropped = true;
      }

      let content = delta["content"];
      if (Array.isArray(content)) content = textOfParts(content);
      if (typeof content === "string" && content !== "") {
        this.content += content;
        this.textChars += content.length;
        this.markToken();
        if (deliver) this.queue[this.queueTail++] = { type: "content", text: content };
        else this.dropped = true;
      }

      const refusal = delta["refusal"];
      if (typeof refusal === "string" && refusal !== "") {
        this.refusal = (this.refusal ?? "") + refusal;
        this.textChars += refusal.length;
        this.markToken();
        if (deliver) this.queue[this.queueTail++] = { type: "refusal", text: refusal };
        else this.dropped = true;
      }

      const toolCalls = delta["tool_calls"];
      if (Array.isArray(toolCalls)) {
        for (const fragment of toolCalls) if (isObject(fragment)) this.applyToolFragment(fragment, deliver);
      }

      const annotations = delta["annotations"];
      if (Array.isArray(annotations)) {
        for (const annotation of annotations) {
          this.more.annotations.push(annotation as Annotation);
          if (deliver) this.queue[this.queueTail++] = { type: "annotation", annotation: annotation as Annotation };
          else this.dropped = true;
        }
      }

      const images = delta["images"];
      if (Array.isArray(images)) {
        for (const image of images) {
          this.more.images.push(image as ImageOutput);
          if (deliver) this.queue[this.queueTail++] = { type: "image", image: image as ImageOutput };
          else this.dropped = true;
        }
      }

      const audio = delta["audio"];
      if (isObject(audio)) this.mergeAudio(audio);
    }

    const logprobs = choice["logprobs"];
    if (isObject(logprobs)) {
      const acc = (this.logprobs ??= { content: [], refusal: [] });
      if (Array.isArray(logprobs["content"])) for (const p of logprobs["content"]) acc.content.push(p);
      if (Array.isArray(logprobs["refusal"])) for (const p of logprobs["refusal"]) acc.refusal.push(p);
    }

    const nativeFinish = choice["native_finish_reason"];
    if (typeof nativeFinish === "string") this.nativeFinishReason = nativeFinish;
    const finish = choice["finish_reason"];
    if (typeof finish === "string" && finish !== "") {
      const first = this.finishReason === null;
      this.finishReason = finish;
      if (first) {
        if (deliver) this.queue[this.queueTail++] = { type: "finish", finishReason: finish, nativeFinishReason: this.nativeFinishReason };
        else this.dropped = true;
      }
    }
    const choiceError = choice["error"] === undefined ? undefined : wireErrorOf(choice);
    if (choiceError !== undefined) this.choiceError = choiceError;
    return choiceError !== undefined || finish === "error";
  }

  /**
   * Joins tool-call fragments. With `index`: per index (a fragment with a different id at a taken index starts
   * a new call). Without `index`: a new id starts a new call, a known id continues that call, no id continues
   * the last call.
   */
  private applyToolFragment(fragment: Json, deliver: boolean): void {
    const fn = isObject(fragment["function"]) ? fragment["function"] : undefined;
    const rawId = fragment["id"];
    const id = typeof rawId === "string" && rawId !== "" ? rawId : undefined;
    const index = fragment["index"];
    let call: ToolAcc | undefined;
    if (typeof index === "number") {
      call = this.more.callByIndex.get(index);
      if (call === undefined) call = this.newCall(index);
      else if (id !== undefined && call.id !== "" && call.id !== id) call = this.newCall(this.nextCallIndex());
    } else if (id !== undefined) {
      call = this.more.calls.find((c) => c.id === id) ?? this.newCall(this.nextCallIndex());
    } else {
      call = this.more.calls[this.more.calls.length - 1] ?? this.newCall(this.nextCallIndex());
    }
    if (id !== undefined && call.id === "") call.id = id;
    const type = fragment["type"];
    if (typeof type === "string" && type !== "") call.type = type;
    const rawName = fn?.["name"];
    const name = typeof rawName === "string" && rawName !== "" ? rawName : undefined;
    if (name !== undefined && call.name === "") call.name = name;
    const rawArgs = fn?.["arguments"];
    const args = typeof rawArgs === "string" ? rawArgs : rawArgs == null ? "" : JSON.stringify(rawArgs);
    call.arguments += args;
    this.textChars += args.length;
    this.markToken();
    if (deliver) this.queue[this.queueTail++] = { type: "tool_call", index: call.index, id, name, argumentsDelta: args };
    else this.dropped = true;
  }

  private newCall(index: number): ToolAcc {
    const call: ToolAcc = { index, id: "", type: "function", name: "", arguments: "" };
    this.more.calls.push(call);
    this.more.callByIndex.set(index, call);
    return call;
  }

  private nextCallIndex(): number {
    let next = 0;
    for (const c of this.more.calls) if (c.index >= next) next = c.index + 1;
    return next;
  }

  /**
   * Merges reasoning_details deltas into whole entries, one per (type, index) (or per id when there is no
   * index): `text` and `summary` pieces are concatenated; other fields (signature, data, id, format) keep
   * the latest non-empty value.
   */
  private mergeDetail(delta: Json): void {
    const type = typeof delta["type"] === "string" ? delta["type"] : "";
    const index = delta["index"];
    const key = typeof index === "number" ? `${type}#${index}` : typeof delta["id"] === "string" ? `${type}@${delta["id"]}` : type;
    const { details, detailSlots } = this.more;
    const slot = detailSlots.get(key);
    if (slot === undefined) {
      detailSlots.set(key, details.length);
      details.push({ ...delta } as ReasoningDetail);
      return;
    }
    const entry = details[slot] as unknown as Json;
    for (const field of Object.keys(delta)) {
      const value = delta[field];
      if (field === "text" || field === "summary") {
        if (typeof value === "string") {
          entry[field] = typeof entry[field] === "string" ? (entry[field] as string) + value : value;
          this.textChars += value.length;
        }
      } else if (value === null || value === undefined || value === "") {
        if (!(field in entry)) entry[field] = value;
      } else {
        entry[field] = value;
      }
    }
  }

  private mergeAudio(delta: Json): void {
    const acc = (this.audio ??= {});
    for (const field of Object.keys(delta)) {
      const value = delta[field];
      if ((field === "data" || field === "transcript") && typeof value === "string") {
        acc[field] = typeof acc[field] === "string" ? (acc[field] as string) + value : value;
        this.textChars += value.length;
      } else if (value != null) {
        acc[field] = value;
      }
    }
  }

  /** The rarely used accumulators, created on first use: a plain text stream never allocates them. */
  private get more(): Extras {
    return (this.extras ??= { details: [], detailSlots: new Map(), calls: [], callByIndex: new Map(), annotations: [], images: [] });
  }

  private markToken(): void {
    if (this.ttftMs === undefined) this.ttftMs = this.now() - this.startedAt;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Timeouts

  /** The idle timer's callback; bound once, and only by streams that have an idle timeout. */
  private get onIdleTimer(): () => void {
    return (this.idleCallback ??= () => this.checkIdle());
  }

  private idleCallback: (() => void) | undefined;

  private checkIdle(): void {
    this.idleTimer = undefined;
    if (this.state === SETTLED) return;
    const remaining = this.idleTimeoutMs - (this.now() - this.lastDataAt);
    if (remaining > 1) {
      // Data arrived since the timer was set: wait for the rest of the window (no timer reset per event).
      this.idleTimer = setTimeout(this.onIdleTimer, remaining);
      return;
    }
    this.processPending(false);
    if (this.state === SETTLED) return;
    this.fail(
      "timeout",
      new TimeoutError(`No data event for idleTimeoutMs (${this.idleTimeoutMs} ms)${this.keepAliveNote()}${describe(this.info)}`, this.errorInit()),
      true,
    );
  }

  private keepAliveNote(): string {
    return this.keepAlives > 0 ? ` (${this.keepAlives} keep-alive comment${this.keepAlives === 1 ? "" : "s"} received meanwhile)` : "";
  }

  // ---------------------------------------------------------------------------------------------------------
  // Settling

  private generationId(): string | undefined {
    return this.id ?? this.headers?.get("x-generation-id") ?? undefined;
  }

  private timing(): ChatTiming {
    return {
      ...(this.ttfbMs !== undefined && { ttfbMs: this.ttfbMs }),
      ...(this.ttftMs !== undefined && { ttftMs: this.ttftMs }),
      totalMs: this.now() - this.startedAt,
    };
  }

  private resultContext(): ResultContext {
    return { ...this.info, headers: this.headers ?? new Headers(), timing: this.timing() };
  }

  /** The accumulator as a `ChatResponse`-shaped object, for `chatResultFromResponse`. */
  private rawResponse(): Json {
    const x = this.extras;
    const calls = x?.calls ?? [];
    const message: Json = {
      role: this.role,
      content: this.content === "" && calls.length > 0 ? null : this.content,
      reasoning: this.reasoning === "" ? null : this.reasoning,
      refusal: this.refusal ?? null,
    };
    if (x && x.details.length > 0) message["reasoning_details"] = x.details;
    if (calls.length > 0) {
      message["tool_calls"] = calls
        .slice()
        .sort((a, b) => a.index - b.index)
        .map((c) => ({ index: c.index, id: c.id, type: c.type, function: { name: c.name, arguments: c.arguments } }));
    }
    if (x && x.annotations.length > 0) message["annotations"] = x.annotations;
    if (x && x.images.length > 0) message["images"] = x.images;
    if (this.audio !== undefined) message["audio"] = this.audio;
    const choice: Json = {
      index: 0,
      finish_reason: this.finishReason,
      native_finish_reason: this.nativeFinishReason,
      message,
    };
    if (this.logprobs !== undefined) choice["logprobs"] = this.logprobs;
    if (this.choiceError !== undefined) choice["error"] = this.choiceError;
    const raw: Json = {};
    const id = this.generationId();
    if (id !== undefined) raw["id"] = id;
    raw["object"] = "chat.completion";
    if (this.created !== undefined) raw["created"] = this.created;
    if (this.model !== undefined) raw["model"] = this.model;
    if (this.provider !== undefined) raw["provider"] = this.provider;
    if (this.systemFingerprint !== undefined) raw["system_fingerprint"] = this.systemFingerprint;
    if (this.serviceTier !== undefined) raw["service_tier"] = this.serviceTier;
    raw["choices"] = this.dataEvents > 0 ? [choice] : [];
    if (this.usage !== undefined) raw["usage"] = this.usage;
    if (this.openrouterMetadata !== undefined) raw["openrouter_metadata"] = this.openrouterMetadata;
    return raw;
  }

  /** Everything received so far as a `ChatResult`, for `error.partial`; undefined before the first data event. */
  private snapshot(): ChatResult | undefined {
    if (this.dataEvents === 0) return undefined;
    try {
      return chatResultFromResponse(this.rawResponse(), this.resultContext());
    } catch (e) {
      // A choice with finish_reason "error" makes the builder throw; the result is still on the error.
      return isOpenRouterError(e) ? e.partial : undefined;
    }
  }

  private errorInit(): { method?: string; path?: string; model?: string; generationId?: string; partial?: ChatResult } {
    const generationId = this.generationId();
    const partial = this.snapshot();
    return { ...this.info, ...(generationId !== undefined && { generationId }), ...(partial !== undefined && { partial }) };
  }

  private complete(): void {
    if (this.state === SETTLED) return;
    let result: ChatResult;
    try {
      result = chatResultFromResponse(this.rawResponse(), this.resultContext());
    } catch (e) {
      const error = isOpenRouterError(e)
        ? e
        : new InvalidResponseError(`The streamed completion could not be assembled: ${String(e)}${describe(this.info)}`, { ...this.info, cause: e });
      this.fail("error", error, false);
      return;
    }
    this.settle("completed", result, undefined);
    // Read the rest of the body (normally just its end) so the connection can be reused; anything more is cut.
    const reader = this.reader;
    if (reader !== undefined && this.sawDone) {
      reader.read().then(
        (r) => {
          if (!r.done) reader.cancel().catch(noop);
        },
        noop,
      );
    }
  }

  private fail(outcome: StreamOutcome, error: OpenRouterError, abortRequest: boolean): void {
    if (this.state === SETTLED) return;
    // Format the stack now: until it is read, V8 keeps each frame's receiver (this stream, its buffers) alive
    // for as long as the error lives.
    void error.stack;
    this.settle(outcome, undefined, error);
    if (abortRequest) this.ac.abort(error);
    this.reader?.cancel(error).catch(noop);
  }

  private settle(outcome: StreamOutcome, result: ChatResult | undefined, error: OpenRouterError | undefined): void {
    this.state = SETTLED;
    this.outcomeValue = outcome;
    this.resultValue = result;
    this.errorValue = error;
    if (this.firstTimer !== undefined) clearTimeout(this.firstTimer);
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.firstTimer = this.idleTimer = undefined;
    if (this.onCallerAbort) this.callerSignal?.removeEventListener("abort", this.onCallerAbort);
    if (this.onSettled) {
      try {
        this.onSettled({ outcome, ...(result !== undefined && { result }), ...(error !== undefined && { error }) });
      } catch {
        // A failing hook must not change the stream's outcome.
      }
    }
    this.wake?.();
    if (error !== undefined) this.rejectSettled?.(error);
    else this.resolveSettled?.(result!);
    this.resolveSettled = this.rejectSettled = undefined;
  }
}

/** Content sent as an array of parts (rare upstreams): its text. */
function textOfParts(parts: unknown[]): string {
  let text = "";
  for (const part of parts) if (isObject(part) && typeof part["text"] === "string") text += part["text"];
  return text;
}
