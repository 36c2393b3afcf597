/**
 * The transport seam: the only place bytes cross the network, and `fetchTransport`, its fetch implementation.
 * A transport moves one request and hands the response back as is (any status); everything above it (request
 * building, deadline, retries, status errors, bounded reads) belongs to the pipeline (core/pipeline.ts).
 * Redirects are refused here, so the API key only ever goes to `baseUrl`.
 */
import { redact } from "../internal/redact.js";
import { tooLargeError } from "./body.js";
import type { HttpMethod } from "./types.js";

/**
 * The fetch transport. Redirects are never followed (`redirect: "manual"`): whatever a fetch does with the
 * Authorization header on a redirect (the spec drops it across origins, an injected fetch may not), the key only
 * ever goes to `baseUrl`. A 3xx comes back as a response; the pipeline refuses it (`isRedirect`).
 */
export function fetchTransport(fetchImpl: typeof globalThis.fetch = globalThis.fetch): Transport {
  return async (req, signal) => {
    const init: RequestInit = { method: req.method, headers: req.headers, redirect: "manual" };
    if (signal !== NO_SIGNAL) init.signal = signal;
    if (req.body !== undefined) {
      init.body = req.body as BodyInit;
      // A streamed upload: fetch needs half-duplex for a ReadableStream body (Node and Chromium).
      if (typeof req.body === "object" && !(req.body instanceof Uint8Array)) (init as RequestInit & { duplex?: string }).duplex = "half";
    }
    return responseOf(await fetchImpl(req.url, init));
  };
}

const NO_SIGNAL_MARK = Symbol.for("openrouter-fetch.no-signal");

/**
 * What the pipeline passes when a call has neither a timeout nor a caller's signal: it never aborts, so a
 * transport attaches nothing to it. Marked with a registered symbol: the CommonJS `/node` entry bundles its own
 * copy of this module, and must still recognise the core's.
 */
export const NO_SIGNAL: AbortSignal = Object.defineProperty(new AbortController().signal, NO_SIGNAL_MARK, { value: true });

/** Whether `signal` is `NO_SIGNAL` (of any copy of this package). */
export function isNoSignal(signal: AbortSignal): boolean {
  return signal === NO_SIGNAL || (!signal.aborted && (signal as unknown as Record<symbol, unknown>)[NO_SIGNAL_MARK] === true);
}

const ABORT_SOURCES_MARK = Symbol.for("openrouter-fetch.watches-abort-sources");

/**
 * Marks a transport that only reads `aborted`, `reason` and `addEventListener` / `removeEventListener("abort",
 * listener)` of its signal. The pipeline then hands it the call's deadline (core/deadline.ts) instead of a real
 * `AbortSignal`, so a call pays for no `AbortController` it does not use. A registered symbol, for the same
 * reason as `NO_SIGNAL`'s: the CommonJS `/node` entry bundles its own copy of this module.
 */
export function watchingAbortSources<T extends Transport>(transport: T): T {
  return Object.defineProperty(transport, ABORT_SOURCES_MARK, { value: true });
}

/** Whether `transport` was marked by {@link watchingAbortSources} (of any copy of this package). */
export function watchesAbortSources(transport: Transport): boolean {
  return (transport as unknown as Record<symbol, unknown>)[ABORT_SOURCES_MARK] === true;
}

/** A 3xx with somewhere to go, or a browser's opaque answer to `redirect: "manual"` (status 0). */
export function isRedirect(status: number): boolean {
  return status === 0 || (status >= 300 && status < 400 && status !== 304);
}

/**
 * The network failure's message, without anything that could hold request headers. Its code (`ECONNREFUSED`,
 * `UND_ERR_SOCKET`) comes from the cause fetch wraps, or from the error itself (undici's dispatcher).
 */
export function networkMessage(cause: unknown, apiKey?: string): string {
  if (cause instanceof Error) {
    const code = codeOf((cause as { cause?: unknown }).cause) ?? codeOf(cause);
    return redact(code && !cause.message.includes(code) ? `${cause.message} (${code})` : cause.message, apiKey);
  }
  return redact(String(cause), apiKey);
}

function codeOf(error: unknown): string | undefined {
  return error && typeof error === "object" && "code" in error && typeof error.code === "string" ? error.code : undefined;
}

/** Undici's errors can carry the request options; keep only name, message and code (of it and its cause) for `cause`. */
export function stripCause(cause: unknown, apiKey?: string): unknown {
  if (!(cause instanceof Error)) return typeof cause === "string" ? redact(cause, apiKey) : undefined;
  const clean = new Error(redact(cause.message, apiKey)) as Error & { code?: string };
  clean.name = cause.name;
  const code = codeOf(cause);
  if (code !== undefined) clean.code = code;
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
  /**
   * JSON text, serialised once per call (per model on fallback); or an upload's bytes or byte stream, made
   * fresh for each attempt from `Call.upload`. A transport sends a stream as it reads it (never buffered whole).
   */
  body: string | Uint8Array | ReadableStream<Uint8Array> | undefined;
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

/** A `TransportResponse` as a fetch `Response`: the original one when it came from fetch (no copy). */
export function asResponse(res: TransportResponse): Response {
  return res.body instanceof FetchBody ? res.body.response : new Response(res.body.stream(), { status: res.status, statusText: res.statusText, headers: res.headers });
}

/** A fetch `Response` as a `TransportResponse` (the adapter `fetchTransport` uses; tests use it too). */
export function responseOf(response: Response): TransportResponse {
  return { status: response.status, statusText: response.statusText, headers: response.headers, body: new FetchBody(response) };
}

/**
 * The body of a fetch `Response`. A class rather than an object of closures, and the `Response` kept on it
 * rather than in a side table: every call makes one, so it should cost one small object.
 */
class FetchBody implements ResponseBody {
  constructor(readonly response: Response) {}

  bytes(limit: number): Promise<Uint8Array> {
    return readBytes(this.response, limit);
  }

  reader(): ByteReader {
    const source = this.response.body;
    if (source === null) return { read: async () => undefined, cancel() {} };
    const reader = source.getReader();
    return {
      // A `then` with a shared function, not an async function: one promise less per network read.
      read: () => reader.read().then(valueOf),
      cancel: (reason) => void reader.cancel(reason).catch(() => {}),
    };
  }

  stream(): ReadableStream<Uint8Array> {
    return this.response.body ?? new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
  }

  cancel(reason?: unknown): void {
    void this.response.body?.cancel(reason).catch(() => {});
  }
}

function valueOf(read: ReadableStreamReadResult<Uint8Array>): Uint8Array | undefined {
  return read.done ? undefined : read.value;
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
