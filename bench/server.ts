/**
 * A loopback fake OpenRouter server for the benchmarks. Run in its own process (pinned to its own core by
 * bench/run.ts); prints `{"port": N}` on stdout once listening.
 *
 * The scenario is the first path segment after `/b/`, so every client can be pointed at it through its base
 * URL alone (`http://127.0.0.1:PORT/b/<scenario>` + `/chat/completions`):
 *
 * - `chat`          JSON completion of CHAT_TEXT
 * - `structured`    JSON completion whose content is STRUCTURED_TEXT
 * - `sse-N-W`       SSE stream of N content chunks, W events per socket write (backpressure honoured)
 * - `delay-D-N`     waits D ms before the first byte (status line included), then an N-chunk stream
 * - `hold`          a keep-alive comment and one content chunk, then the stream stays open until the client leaves
 *
 * `GET /stats` returns the server's CPU time, its run-queue wait (Linux) and open-stream count, so a run can
 * tell whether the server, not the client, was the bottleneck, and whether it waited for a CPU. `POST /prime/N/W` builds a stream payload ahead of the timed runs.
 *
 * @example
 * ```sh
 * node --import tsx bench/server.ts   # {"port":40123}
 * ```
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { once } from "node:events";
import { coreBusyUs, pinnedCore, schedTimes } from "./sched.js";
import { CHAT_TEXT, STRUCTURED_TEXT, chatCompletionBody, sseHoldPrefix, sseWrites } from "./payload.js";

const chatBody = Buffer.from(chatCompletionBody(CHAT_TEXT), "utf8");
const structuredBody = Buffer.from(chatCompletionBody(STRUCTURED_TEXT), "utf8");
const holdPrefix = Buffer.from(sseHoldPrefix(), "utf8");

// Streams are precomputed once per shape so the server spends its time writing, not serialising.
const streamCache = new Map<string, Buffer[]>();
function streamWrites(n: number, perWrite: number): Buffer[] {
  const key = `${n}/${perWrite}`;
  let w = streamCache.get(key);
  if (w === undefined) {
    w = sseWrites(n, perWrite).writes;
    streamCache.set(key, w);
  }
  return w;
}

const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  "x-generation-id": "gen-1780944361-BenchBenchBench0000",
};

let openStreams = 0;

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const p of req) parts.push(p as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

function sendJson(res: ServerResponse, status: number, body: Buffer): void {
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": body.length,
    "x-generation-id": "gen-1780944361-BenchBenchBench0000",
  });
  res.end(body);
}

async function sendStream(res: ServerResponse, writes: Buffer[]): Promise<void> {
  let closed = false;
  res.on("close", () => {
    closed = true;
  });
  res.writeHead(200, SSE_HEADERS);
  for (const w of writes) {
    if (closed) return;
    if (!res.write(w)) await once(res, "drain").catch(() => undefined);
  }
  if (!closed) res.end();
}

/** The core the server is pinned to (bench/procs.ts), if any. */
const SERVER_CORE = pinnedCore();

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? "/";
  if (req.method === "GET" && url === "/stats") {
    const cpu = process.cpuUsage();
    // waitUs: time the server was runnable but waited for a CPU (Linux), so a run can tell contention apart.
    const sched = schedTimes();
    // coreBusyUs: what the server's own core ran in all, so a run can tell other programs' work on it apart.
    const busy = SERVER_CORE === undefined ? undefined : coreBusyUs(SERVER_CORE);
    const body = {
      cpuUs: cpu.user + cpu.system,
      openStreams,
      ...(sched && { runUs: sched.runUs, waitUs: sched.waitUs }),
      ...(busy !== undefined && { coreBusyUs: busy }),
    };
    sendJson(res, 200, Buffer.from(JSON.stringify(body)));
    return;
  }
  const prime = /^\/prime\/(\d+)\/(\d+)$/.exec(url);
  if (req.method === "POST" && prime !== null) {
    // Builds a stream's payload ahead of the timed runs, so no worker pays for the server's first build.
    const writes = streamWrites(Number(prime[1]), Number(prime[2]));
    sendJson(res, 200, Buffer.from(JSON.stringify({ writes: writes.length })));
    return;
  }
  const m = /^\/b\/([^/]+)\/chat\/completions$/.exec(url);
  if (req.method !== "POST" || m === null) {
    sendJson(res, 404, Buffer.from(JSON.stringify({ error: { code: 404, message: `no route ${url}` } })));
    return;
  }
  const raw = await readBody(req);
  let stream = false;
  try {
    stream = (JSON.parse(raw) as { stream?: unknown }).stream === true;
  } catch {
    sendJson(res, 400, Buffer.from(JSON.stringify({ error: { code: 400, message: "body is not JSON" } })));
    return;
  }
  const scenario = m[1] ?? "";
  const parts = scenario.split("-");
  switch (parts[0]) {
    case "chat":
      sendJson(res, 200, chatBody);
      return;
    case "structured":
      sendJson(res, 200, structuredBody);
      return;
    case "sse": {
      if (!stream) break;
      await sendStream(res, streamWrites(Number(parts[1]), Number(parts[2])));
      return;
    }
    case "delay": {
      if (!stream) break;
      const writes = streamWrites(Number(parts[2]), 1);
      await new Promise((r) => setTimeout(r, Number(parts[1])));
      await sendStream(res, writes);
      return;
    }
    case "hold": {
      if (!stream) break;
      openStreams++;
      res.on("close", () => {
        openStreams--;
      });
      res.writeHead(200, SSE_HEADERS);
      res.write(holdPrefix);
      return; // never ends: the client closes it (or exits)
    }
  }
  sendJson(res, 400, Buffer.from(JSON.stringify({ error: { code: 400, message: `bad scenario ${scenario}` } })));
}

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  handle(req, res).catch((err: unknown) => {
    if (!res.headersSent) sendJson(res, 500, Buffer.from(JSON.stringify({ error: { code: 500, message: String(err) } })));
    else res.destroy();
  });
});
server.maxConnections = 10_000;
server.listen(0, "127.0.0.1", () => {
  const addr = server.address();
  const port = typeof addr === "object" && addr !== null ? addr.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
// The parent closes our stdin when it is done; exit then so no server outlives a crashed run.
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
