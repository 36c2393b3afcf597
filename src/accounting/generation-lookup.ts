/**
 * The `GET /generation` lookup behind `fetchGeneration` (generation.ts checks its arguments, then loads this on
 * first use): the early 404 retried with backoff, on the client's pipeline or a one-off one.
 */
import type { RetryOptions } from "../core/retry.js";
import { NotFoundError, OpenRouterError } from "../core/errors.js";
import { InvalidResponseError } from "../core/call-errors.js";
import { pipelineOf } from "../core/api.js";
import { DEFAULT_MAX_RESPONSE_BYTES } from "../core/response-limit.js";
import { type Pipeline, createPipeline } from "../core/pipeline.js";
import { type JsonReply, readJson } from "../core/read.js";
import { lazyResilience } from "../core/resilience/lazy.js";
import { type Transport, fetchTransport, responseOf } from "../core/transport.js";
import type { Call, RequestInfo } from "../core/types.js";
import type { Client } from "openapi-fetch";
import type { paths } from "../generated/openrouter.js";
import { type Json, isObject } from "../internal/json.js";

/** What `fetchGeneration` needs from an openapi-fetch client: `client.api` satisfies it. */
export type GenerationApi = Pick<Client<paths>, "GET">;

/** A `fetch`-compatible function. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface FetchGenerationOptions {
  signal?: AbortSignal | undefined;
  /** Extra attempts after a 404 ("not found yet": stats appear a moment after the call ends). Default 4. */
  retries?: number;
  /** First wait after a 404, doubled each time up to `maxDelayMs`. Default 500 ms. */
  initialDelayMs?: number;
  /** Default 4000 ms. */
  maxDelayMs?: number;
  /** Injectable sleep (tests use fake timers); must reject when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** For a plain `fetch`: the API base URL. Default `https://openrouter.ai/api/v1`. */
  baseUrl?: string;
  /** For a plain `fetch`: headers to send (normally `authorization`). */
  headers?: Record<string, string>;
}


const GENERATION_PATH = "/generation";

/**
 * The pipeline a lookup runs on: the client's own when `api` is our `client.api` (its gates, deadline and key
 * apply), else a one-off pipeline over the fetch function or the foreign openapi-fetch client.
 */
function pipelineFor(api: GenerationApi | FetchLike, opts: FetchGenerationOptions): Pipeline {
  const own = pipelineOf(api);
  if (own) return own;
  const transport: Transport = typeof api === "function" ? fetchTransport((input, init) => api(String(input), init ?? {})) : openapiTransport(api);
  return createPipeline({
    baseUrl: opts.baseUrl ?? "https://openrouter.ai/api/v1",
    apiKey: undefined,
    headers: typeof api === "function" ? { ...opts.headers } : {},
    transport,
    timeoutMs: undefined,
    maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
    // The backoff is the documented one (500 ms, 1 s, 2 s, …): no jitter on a lookup of our own.
    resilience: lazyResilience({ random: () => 1, ...(opts.sleep && { sleep: opts.sleep }) }),
  });
}

/** A foreign openapi-fetch client as a transport: its answer, body untouched on success, re-encoded on failure. */
function openapiTransport(api: GenerationApi): Transport {
  return async (req, signal) => {
    const id = new URL(req.url).searchParams.get("id") ?? "";
    const { data, error, response } = await api.GET(GENERATION_PATH, { params: { query: { id } }, parseAs: "stream", signal });
    const body = response.ok ? (data as ReadableStream<Uint8Array> | null | undefined) : error === undefined ? "" : typeof error === "string" ? error : JSON.stringify(error);
    return responseOf(new Response(body ?? null, { status: response.status, statusText: response.statusText, headers: response.headers }));
  };
}

/** `fetchGeneration` after its checks: `retries` is the checked count of extra attempts after a 404. */
export async function lookupGeneration(
  api: GenerationApi | FetchLike,
  id: string,
  retries: number,
  opts: FetchGenerationOptions,
): Promise<{ data: Json; info: RequestInfo & { status: number } }> {
  const call: Call = {
    verb: "generation",
    method: "GET",
    path: `${GENERATION_PATH}?id=${encodeURIComponent(id)}`,
    stream: false,
    // The early 404 ("not found yet") is the one status retried here besides the usual ones (`alsoRetry`).
    retry: { maxRetries: retries, baseDelayMs: opts.initialDelayMs ?? 500, maxDelayMs: opts.maxDelayMs ?? 4000, maxElapsedMs: Number.MAX_SAFE_INTEGER, alsoRetry: [404] } as RetryOptions,
  };
  if (opts.signal) call.signal = opts.signal;
  let reply: JsonReply;
  try {
    ({ value: reply } = await pipelineFor(api, opts).call(call, readJson));
  } catch (error) {
    if (error instanceof OpenRouterError && error.status === 404 && !(error instanceof NotFoundError)) {
      throw new NotFoundError(error.message, { method: "GET", path: call.path, status: 404 });
    }
    throw error;
  }
  const info = { method: "GET", path: call.path, status: reply.status };
  const data = isObject(reply.value) ? reply.value["data"] : undefined;
  if (!isObject(data)) throw new InvalidResponseError(`GET /generation answered ${reply.status} without a data object`, info);
  return { data, info };
}
