/**
 * Bounded reads of a response body, inside the attempt (so a body cut short is retried like any other network
 * failure), and the readers the verbs hand to the pipeline: `readJson` and `readChat`.
 */
import { ConnectionError, type OpenRouterError, type RequestInfo, describe } from "./errors.js";
import { InvalidResponseError } from "./call-errors.js";
import { holdsSecret, redact } from "../internal/redact.js";
import { ERROR_BODY_MAX_BYTES, ResponseTooLargeError, detached, excerptOf, tooLargeError } from "./body.js";
import type { Deadline } from "./deadline.js";
import { type ChatResult, chatResultFromResponse } from "./result.js";
import { networkMessage, stripCause, type TransportResponse } from "./transport.js";

/** What a reader knows about the attempt whose 2xx response it reads. */
export interface AttemptContext {
  info: RequestInfo;
  deadline: Deadline;
  /** `performance.now()` when the attempt was sent, and the ms until its response headers arrived. */
  startedAt: number;
  ttfbMs: number;
  maxResponseBytes: number;
  apiKey: string | undefined;
}

/** Turns a 2xx response into the verb's value; throws a typed error (a retryable one is retried). */
export type Reader<T> = (res: TransportResponse, ctx: AttemptContext) => Promise<T>;

const decoder = new TextDecoder();

/** The body as text: see {@link readBytes}. */
export async function readText(res: TransportResponse, ctx: AttemptContext, limit = ctx.maxResponseBytes): Promise<string> {
  return decoder.decode(await readBytes(res, ctx, limit));
}

/**
 * The body's bytes, at most `limit` of them (counted as they arrive, so an oversized body is never buffered
 * whole); a connection that drops mid-body is a (retryable) network error, not a parse error.
 */
export async function readBytes(res: TransportResponse, ctx: AttemptContext, limit = ctx.maxResponseBytes): Promise<Uint8Array> {
  try {
    return await res.body.bytes(limit);
  } catch (cause) {
    const info = ctx.info;
    // By name too: a transport from the CommonJS `/node` entry throws its own copy of the class.
    if (cause instanceof ResponseTooLargeError || (cause as Error | undefined)?.name === "ResponseTooLargeError") {
      throw tooLargeError(limit, "The response body", describe({ ...info, status: res.status }), { ...info, status: res.status });
    }
    if (ctx.deadline.aborted) throw ctx.deadline.failure(info, cause);
    throw new ConnectionError(`Connection dropped while reading the response body: ${networkMessage(cause, ctx.apiKey)}${describe(info)}`, {
      ...info,
      cause: stripCause(cause, ctx.apiKey),
      status: res.status,
    });
  }
}

/**
 * The head of a non-2xx body (the envelope is small, and an HTML page of any size must not be held), scrubbed
 * of the key an upstream may echo back. A body that cannot be read is "": the status still tells what happened.
 */
export async function readErrorBody(res: TransportResponse, ctx: AttemptContext): Promise<string> {
  const reader = res.body.reader();
  const textDecoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  try {
    for (;;) {
      const chunk = await reader.read();
      if (chunk === undefined) break;
      const room = ERROR_BODY_MAX_BYTES - bytes;
      if (chunk.byteLength > room) {
        // Drop a character cut in half at the limit rather than show a replacement character.
        text += textDecoder.decode(chunk.subarray(0, room), { stream: true });
        reader.cancel();
        break;
      }
      bytes += chunk.byteLength;
      text += textDecoder.decode(chunk, { stream: true });
    }
    text += textDecoder.decode();
  } catch (cause) {
    if (ctx.deadline.aborted) throw ctx.deadline.failure(ctx.info, cause);
    // The status still tells what happened; the body is a courtesy.
  }
  const key = ctx.apiKey;
  // A copy: what an error keeps is bounded and holds no part of a larger string alive. Scrubbed of every live
  // secret (the management key, a created key), not only the API key: client.api hands this text back as is.
  return detached((key && text.includes(key)) || holdsSecret(text) ? redact(text, key) : text);
}

/** `JSON.parse` accepts the whitespace OpenRouter pads bodies with while a model works; a BOM it does not. */
export function parseJson(text: string, info: RequestInfo, status: number): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (cause) {
    const trimmed = body.trim();
    // A body that starts like JSON but does not parse was cut short: worth another attempt.
    const truncated = trimmed.startsWith("{") || trimmed.startsWith("[");
    throw new InvalidResponseError(
      // Scrubbed before it is cut, so the cut cannot leave the start of a key behind.
      `${trimmed === "" ? "Empty response body" : truncated ? "Truncated JSON response body" : `Response is not JSON: ${excerptOf(redact(trimmed.slice(0, 4096)), 120)}`}${describe({ ...info, status })}`,
      // A copy of the SyntaxError: V8's own keeps the whole text it failed on alive.
      { ...info, status, retryable: truncated || trimmed === "", cause: copiedError(cause) },
    );
  }
}

/** A plain copy of an error's name and message, holding nothing else. */
export function copiedError(error: unknown): Error {
  const copy = new Error(detached(error instanceof Error ? error.message : String(error)));
  copy.name = error instanceof Error ? detached(error.name) : "Error";
  return copy;
}

/** A 2xx body that is JSON but not what the spec promises. */
export function shapeError(expected: string, info: RequestInfo & { status: number }): OpenRouterError {
  return new InvalidResponseError(`The response has no ${expected}${describe(info)}`, info);
}

/** A JSON body, with the response headers (embeddings and generation lookups read both). */
export interface JsonReply<T = unknown> {
  value: T;
  headers: Headers;
  status: number;
}

export const readJson: Reader<JsonReply> = async (res, ctx) => ({
  value: parseJson(await readText(res, ctx), ctx.info, res.status),
  headers: res.headers,
  status: res.status,
});

export const readChat: Reader<ChatResult> = async (res, ctx) => {
  const raw = parseJson(await readText(res, ctx), ctx.info, res.status);
  const info = ctx.info;
  return chatResultFromResponse(raw, {
    ...info,
    headers: res.headers,
    timing: { ttfbMs: ctx.ttfbMs, totalMs: performance.now() - ctx.startedAt },
  });
};
