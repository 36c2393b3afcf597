/**
 * Bounded response bodies. Every body the client reads goes through here (or through the stream's own byte
 * and character counters), so a huge or endless answer ends in a typed error instead of a process killed by
 * `RangeError: Invalid string length` or an exhausted heap. Also the copied excerpts that errors keep: an
 * error must never hold a slice of a large body (V8 keeps the whole parent string alive behind a slice).
 */
import type { OpenRouterErrorInit } from "./errors.js";
import { InvalidResponseError } from "./call-errors.js";

/**
 * How much of a non-2xx body is read: an error envelope (even with a provider's raw error inside) is a few
 * KB; the rest of an HTML error page tells nothing the status does not, and the error keeps what it read.
 */
export const ERROR_BODY_MAX_BYTES = 32 * 1024;

/** Characters of a body an error message quotes. */
export const EXCERPT_CHARS = 200;

/**
 * The body (or the text a stream accumulated) grew past `maxResponseBytes`. Not retryable: the same request
 * would most likely get the same answer. A stream's partial output is on `partial`.
 */
export class ResponseTooLargeError extends InvalidResponseError {
  override name = "ResponseTooLargeError";
  /** The limit that was exceeded, in bytes (for streams: characters of accumulated text). */
  readonly limit: number;

  constructor(message: string, init: OpenRouterErrorInit & { limit: number }) {
    const { limit, ...rest } = init;
    super(message, { ...rest, retryable: false });
    this.limit = limit;
  }
}
Object.defineProperty(ResponseTooLargeError, "name", { value: "ResponseTooLargeError" });

/** A fresh copy of a string: not a V8 slice or cons of a (possibly huge) parent, which it would keep alive. */
export function detached(text: string): string {
  // Slicing a cons string flattens it into a new buffer; the one-character prefix makes sure it is a cons.
  return (" " + text).slice(1);
}

/** At most `max` characters of `text`, copied, with "…" when cut. */
export function excerptOf(text: string, max = EXCERPT_CHARS): string {
  return text.length > max ? detached(text.slice(0, max)) + "…" : detached(text);
}


/** The typed error for a body over the limit. */
export function tooLargeError(limit: number, what: string, where: string, init: OpenRouterErrorInit = {}): ResponseTooLargeError {
  return new ResponseTooLargeError(
    `${what} exceeded maxResponseBytes (${limit}); raise maxResponseBytes (client or per-call option) if it is legitimate${where}`,
    { ...init, limit },
  );
}
