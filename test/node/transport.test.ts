/**
 * The Node transport itself (src/node/transport.ts, src/node/exchange.ts), against loopback servers on
 * 127.0.0.1: request bodies of every kind (a streamed upload checked byte for byte, and sent as it is read),
 * response bodies read as bytes, by the reader and as a web stream, UTF-8 split across reads, the signal,
 * redirects never followed, network failures as undici's own errors (code kept, headers never), and the pool
 * options checked with typed errors. The shared suites (faults, limits, timeouts, security, stream-server,
 * stream replay) run the whole client on this transport too.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ConnectionError, InvalidArgumentError, InvalidResponseError, OpenRouter, ResponseTooLargeError } from "../../src/index.js";
import { NO_SIGNAL, type TransportRequest, networkMessage, stripCause } from "../../src/core/transport.js";
import { type NodeTransport, nodeTransport } from "../../src/node/index.js";

const KEY = "sk-or-v1-node-transport-0123456789abcdef";
const encoder = new TextEncoder();

type Route = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
const routes = new Map<string, Route>();
/** What each route received, in the order its chunks arrived. */
const received = new Map<string, Buffer[]>();
let server: Server;
let origin = "";
let transport: NodeTransport;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0] as string;
    const chunks: Buffer[] = [];
    received.set(path, chunks);
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => (routes.get(path) ?? ((_q, r) => r.writeHead(404).end()))(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  transport = nodeTransport({ connections: 8, keepAliveTimeoutMs: 5_000 });
});

afterAll(async () => {
  await transport.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function request(path: string, body: TransportRequest["body"] = undefined, method: TransportRequest["method"] = "POST"): TransportRequest {
  return { method, url: `${origin}${path}`, headers: new Headers({ authorization: `Bearer ${KEY}`, "content-type": "application/octet-stream" }), body };
}

const echo: Route = (req, res, body) => {
  res.writeHead(200, { "content-type": "application/octet-stream", "x-method": req.method ?? "" });
  res.end(body);
};

describe("request bodies", () => {
  it.each([
    ["a string", "héllo wörld ✓"],
    ["a Uint8Array", encoder.encode("bytes \u{1F600} as they are")],
    ["no body", undefined],
  ] as const)("%s arrives byte for byte", async (_name, body) => {
    routes.set("/echo", echo);
    const res = await transport(request("/echo", body), NO_SIGNAL);
    const bytes = await res.body.bytes(1 << 20);
    const sent = body === undefined ? new Uint8Array(0) : typeof body === "string" ? encoder.encode(body) : body;
    expect(Buffer.from(bytes).equals(Buffer.from(sent))).toBe(true);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-method")).toBe("POST");
  });

  it("a ReadableStream upload is sent as it is read, never buffered whole, and arrives byte for byte", async () => {
    // 64 pieces of 16 KiB with every byte value; the stream gives its second half only once the server has
    // seen part of the first, which a transport that buffered the whole body first could never do.
    const pieces = Array.from({ length: 64 }, (_, i) => Uint8Array.from({ length: 16 * 1024 }, (_, j) => (i * 31 + j) & 0xff));
    let firstSeen!: () => void;
    const serverHasData = new Promise<void>((resolve) => (firstSeen = resolve));
    const watch = setInterval(() => {
      if ((received.get("/upload")?.length ?? 0) > 0) firstSeen();
    }, 1);
    let i = 0;
    const upload = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (i === 32) await serverHasData;
        if (i === pieces.length) controller.close();
        else controller.enqueue(pieces[i++] as Uint8Array);
      },
    });
    routes.set("/upload", echo);
    try {
      const res = await transport(request("/upload", upload), NO_SIGNAL);
      const bytes = await res.body.bytes(4 << 20);
      expect(Buffer.from(bytes).equals(Buffer.concat(pieces))).toBe(true);
    } finally {
      clearInterval(watch);
    }
  });
});

describe("response bodies", () => {
  it("reader(): reads take everything queued at once, and a character split across writes decodes whole", async () => {
    const text = "naïve café — 日本語 \u{1F600}";
    const bytes = encoder.encode(text);
    routes.set("/split", (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      // Cut inside the emoji and inside a CJK character, with pauses so they arrive as separate network reads.
      const cuts = [0, bytes.length - 2, bytes.length - 7, bytes.length].sort((a, b) => a - b);
      let k = 0;
      const next = () => {
        if (k + 1 >= cuts.length) return void res.end();
        res.write(bytes.subarray(cuts[k], cuts[k + 1]));
        k++;
        setTimeout(next, 15);
      };
      next();
    });
    const res = await transport(request("/split", undefined, "GET"), NO_SIGNAL);
    const reader = res.body.reader();
    const decoder = new TextDecoder();
    let out = "";
    let reads = 0;
    for (let chunk = await reader.read(); chunk !== undefined; chunk = await reader.read()) {
      reads++;
      out += decoder.decode(chunk, { stream: true });
    }
    out += decoder.decode();
    expect(out).toBe(text);
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(await reader.read()).toBeUndefined();
  });

  it("a stream's text survives characters split across reads, through the whole client", async () => {
    const event = (content: string) => `data: ${JSON.stringify({ id: "gen-n", choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
    const wire = encoder.encode(event("Grüße, ") + event("世界 \u{1F30D}") + `data: ${JSON.stringify({ id: "gen-n", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\ndata: [DONE]\n\n`);
    routes.set("/api/v1/chat/completions", (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      let at = 0;
      const step = () => {
        if (at >= wire.length) return void res.end();
        // 3-byte writes: every multi-byte character is cut somewhere.
        res.write(wire.subarray(at, at + 3));
        at += 3;
        setImmediate(step);
      };
      step();
    });
    const client = new OpenRouter({ apiKey: KEY, baseUrl: `${origin}/api/v1`, transport });
    const stream = client.chatStream({ model: "a/b", messages: [{ role: "user", content: "hi" }] });
    let streamed = "";
    for await (const e of stream) if (e.type === "content") streamed += e.text;
    expect(streamed).toBe("Grüße, 世界 \u{1F30D}");
    expect((await stream.final()).text).toBe(streamed);
  });

  it("a stream through the client reads the transport's body directly: no web Response or ReadableStream is made", async () => {
    routes.set("/api/v1/chat/completions", (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(`data: ${JSON.stringify({ id: "gen-w", choices: [{ index: 0, delta: { content: "direct" }, finish_reason: "stop" }] })}\n\ndata: [DONE]\n\n`);
    });
    const client = new OpenRouter({ apiKey: KEY, baseUrl: `${origin}/api/v1`, transport });
    const streams = vi.spyOn(globalThis, "ReadableStream");
    const responses = vi.spyOn(globalThis, "Response");
    try {
      const stream = client.chatStream({ model: "a/b", messages: [{ role: "user", content: "hi" }] });
      let text = "";
      for await (const e of stream) if (e.type === "content") text += e.text;
      expect(text).toBe("direct");
      expect(streams).not.toHaveBeenCalled();
      expect(responses).not.toHaveBeenCalled();
    } finally {
      streams.mockRestore();
      responses.mockRestore();
    }
  });

  it("stream(): a web stream over the same body, for client.api's streaming responses", async () => {
    routes.set("/web", (_req, res) => {
      res.writeHead(200, { "set-cookie": ["a=1", "b=2"] });
      res.write("one,");
      setTimeout(() => res.end("two"), 10);
    });
    const res = await transport(request("/web", undefined, "GET"), NO_SIGNAL);
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(res.statusText).toBe("OK");
    expect(await new Response(res.body.stream()).text()).toBe("one,two");
  });

  it("bytes(limit): a declared length over the limit is refused unread; a counted excess is refused as it arrives", async () => {
    routes.set("/big", (_req, res) => {
      res.writeHead(200, { "content-length": String(1 << 20) });
      res.end(Buffer.alloc(1 << 20, 0x61));
    });
    routes.set("/chunked", (_req, res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(600, 0x62));
      setTimeout(() => res.end(Buffer.alloc(600, 0x62)), 10);
    });
    const declared = await transport(request("/big", undefined, "GET"), NO_SIGNAL);
    await expect(declared.body.bytes(1000)).rejects.toBeInstanceOf(ResponseTooLargeError);
    const counted = await transport(request("/chunked", undefined, "GET"), NO_SIGNAL);
    await expect(counted.body.bytes(1000)).rejects.toBeInstanceOf(ResponseTooLargeError);
  });
});

describe("the signal", () => {
  it("NO_SIGNAL gets no listener", async () => {
    routes.set("/echo", echo);
    const spy = vi.spyOn(NO_SIGNAL, "addEventListener");
    try {
      const res = await transport(request("/echo", "x"), NO_SIGNAL);
      await res.body.bytes(100);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it("an abort before the headers rejects with the reason; during the body, the read rejects and the server sees the close", async () => {
    let closed!: () => void;
    const serverSawClose = new Promise<void>((resolve) => (closed = resolve));
    routes.set("/slow", (_req, res) => {
      res.on("close", () => closed());
      res.writeHead(200);
      res.write("first");
    });
    routes.set("/silent", () => {});
    const before = new AbortController();
    const pending = transport(request("/silent", undefined, "GET"), before.signal);
    const reason = new Error("stop now");
    setTimeout(() => before.abort(reason), 20);
    await expect(pending).rejects.toBe(reason);
    await expect(transport(request("/silent", undefined, "GET"), AbortSignal.abort(reason))).rejects.toBe(reason);

    const during = new AbortController();
    const res = await transport(request("/slow", undefined, "GET"), during.signal);
    const reader = res.body.reader();
    expect(new TextDecoder().decode(await reader.read())).toBe("first");
    const next = reader.read();
    during.abort(reason);
    await expect(next).rejects.toBe(reason);
    await serverSawClose;
  });
});

describe("redirects and network failures", () => {
  it("a redirect is handed back, never followed: the other host gets nothing, the client refuses it", async () => {
    const elsewhere = createServer((_req, res) => res.end("should never be asked"));
    await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve));
    const target = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/api/v1/chat/completions`;
    let asked = 0;
    elsewhere.on("request", () => asked++);
    routes.set("/redirect/api/v1/chat/completions", (_req, res) => res.writeHead(307, { location: target }).end());
    try {
      const res = await transport(request("/redirect/api/v1/chat/completions", "{}"), NO_SIGNAL);
      expect(res.status).toBe(307);
      res.body.cancel();
      const client = new OpenRouter({ apiKey: KEY, baseUrl: `${origin}/redirect/api/v1`, transport });
      const error = await client.chat({ model: "a/b", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(String((error as Error).message)).toMatch(/does not follow redirects/);
      expect(asked).toBe(0);
    } finally {
      elsewhere.close();
    }
  });

  it("connection refused and a reset reject with undici's own error; the pipeline's message keeps the code, never the key", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await transport({ ...request("/x"), url: `http://127.0.0.1:${port}/x` }, NO_SIGNAL).catch((e: unknown) => e);
    expect((refused as { code?: string }).code).toBe("ECONNREFUSED");
    expect(networkMessage(refused, KEY)).toMatch(/ECONNREFUSED/);

    routes.set("/reset", (req) => req.socket.destroy());
    const reset = await transport(request("/reset", "secret body"), NO_SIGNAL).catch((e: unknown) => e);
    expect((reset as { code?: string }).code).toMatch(/^UND_ERR_SOCKET|ECONNRESET$/);
    const clean = stripCause(reset, KEY);
    expect(inspect(clean, { depth: 10, showHidden: true })).not.toContain(KEY);

    const client = new OpenRouter({ apiKey: KEY, baseUrl: `${origin}/api/v1`, transport, retry: false });
    routes.set("/api/v1/chat/completions", (req) => req.socket.destroy());
    const error = await client.chat({ model: "a/b", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/^Network error: .*\((UND_ERR_SOCKET|ECONNRESET)\)/);
    for (const text of [inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error), String((error as Error).stack)]) {
      expect(text).not.toContain(KEY);
    }
  });
});

describe("options", () => {
  it.each([
    [{ connections: 0 }, /connections must be an integer of at least 1, got 0/],
    [{ connections: 1.5 }, /connections/],
    [{ connections: "8" }, /connections/],
    [{ pipelining: 0 }, /pipelining must be an integer of at least 1/],
    [{ keepAliveTimeoutMs: -1 }, /keepAliveTimeoutMs/],
    [{ keepAliveTimeoutMs: Number.NaN }, /keepAliveTimeoutMs/],
  ])("nodeTransport(%o) is refused with InvalidArgumentError", (options, message) => {
    expect(() => nodeTransport(options as never)).toThrow(InvalidArgumentError);
    expect(() => nodeTransport(options as never)).toThrow(message);
  });

  it("options must be an object; the defaults make a working transport", async () => {
    expect(() => nodeTransport(null as never)).toThrow(InvalidArgumentError);
    const fresh = nodeTransport({ connections: 1, pipelining: 1, keepAliveTimeoutMs: 1_000 });
    routes.set("/echo", echo);
    const res = await fresh(request("/echo", "ok"), NO_SIGNAL);
    expect(new TextDecoder().decode(await res.body.bytes(10))).toBe("ok");
    await fresh.close();
  });

  it("the client's transport option: a function, and not together with fetch", () => {
    expect(() => new OpenRouter({ apiKey: KEY, transport: "undici" as never })).toThrow(InvalidArgumentError);
    expect(() => new OpenRouter({ apiKey: KEY, transport, fetch: globalThis.fetch })).toThrow(/either fetch or transport/);
    expect(() => new OpenRouter({ apiKey: KEY, transport })).not.toThrow();
  });
});
