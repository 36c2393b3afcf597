/**
 * What runs a `client.api` request, loaded with openapi-fetch on the first one (api.ts holds the facade): the
 * request onto the client's pipeline, with the key the operation needs (api-auth.ts, and the spec's table of
 * management operations), openapi-fetch's `createClient` however its module arrived, and its JSON parse
 * failure as our typed error.
 */
import type { default as createClientType } from "openapi-fetch";
import { requestHeaders } from "./api-auth.js";
import { InvalidArgumentError, InvalidResponseError, describe } from "./errors.js";
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

/**
 * One openapi-fetch request through the pipeline. The body text is read once and sent as is (never stringified
 * again); it is parsed only to learn the model and whether the call streams, for the resilience layer.
 */
export async function apiFetch(pipeline: Pipeline, basePath: string, request: Request, managementKey?: string): Promise<Response> {
  const url = new URL(request.url);
  const pathname = url.pathname.slice(basePath.length);
  const path = pathname + url.search;
  const bodyText = request.body ? await request.text() : "";
  let body: Record<string, unknown> | undefined;
  if (bodyText) {
    try {
      body = JSON.parse(bodyText) as Record<string, unknown>;
    } catch {
      throw new InvalidArgumentError(`client.api ${request.method} ${path}: the request body is not JSON`);
    }
  }
  const headers = requestHeaders(request, request.method, pathname, path, managementKey);
  const call: Call = { verb: "api", method: request.method as HttpMethod, path, stream: body?.["stream"] === true, headers, signal: request.signal };
  if (body !== undefined) {
    call.body = body;
    call.serialized = bodyText;
  }
  if (typeof body?.["model"] === "string") call.model = body["model"];
  return pipeline.exchange(call);
}
