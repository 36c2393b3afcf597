/**
 * Bytes -> SSE `data:` payloads, in one pass. A streaming `TextDecoder` turns network reads into text
 * (a multi-byte character split across two reads is held back until it is whole), and eventsource-parser
 * finds the events (any CR / LF / CRLF boundary, comments, multi-line data). Not exported from the package.
 */
import { createParser, type EventSourceParser, type ParseError } from "eventsource-parser";

export interface SseReaderOptions {
  /** One event's data (multi-line data joined with "\n"); `event` is the `event:` name, if any. */
  onData: (data: string, event: string | undefined) => void;
  /** A `:` comment line, e.g. OpenRouter's `: OPENROUTER PROCESSING` keep-alive. */
  onComment?: ((comment: string) => void) | undefined;
  /** The parser gave up: an unterminated line or event grew past `maxBufferSize` characters. */
  onOverflow: (message: string) => void;
  /** Cap on the characters the parser may hold for one unfinished line/event. */
  maxBufferSize: number;
}

/** `decode(chunk, STREAM)` on every read: one shared options object instead of one per call. */
const STREAM: TextDecodeOptions = { stream: true };
/** Whitespace (and a BOM the decoder did not strip) that some upstreams send before the first event. */
const LEADING_JUNK = /^[\s\uFEFF]+/;

/**
 * Feeds network reads to an SSE parser.
 *
 * @example
 * const sse = new SseReader({ onData: (d) => console.log(d), onOverflow: (m) => { throw new Error(m) }, maxBufferSize: 1 << 24 });
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

  constructor(options: SseReaderOptions) {
    const { onData, onComment, onOverflow, maxBufferSize } = options;
    this.parser = createParser({
      onEvent: (event) => onData(event.data, event.event),
      onComment,
      onError: (error: ParseError) => {
        // Unknown fields and bad `retry:` values are ignorable noise; only the size cap ends the stream.
        if (error.type === "max-buffer-size-exceeded") onOverflow(error.message);
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
