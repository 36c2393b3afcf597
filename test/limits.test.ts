/**
 * Bounded bodies, seen from the outside: `maxResponseBytes` (client and per call) on JSON bodies, on the text a
 * stream accumulates and on a JSON body sent to a streaming request; error bodies read only in part; errors
 * that keep a small copied excerpt, never the body; an HTML page on a stream; and a stream left with `break`.
 * Bodies are generated a chunk at a time and count what the client pulled, so no test allocates the sizes it
 * simulates; the limits are small. The suites that go through the client run on both transports; how much
 * of a body was pulled is asserted where the test's own stream is the client's body (fetch): on the Node
 * transport a loopback server sits in between, with socket buffers of its own.
 */
import v8 from "node:v8";
import vm from "node:vm";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  AbortError,
  ConnectionError,
  DEFAULT_MAX_RESPONSE_BYTES,
  InvalidArgumentError,
  InvalidResponseError,
  OpenRouter,
  type OpenRouterError,
  ResponseTooLargeError,
  ServerError,
} from "../src/index.js";
import { ChatStream } from "../src/stream/chat-stream.js";
import { TRANSPORTS, type TransportCase } from "./helpers/transports.js";

const KEY = "sk-or-v1-limits-test-0123456789abcdef";
const MODEL = "test/model";
const messages = [{ role: "user" as const, content: "Hi" }];
const encoder = new TextEncoder();

/** A body made of `count` chunks from `make(i)`, generated on demand; counts what the reader pulled. */
function generated(count: number, make: (i: number) => string | Uint8Array) {
  const stats = { pulledBytes: 0, pulledChunks: 0, cancelled: false };
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i >= count) {
        controller.close();
        return;
      }
      const piece = make(i++);
      const bytes = typeof piece === "string" ? encoder.encode(piece) : piece;
      stats.pulledBytes += bytes.byteLength;
      stats.pulledChunks++;
      controller.enqueue(bytes);
    },
    cancel() {
      stats.cancelled = true;
    },
  });
  return { stream, stats };
}

type Stats = ReturnType<typeof generated>["stats"];
type Options = NonNullable<ConstructorParameters<typeof OpenRouter>[0]>;

/** A client on transport `t` whose every request is answered by `respond`. */
function clientOn(t: TransportCase, respond: () => Response, options: Options = {}) {
  return new OpenRouter({ apiKey: KEY, retry: false, ...t.serve(async () => respond()), ...options });
}

/** The client read at most `bytes` of the body and cancelled it (fetch: the test's stream is the body itself). */
function expectPulledAtMost(t: TransportCase, stats: Stats, bytes: number, cancelled = true) {
  if (t.name !== "fetch") return;
  expect(stats.pulledBytes).toBeLessThanOrEqual(bytes);
  if (cancelled) expect(stats.cancelled).toBe(true);
}

const chunkOf = (content: string) =>
  `data: ${JSON.stringify({ id: "gen-limits-1", model: MODEL, choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

afterEach(() => {
  vi.useRealTimers();
});

describe.each(TRANSPORTS)("limits on the $name transport", (t) => {
  const clientWith = (respond: () => Response, options: Options = {}) => clientOn(t, respond, options);

  describe("maxResponseBytes on JSON bodies", () => {
    const KIB = 1024;
    /** A 200 JSON body of `chunks` × 16 KiB (an endless string value). */
    const bigJson = (chunks: number) => generated(chunks, (i) => (i === 0 ? '{"choices":[{"message":{"content":"' : "x".repeat(16 * KIB)));

    it("chat(): a body over the client's limit is a non-retryable ResponseTooLargeError, read no further than the limit", async () => {
      const body = bigJson(256); // 4 MiB
      const client = clientWith(() => new Response(body.stream, { headers: { "content-type": "application/json" } }), { maxResponseBytes: 64 * KIB });
      const error = (await client.chat({ model: MODEL, messages }).catch((e: unknown) => e)) as OpenRouterError;
      expect(error).toBeInstanceOf(ResponseTooLargeError);
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error.kind).toBe("invalid_response");
      expect(error.retryable).toBe(false);
      expect((error as ResponseTooLargeError).limit).toBe(64 * KIB);
      expect(error.message).toMatch(/exceeded maxResponseBytes \(65536\)/);
      expectPulledAtMost(t, body.stats, 64 * KIB + 2 * 16 * KIB);
    });

    it("chat(): the per-call maxResponseBytes replaces the client's", async () => {
      const body = bigJson(256);
      const client = clientWith(() => new Response(body.stream, { headers: { "content-type": "application/json" } }));
      const error = await client.chat({ model: MODEL, messages }, { maxResponseBytes: 32 * KIB }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResponseTooLargeError);
      expectPulledAtMost(t, body.stats, 32 * KIB + 2 * 16 * KIB, false);
    });

    it("a declared Content-Length over the limit is refused before reading; the default limit is DEFAULT_MAX_RESPONSE_BYTES", async () => {
      const body = bigJson(4);
      const client = clientWith(
        () => new Response(body.stream, { headers: { "content-type": "application/json", "content-length": String(DEFAULT_MAX_RESPONSE_BYTES + 1) } }),
      );
      const error = (await client.chat({ model: MODEL, messages }).catch((e: unknown) => e)) as ResponseTooLargeError;
      expect(error).toBeInstanceOf(ResponseTooLargeError);
      expect(error.limit).toBe(DEFAULT_MAX_RESPONSE_BYTES);
      if (t.name === "fetch") expect(body.stats.pulledChunks).toBeLessThanOrEqual(1);
    });

    it("client.api: a 2xx body over the limit fails instead of being buffered", async () => {
      const body = bigJson(256);
      const client = clientWith(() => new Response(body.stream, { headers: { "content-type": "application/json" } }), { maxResponseBytes: 64 * KIB });
      await expect(client.api.GET("/models")).rejects.toBeInstanceOf(ResponseTooLargeError);
      expectPulledAtMost(t, body.stats, 64 * KIB + 2 * 16 * KIB, false);
    });
  });

  describe("maxResponseBytes on streams", () => {
    it("content events past the limit end the stream with ResponseTooLargeError and the partial text; the body is not read on", async () => {
      const piece = "y".repeat(1024);
      const body = generated(500, () => chunkOf(piece));
      const client = clientWith(() => new Response(body.stream, { headers: { "content-type": "text/event-stream" } }), { maxResponseBytes: 20 * 1024 });
      const stream = client.chatStream({ model: MODEL, messages });
      let seen = 0;
      let caught: unknown;
      try {
        for await (const e of stream) if (e.type === "content") seen += e.text.length;
      } catch (e) {
        caught = e;
      }
      const error = caught as ResponseTooLargeError;
      expect(error).toBeInstanceOf(ResponseTooLargeError);
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/text of the stream exceeded maxResponseBytes/);
      expect(error.partial?.text.length).toBeGreaterThan(20 * 1024);
      expect(error.partial?.text.length).toBeLessThanOrEqual(21 * 1024);
      expect(seen).toBe(error.partial?.text.length);
      expect(stream.outcome).toBe("error");
      await expect(stream.final()).rejects.toBe(error);
      if (t.name === "fetch") expect(body.stats.pulledChunks).toBeLessThan(30);
      expectPulledAtMost(t, body.stats, Infinity);
    });

    it("per call, and counted on final() without an iterator too (reasoning and tool arguments count)", async () => {
      const body = generated(500, (i) =>
        `data: ${JSON.stringify({ choices: [{ index: 0, delta: i % 2 ? { reasoning: "r".repeat(512) } : { tool_calls: [{ index: 0, function: { arguments: "a".repeat(512) } }] } }] })}\n\n`,
      );
      const client = clientWith(() => new Response(body.stream, { headers: { "content-type": "text/event-stream" } }));
      const error = await client.chatStream({ model: MODEL, messages }, { maxResponseBytes: 8 * 1024 }).final().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResponseTooLargeError);
      expect((error as OpenRouterError).partial?.reasoning?.length).toBeGreaterThan(0);
      if (t.name === "fetch") expect(body.stats.pulledChunks).toBeLessThan(30);
    });

    it("one event far larger than maxResponseBytes is refused while it arrives, not buffered whole first", async () => {
      // A single 4 MiB event, sent 8 KiB at a time with no line end.
      const body = generated(513, (i) => (i === 0 ? 'data: {"choices":[{"index":0,"delta":{"content":"' : "q".repeat(8192)));
      const client = clientWith(() => new Response(body.stream, { headers: { "content-type": "text/event-stream" } }), { maxResponseBytes: 16 * 1024 });
      const error = (await client.chatStream({ model: MODEL, messages }).final().catch((e: unknown) => e)) as OpenRouterError;
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error.retryable).toBe(false);
      expectPulledAtMost(t, body.stats, 128 * 1024);
    });

    it("a JSON body on a streaming request is bounded by bytes while it arrives", async () => {
      const body = generated(1000, (i) => (i === 0 ? '{"choices":[{"message":{"content":"' : "z".repeat(4096)));
      const client = clientWith(() => new Response(body.stream, { headers: { "content-type": "application/json" } }), { maxResponseBytes: 32 * 1024 });
      const stream = client.chatStream({ model: MODEL, messages });
      const error = await stream.final().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResponseTooLargeError);
      expect(error).toMatchObject({ retryable: false, message: expect.stringMatching(/JSON body of the stream exceeded maxResponseBytes/) });
      if (t.name === "fetch") expect(body.stats.pulledChunks).toBeLessThan(12);
      expectPulledAtMost(t, body.stats, Infinity);
    });
  });

  describe("error bodies are read only in part", () => {
    it("a 500 with a 10 MB HTML page: the typed error, at most 32 KiB read, a short message", async () => {
      const body = generated(640, (i) => (i === 0 ? "<html><body><h1>Internal error</h1>" : "<p>" + "e".repeat(16 * 1024 - 7) + "</p>"));
      const client = clientWith(() => new Response(body.stream, { status: 500, headers: { "content-type": "text/html" } }));
      const error = (await client.chat({ model: MODEL, messages }).catch((e: unknown) => e)) as OpenRouterError;
      expect(error).toBeInstanceOf(ServerError);
      expect(error.message).toMatch(/HTTP 500: Internal error/);
      expect(error.message.length).toBeLessThan(400);
      expectPulledAtMost(t, body.stats, 32 * 1024 + 3 * 16 * 1024);
    });

    it("client.api still gets its non-2xx response back, with the head of the body", async () => {
      const envelope = JSON.stringify({ error: { code: 500, message: "boom" } });
      const small = clientWith(() => new Response(envelope, { status: 500, headers: { "content-type": "application/json" } }));
      const answer = await small.api.GET("/models");
      expect(answer.response.status).toBe(500);
      expect(answer.error).toEqual({ error: { code: 500, message: "boom" } });

      const body = generated(640, () => "e".repeat(16 * 1024));
      const big = clientWith(() => new Response(body.stream, { status: 500, headers: { "content-type": "text/plain" } }));
      const { response, error } = await big.api.GET("/models");
      expect(response.status).toBe(500);
      expect(typeof error).toBe("string");
      expect((error as unknown as string).length).toBeLessThanOrEqual(32 * 1024);
      expectPulledAtMost(t, body.stats, 32 * 1024 + 3 * 16 * 1024, false);
    });
  });

  describe("an HTML page on a streaming request", () => {
    it("is an InvalidResponseError (not retryable, not a network error) quoting the head of the page", async () => {
      const body = generated(100, (i) => (i === 0 ? "<!doctype html><html><head><title>Sign in to the Wi-Fi</title></head><body>" : "<div>" + "w".repeat(8000) + "</div>"));
      const client = clientWith(() => new Response(body.stream, { status: 200, headers: { "content-type": "text/html; charset=utf-8" } }));
      const error = (await client.chatStream({ model: MODEL, messages }).final().catch((e: unknown) => e)) as OpenRouterError;
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error).not.toBeInstanceOf(ConnectionError);
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/Expected an event stream, got an HTML page: Sign in to the Wi-Fi/);
      expect(error.message).not.toMatch(/truncated/);
      expect(error.message.length).toBeLessThan(400);
      expectPulledAtMost(t, body.stats, 32 * 1024 + 3 * 8 * 1024, false);
    });
  });

  describe("leaving a stream's loop early", () => {
    it("final() after break rejects with an AbortError that says so, with what arrived as partial", async () => {
      let signal: AbortSignal | undefined;
      const client = new OpenRouter({
        apiKey: KEY,
        retry: false,
        ...t.serve(async (_url, init) => {
          signal = init.signal ?? undefined;
          return new Response(generated(1000, (i) => chunkOf(`t${i} `)).stream, { headers: { "content-type": "text/event-stream" } });
        }),
      });
      const stream = client.chatStream({ model: MODEL, messages });
      let text = "";
      for await (const e of stream) {
        if (e.type !== "content") continue;
        text += e.text;
        if (text.length > 10) break;
      }
      const error = (await stream.final().catch((e: unknown) => e)) as OpenRouterError;
      expect(error).toBeInstanceOf(AbortError);
      expect(error.message).toMatch(/closed early: the loop reading it ended \(break, return or throw\)/);
      expect(error.partial?.text.startsWith(text)).toBe(true);
      expect(stream.outcome).toBe("aborted");
      // The request is cancelled: fetch's signal aborts; on the Node transport the server sees the connection close.
      await vi.waitFor(() => expect(signal?.aborted).toBe(true));
    });

    it("iterating a consumed stream says it was consumed; iterating one in use says it is being iterated", async () => {
      const client = clientWith(() => new Response(generated(3, (i) => (i < 2 ? chunkOf("x") : "data: [DONE]\n\n")).stream, { headers: { "content-type": "text/event-stream" } }));
      const stream = client.chatStream({ model: MODEL, messages });
      const iterator = stream[Symbol.asyncIterator]();
      expect(() => stream[Symbol.asyncIterator]()).toThrow(/already being iterated/);
      while (!(await iterator.next()).done) {
        // read to the end
      }
      expect(() => stream[Symbol.asyncIterator]()).toThrow(/already been consumed/);
      expect(() => stream[Symbol.asyncIterator]()).not.toThrow(/being iterated/);
      expect((await stream.final()).text).toBe("xx");
    });
  });
});

describe("limits that need no transport", () => {
  it("the default is sane: room for the largest legitimate bodies, far below V8's string limit", () => {
    // An embeddings batch of 512 × 3,072 floats as JSON is about 31 MB.
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBeGreaterThanOrEqual(48 * 1024 * 1024);
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBeLessThanOrEqual(128 * 1024 * 1024);
  });

  it("bad maxResponseBytes values are refused before anything is sent", async () => {
    expect(() => new OpenRouter({ apiKey: KEY, maxResponseBytes: 0 })).toThrow(InvalidArgumentError);
    expect(() => new OpenRouter({ apiKey: KEY, maxResponseBytes: -1 })).toThrow(/maxResponseBytes/);
    const fetch = vi.fn();
    const client = new OpenRouter({ apiKey: KEY, fetch: fetch as unknown as typeof globalThis.fetch });
    await expect(client.chat({ model: MODEL, messages }, { maxResponseBytes: Number.NaN })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("whatever throws while a read is folded in settles final() with a typed error (no unhandled rejection)", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      // A decoder that throws stands in for the engine's own failures inside a read (a string past its maximum length).
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.enqueue(encoder.encode(chunkOf("a")));
          controller.enqueue(encoder.encode("data: [DONE]\n\n"));
          controller.close();
        },
      });
      const stream = new ChatStream({ open: async () => new Response(body, { headers: { "content-type": "text/event-stream" } }) });
      const original = TextDecoder.prototype.decode;
      TextDecoder.prototype.decode = function (this: TextDecoder, input?: AllowSharedBufferSource, options?: TextDecodeOptions): string {
        if (input instanceof Uint8Array && input.byteLength > 0) throw new RangeError("Invalid string length");
        return original.call(this, input, options);
      };
      let error: unknown;
      try {
        error = await stream.final().catch((e: unknown) => e);
      } finally {
        TextDecoder.prototype.decode = original;
      }
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect((error as Error).message).toMatch(/Invalid string length/);
      await new Promise((r) => setTimeout(r, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

describe("final() always settles", () => {
  it("a response the stream cannot read (its body already locked) settles final() with a typed error", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      const response = new Response("data: [DONE]\n\n", { headers: { "content-type": "text/event-stream" } });
      response.body!.getReader(); // someone else holds the body
      const stream = new ChatStream({ open: async () => response });
      const error = await stream.final().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(stream.done).toBe(true);
      await new Promise((r) => setTimeout(r, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});


/** Memory in use after a full collection: the heap, and external memory (large strings a body decodes into live there). */
function heapAfterGc(): number {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  gc();
  gc();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

describe("errors keep a copied excerpt, never the body", () => {
  const MB = 1024 * 1024;
  /** 16 MB of HTML, produced in 64 KiB chunks so only the client's own copy can stay alive. */
  const htmlPage = () => generated(256, (i) => (i === 0 ? "<html><body>" : "h".repeat(64 * 1024)));

  it.each([
    ["chat() on a 200 HTML page", (c: OpenRouter) => c.chat({ model: MODEL, messages }), 200, "text/html"],
    ["chat() on a 500 HTML page", (c: OpenRouter) => c.chat({ model: MODEL, messages }), 500, "text/html"],
    ["chatStream() on a 200 JSON body that is not JSON", (c: OpenRouter) => c.chatStream({ model: MODEL, messages }).final(), 200, "application/json"],
  ] as const)("%s: the error holds less than 1 MB", async (_name, call, status, type) => {
    const client = clientOn(TRANSPORTS[0]!, () => new Response(htmlPage().stream, { status, headers: { "content-type": type } }));
    await call(client).catch(() => {}); // warm-up: code compiled on first use is not what is measured
    const before = heapAfterGc();
    const error = (await call(client).catch((e: unknown) => e)) as OpenRouterError;
    // Let the body read that failed wind down: what is measured is what the error holds.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ResponseTooLargeError);
    const retained = heapAfterGc() - before;
    expect(error.message.length).toBeLessThan(400);
    expect(retained).toBeLessThan(1 * MB);
  });
});

