/**
 * The HTTP edges of a proxied request: reading the app's JSON body (bounded), noticing when the app goes away,
 * and the headers and JSON answers every response shares. Under @hono/node-server these work on Node's own
 * request and response: touching `c.req.raw.signal` or `.body` would make it build a full web Request per call.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { Context } from "hono";
import { GatewayError, toErrorResponse } from "./errors.js";

export const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" } as const;

/** The headers every proxied answer carries. */
export function baseHeaders(requestId: string, startedAt: number, costUsd: number, generationId?: string): Record<string, string> {
  const h: Record<string, string> = {
    "x-request-id": requestId,
    "x-gateway-cost-usd": costUsd.toFixed(8),
    "x-gateway-latency-ms": (performance.now() - startedAt).toFixed(2),
  };
  if (generationId) h["x-openrouter-generation-id"] = generationId;
  return h;
}

/** Answers made with `baseHeaders` already: the shared middleware leaves them alone (see `hasGatewayHeaders`). */
const WITH_HEADERS = new WeakSet<Response>();

/** A JSON answer with the gateway's headers. */
export function jsonResponse(body: unknown, status: number, headers: Record<string, string>): Response {
  const response = new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
  if (headers["x-request-id"] !== undefined) WITH_HEADERS.add(response);
  return response;
}

/** What a route returns when it has written its answer straight onto the Node response itself. */
export function alreadySent(): Response {
  const response = new Response(null, { headers: { "x-hono-already-sent": "true" } });
  WITH_HEADERS.add(response);
  return response;
}

/**
 * True for an answer that carries the gateway's headers from the start. Asking a response made under
 * @hono/node-server for its `headers` turns its plain header object into a web `Headers`; the proxied
 * answers are not asked.
 */
export function hasGatewayHeaders(response: Response): boolean {
  return WITH_HEADERS.has(response);
}

/** Any thrown error as an OpenAI-shaped answer (GatewayError keeps its status and extra headers). */
export function errorResponse(error: unknown, requestId: string, startedAt: number): Response {
  const { status, body, headers } = toErrorResponse(error);
  return jsonResponse(body, status, { ...baseHeaders(requestId, startedAt, 0), ...headers });
}

/** The Node request and response under @hono/node-server (absent when the gateway is called as `fetch`). */
export function nodePair(c: Context): { incoming: IncomingMessage; outgoing: ServerResponse } | undefined {
  const env = c.env as { incoming?: IncomingMessage; outgoing?: ServerResponse } | undefined;
  return env?.incoming && env.outgoing ? { incoming: env.incoming, outgoing: env.outgoing } : undefined;
}

/**
 * A request header. Under @hono/node-server it is read from Node's own header object: `c.req.header()` would
 * build a web `Headers` of every header the request has, on every request.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const node = nodePair(c);
  if (!node) return c.req.header(name);
  const value = node.incoming.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** Runs `fn` when the app goes away before its response is complete. */
export function onClientGone(c: Context, fn: () => void): void {
  const node = nodePair(c);
  if (!node) {
    c.req.raw.signal?.addEventListener("abort", fn, { once: true });
    return;
  }
  const { incoming, outgoing } = node;
  if (outgoing.writableFinished) return;
  if (incoming.destroyed && !incoming.complete) return fn();
  outgoing.once("close", () => {
    if (!outgoing.writableFinished) fn();
  });
}

/** The request body as a JSON object: 415 for another content type, 413 past `maxBody`, 400 when not an object. */
export async function readJsonBody(c: Context, maxBody: number): Promise<Record<string, unknown>> {
  const type = requestHeader(c, "content-type") ?? "";
  if (!/^application\/json\b/i.test(type.trim())) {
    throw new GatewayError(415, "Send the request body as JSON with Content-Type: application/json.", "unsupported_media_type");
  }
  const declared = Number(requestHeader(c, "content-length") ?? "0");
  if (declared > maxBody) throw tooLarge(maxBody);
  const text = await readBodyText(c, maxBody);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new GatewayError(400, "The request body is not valid JSON.", "invalid_json");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new GatewayError(400, "The request body must be a JSON object.", "invalid_request");
  return parsed as Record<string, unknown>;
}

function tooLarge(maxBody: number): GatewayError {
  return new GatewayError(413, `The request body is larger than the gateway's limit of ${maxBody} bytes.`, "request_too_large");
}

/** The request body as text, refused with 413 past `maxBody` bytes (also when sent chunked). */
async function readBodyText(c: Context, maxBody: number): Promise<string> {
  const parts: Uint8Array[] = [];
  let size = 0;
  const node = nodePair(c);
  if (node) {
    const { incoming } = node;
    return new Promise<string>((resolve, reject) => {
      const onData = (value: Buffer) => {
        size += value.byteLength;
        if (size <= maxBody) return void parts.push(value);
        // Drain the rest unread so the 413 can still be answered on this connection.
        incoming.off("data", onData);
        incoming.resume();
        reject(tooLarge(maxBody));
      };
      incoming.on("data", onData);
      incoming.once("end", () => resolve(parts.length === 1 ? (parts[0] as Buffer).toString("utf8") : Buffer.concat(parts).toString("utf8")));
      incoming.once("error", reject);
    });
  }
  const body = c.req.raw.body;
  if (!body) throw new GatewayError(400, "The request has no body.", "invalid_json");
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBody) {
      reader.cancel().catch(() => undefined);
      throw tooLarge(maxBody);
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString("utf8");
}

/** An upstream JSON body; 502 when it is not JSON. */
export function parseUpstreamJson(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new GatewayError(502, "The upstream answered with a body that is not JSON.", "invalid_upstream_response");
  }
}
