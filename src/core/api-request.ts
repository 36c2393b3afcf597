/**
 * What runs a `client.api` request, loaded with openapi-fetch on the first one (api.ts holds the facade): the
 * request onto the client's pipeline, with the key the operation needs (api-auth.ts, and the spec's table of
 * management operations), openapi-fetch's `createClient` however its module arrived, and its JSON parse
 * failure as our typed error.
 */
import type { default as createClientType } from "openapi-fetch";
import { requestHeaders } from "./api-auth.js";
import { InvalidArgumentError, describe } from "./errors.js";
import { InvalidResponseError } from "./call-errors.js";
import type { Pipeline } from "./pipeline.js";
import type { Call, HttpMethod } from "./types.js";

/**
 * openapi-fetch's `createClient`, however the module arrived: the ESM namespace (`default` is the function),
 * or, in the CommonJS build, a `require()` of its CJS file wrapped by the bundler's interop (`default` is then
 * the whole `exports` object, whose own `default` is the function).
 */
export function createClientOf(mod: unknown): typeof createClientType {
  let m = mod as { default?: unknown } | undefined;
  for (let i = 0; i < 3 && m !== undefined && m !== null; i++) {
    if (typeof m === "function") return m as typeof createClientType;
    m = (m as { default?: unknown }).default as { default?: unknown } | undefined;
  }
  if (typeof m === "function") return m as typeof createClientType;
  throw new TypeError("openapi-fetch did not load: its module has no createClient");
}

/**
 * openapi-fetch parses a 2xx body with `JSON.parse` and lets its `SyntaxError` escape (for an HTML page from a
 * proxy, or a body cut short). `client.api` keeps openapi-fetch's `{ data } | { error }` union for HTTP
 * errors, and throws only typed errors: that one becomes `InvalidResponseError` (its message, which quotes the
 * body, passes through the error's redaction).
 */
export function typedParseError(error: unknown, method: unknown, path: unknown): unknown {
  if (!(error instanceof SyntaxError)) return error;
  const info = { method: String(method).toUpperCase(), path: String(path) };
  return new InvalidResponseError(`The response body is not JSON: ${error.message}${describe(info)}`, { ...info, cause: error });
}

/** Methods a web `Request` takes as they are; any other (TRACE, CONNECT, ...) goes through a real one, which refuses it. */
const PLAIN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);

/**
 * The call's options with `PlainRequest` as the `Request` openapi-fetch builds, unless something of the caller's
 * would see that request (a middleware or a fetch of the call's own, or a `Request` class it chose). Here, not
 * in the facade (api.ts): it only runs once this code has loaded.
 */
export function plainInit(init: unknown): unknown {
  if (init === undefined || init === null) return { Request: PlainRequest };
  if (typeof init !== "object") return init;
  const o = init as Record<string, unknown>;
  if (o["middleware"] !== undefined || o["fetch"] !== undefined || o["Request"] !== undefined) return init;
  return { ...o, Request: PlainRequest };
}

/**
 * What openapi-fetch builds instead of a web `Request` when only `apiFetch` will ever see it (the facade passes it
 * as the call's `Request` when no middleware and no fetch or `Request` of the caller's is involved). A web
 * `Request` copies the headers, makes a byte stream of the JSON text and a signal of its own, and `apiFetch`
 * then reads that stream back: a few tens of microseconds per call, on the path of every streamed answer's
 * first token. This keeps the URL, method, headers, signal and the body text as they were given; anything
 * `apiFetch` does not take as is becomes a real `Request` first (`toRequest`), with its checks and errors.
 */
export class PlainRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: unknown;
  readonly signal: AbortSignal | undefined;
  readonly #init: RequestInit;

  constructor(url: string | URL, init: RequestInit = {}) {
    this.url = String(url);
    this.#init = init;
    this.method = init.method ?? "GET";
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
    this.body = init.body ?? undefined;
    this.signal = init.signal ?? undefined;
  }

  /** The web `Request` openapi-fetch would have built. */
  toRequest(): Request {
    return new Request(this.url, this.#init);
  }

  /** Whether `apiFetch` can take it as is: a known method, and JSON text (or nothing) where a body is allowed. */
  get plain(): boolean {
    if (!PLAIN_METHODS.has(this.method)) return false;
    if (this.body === undefined) return true;
    return typeof this.body === "string" && this.method !== "GET" && this.method !== "HEAD";
  }
}

/**
 * One openapi-fetch request through the pipeline. The body text is read once and sent as is (never stringified
 * again); it is parsed only to learn the model and whether the call streams, for the resilience layer.
 */
export async function apiFetch(pipeline: Pipeline, basePath: string, request: Request | PlainRequest, managementKey?: string): Promise<Response> {
  let bodyText: string;
  let signal: AbortSignal | undefined;
  if (request instanceof PlainRequest && request.plain) {
    bodyText = (request.body as string | undefined) ?? "";
    signal = request.signal;
  } else {
    if (request instanceof PlainRequest) request = request.toRequest();
    bodyText = request.body ? await request.text() : "";
    signal = request.signal;
  }
  const url = new URL(request.url);
  const pathname = url.pathname.slice(basePath.length);
  const path = pathname + url.search;
  let body: Record<string, unknown> | undefined;
  if (bodyText) {
    try {
      body = JSON.parse(bodyText) as Record<string, unknown>;
    } catch {
      throw new InvalidArgumentError(`client.api ${request.method} ${path}: the request body is not JSON`);
    }
  }
  const headers = requestHeaders(request, request.method, pathname, path, managementKey);
  const call: Call = { verb: "api", method: request.method as HttpMethod, path, stream: body?.["stream"] === true, headers };
  if (signal) call.signal = signal;
  if (body !== undefined) {
    call.body = body;
    call.serialized = bodyText;
  }
  if (typeof body?.["model"] === "string") call.model = body["model"];
  return pipeline.exchange(call);
}
