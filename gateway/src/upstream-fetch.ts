/**
 * A `fetch` for the upstream client on `node:http(s)` keep-alive agents. The client stays the client (its
 * transport, retries, breaker and stream parsing are unchanged); only the socket layer under it is swapped,
 * because Node 20's built-in fetch costs milliseconds per request under load where `node:http` costs tenths.
 * Anything it does not handle (a Request object, a non-string body) goes to the global fetch.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/**
 * The platform's own Response, taken before @hono/node-server's `serve()` swaps the global for its lightweight
 * one: the client reads every upstream body, which would make that one build this one anyway.
 */
const NativeResponse = globalThis.Response;

export function keepAliveFetch(): typeof globalThis.fetch {
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 512 });
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 512 });
  const fallback = globalThis.fetch;
  return (async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    if (input instanceof Request || (init.body !== undefined && init.body !== null && typeof init.body !== "string")) return fallback(input, init);
    const url = new URL(String(input));
    const secure = url.protocol === "https:";
    const headers: Record<string, string> = {};
    if (init.headers) (init.headers instanceof Headers ? init.headers : new Headers(init.headers)).forEach((v, k) => (headers[k] = v));
    const body = init.body as string | undefined | null;
    if (body) headers["content-length"] = String(Buffer.byteLength(body));
    const signal = init.signal ?? undefined;
    if (signal?.aborted) throw signal.reason ?? new DOMException("This operation was aborted", "AbortError");
    return new Promise<Response>((resolve, reject) => {
      const req = (secure ? httpsRequest : httpRequest)(url, { method: init.method ?? "GET", headers, agent: secure ? httpsAgent : httpAgent }, (res: IncomingMessage) => {
        const out = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(", ") : v);
        const status = res.statusCode ?? 502;
        const noBody = status === 204 || status === 304 || init.method === "HEAD";
        if (noBody) res.resume();
        resolve(new NativeResponse(noBody ? null : coalescedBody(res), { status, statusText: res.statusMessage ?? "", headers: out }));
      });
      const onAbort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : new DOMException("This operation was aborted", "AbortError"));
      signal?.addEventListener("abort", onAbort, { once: true });
      req.once("close", () => signal?.removeEventListener("abort", onAbort));
      req.once("error", (e) => reject(signal?.aborted ? e : new TypeError("fetch failed", { cause: e })));
      req.end(body ?? undefined);
    });
  }) as typeof globalThis.fetch;
}

/**
 * The response body as a web stream that hands on, as one chunk, everything that arrived in one network read.
 * Node's HTTP parser emits each chunk of a chunked body as its own `data` event, so an upstream that flushed
 * fifty SSE events at once would otherwise cost fifty trips through every stream stage above (the client, the
 * forwarder, the socket write). Nothing waits for more data: the pieces are joined in the microtask right after
 * the read that delivered them. Backpressure pauses the socket.
 */
export function coalescedBody(res: IncomingMessage): ReadableStream<Uint8Array> {
  let pending: Buffer[] = [];
  let scheduled = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  const flush = () => {
    scheduled = false;
    if (closed || pending.length === 0) return;
    const chunk = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending);
    pending = [];
    controller.enqueue(chunk);
    if ((controller.desiredSize ?? 1) <= 0) res.pause();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        res.on("data", (chunk: Buffer) => {
          pending.push(chunk);
          if (!scheduled) {
            scheduled = true;
            queueMicrotask(flush);
          }
        });
        res.once("end", () => {
          flush();
          if (closed) return;
          closed = true;
          controller.close();
        });
        res.once("error", (e) => {
          if (closed) return;
          closed = true;
          controller.error(e);
        });
        // A socket torn down before the end (reset, abort) ends the body with an error, as fetch does.
        res.once("close", () => {
          if (closed || res.complete) return;
          flush();
          closed = true;
          controller.error(new TypeError("terminated"));
        });
      },
      pull() {
        if (res.isPaused()) res.resume();
      },
      cancel() {
        closed = true;
        pending = [];
        res.destroy();
      },
    },
    { highWaterMark: 4 },
  );
}
