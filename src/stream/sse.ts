/**
 * Bytes -> SSE `data:` payloads, in one pass, for every event stream of the client (chat, Responses, Messages,
 * images). Not exported from the package.
 *
 * UTF-8: each read is decoded whole by a non-streaming `TextDecoder` (on Node that is the fast native path; a
 * streaming decode is several times slower per byte), except for the bytes of a character the read cut off,
 * which are held back and decoded with the next read.
 *
 * Events: a hand-written line splitter (any CR / LF / CRLF line end, also across reads; comments; multi-line
 * data; `event:`, `id:` and `retry:` ignored) rather than a general parser: it calls one method of one sink
 * object per payload, builds no event object and keeps no per-stream closure, so the hot path stays the same
 * code for every stream (V8 keeps it optimised across streams).
 */

/**
 * Where the reader delivers what it finds. An object with methods rather than three callbacks, so the owner
 * (a `ChatStream`, one per open stream) can pass itself and no closures are allocated per stream.
 */
export interface SseSink {
  /** One event's data (multi-line data joined with "\n"). */
  sseData(data: string): void;
  /** A `:` comment line, e.g. OpenRouter's `: OPENROUTER PROCESSING` keep-alive. */
  sseComment(): void;
  /** The parser gave up: an unterminated line or event grew past `maxBufferSize` characters. */
  sseOverflow(message: string): void;
}

const LF = 10;
const CR = 13;
const SPACE = 32;
const COLON = 58;
/** `ignoreBOM`: a BOM is dropped with the leading whitespace, never in the middle of the stream. */
const DECODER = new TextDecoder("utf-8", { ignoreBOM: true });
/** Whitespace (and a byte-order mark) that some upstreams send before the first event. */
const LEADING_JUNK = /^[\s\uFEFF]+/;

/**
 * How many bytes at the end of `bytes` start a character that the read cut off (0 to 3): a lead byte followed by
 * fewer continuation bytes than it announces. Invalid bytes are not judged here: the decoder replaces them.
 */
export function cutOff(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let k = 1; k <= 3 && k <= n; k++) {
    const b = bytes[n - k] as number;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: the lead is further back
    const size = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return size > k ? k : 0;
  }
  return 0;
}

/**
 * Feeds network reads to an SSE line splitter.
 *
 * @example
 * const sse = new SseReader({ sseData: (d) => console.log(d), sseComment() {}, sseOverflow: (m) => { throw new Error(m) } }, 1 << 24);
 * sse.push(new TextEncoder().encode("data: hi\n\n")); // logs "hi"
 * sse.end();
 */
export class SseReader {
  /** Shared by every reader: a decode that is not streaming keeps no state between calls. */
  private readonly decoder = DECODER;
  private readonly sink: SseSink;
  private readonly maxBufferSize: number;
  /** The first bytes of a character cut off at the end of the last read. */
  private held: Uint8Array | undefined = undefined;
  /** An unfinished line (text after the last line end). */
  private rest = "";
  /** The data lines of the event being read, joined with "\n". */
  private data = "";
  private dataLines = 0;
  /** The last text ended with a CR: a LF that starts the next one belongs to the same line end. */
  private afterCR = false;
  /** False until the first character that is not whitespace: leading blank lines and spaces are dropped. */
  private started = false;
  /** Past `maxBufferSize`: everything after is ignored. */
  private stopped = false;
  /** True while `end()` flushes a final event that had no terminating blank line. */
  ending = false;

  /** @param maxBufferSize Cap on the characters held for one unfinished line or event. */
  constructor(sink: SseSink, maxBufferSize: number) {
    this.sink = sink;
    this.maxBufferSize = maxBufferSize;
  }

  /** One network read. Events it completes are delivered synchronously, before `push` returns. */
  push(bytes: Uint8Array): void {
    let text = "";
    let from = 0;
    const held = this.held;
    if (held !== undefined) {
      // Complete the character the last read cut off with this read's first continuation bytes (at most 3).
      let k = 0;
      while (k < 3 && k < bytes.length && ((bytes[k] as number) & 0xc0) === 0x80) k++;
      const joined = new Uint8Array(held.length + k);
      joined.set(held);
      joined.set(bytes.subarray(0, k), held.length);
      from = k;
      if (k === bytes.length && cutOff(joined) === joined.length) {
        this.held = joined; // still not whole, and nothing else arrived
        return;
      }
      this.held = undefined;
      text = this.decoder.decode(joined);
    }
    const cut = cutOff(bytes);
    const end = bytes.length - cut;
    if (cut > 0 && end >= from) this.held = bytes.slice(end);
    if (end > from) text += this.decoder.decode(from === 0 && end === bytes.length ? bytes : bytes.subarray(from, end));
    if (text !== "") this.feed(text);
  }

  /**
   * The body ended: decode what was held back and dispatch a last event that was not followed by a blank line
   * (its data line was complete, or the caller decides from its content that it was cut off).
   */
  end(): void {
    if (this.held !== undefined) {
      const held = this.held;
      this.held = undefined;
      this.feed(this.decoder.decode(held));
    }
    this.ending = true;
    try {
      // "\n\n" ends a pending line (even after a lone CR) and then the pending event.
      if (this.started) this.feed("\n\n");
    } finally {
      this.ending = false;
    }
  }

  private feed(text: string): void {
    if (this.stopped) return;
    if (!this.started) {
      text = text.replace(LEADING_JUNK, "");
      if (text === "") return;
      this.started = true;
    }
    if (this.afterCR) {
      this.afterCR = false;
      if (text.charCodeAt(0) === LF) text = text.slice(1);
    }
    if (this.rest !== "") {
      text = this.rest + text;
      this.rest = "";
    }
    const tail = text.indexOf("\r") === -1 ? this.linesLF(text) : this.linesAny(text);
    if (this.stopped) return;
    if (tail < text.length) this.rest = text.slice(tail);
    if (this.rest.length + this.data.length > this.maxBufferSize) {
      this.stopped = true;
      this.rest = this.data = "";
      this.sink.sseOverflow(`Buffered data exceeded max buffer size of ${this.maxBufferSize} characters`);
    }
  }

  /** Lines ended by LF only (the usual case); returns where the unfinished last line starts. */
  private linesLF(text: string): number {
    let start = 0;
    let lf = text.indexOf("\n");
    while (lf !== -1) {
      if (lf === start) {
        this.dispatch();
      } else if (this.dataLines === 0 && lf + 1 < text.length && text.charCodeAt(lf + 1) === LF && isData(text, start)) {
        // One data line followed by a blank line: the whole event, handed over without building up `data`.
        this.sink.sseData(text.slice(text.charCodeAt(start + 5) === SPACE ? start + 6 : start + 5, lf));
        if (this.stopped) return text.length;
        lf++;
      } else {
        this.line(text, start, lf);
      }
      if (this.stopped) return text.length;
      start = lf + 1;
      lf = text.indexOf("\n", start);
    }
    return start;
  }

  /** Lines ended by CR, LF or CRLF. */
  private linesAny(text: string): number {
    let start = 0;
    const n = text.length;
    while (start < n) {
      let end = start;
      let c = 0;
      while (end < n && (c = text.charCodeAt(end)) !== LF && c !== CR) end++;
      if (end === n) break;
      if (end === start) this.dispatch();
      else this.line(text, start, end);
      if (this.stopped) return n;
      start = end + 1;
      if (c === CR) {
        if (start === n) this.afterCR = true;
        else if (text.charCodeAt(start) === LF) start++;
      }
    }
    return start;
  }

  /** One non-empty line. */
  private line(text: string, start: number, end: number): void {
    const first = text.charCodeAt(start);
    if (first === COLON) {
      this.sink.sseComment();
      return;
    }
    if (!isData(text, start)) {
      // A field name without a colon ("data" alone) is a data line with an empty value.
      if (end - start === 4 && text.startsWith("data", start)) this.addData("");
      return; // event:, id:, retry: and unknown fields: nothing a client of this API needs
    }
    this.addData(text.slice(text.charCodeAt(start + 5) === SPACE ? start + 6 : start + 5, end));
  }

  private addData(value: string): void {
    this.data = this.dataLines === 0 ? value : `${this.data}\n${value}`;
    this.dataLines++;
  }

  /** A blank line: the event is complete. */
  private dispatch(): void {
    if (this.dataLines === 0) return;
    const data = this.data;
    this.data = "";
    this.dataLines = 0;
    this.sink.sseData(data);
  }
}

/** The line at `start` begins with `data:`. */
function isData(text: string, start: number): boolean {
  return (
    text.charCodeAt(start) === 100 &&
    text.charCodeAt(start + 1) === 97 &&
    text.charCodeAt(start + 2) === 116 &&
    text.charCodeAt(start + 3) === 97 &&
    text.charCodeAt(start + 4) === COLON
  );
}

/** An idle instance kept for the life of the module, so V8 keeps this class's hidden class (see stream/keep-alive.ts). */
export const KEEP = new SseReader({ sseData() {}, sseComment() {}, sseOverflow() {} }, 1);
