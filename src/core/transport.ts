/**
 * URL, headers, auth, fetch and the per-call deadline. Resolves with a 2xx `Response` or throws a typed
 * `OpenRouterError`; the resilience layer (retries, fallbacks, breaker, rate limits, hooks) wraps the attempt.
 */
import {
  AbortError,
  ConnectionError,
  InvalidResponseError,
  OpenRouterError,
  TimeoutError,
  describe,
  type RequestInfo,
} from "./errors.js";
import { errorFromResponse } from "./wire-error.js";
import { bounded } from "../internal/quote.js";
import { redact } from "../internal/redact.js";
import { serializeBody } from "./validate.js";
import { ERROR_BODY_MAX_BYTES, detached, readBounded, tooLargeError } from "./body.js";
import type { HttpMethod } from "./types.js";

/** What a verb asks for today; the pipeline's `Call` (core/types.ts) replaces it. */
export interface LegacyTransportRequest {
  method: HttpMethod;
  /** Path below the base URL, starting with "/" (query string included, if any). */
  path: string;
  body?: Record<string, unknown> | undefined;
  /** `body` as JSON text, made once per call; used while `body` is still that object (a fallback copies it). */
  serialized?: { body: Record<string, unknown>; text: string } | undefined;
  model?: string | undefined;
  stream: boolean;
  signal?: AbortSignal | undefined;
  headers?: Record<string, string> | undefined;
}

export interface TransportConfig {
  apiKey: string | undefined;
  baseUrl: string;
  headers: Record<string, string>;
  fetch: typeof globalThis.fetch;
}

/**
 * The raw failure behind a status error, so `client.api` can hand openapi-fetch the original response (its
 * body cut at `ERROR_BODY_MAX_BYTES`).
 */
const RAW = Symbol("openrouter.raw-response");
interface RawResponse {
  status: number;
  statusText: string;
  headers: Headers;
  bodyText: string;
}

export function rawResponseOf(error: unknown): RawResponse | undefined {
  return typeof error === "object" && error !== null ? (error as { [RAW]?: RawResponse })[RAW] : undefined;
}

/**
 * A deadline for one call: the caller's signal and the total `timeoutMs`, merged once. `reason()` tells a
 * timeout from the caller's abort, so neither surfaces as a bare `AbortError` DOMException.
 */
export class Deadline {
  readonly signal: AbortSignal | undefined;
  #controller: AbortController | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timedOut = false;
  readonly timeoutMs: number | undefined;
  readonly callerSignal: AbortSignal | undefined;

  constructor(callerSignal: AbortSignal | undefined, timeoutMs: number | undefined) {
    this.callerSignal = callerSignal;
    this.timeoutMs = timeoutMs;
    if (timeoutMs === undefined || timeoutMs <= 0 || !Number.isFinite(timeoutMs)) {
      this.signal = callerSignal;
      return;
    }
    const controller = new AbortController();
    this.#controller = controller;
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      controller.abort(new DOMException("timeout", "TimeoutError"));
    }, timeoutMs);
    if (callerSignal) {
      if (callerSignal.aborted) controller.abort(callerSignal.reason);
      else callerSignal.addEventListener("abort", () => controller.abort(callerSignal.reason), { once: true });
    }
    this.signal = controller.signal;
  }

  get timedOut(): boolean {
    return this.#timedOut;
  }

  /** Stops the timer once the call has finished (successfully or not). */
  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The typed error for an abort of this deadline's signal. */
  abortError(info: RequestInfo, cause?: unknown): OpenRouterError {
    if (this.#timedOut) {
      return new TimeoutError(`Request timed out after ${this.timeoutMs} ms${describe(info)}`, { ...info, cause, retryable: false });
    }
    return new AbortError(`Request aborted by the caller${describe(info)}`, { ...info, cause });
  }
}

/** Today's fetch-based sender; the pipeline over the `Transport` seam below replaces it. */
export class LegacyTransport {
  readonly config: TransportConfig;
  readonly #baseUrl: string;
  /** The header tables of the common cases, built once: fetch copies them, so they are never mutated. */
  readonly #presets: Record<"get" | "post" | "stream", Record<string, string>>;

  constructor(config: TransportConfig) {
    this.config = config;
    this.#baseUrl = config.baseUrl.replace(/\/+$/, "");
    const json = { "content-type": "application/json" };
    this.#presets = {
      get: { ...config.headers, accept: "application/json" },
      post: { ...config.headers, ...json, accept: "application/json" },
      stream: { ...config.headers, ...json, accept: "text/event-stream" },
    };
  }

  url(path: string): string {
    return this.#baseUrl + path;
  }

  headersFor(req: LegacyTransportRequest): Record<string, string> {
    const preset = req.body === undefined ? this.#presets.get : req.stream ? this.#presets.stream : this.#presets.post;
    if (!req.headers) return preset;
    const headers: Record<string, string> = { ...preset };
    for (const key of Object.keys(req.headers)) headers[key.toLowerCase()] = req.headers[key] as string;
    return headers;
  }

  /**
   * Redirects are never followed (`redirect: "manual"`): whatever fetch does with the Authorization header on
   * a redirect (the spec drops it across origins, an injected fetch may not), the key only ever goes to
   * `baseUrl`. OpenRouter does not redirect API calls, so one means the base URL is wrong.
   */
  #redirectError(response: Response, info: RequestInfo): OpenRouterError {
    void response.body?.cancel().catch(() => {});
    const location = response.headers.get("location");
    let target = "";
    if (location) {
      try {
        target = ` to ${bounded(redact(new URL(location, this.url(info.path ?? "/")).href, this.config.apiKey))}`;
      } catch {
        target = " to an invalid address";
      }
    }
    return new InvalidResponseError(
      `The server answered with a redirect${target}; the client does not follow redirects, so the API key only goes to baseUrl. ` +
        `Set baseUrl to where the API really is${describe({ ...info, ...(response.status !== 0 && { status: response.status }) })}`,
      { ...info, ...(response.status !== 0 && { status: response.status }), retryable: false },
    );
  }

  /**
   * One HTTP attempt. Resolves with a 2xx `Response` (body unread); a non-2xx is read and thrown as the typed
   * error; a fetch rejection becomes `ConnectionError`, or `TimeoutError` / `AbortError` when the deadline's
   * signal caused it.
   */
  async sendOnce(req: LegacyTransportRequest, deadline: Deadline): Promise<Response> {
    const info: RequestInfo = { method: req.method, path: req.path, ...(req.model !== undefined && { model: req.model }) };
    if (deadline.signal?.aborted) throw deadline.abortError(info, deadline.signal.reason);
    const init: RequestInit = { method: req.method, headers: this.headersFor(req), redirect: "manual" };
    if (req.body !== undefined) init.body = req.serialized?.body === req.body ? req.serialized.text : serializeBody(`${req.method} ${req.path}`, req.body);
    if (deadline.signal) init.signal = deadline.signal;
    let response: Response;
    try {
      response = await this.config.fetch(this.url(req.path), init);
    } catch (cause) {
      if (deadline.signal?.aborted) throw deadline.abortError(info, cause);
      const key = this.config.apiKey;
      throw new ConnectionError(`Network error: ${networkMessage(cause, key)}${describe(info)}`, { ...info, cause: stripCause(cause, key) });
    }
    if (response.ok) return response;
    if (isRedirect(response)) throw this.#redirectError(response, info);
    let bodyText = "";
    try {
      // Only the head of an error body: the envelope is small, and an HTML page of any size must not be held.
      bodyText = (await readBounded(response, ERROR_BODY_MAX_BYTES)).text;
    } catch (cause) {
      if (deadline.signal?.aborted) throw deadline.abortError(info, cause);
      // The status still tells what happened; the body is a courtesy.
    }
    // An upstream may echo credentials back in its message; scrub before anything is parsed or kept.
    const key = this.config.apiKey;
    if (key && bodyText.includes(key)) bodyText = redact(bodyText, key);
    const error = errorFromResponse(response.status, response.headers, bodyText, info);
    Object.defineProperty(error, RAW, {
      // A copy: what the error keeps is bounded and holds no part of a larger string alive.
      value: { status: response.status, statusText: response.statusText, headers: response.headers, bodyText: detached(bodyText) } satisfies RawResponse,
      enumerable: false,
    });
    throw error;
  }
}

/** A 3xx with somewhere to go, or a browser's opaque answer to `redirect: "manual"`. */
function isRedirect(response: Response): boolean {
  return response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400 && response.status !== 304);
}

/** The fetch failure's message, without anything that could hold request headers. */
export function networkMessage(cause: unknown, apiKey?: string): string {
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause;
    const code = inner && typeof inner === "object" && "code" in inner ? String((inner as { code: unknown }).code) : undefined;
    return redact(code ? `${cause.message} (${code})` : cause.message, apiKey);
  }
  return redact(String(cause), apiKey);
}

/** Undici's errors can carry the request options; keep only name, message and code for `cause`. */
export function stripCause(cause: unknown, apiKey?: string): unknown {
  if (!(cause instanceof Error)) return typeof cause === "string" ? redact(cause, apiKey) : undefined;
  const clean = new Error(redact(cause.message, apiKey));
  clean.name = cause.name;
  const inner = (cause as { cause?: unknown }).cause;
  if (inner instanceof Error) {
    const innerClean = new Error(redact(inner.message, apiKey)) as Error & { code?: unknown };
    innerClean.name = inner.name;
    if ("code" in inner) innerClean.code = (inner as { code: unknown }).code;
    (clean as Error & { cause?: unknown }).cause = innerClean;
  }
  return clean;
}

// ---------------------------------------------------------------------------------------------------------
// The transport seam: the only place bytes cross the network. Everything above it (request building, deadline,
// retries, reading) is the pipeline's; a transport only moves one request and hands back the response as is.

export interface TransportRequest {
  method: HttpMethod;
  url: string;
  headers: Headers;
  /** Serialised once per call (per model on fallback). */
  body: string | undefined;
}

export interface ByteReader {
  read(): Promise<Uint8Array | undefined>;
  cancel(reason?: unknown): void;
}

export interface ResponseBody {
  /** The whole body; `ResponseTooLargeError` past `limit` bytes. */
  bytes(limit: number): Promise<Uint8Array>;
  /** The hot streaming path: one promise per network read. */
  reader(): ByteReader;
  /** Only for client.api's streaming responses. */
  stream(): ReadableStream<Uint8Array>;
  cancel(reason?: unknown): void;
}

export interface TransportResponse {
  status: number;
  statusText: string;
  headers: Headers;
  body: ResponseBody;
}

/** Rejects with the raw cause on a network failure; the pipeline maps it to a typed error once. */
export type Transport = (req: TransportRequest, signal: AbortSignal) => Promise<TransportResponse>;

const EMPTY = new Uint8Array(0);

/** A fetch `Response` as a `TransportResponse` (the adapter `fetchTransport` uses; tests use it too). */
export function responseOf(response: Response): TransportResponse {
  const source = response.body;
  return {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
    body: {
      bytes: (limit) => readBytes(response, limit),
      reader(): ByteReader {
        if (source === null) return { read: async () => undefined, cancel() {} };
        const reader = source.getReader();
        return {
          read: async () => {
            const next = await reader.read();
            return next.done ? undefined : next.value;
          },
          cancel: (reason) => void reader.cancel(reason).catch(() => {}),
        };
      },
      stream: () => source ?? new ReadableStream<Uint8Array>({ start: (controller) => controller.close() }),
      cancel: (reason) => void source?.cancel(reason).catch(() => {}),
    },
  };
}

/** The whole body as bytes, never buffering more than `limit`: a declared or counted excess is refused. */
async function readBytes(response: Response, limit: number): Promise<Uint8Array> {
  const body = response.body;
  if (body === null) return EMPTY;
  const tooLarge = () => tooLargeError(limit, "The response body", "");
  if (Number(response.headers.get("content-length")) > limit) {
    body.cancel().catch(() => {});
    throw tooLarge();
  }
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const read = await reader.read();
    if (read.done) break;
    size += read.value.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => {});
      throw tooLarge();
    }
    parts.push(read.value);
  }
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
