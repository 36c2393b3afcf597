/**
 * How the stand-in's answers go out: a "wire plan" (status, headers, body chunks with delays, how the
 * connection ends) played either into an in-process `Response` or onto a real socket of a loopback
 * `node:http` server. Faults such as "reset before headers" or "truncate" are part of the plan, so both
 * transports fail the same way.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A response as it will go out on the wire. */
export interface WirePlan {
  status: number;
  headers: Record<string, string>;
  /** Body pieces; `bytes`, when set, goes out instead of `text` (binary bodies: files, audio, video). */
  chunks: Array<{ text: string; bytes?: Uint8Array; delayMs?: number }>;
  /** `reset` destroys the connection after the chunks instead of ending the body cleanly. */
  end: "close" | "reset";
  firstByteDelayMs?: number;
  resetBeforeHeaders?: boolean;
}

/** An abortable sleep; injectable so tests of slow responses need not wait. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * A `setTimeout` sleep that rejects with the signal's reason when aborted.
 *
 * @example
 * await defaultSleep(10, AbortSignal.timeout(1000));
 */
export const defaultSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/**
 * A JSON response plan.
 *
 * @example
 * json(200, { ok: true }).headers["content-type"] // "application/json"
 */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): WirePlan {
  return {
    status,
    headers: { "content-type": "application/json", ...headers },
    chunks: [{ text: JSON.stringify(body) }],
    end: "close",
  };
}

/**
 * OpenRouter's error envelope `{error:{code,message,metadata?},user_id}`.
 *
 * @example
 * errorBody(429, "slow down") // { error: { code: 429, message: "slow down" }, user_id: "user_mock" }
 */
export function errorBody(code: number | string, message: string, metadata?: Record<string, unknown>) {
  return { error: { code, message, ...(metadata ? { metadata } : {}) }, user_id: "user_mock" };
}

/**
 * An error response plan whose `error.code` equals the HTTP status, as OpenRouter sends it.
 *
 * @example
 * errorPlan(404, "Model x not found").status // 404
 */
export function errorPlan(status: number, message: string, metadata?: Record<string, unknown>, headers?: Record<string, string>): WirePlan {
  return json(status, errorBody(status, message, metadata), headers);
}

/** The error Node's fetch (undici) gives for a dropped connection, reproduced for the in-process fetch. */
function connectionReset(message: string): TypeError {
  const cause = Object.assign(new Error(message), { code: "ECONNRESET" });
  return new TypeError(message === "terminated" ? "terminated" : "fetch failed", { cause });
}

/**
 * Play a plan into a fetch `Response` in process: same status, headers, chunking and failures as the
 * socket. Rejects like undici for a reset before headers; errors the body for a mid-body reset or abort.
 *
 * @example
 * const response = await playInProcess(json(200, { ok: true }), new AbortController().signal);
 */
export async function playInProcess(plan: WirePlan, signal: AbortSignal, sleep: Sleep = defaultSleep): Promise<Response> {
  if (plan.resetBeforeHeaders) throw connectionReset("socket hang up");
  if (plan.firstByteDelayMs) await sleep(plan.firstByteDelayMs, signal);
  if (signal.aborted) throw signal.reason;
  const encoder = new TextEncoder();
  let index = 0;
  let controllerRef: ReadableStreamDefaultController<Uint8Array> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controllerRef = controller;
    },
    async pull(controller) {
      const chunk = plan.chunks[index++];
      if (!chunk) {
        if (plan.end === "reset") controller.error(connectionReset("terminated"));
        else controller.close();
        return;
      }
      if (chunk.delayMs) await sleep(chunk.delayMs, signal).catch(() => {});
      if (signal.aborted) return;
      controller.enqueue(chunk.bytes ? chunk.bytes.slice() : encoder.encode(chunk.text));
    },
  });
  const noBody = plan.status === 204 || plan.status === 304;
  const response = new Response(noBody ? null : body, { status: plan.status, headers: plan.headers });
  // Aborting while the body is being read errors the reader with the abort reason, as undici does.
  signal.addEventListener(
    "abort",
    () => {
      try {
        controllerRef?.error(signal.reason);
      } catch {
        // Already closed: nothing left to abort.
      }
    },
    { once: true },
  );
  return response;
}

/** A running loopback server. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/**
 * Serve `handle` on 127.0.0.1 (`port` 0 = random): each incoming request becomes a fetch `Request`,
 * and the plan it returns is written to the socket with its delays, resets and truncations.
 *
 * @example
 * const server = await serveLoopback(async () => json(200, {}), 0);
 * await fetch(server.url); await server.close();
 */
export async function serveLoopback(handle: (request: Request) => Promise<WirePlan>, port: number, sleep: Sleep = defaultSleep): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();

  async function serve(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const abort = new AbortController();
    res.on("close", () => abort.abort());
    const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, {
      method: req.method ?? "GET",
      headers,
      ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
      signal: abort.signal,
    });
    const plan = await handle(request);
    if (plan.resetBeforeHeaders) {
      req.socket.destroy();
      return;
    }
    if (plan.firstByteDelayMs) {
      try {
        await sleep(plan.firstByteDelayMs, abort.signal);
      } catch {
        return;
      }
    }
    res.writeHead(plan.status, plan.headers);
    res.flushHeaders();
    for (const chunk of plan.chunks) {
      if (abort.signal.aborted) return;
      if (chunk.delayMs) await sleep(chunk.delayMs).catch(() => {});
      res.write(chunk.bytes ?? chunk.text);
    }
    if (plan.end === "reset") {
      // Let the written bytes leave before the connection drops, like a provider dying mid-stream.
      res.socket?.end();
      setTimeout(() => res.socket?.destroy(), 10);
    } else {
      res.end();
    }
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify(errorBody(500, `Stand-in failure: ${(e as Error).message}`)));
      } else res.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
