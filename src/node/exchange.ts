/**
 * One request on undici's dispatcher API, seen from both sides: the `DispatchHandler` undici calls as the
 * response arrives, and the `TransportResponse` (status, headers, `ResponseBody`) the pipeline reads. No
 * WHATWG `Response` and no web stream is made unless a caller asks for `body.stream()`.
 *
 * The body is a queue of the chunks undici hands over. A read takes everything queued at once (one large
 * read instead of one promise per chunk); while nobody reads, more than `HIGH_WATER` queued bytes pause the
 * socket (backpressure), and the next read resumes it.
 */
import type { Dispatcher } from "undici";
import { tooLargeError } from "../core/body.js";
import type { ByteReader, ResponseBody, TransportResponse } from "../core/transport.js";

type Controller = Dispatcher.DispatchController;
type RawHeaders = Record<string, string | string[] | undefined>;

/** Queued bytes past which the socket is paused until the body is read again. */
const HIGH_WATER = 1 << 20;
const EMPTY = new Uint8Array(0);

/** An abort reason undici accepts (it wants an `Error`); the original is kept as `cause`. */
function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error("The request was aborted", { cause: reason });
}

/** Everything queued, as one chunk (a copy only when there is more than one). */
function joined(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

interface Waiter {
  resolve(chunk: Uint8Array | undefined): void;
  reject(error: unknown): void;
}

/** A `bytes(limit)` waiting for the end of the body: chunks are queued, not handed over one by one. */
interface Collector {
  limit: number;
  resolve(bytes: Uint8Array): void;
  reject(error: unknown): void;
}

/**
 * The handler of one dispatched request and the body of its response. `opened` settles at the response
 * headers (or the failure before them); the body methods read what follows.
 */
export class Exchange implements Dispatcher.DispatchHandler, ResponseBody, ByteReader {
  readonly opened: Promise<TransportResponse>;
  private resolveOpen!: (res: TransportResponse) => void;
  private rejectOpen!: (error: unknown) => void;
  private controller: Controller | undefined;
  /** Set by an abort that came before undici started the request; applied when it does. */
  private abortReason: Error | undefined;
  private headersSeen = false;
  private chunks: Uint8Array[] = [];
  private queued = 0;
  private ended = false;
  private failure: unknown;
  private failed = false;
  private waiter: Waiter | undefined;
  private collector: Collector | undefined;
  private signal: AbortSignal | undefined;
  /** The declared `content-length`, so `bytes` can refuse an oversized body before reading it. */
  private declaredLength: string | string[] | undefined;

  constructor(signal: AbortSignal | undefined) {
    this.opened = new Promise<TransportResponse>((resolve, reject) => {
      this.resolveOpen = resolve;
      this.rejectOpen = reject;
    });
    if (signal !== undefined) {
      this.signal = signal;
      // No `{ once: true }`: `release()` removes it at the end anyway, and options cost on every call.
      signal.addEventListener("abort", this);
    }
  }

  /** The caller's signal fired (`this` is the listener: no closure per request). */
  handleEvent(): void {
    this.abort(this.signal?.reason);
  }

  // ---- undici's side (DispatchHandler)

  onRequestStart(controller: Controller): void {
    this.controller = controller;
    if (this.abortReason !== undefined) controller.abort(this.abortReason);
  }

  onResponseStart(controller: Controller, statusCode: number, headers: RawHeaders, statusMessage?: string): void {
    // 1xx answers (100 Continue, 103 Early Hints) come before the real one.
    if (statusCode < 200 && statusCode !== 101) return;
    this.controller = controller;
    this.headersSeen = true;
    this.declaredLength = headers["content-length"];
    this.resolveOpen({ status: statusCode, statusText: statusMessage ?? "", headers: headersOf(headers), body: this });
  }

  onResponseData(controller: Controller, chunk: Uint8Array): void {
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      waiter.resolve(chunk);
      return;
    }
    this.chunks.push(chunk);
    this.queued += chunk.byteLength;
    const collector = this.collector;
    if (collector !== undefined) {
      if (this.queued > collector.limit) this.refuse(collector.limit);
    } else if (this.queued > HIGH_WATER) controller.pause();
  }

  onResponseEnd(): void {
    this.ended = true;
    this.release();
    const collector = this.collector;
    if (collector !== undefined) {
      this.collector = undefined;
      collector.resolve(this.take());
      return;
    }
    const waiter = this.waiter;
    if (waiter !== undefined && this.queued === 0) {
      this.waiter = undefined;
      waiter.resolve(undefined);
    }
  }

  onResponseError(_controller: Controller, error: Error): void {
    this.release();
    if (this.failed || this.ended) return;
    this.failed = true;
    // The raw cause, as undici made it: the pipeline maps it to a typed error once (and strips it).
    this.failure = this.abortReason !== undefined && error.name === "AbortError" ? this.abortReason : error;
    if (!this.headersSeen) this.rejectOpen(this.failure);
    const waiter = this.waiter ?? this.collector;
    this.waiter = undefined;
    this.collector = undefined;
    waiter?.reject(this.failure);
  }

  // ---- The pipeline's side (ResponseBody, ByteReader)

  read(): Promise<Uint8Array | undefined> {
    if (this.queued > 0) {
      const chunk = this.take();
      if (this.controller?.paused) this.controller.resume();
      return Promise.resolve(chunk);
    }
    if (this.failed) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise<Uint8Array | undefined>((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  reader(): ByteReader {
    return this;
  }

  /** The whole body: no promise per chunk; a small answer that came with its headers is handed over at once. */
  bytes(limit: number): Promise<Uint8Array> {
    // A declared size over the limit is refused before anything is read.
    if (Number(this.declaredLength) > limit || this.queued > limit) return Promise.reject(this.refuse(limit));
    if (this.ended) return Promise.resolve(this.take());
    if (this.failed) return Promise.reject(this.failure);
    if (this.controller?.paused) this.controller.resume();
    return new Promise<Uint8Array>((resolve, reject) => {
      this.collector = { limit, resolve, reject };
    });
  }

  stream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        pull: (controller) =>
          this.read().then((chunk) => {
            if (chunk === undefined) controller.close();
            else controller.enqueue(chunk);
          }),
        cancel: (reason) => this.cancel(reason),
      },
      { highWaterMark: 0 },
    );
  }

  /** Everything queued, handed over and forgotten. */
  private take(): Uint8Array {
    const chunk = this.queued === 0 ? EMPTY : joined(this.chunks, this.queued);
    this.chunks = [];
    this.queued = 0;
    return chunk;
  }

  /** The body is over `limit`: stop it; the error goes to a waiting `bytes` and is returned for the caller. */
  private refuse(limit: number): Error {
    const error = tooLargeError(limit, "The response body", "");
    const collector = this.collector;
    this.collector = undefined;
    this.cancel(error);
    collector?.reject(error);
    return error;
  }

  /** Stops the request (before its headers) or the body (after them); what is queued is dropped. */
  cancel(reason?: unknown): void {
    this.chunks = [];
    this.queued = 0;
    if (this.ended || this.failed) return;
    this.abort(reason);
  }

  private abort(reason: unknown): void {
    if (this.ended || this.failed) return;
    const error = asError(reason);
    this.abortReason = error;
    if (this.controller !== undefined) this.controller.abort(error);
    // Not started yet (waiting for a connection): fail now; onRequestStart aborts it when undici gets to it.
    else this.onResponseError(undefined as unknown as Controller, error);
  }

  /** The request is over: the caller's signal no longer concerns it. */
  private release(): void {
    if (this.signal !== undefined) {
      this.signal.removeEventListener("abort", this);
      this.signal = undefined;
    }
  }
}

/** undici's parsed header object (lower-case names; repeated ones as arrays) as a fetch `Headers`. */
function headersOf(raw: RawHeaders): Headers {
  const headers = new Headers();
  for (const name in raw) {
    const value = raw[name];
    if (value === undefined) continue;
    if (typeof value === "string") headers.append(name, value);
    else for (const v of value) headers.append(name, v);
  }
  return headers;
}

/**
 * An idle exchange kept for the life of the module. V8 holds the hidden classes of class instances only weakly:
 * with no request in flight, a full GC would drop this one and deoptimise the read path that was specialised on
 * it, so the next stream would start cold.
 */
export const KEEP = new Exchange(undefined);
