/**
 * URL, headers and body of one attempt. The header tables of the common cases (GET, JSON POST, streamed POST)
 * are built once per client and shared by every attempt that adds no header of its own: transports read them,
 * never write them.
 */
import { serializeBody } from "./validate.js";
import type { TransportRequest } from "./transport.js";
import type { Call, CallOptions } from "./types.js";

export interface RequestBase {
  /** The base URL without a trailing slash. */
  readonly baseUrl: string;
  readonly get: Headers;
  readonly post: Headers;
  readonly stream: Headers;
}

/** The client-wide part of every request: base URL, auth and app headers (already checked, lower-case names). */
export function requestBase(baseUrl: string, headers: Readonly<Record<string, string>>): RequestBase {
  const json = { "content-type": "application/json" };
  return {
    baseUrl: baseUrl.replace(/\/+$/, ""),
    get: new Headers({ ...headers, accept: "application/json" }),
    post: new Headers({ ...headers, ...json, accept: "application/json" }),
    stream: new Headers({ ...headers, ...json, accept: "text/event-stream" }),
  };
}

/**
 * The request of one attempt. `call.serialized` is the body's JSON text, made once per call; a fallback or a
 * 402 retry changes the body and drops it, so that body is serialised here.
 */
export function buildRequest(call: Call, base: RequestBase): TransportRequest {
  if (call.upload !== undefined) return uploadRequest(call, base);
  const hasBody = call.body !== undefined || call.serialized !== undefined;
  const preset = !hasBody ? base.get : call.stream ? base.stream : base.post;
  let headers = preset;
  if (call.headers) {
    headers = new Headers(preset);
    for (const key of Object.keys(call.headers)) headers.set(key, call.headers[key] as string);
  }
  return {
    method: call.method,
    url: base.baseUrl + call.path,
    headers,
    body: call.serialized ?? (call.body === undefined ? undefined : serializeBody(`${call.method} ${call.path}`, call.body)),
  };
}

/** An attempt with a non-JSON body: its content type and (when known) length, the body made fresh. */
function uploadRequest(call: Call, base: RequestBase): TransportRequest {
  const upload = call.upload!;
  const headers = new Headers(base.post);
  headers.set("content-type", upload.contentType);
  if (upload.length !== undefined) headers.set("content-length", String(upload.length));
  if (call.stream) headers.set("accept", "text/event-stream");
  if (call.headers) for (const key of Object.keys(call.headers)) headers.set(key, call.headers[key] as string);
  return { method: call.method, url: base.baseUrl + call.path, headers, body: upload.body() };
}

/**
 * A verb's `Call` with the per-call options that the pipeline and the resilience layer read. `controller`: a
 * stream's request controller, whose signal replaces the caller's (the stream aborts it with the caller's) and
 * which the call's deadline may abort (`Call.signalController`).
 */
export function callOf(call: Call, options: CallOptions, controller?: AbortController): Call {
  if (controller) {
    call.signal = controller.signal;
    call.signalController = controller;
  } else if (options.signal) call.signal = options.signal;
  if (options.timeoutMs !== undefined) call.timeoutMs = options.timeoutMs;
  if (options.headers) call.headers = options.headers;
  if (options.retry !== undefined) call.retry = options.retry;
  if (options.fallbackModels !== undefined) call.fallbackModels = options.fallbackModels === false ? [] : options.fallbackModels;
  if (options.onInsufficientCredits !== undefined) call.onInsufficientCredits = options.onInsufficientCredits;
  return call;
}
