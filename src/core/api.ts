/**
 * `client.api`: openapi-fetch's path-typed client over the whole spec, loaded with `import()` on the first
 * request so openapi-fetch stays out of the core bundle (most programs only ever call `chat`).
 *
 * The facade has openapi-fetch's whole surface and typing (`Client<paths, "application/json">`): every
 * method returns a promise anyway, and `use` / `eject` are kept and replayed onto the real client once it
 * exists. What runs a request (api-request.ts: the request onto the pipeline, the key choice, the typed parse
 * error) loads with openapi-fetch, so the facade is all a client carries before its first `client.api` call.
 */
import type { Client, Middleware } from "openapi-fetch";
import type { paths } from "../generated/openrouter.js";
import { lazy } from "./load.js";
import type { Pipeline } from "./pipeline.js";

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

/** The code behind the facade, loaded with openapi-fetch on the first request. */
const requestCode = /* @__PURE__ */ lazy("client.api", () => import("./api-request.js"));

/**
 * An `ApiClient` whose requests go through `fetch` (the client's transport); openapi-fetch is imported on
 * the first request. With `plain`, `fetch` is `apiFetch`, which also takes a `PlainRequest` (api-request.ts):
 * a request that no middleware and no fetch of the caller's will see is built as one, not as a web `Request`.
 *
 * @example
 * const api = lazyApiClient("https://openrouter.ai/api/v1", (request) => fetch(request));
 * const { data } = await api.GET("/models", { params: { query: { output_modalities: "all" } } });
 */
export function lazyApiClient(baseUrl: string, fetch: (request: Request) => Promise<Response>, plain = false): ApiClient {
  let client: ApiClient | undefined;
  let loading: Promise<ApiClient> | undefined;
  const middleware: Middleware[] = [];
  const load = (): Promise<ApiClient> =>
    (loading ??= Promise.all([import("openapi-fetch"), requestCode()]).then(([mod, code]) => {
      const createClient = code.createClientOf(mod);
      client = createClient<paths, "application/json">({ baseUrl, fetch });
      if (middleware.length > 0) client.use(...middleware);
      return client;
    }));

  const api: Record<string, unknown> = {};
  for (const method of METHODS) {
    const at = method === "request" ? 2 : 1;
    api[method] = (...args: unknown[]) => {
      const code = requestCode.value;
      if (plain && client && code && middleware.length === 0) args[at] = code.plainInit(args[at]);
      return (client ? (client[method] as AnyCall)(...args) : load().then((c) => (c[method] as AnyCall)(...args))).catch((error: unknown) => {
        // Without the code loaded, nothing was parsed: the error is the load's own.
        const code = requestCode.value;
        throw code ? code.typedParseError(error, method === "request" ? args[0] : method, method === "request" ? args[1] : args[0]) : error;
      });
    };
  }
  // The middleware is kept here after loading too: a request is built plain only while there is none.
  api["use"] = (...added: Middleware[]) => {
    if (client) client.use(...added);
    for (const m of added) {
      if (!m) continue;
      checkMiddleware(m);
      middleware.push(m);
    }
  };
  api["eject"] = (...removed: Middleware[]) => {
    if (client) client.eject(...removed);
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
  // openapi-fetch calls this only once it is loaded, and the request code loads with it.
  const api = lazyApiClient(baseUrl, (request) => {
    const code = requestCode.value;
    return code ? code.apiFetch(pipeline, basePath, request, managementKey) : requestCode().then((c) => c.apiFetch(pipeline, basePath, request, managementKey));
  }, true);
  PIPELINES.set(api, pipeline);
  return api;
}
