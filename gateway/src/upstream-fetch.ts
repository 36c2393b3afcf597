/**
 * A `fetch` for the upstream client on `node:http(s)` keep-alive agents. The client stays the client (its
 * transport, retries, breaker and stream parsing are unchanged); only the socket layer under it is swapped,
 * because Node 20's built-in fetch costs milliseconds per request under load where `node:http` costs tenths.
 * Anything it does not handle (a Request object, a non-string body) goes to the global fetch.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { Readable } from "node:stream";

export function keepAliveFetch(): typeof globalThis.fetch {
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 512 });
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 512 });
  const fallback = globalThis.fetch;
  return (async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    if (input instanceof Request || (init.body !== undefined && init.body !== null && typeof init.body !== "string")) return fallback(input, init);
    const url = new URL(String(input));
    const secure = url.protocol === "https:";
    const headers: Record<string, string> = {};
    if (init.headers) new Headers(init.headers).forEach((v, k) => (headers[k] = v));
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
        resolve(new Response(noBody ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>), { status, statusText: res.statusMessage ?? "", headers: out }));
      });
      const onAbort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : new DOMException("This operation was aborted", "AbortError"));
      signal?.addEventListener("abort", onAbort, { once: true });
      req.once("close", () => signal?.removeEventListener("abort", onAbort));
      req.once("error", (e) => reject(signal?.aborted ? e : new TypeError("fetch failed", { cause: e })));
      req.end(body ?? undefined);
    });
  }) as typeof globalThis.fetch;
}
