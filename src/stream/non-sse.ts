/**
 * The 2xx answers to a streaming request that are not an event stream: a JSON body (a proxy that ignored
 * `stream: true`, or a bare error envelope) and an HTML page (a captive portal, a proxy's login page).
 */
import { describe, type OpenRouterError, type RequestInfo } from "../core/errors.js";
import { InvalidResponseError } from "../core/call-errors.js";
import { errorFromResponse } from "../core/wire-error.js";
import { ERROR_BODY_MAX_BYTES, excerptOf } from "../core/body.js";
import { redact } from "../internal/redact.js";
import { type Json, isObject } from "../internal/json.js";
import type { ByteReader, ResponseBody, TransportResponse } from "../core/transport.js";

/** A short, printable excerpt of a payload for an error message: a copy, never a slice of a large body. */
export function excerpt(text: string): string {
  // Scrubbed before it is cut, so the cut cannot leave the start of a key behind.
  return excerptOf(redact(text.length > 4096 ? text.slice(0, 4096) : text), 120);
}

/** A JSON body read as it arrives, counted against `maxResponseBytes`. */
export class JsonBody {
  private bytes = 0;
  private text = "";
  private readonly decoder = new TextDecoder();

  /** False once the body has passed `limit` bytes (what was read is then dropped). */
  add(chunk: Uint8Array, limit: number): boolean {
    this.bytes += chunk.byteLength;
    if (this.bytes > limit) {
      this.text = "";
      return false;
    }
    this.text += this.decoder.decode(chunk, { stream: true });
    return true;
  }

  /**
   * The whole body as one chunk to fold in (the completion replayed with `message` as the whole delta), or
   * the message of the error it is.
   */
  finish(): { chunk: Json } | { problem: string } {
    const text = this.text + this.decoder.decode();
    this.text = "";
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { problem: `The stream response is neither SSE nor JSON: ${excerpt(text.trim())}` };
    }
    if (!isObject(body)) return { problem: `Expected a chat completion, got ${excerpt(text.trim())}` };
    const choices = Array.isArray(body["choices"])
      ? body["choices"].map((c) => (isObject(c) ? { ...c, delta: c["message"] } : c))
      : body["choices"];
    return { chunk: { ...body, choices } };
  }
}

/**
 * A 2xx HTML page instead of an event stream. Not a network failure and not worth retrying; the error quotes
 * the head of the page.
 */
export async function htmlPageError(response: TransportResponse, info: RequestInfo): Promise<InvalidResponseError> {
  const text = await readHead(response.body);
  const page = excerptOf(text.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim());
  return new InvalidResponseError(
    `Expected an event stream, got an HTML page${page ? `: ${page}` : ""}${describe({ ...info, status: response.status })}`,
    { ...info, status: response.status, retryable: false },
  );
}

/** A non-2xx answer handed over by a hand-written `open` (the client's transport never does): the typed error. */
export async function statusError(response: TransportResponse, info: RequestInfo): Promise<OpenRouterError> {
  return errorFromResponse(response.status, response.headers, await readHead(response.body), info);
}

/**
 * How a stream's answer is read: `"sse"`, `"json"` (a JSON body instead), or the error that ends the stream (a
 * non-2xx from a hand-written `open`, which the client's transport never hands over; an HTML page).
 */
export function bodyKind(response: TransportResponse, info: RequestInfo): "sse" | "json" | Promise<OpenRouterError> {
  if (response.status < 200 || response.status > 299) return statusError(response, info);
  const type = response.headers.get("content-type") ?? "";
  if (/\bhtml\b/i.test(type)) return htmlPageError(response, info);
  return /\bjson\b/i.test(type) && !/event-stream/i.test(type) ? "json" : "sse";
}

/** The first `ERROR_BODY_MAX_BYTES` of a body as text ("" when it cannot be read: the status tells enough). */
async function readHead(body: ResponseBody): Promise<string> {
  const reader = body.reader();
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  try {
    for (let chunk = await reader.read(); chunk !== undefined; chunk = await reader.read()) {
      const room = ERROR_BODY_MAX_BYTES - bytes;
      if (chunk.byteLength > room) {
        // Drop a character cut in half at the limit rather than show a replacement character.
        text += decoder.decode(chunk.subarray(0, room), { stream: true });
        reader.cancel();
        return text;
      }
      bytes += chunk.byteLength;
      text += decoder.decode(chunk, { stream: true });
    }
    return text + decoder.decode();
  } catch {
    return text;
  }
}

/** After `[DONE]`: read the rest of the body (normally just its end) so the connection can be reused; anything more is cut. */
export function releaseAfterDone(reader: ByteReader): void {
  reader.read().then((chunk) => {
    if (chunk !== undefined) reader.cancel();
  }, noop);
}

export function noop(): void {}
