/**
 * The shared suites run once per transport: `describe.each(TRANSPORTS)`. On the fetch transport a test's
 * fetch-shaped handler is the injected `fetch`, as before. The Node transport cannot take an injected fetch
 * (it sends on undici's pool), so there the same handler serves a loopback server on 127.0.0.1: each request
 * is handed to it as a `Request`-like call, and the `Response` it returns is written back byte for byte
 * (status, headers, body chunks as the handler's stream yields them). A handler that rejects resets the
 * connection, the closest a server comes to a fetch that fails.
 */
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll } from "vitest";
import { type NodeTransport, nodeTransport } from "../../src/node/index.js";
import type { OpenRouterOptions } from "../../src/options.js";

/** What a test's injected fetch looks like. */
export type FetchHandler = (url: string, init: RequestInit) => Response | Promise<Response>;

type Routing = Pick<OpenRouterOptions, "fetch" | "transport" | "baseUrl">;

export interface TransportCase {
  name: "fetch" | "node";
  /** Client options that send every request to `handler` (see the file comment). */
  serve(handler: FetchHandler): Routing;
  /** Client options for a real server at `baseUrl`. */
  at(baseUrl: string): Routing;
}

const handlers = new Map<string, FetchHandler>();
let nextId = 0;

const server = createServer((req, res) => {
  const match = /^\/h\/(\d+)(\/.*)$/.exec(req.url ?? "");
  const handler = match ? handlers.get(match[1] as string) : undefined;
  if (match === null || handler === undefined) {
    res.writeHead(404).end();
    return;
  }
  void answer(handler, match[2] as string, req, res);
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
server.unref();
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function answer(handler: FetchHandler, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  const ac = new AbortController();
  // The client went away (an abort, a cancelled stream): the handler's signal fires, as fetch's would.
  res.on("close", () => ac.abort(new DOMException("The client closed the connection", "AbortError")));
  let response: Response;
  try {
    const init: RequestInit = { method: req.method ?? "GET", headers, signal: ac.signal };
    if (chunks.length > 0) init.body = Buffer.concat(chunks);
    response = await handler(`${origin}${path}`, init);
  } catch {
    req.socket.destroy();
    return;
  }
  const out: string[] = [];
  response.headers.forEach((value, name) => out.push(name, value));
  res.writeHead(response.status, response.statusText, out);
  if (response.body === null) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  ac.signal.addEventListener("abort", () => void reader.cancel().catch(() => {}), { once: true });
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      // Backpressure, as a real server has: the handler's stream is pulled only as fast as the client reads.
      if (!res.write(read.value)) await new Promise((resolve) => res.once("drain", resolve).once("close", resolve));
      if (res.destroyed) return;
    }
    res.end();
  } catch {
    // The handler's body failed mid-way: the connection drops, as a fetch body's read would fail.
    res.destroy();
  }
}

let transport: NodeTransport | undefined;
function shared(): NodeTransport {
  return (transport ??= nodeTransport());
}
afterAll(async () => {
  await transport?.close();
  transport = undefined;
});

export const TRANSPORTS: TransportCase[] = [
  { name: "fetch", serve: (handler) => ({ fetch: handler as typeof globalThis.fetch }), at: (baseUrl) => ({ baseUrl }) },
  {
    name: "node",
    serve(handler) {
      const id = String(nextId++);
      handlers.set(id, handler);
      return { baseUrl: `${origin}/h/${id}/api/v1`, transport: shared() };
    },
    at: (baseUrl) => ({ baseUrl, transport: shared() }),
  },
];
