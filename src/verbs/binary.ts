/**
 * Binary answers (audio, a video, a file's bytes): the pipeline hands the 2xx response over at its headers,
 * and the caller reads the body once, either as a stream (never buffered here, so a large video flows straight
 * to disk) or as bytes (bounded by `maxResponseBytes`). Read errors surface as the library's typed errors.
 *
 * As with `chatStream`, the retry boundary is the response headers: retries and the call's `timeoutMs` cover
 * the wait for them; once the body flows, nothing is sent again (the caller's signal still cancels it).
 */
import { ConnectionError, InvalidArgumentError, describe } from "../core/errors.js";
import { type AttemptContext, type Reader, readBytes } from "../core/read.js";
import { networkMessage, stripCause, type TransportResponse } from "../core/transport.js";

/** A binary answer: its content type and headers, and its body, to read once. */
export interface BinaryResponse {
  /** The `Content-Type` the server sent (e.g. `audio/mpeg`, `video/mp4`), or `application/octet-stream`. */
  readonly contentType: string;
  /** The size the server declared (`Content-Length`), when it did. */
  readonly contentLength: number | undefined;
  /** The response headers (`X-Generation-Id`, `Content-Disposition`, …). */
  readonly headers: Headers;
  /** The body as it arrives, not buffered; read it (or `bytes()`) once. */
  readonly body: ReadableStream<Uint8Array>;
  /** The whole body, at most `maxResponseBytes` (else `ResponseTooLargeError`). */
  bytes(): Promise<Uint8Array>;
  /** Releases the connection without reading the body. */
  cancel(): void;
}

/** A 2xx answer handed over at its headers, with the attempt it came from (for typed read errors). */
export interface OpenedBody {
  res: TransportResponse;
  ctx: AttemptContext;
}

/** The reader: the 2xx response and its attempt, read later by {@link binaryResponse}. */
export const openBinary: Reader<OpenedBody> = async (res, ctx) => ({ res, ctx });

/**
 * The `BinaryResponse` over an opened answer.
 *
 * @example
 * const audio = binaryResponse((await ctx.pipeline.call(call, openBinary)).value);
 * await audio.bytes();
 */
export function binaryResponse({ res, ctx }: OpenedBody): BinaryResponse {
  let used = false;
  const claim = (how: string) => {
    if (used) throw new InvalidArgumentError(`The response body was already read; ${how} reads it once${describe(ctx.info)}`);
    used = true;
  };
  const declared = res.headers.get("content-length");
  let stream: ReadableStream<Uint8Array> | undefined;
  return {
    contentType: res.headers.get("content-type") ?? "application/octet-stream",
    contentLength: declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined,
    headers: res.headers,
    get body() {
      if (stream === undefined) {
        claim("body");
        stream = typedStream(res, ctx);
      }
      return stream;
    },
    async bytes() {
      claim("bytes()");
      return readBytes(res, ctx);
    },
    cancel() {
      used = true;
      res.body.cancel();
    },
  };
}

/** The body as a pull stream: one network read per pull, so nothing is buffered ahead of the consumer. */
function typedStream(res: TransportResponse, ctx: AttemptContext): ReadableStream<Uint8Array> {
  const reader = res.body.reader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: Uint8Array | undefined;
        try {
          chunk = await reader.read();
        } catch (cause) {
          controller.error(readFailure(cause, ctx, res.status));
          return;
        }
        if (chunk === undefined) controller.close();
        else controller.enqueue(chunk);
      },
      cancel(reason) {
        reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** A read that failed after the headers: the caller's abort, or a dropped connection. */
export function readFailure(cause: unknown, ctx: AttemptContext, status: number): Error {
  if (ctx.deadline.aborted) return ctx.deadline.failure(ctx.info, cause);
  return new ConnectionError(`Connection dropped while reading the response body: ${networkMessage(cause, ctx.apiKey)}${describe(ctx.info)}`, {
    ...ctx.info,
    status,
    cause: stripCause(cause, ctx.apiKey),
    retryable: false,
  });
}
