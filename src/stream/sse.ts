/**
 * Bytes -> SSE `data:` payloads, in one pass. A streaming `TextDecoder` turns network reads into text
 * (a multi-byte character split across two reads is held back until it is whole), and eventsource-parser
 * finds the events (any CR / LF / CRLF boundary, comments, multi-line data). Not exported from the package.
 */
import { createParser, type EventSourceParser, type ParseError } from "eventsource-parser";

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

/** `decode(chunk, STREAM)` on every read: one shared options object instead of one per call. */
const STREAM: TextDecodeOptions = { stream: true };
/** Whitespace (and a BOM the decoder did not strip) that some upstreams send before the first event. */
const LEADING_JUNK = /^[\s\uFEFF]+/;

/**
 * Feeds network reads to an SSE parser.
 *
 * @example
 * const sse = new SseReader({ sseData: (d) => console.log(d), sseComment() {}, sseOverflow: (m) => { throw new Error(m) } }, 1 << 24);
 * sse.push(new TextEncoder().encode("data: hi\n\n")); // logs "hi"
 * sse.end();
 */
export class SseReader {
  /** `ignoreBOM: false` (the default) makes the decoder drop a leading UTF-8 BOM, even one split across reads. */
  private readonly decoder = new TextDecoder("utf-8");
  private readonly parser: EventSourceParser;
  /** False until the first character that is not whitespace: leading blank lines and spaces are dropped. */
  private started = false;
  /** True while `end()` flushes a final event that had no terminating blank line. */
  ending = false;

  /** @param maxBufferSize Cap on the characters the parser may hold for one unfinished line or event. */
  constructor(sink: SseSink, maxBufferSize: number) {
    this.parser = createParser({
      onEvent: (event) => sink.sseData(event.data),
      onComment: () => sink.sseComment(),
      onError: (error: ParseError) => {
        // Unknown fields and bad `retry:` values are ignorable noise; only the size cap ends the stream.
        if (error.type === "max-buffer-size-exceeded") sink.sseOverflow(error.message);
      },
      maxBufferSize,
    });
  }

  /** One network read. Events it completes are delivered synchronously, before `push` returns. */
  push(bytes: Uint8Array): void {
    const text = this.decoder.decode(bytes, STREAM);
    if (text !== "") this.feed(text);
  }

  /**
   * The body ended: flush the decoder and dispatch a last event that was not followed by a blank line
   * (its data line was complete, or the caller decides from its content that it was cut off).
   */
  end(): void {
    const rest = this.decoder.decode();
    if (rest !== "") this.feed(rest);
    this.ending = true;
    try {
      // "\n\n" terminates a pending line (even after a lone CR) and then the pending event.
      if (this.started) this.parser.feed("\n\n");
    } finally {
      this.ending = false;
    }
  }

  private feed(text: string): void {
    if (!this.started) {
      text = text.replace(LEADING_JUNK, "");
      if (text === "") return;
      this.started = true;
    }
    this.parser.feed(text);
  }
}
