/**
 * The upstream side: the one place the gateway's `OpenRouter` client is built (its transport chosen here),
 * and the one raw POST through `client.api` that both streamed chat and embeddings use, with the upstream's
 * HTTP errors turned into OpenAI-shaped bodies that keep their status.
 */
import { OpenRouter } from "openrouter-fetch";
import { upstreamErrorBody, type GatewayErrorBody } from "./errors.js";
import { nodeTransport } from "openrouter-fetch/node";

export type ClientOptions = NonNullable<ConstructorParameters<typeof OpenRouter>[0]>;

export interface UpstreamOptions {
  apiKey?: string | undefined;
  baseUrl?: string | undefined;
  /** An injected fetch (tests); otherwise the default transport below. */
  fetch?: typeof globalThis.fetch | undefined;
  /** Options passed through to the client (timeouts, retry, breaker); they win over the gateway's defaults. */
  client?: Partial<ClientOptions> | undefined;
}

export interface Upstream {
  client: OpenRouter;
  /** True when no key and no fetch were given, so the library's embedded OpenRouter stand-in answers. */
  standIn: boolean;
}

/** Builds the upstream client. Without a key or a fetch, the embedded stand-in answers (so a newcomer can try it). */
export async function upstreamClient(options: UpstreamOptions): Promise<Upstream> {
  let fetch = options.fetch;
  let apiKey = options.apiKey;
  let standIn = false;
  if (!apiKey && !fetch) {
    const { createMockOpenRouter } = await import("openrouter-fetch/testing");
    fetch = createMockOpenRouter().fetch;
    apiKey = "stand-in";
    standIn = true;
  }
  const client = new OpenRouter({
    apiKey: apiKey ?? "unset",
    baseUrl: options.baseUrl ?? "https://openrouter.ai/api/v1",
    // The default transport: undici's pool under the client's own pipeline (no web Request/Response per call).
    ...(fetch ? { fetch } : { transport: nodeTransport({ connections: 256 }) }),
    // A 429 asking for a long wait is the app's to handle (it gets the Retry-After), not held in the gateway.
    retry: { maxRetries: 2, maxDelayMs: 2_000 },
    appName: "openrouter-fetch-gateway",
    ...options.client,
  });
  return { client, standIn };
}

export type UpstreamAnswer<T> =
  | { ok: true; data: T; response: Response }
  | { ok: false; status: number; body: GatewayErrorBody; retryAfter: string | undefined };

/**
 * One raw POST upstream through the client's pipeline (retries before the first byte, deadline, breaker).
 * `stream` hands back the body unread; `text` the whole body as text.
 */
export async function postUpstream(client: OpenRouter, path: "/chat/completions", body: Record<string, unknown>, parseAs: "stream", signal: AbortSignal): Promise<UpstreamAnswer<ReadableStream<Uint8Array>>>;
export async function postUpstream(client: OpenRouter, path: "/embeddings", body: Record<string, unknown>, parseAs: "text", signal: AbortSignal): Promise<UpstreamAnswer<string>>;
export async function postUpstream(
  client: OpenRouter,
  path: "/chat/completions" | "/embeddings",
  body: Record<string, unknown>,
  parseAs: "stream" | "text",
  signal: AbortSignal,
): Promise<UpstreamAnswer<unknown>> {
  const { data, error, response } = await client.api.POST(path, { body: body as never, parseAs, signal });
  if (response.ok && data !== undefined && data !== null) return { ok: true, data, response };
  const status = response.status >= 400 ? response.status : 502;
  const text = typeof error === "string" ? error : JSON.stringify(error ?? {});
  return { ok: false, status, body: upstreamErrorBody(status, text), retryAfter: response.headers.get("retry-after") ?? undefined };
}
