/**
 * `client.api`: openapi-fetch's path-typed client over the whole spec, loaded with `import()` on the first
 * request so openapi-fetch stays out of the core bundle (most programs only ever call `chat`).
 *
 * The facade has openapi-fetch's whole surface and typing (`Client<paths, "application/json">`): every
 * method returns a promise anyway, and `use` / `eject` are kept and replayed onto the real client once it
 * exists.
 */
import type { Client, Middleware, default as createClientType } from "openapi-fetch";
import { InvalidArgumentError, InvalidResponseError, describe } from "./errors.js";
import type { paths } from "../generated/openrouter.js";
import type { Pipeline } from "./pipeline.js";
import type { Call, HttpMethod } from "./types.js";

/** The path-typed client of the OpenRouter spec. */
export type ApiClient = Client<paths, "application/json">;

const METHODS = ["request", "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"] as const;

type AnyCall = (...args: unknown[]) => Promise<unknown>;

/** openapi-fetch's own check, so a bad middleware fails at `use()` whether or not the client is loaded yet. */
function checkMiddleware(m: unknown): void {
  if (typeof m !== "object" || m === null || !("onRequest" in m || "onResponse" in m || "onError" in m)) {
    throw new Error("Middleware must be an object with one of `onRequest()`, `onResponse() or `onError()`");
  }
}

/**
 * openapi-fetch's `createClient`, however the module arrived: the ESM namespace (`default` is the function),
 * or, in the CommonJS build, a `require()` of its CJS file wrapped by the bundler's interop (`default` is then
 * the whole `exports` object, whose own `default` is the function).
 */
function createClientOf(mod: unknown): typeof createClientType {
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
function typedParseError(error: unknown, method: unknown, path: unknown): unknown {
  if (!(error instanceof SyntaxError)) return error;
  const info = { method: String(method).toUpperCase(), path: String(path) };
  return new InvalidResponseError(`The response body is not JSON: ${error.message}${describe(info)}`, { ...info, cause: error });
}

/**
 * An `ApiClient` whose requests go through `fetch` (the client's transport); openapi-fetch is imported on
 * the first request.
 *
 * @example
 * const api = lazyApiClient("https://openrouter.ai/api/v1", (request) => fetch(request));
 * const { data } = await api.GET("/models", { params: { query: { output_modalities: "all" } } });
 */
export function lazyApiClient(baseUrl: string, fetch: (request: Request) => Promise<Response>): ApiClient {
  let client: ApiClient | undefined;
  let loading: Promise<ApiClient> | undefined;
  const middleware: Middleware[] = [];
  const load = (): Promise<ApiClient> =>
    (loading ??= import("openapi-fetch").then((mod) => {
      const createClient = createClientOf(mod);
      client = createClient<paths, "application/json">({ baseUrl, fetch });
      if (middleware.length > 0) client.use(...middleware);
      return client;
    }));

  const api: Record<string, unknown> = {};
  for (const method of METHODS) {
    api[method] = (...args: unknown[]) =>
      (client ? (client[method] as AnyCall)(...args) : load().then((c) => (c[method] as AnyCall)(...args))).catch((error: unknown) => {
        throw typedParseError(error, method === "request" ? args[0] : method, method === "request" ? args[1] : args[0]);
      });
  }
  api["use"] = (...added: Middleware[]) => {
    if (client) return client.use(...added);
    for (const m of added) {
      if (!m) continue;
      checkMiddleware(m);
      middleware.push(m);
    }
  };
  api["eject"] = (...removed: Middleware[]) => {
    if (client) return client.eject(...removed);
    for (const m of removed) {
      const i = middleware.indexOf(m);
      if (i !== -1) middleware.splice(i, 1);
    }
  };
  return api as unknown as ApiClient;
}

/** The pipeline behind each `client.api`, so a lookup handed that client (fetchGeneration) runs on it directly. */
const PIPELINES = new WeakMap<object, Pipeline>();

/** The pipeline a `client.api` of ours runs on; undefined for a foreign openapi-fetch client. */
export function pipelineOf(api: unknown): Pipeline | undefined {
  return typeof api === "object" && api !== null ? PIPELINES.get(api) : undefined;
}

/**
 * `client.api` over a pipeline: openapi-fetch's `fetch` is `apiFetch`, so its requests get the client's headers,
 * auth, deadline and resilience, and its HTTP errors come back as real responses. Operations that need a
 * management key get `managementKey` (see api-auth.ts).
 */
export function pipelineApiClient(baseUrl: string, basePath: string, pipeline: Pipeline, managementKey?: string): ApiClient {
  const api = lazyApiClient(baseUrl, (request) => apiFetch(pipeline, basePath, request, managementKey));
  PIPELINES.set(api, pipeline);
  return api;
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
  // The key choice (and the spec's table of management operations) loads with the first request, not the client.
  const headers = (await import("./api-auth.js")).requestHeaders(request, request.method, pathname, path, managementKey);
  const call: Call = { verb: "api", method: request.method as HttpMethod, path, stream: body?.["stream"] === true, headers, signal: request.signal };
  if (body !== undefined) {
    call.body = body;
    call.serialized = bodyText;
  }
  if (typeof body?.["model"] === "string") call.model = body["model"];
  return pipeline.exchange(call);
}
