/**
 * Streaming against a real loopback HTTP server (node:http on 127.0.0.1), on both transports (the platform
 * fetch and the Node transport): keep-alives,
 * an in-band error, a dropped socket, a server that only ever sends keep-alive comments, a body that just
 * stops, the caller aborting (the server must see the connection close), 500 concurrent streams, and a
 * non-2xx answer before the stream. Timeouts are small but real; no test asserts a duration.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AbortError,
  ConnectionError,
  OpenRouter,
  OpenRouterError,
  RateLimitError,
  StreamError,
  TimeoutError,
} from "../../src/index.js";
import type { ChatStreamEvent } from "../../src/stream/chat-stream.js";
import { TRANSPORTS, type TransportCase } from "../helpers/transports.js";
import { collect } from "../helpers/collect.js";

type Handler = (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) => void;

let server: Server;
let baseUrl: string;
const handlers = new Map<string, Handler>();
/** Resolves when the server sees the connection of the request tagged `x-test-id` close. */
const closed = new Map<string, { promise: Promise<void>; resolve: () => void }>();

/** The transport of the running tests; test ids are kept apart per transport. */
let current: TransportCase = TRANSPORTS[0]!;

function watchClose(id: string) {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  closed.set(`${current.name}:${id}`, { promise, resolve });
  return promise;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (d: string) => (raw += d));
    req.on("end", () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const id = String(req.headers["x-test-id"] ?? "");
      res.on("close", () => closed.get(id)?.resolve());
      const handler = handlers.get(String(req.headers["x-scenario"]));
      if (!handler) {
        res.writeHead(500).end("no scenario");
        return;
      }
      handler(req, res, body);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const GEN = "gen-1700000000-loopbackloopback0001";

function chunk(delta: Record<string, unknown>, extra: Record<string, unknown> = {}, finish: string | null = null): string {
  return `data: ${JSON.stringify({
    id: GEN,
    object: "chat.completion.chunk",
    created: 1700000000,
    model: "openai/gpt-4o-mini",
    provider: "OpenAI",
    choices: [{ index: 0, delta, finish_reason: finish, native_finish_reason: finish }],
    ...extra,
  })}\n\n`;
}
const usageChunk = (cost: number) =>
  `data: ${JSON.stringify({
    id: GEN,
    object: "chat.completion.chunk",
    model: "openai/gpt-4o-mini",
    choices: [],
    usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8, cost },
  })}\n\n`;
const KEEPALIVE = ": OPENROUTER PROCESSING\n\n";

function sseHead(res: ServerResponse) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "x-generation-id": GEN });
}

/** Writes the pieces one by one with a real pause between them, so they arrive as separate reads. */
async function writeSlowly(res: ServerResponse, pieces: string[], pauseMs = 5) {
  for (const piece of pieces) {
    if (res.destroyed) return;
    res.write(piece);
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}

function client(scenario: string, testId = "", extra: NonNullable<ConstructorParameters<typeof OpenRouter>[0]> = {}) {
  return new OpenRouter({
    apiKey: "sk-or-test",
    ...current.at(baseUrl),
    headers: { "x-scenario": scenario, "x-test-id": `${current.name}:${testId}` },
    ...extra,
  });
}
const params = { model: "openai/gpt-4o-mini", messages: [{ role: "user" as const, content: "count" }] };

describe.each(TRANSPORTS)("streaming over a loopback server on the $name transport", (t) => {
  beforeAll(() => {
    current = t;
  });

  it("keep-alive comments between data chunks are skipped; the result is complete", async () => {
    handlers.set("keepalive", (_req, res) => {
      sseHead(res);
      void writeSlowly(res, [
        KEEPALIVE,
        chunk({ role: "assistant", content: "" }),
        KEEPALIVE,
        chunk({ content: "one " }),
        KEEPALIVE,
        KEEPALIVE,
        chunk({ content: "two" }),
        KEEPALIVE,
        chunk({ content: "" }, {}, "stop"),
        usageChunk(0.0001),
        "data: [DONE]\n\n",
      ]).then(() => res.end());
    });
    const stream = client("keepalive").chatStream(params, { idleTimeoutMs: 5_000 });
    const { events, error } = await collect(stream);
    expect(error).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(["content", "content", "finish", "usage", "done"]);
    const result = await stream.final();
    expect(result.text).toBe("one two");
    expect(result.usage?.total_tokens).toBe(8);
    expect(result.cost).toBe(0.0001);
    expect(result.generationId).toBe(GEN);
    expect(result.timing?.ttftMs).toBeGreaterThanOrEqual(result.timing?.ttfbMs ?? 0);
    expect(result.timing?.totalMs).toBeGreaterThanOrEqual(result.timing?.ttftMs ?? 0);
    expect(stream.outcome).toBe("completed");
  });

  it("a mid-stream error chunk raises a typed error after the events before it, with the partial text", async () => {
    handlers.set("midstream-error", (_req, res) => {
      sseHead(res);
      void writeSlowly(res, [
        chunk({ role: "assistant", content: "Partial " }),
        chunk({ content: "answer" }),
        chunk(
          { content: "" },
          { error: { code: 429, message: "Rate limit exceeded", metadata: { error_type: "rate_limit_exceeded" } } },
          "error",
        ),
        "data: [DONE]\n\n",
      ]).then(() => res.end());
    });
    const stream = client("midstream-error").chatStream(params);
    const { events, error } = await collect(stream);
    expect(events.map((e) => (e.type === "content" ? e.text : e.type))).toEqual(["Partial ", "answer", "finish"]);
    expect(error).toBeInstanceOf(RateLimitError);
    const e = error as OpenRouterError;
    expect(e.errorType).toBe("rate_limit_exceeded");
    expect(e.generationId).toBe(GEN);
    expect(e.partial?.text).toBe("Partial answer");
    expect(e.partial?.finishReason).toBe("error");
    expect(stream.outcome).toBe("error");
    await expect(stream.final()).rejects.toBe(error);
  });

  it("an in-band error with a string code and no class of its own is a StreamError", async () => {
    handlers.set("midstream-error-2", (_req, res) => {
      sseHead(res);
      void writeSlowly(res, [
        chunk({ content: "abc" }),
        chunk({ content: "" }, { error: { code: "server_error", message: "Upstream exploded" } }, "error"),
      ]).then(() => res.end());
    });
    const error = await client("midstream-error-2")
      .chatStream(params)
      .final()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as OpenRouterError).kind).toBe("stream");
    expect((error as OpenRouterError).partial?.text).toBe("abc");
  });

  it("a socket destroyed mid-stream is a ConnectionError (truncated) with the partial text", async () => {
    handlers.set("destroy", (_req, res) => {
      sseHead(res);
      void writeSlowly(res, [chunk({ role: "assistant", content: "Hello" }), chunk({ content: ", wor" })], 20).then(() =>
        res.socket?.destroy(),
      );
    });
    const stream = client("destroy").chatStream(params);
    const { events, error } = await collect(stream);
    expect(events.map((e) => e.type)).toEqual(["content", "content"]);
    expect(error).toBeInstanceOf(ConnectionError);
    const e = error as OpenRouterError;
    expect(e.kind).toBe("network");
    expect(e.message).toMatch(/truncated/);
    expect(e.partial?.text).toBe("Hello, wor");
    expect(e.partial?.finishReason).toBeNull();
    expect(stream.outcome).toBe("truncated");
  });

  it("a body that ends with no finish reason and no [DONE] is truncated, never a short success", async () => {
    handlers.set("ends-early", (_req, res) => {
      sseHead(res);
      void writeSlowly(res, [chunk({ role: "assistant", content: "The answer is" })]).then(() => res.end());
    });
    const stream = client("ends-early").chatStream(params);
    const error = await stream.final().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as OpenRouterError).message).toMatch(/without \[DONE\] or a finish reason \(truncated\)/);
    expect((error as OpenRouterError).partial?.text).toBe("The answer is");
    expect(stream.outcome).toBe("truncated");
  });

  it("a body that ends after the finish reason (usage chunk and [DONE] lost) counts as completed", async () => {
    handlers.set("ends-after-finish", (_req, res) => {
      sseHead(res);
      void writeSlowly(res, [chunk({ role: "assistant", content: "Done." }), chunk({ content: "" }, {}, "stop")]).then(() => res.end());
    });
    const stream = client("ends-after-finish").chatStream(params);
    const result = await stream.final();
    expect(result.text).toBe("Done.");
    expect(result.finishReason).toBe("stop");
    expect(result.usage).toBeUndefined();
    expect(stream.outcome).toBe("completed");
  });

  it("a server that only sends ': OPENROUTER PROCESSING' forever: idleTimeoutMs fires and the connection is closed", async () => {
    handlers.set("comments-forever", (_req, res) => {
      sseHead(res);
      res.write(KEEPALIVE);
      const timer = setInterval(() => res.write(KEEPALIVE), 20);
      res.on("close", () => clearInterval(timer));
    });
    const serverSawClose = watchClose("idle-1");
    const stream = client("comments-forever", "idle-1").chatStream(params, { idleTimeoutMs: 200 });
    const { events, error } = await collect(stream);
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as OpenRouterError).message).toMatch(/idleTimeoutMs \(200 ms\) \(\d+ keep-alive comments? received meanwhile\)/);
    expect((error as OpenRouterError).partial).toBeUndefined();
    expect(stream.outcome).toBe("timeout");
    await serverSawClose;
  });

  it("keep-alives after some data do not reset idleTimeoutMs either; the timeout keeps the partial text", async () => {
    handlers.set("data-then-comments", (_req, res) => {
      sseHead(res);
      res.write(chunk({ role: "assistant", content: "Thinking about it" }));
      const timer = setInterval(() => res.write(KEEPALIVE), 20);
      res.on("close", () => clearInterval(timer));
    });
    const serverSawClose = watchClose("idle-2");
    const error = await client("data-then-comments", "idle-2")
      .chatStream(params, { idleTimeoutMs: 200 })
      .final()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as OpenRouterError).partial?.text).toBe("Thinking about it");
    await serverSawClose;
  });

  it("firstEventTimeoutMs (from the client options) fires while only comments arrive", async () => {
    const serverSawClose = watchClose("first-1");
    const stream = client("comments-forever", "first-1", { firstEventTimeoutMs: 150 }).chatStream(params);
    const error = await stream.final().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as OpenRouterError).message).toMatch(/firstEventTimeoutMs \(150 ms\)/);
    await serverSawClose;
  });

  describe("the caller stops the stream: the server sees the connection close", () => {
    const endless: Handler = (_req, res) => {
      sseHead(res);
      res.write(chunk({ role: "assistant", content: "tick " }));
      const timer = setInterval(() => res.write(chunk({ content: "tick " })), 10);
      res.on("close", () => clearInterval(timer));
    };

    it("via the caller's AbortSignal", async () => {
      handlers.set("endless", endless);
      const serverSawClose = watchClose("abort-1");
      const controller = new AbortController();
      const stream = client("endless", "abort-1").chatStream(params, { signal: controller.signal });
      const events: ChatStreamEvent[] = [];
      const error = await (async () => {
        for await (const e of stream) {
          events.push(e);
          if (events.length === 3) controller.abort(new Error("user clicked stop"));
        }
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AbortError);
      expect((error as OpenRouterError).partial?.text).toMatch(/^(tick ){3,}$/);
      expect(stream.outcome).toBe("aborted");
      await serverSawClose;
    });

    it("via stream.abort() while final() is pending", async () => {
      handlers.set("endless", endless);
      const serverSawClose = watchClose("abort-2");
      const stream = client("endless", "abort-2").chatStream(params);
      const pending = stream.final().catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 50));
      stream.abort();
      expect(await pending).toBeInstanceOf(AbortError);
      await serverSawClose;
    });

    it("via break out of the for-await loop", async () => {
      handlers.set("endless", endless);
      const serverSawClose = watchClose("abort-3");
      const stream = client("endless", "abort-3").chatStream(params);
      for await (const e of stream) if (e.type === "content") break;
      expect(stream.outcome).toBe("aborted");
      await serverSawClose;
    });

    it("via cancelling toReadableStream()", async () => {
      handlers.set("endless", endless);
      const serverSawClose = watchClose("abort-4");
      const stream = client("endless", "abort-4").chatStream(params);
      const reader = stream.toReadableStream().getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value)).toBe("tick ");
      await reader.cancel("client went away");
      expect(stream.outcome).toBe("aborted");
      await serverSawClose;
    });
  });

  it("500 concurrent streams all finish with their own answers", async () => {
    handlers.set("numbered", (_req, res, body) => {
      const n = String((body["messages"] as { content: string }[])[0]!.content);
      sseHead(res);
      void writeSlowly(
        res,
        [KEEPALIVE, chunk({ role: "assistant", content: `stream ` }), chunk({ content: n }), chunk({ content: "" }, {}, "stop"), usageChunk(Number(n) / 1e6), "data: [DONE]\n\n"],
        0,
      ).then(() => res.end());
    });
    const c = client("numbered");
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) => c.chatStream({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: String(i) }] }).final()),
    );
    expect(results).toHaveLength(500);
    results.forEach((r, i) => {
      expect(r.text).toBe(`stream ${i}`);
      expect(r.cost).toBe(i / 1e6);
      expect(r.finishReason).toBe("stop");
    });
  }, 120_000);

  it("a non-2xx answer before the stream raises the same typed error as chat()", async () => {
    handlers.set("429", (_req, res) => {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "7" });
      res.end(JSON.stringify({ error: { code: 429, message: "Rate limit exceeded: free-models-per-min.", metadata: { error_type: "rate_limit_exceeded" } } }));
    });
    // retry: false: the resilience layer would otherwise wait out Retry-After and try again.
    const c = client("429", "", { retry: false });
    const fromStream = (await c.chatStream(params).final().catch((e: unknown) => e)) as OpenRouterError;
    const fromChat = (await c.chat(params).catch((e: unknown) => e)) as OpenRouterError;
    expect(fromStream).toBeInstanceOf(RateLimitError);
    expect(fromStream.constructor).toBe(fromChat.constructor);
    expect(fromStream.message).toBe(fromChat.message);
    expect(fromStream.status).toBe(429);
    expect(fromStream.retryAfterMs).toBe(7000);
    expect(fromStream.partial).toBeUndefined();
    const stream = c.chatStream(params);
    await stream.final().catch(() => {});
    expect(stream.outcome).toBe("failed");
    // Iterating reports the same error.
    const { events, error } = await collect(c.chatStream(params));
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(RateLimitError);
  });
});
