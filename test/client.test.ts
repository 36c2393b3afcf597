import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  AbortError,
  AuthenticationError,
  ConnectionError,
  InvalidArgumentError,
  InvalidResponseError,
  OpenRouter,
  RateLimitError,
  StreamError,
  TimeoutError,
} from "../src/index.js";
import { bodyWritingFetch, collectGarbage, countingAbortControllers } from "./helpers/gc.js";

const KEY = "sk-or-v1-client-test-0123456789abcdef";
const messages = [{ role: "user" as const, content: "Hi" }];

function completion(overrides: Record<string, unknown> = {}, message: Record<string, unknown> = {}) {
  return {
    id: "gen-1700000000-abcdefghijklmnopqrst",
    object: "chat.completion",
    created: 1700000000,
    model: "openai/gpt-4o-mini",
    provider: "OpenAI",
    choices: [{ index: 0, finish_reason: "stop", native_finish_reason: "stop", message: { role: "assistant", content: "Hello!", ...message } }],
    usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, cost: 0.0000123 },
    ...overrides,
  };
}

interface Seen {
  url: string;
  method: string;
  headers: Headers;
  body: unknown;
}

/** An injected fetch answering with a fixed body, recording what was sent. */
function answering(status: number, body: string, headers: Record<string, string> = {}) {
  const seen: Seen[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const text = await request.text();
    seen.push({ url: request.url, method: request.method, headers: request.headers, body: text ? JSON.parse(text) : undefined });
    return new Response(body, { status, headers: { "content-type": "application/json", ...headers } });
  };
  return { fetch: fetch as typeof globalThis.fetch, seen };
}

describe("new OpenRouter(options)", () => {
  it("sends auth and app attribution headers to the default base URL", async () => {
    const { fetch, seen } = answering(200, JSON.stringify(completion()));
    const client = new OpenRouter({ apiKey: KEY, fetch, appUrl: "https://example.com", appName: "My App", categories: ["cli-agent", "general-chat"], headers: { "X-Custom": "1" } });
    await client.chat({ model: "openai/gpt-4o-mini", messages });
    const sent = seen[0]!;
    expect(sent.url).toBe("https://openrouter.ai/api/v1/chat/completions");
    expect(sent.method).toBe("POST");
    expect(sent.headers.get("authorization")).toBe(`Bearer ${KEY}`);
    expect(sent.headers.get("http-referer")).toBe("https://example.com");
    expect(sent.headers.get("x-openrouter-title")).toBe("My App");
    expect(sent.headers.get("x-title")).toBe("My App");
    expect(sent.headers.get("x-openrouter-categories")).toBe("cli-agent,general-chat");
    expect(sent.headers.get("x-custom")).toBe("1");
    expect(sent.headers.get("content-type")).toBe("application/json");
    expect(sent.body).toEqual({ model: "openai/gpt-4o-mini", messages });
  });

  it("per-call headers are merged over client headers", async () => {
    const { fetch, seen } = answering(200, JSON.stringify(completion()));
    const client = new OpenRouter({ apiKey: KEY, fetch, headers: { "x-a": "client" } });
    await client.chat({ messages }, { headers: { "X-A": "call", "x-session-id": "s1" } });
    expect(seen[0]!.headers.get("x-a")).toBe("call");
    expect(seen[0]!.headers.get("x-session-id")).toBe("s1");
  });

  it("baseUrl may carry a trailing slash", async () => {
    const { fetch, seen } = answering(200, JSON.stringify(completion()));
    await new OpenRouter({ apiKey: KEY, fetch, baseUrl: "http://127.0.0.1:9/v1/" }).chat({ messages });
    expect(seen[0]!.url).toBe("http://127.0.0.1:9/v1/chat/completions");
  });

  it("reads OPENROUTER_API_KEY from the environment", async () => {
    const { fetch, seen } = answering(200, JSON.stringify(completion()));
    const before = process.env["OPENROUTER_API_KEY"];
    process.env["OPENROUTER_API_KEY"] = KEY;
    try {
      await new OpenRouter({ fetch }).chat({ messages });
    } finally {
      if (before === undefined) delete process.env["OPENROUTER_API_KEY"];
      else process.env["OPENROUTER_API_KEY"] = before;
    }
    expect(seen[0]!.headers.get("authorization")).toBe(`Bearer ${KEY}`);
  });

  it("rejects bad options clearly", () => {
    expect(() => new OpenRouter({ apiKey: "" })).toThrow(InvalidArgumentError);
    expect(() => new OpenRouter({ baseUrl: "not a url" })).toThrow(/baseUrl/);
    expect(() => new OpenRouter({ timeoutMs: -1 })).toThrow(/timeoutMs/);
  });
});

describe("client.chat", () => {
  it("returns a ChatResult with text, usage, cost, provider and generation id", async () => {
    const { fetch } = answering(200, JSON.stringify(completion()), { "x-generation-id": "gen-1700000000-abcdefghijklmnopqrst" });
    const result = await new OpenRouter({ apiKey: KEY, fetch, retry: false }).chat({ model: "openai/gpt-4o-mini", messages });
    expect(result.text).toBe("Hello!");
    expect(result.model).toBe("openai/gpt-4o-mini");
    expect(result.provider).toBe("OpenAI");
    expect(result.finishReason).toBe("stop");
    expect(result.nativeFinishReason).toBe("stop");
    expect(result.usage?.total_tokens).toBe(7);
    expect(result.cost).toBe(0.0000123);
    expect(result.costSource).toBe("usage");
    expect(result.generationId).toBe("gen-1700000000-abcdefghijklmnopqrst");
    expect(result.message).toEqual({ role: "assistant", content: "Hello!" });
    expect(result.toolCalls).toEqual([]);
    expect(result.headers.get("x-generation-id")).toBe("gen-1700000000-abcdefghijklmnopqrst");
    expect(result.raw.id).toBe("gen-1700000000-abcdefghijklmnopqrst");
    expect(result.timing?.totalMs).toBeGreaterThanOrEqual(0);
  });

  it("takes the cost from a cost header when usage has none", async () => {
    const body = completion({ usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } });
    const { fetch } = answering(200, JSON.stringify(body), { "x-openrouter-cost": "0.0042" });
    const result = await new OpenRouter({ apiKey: KEY, fetch, retry: false }).chat({ messages });
    expect(result.cost).toBe(0.0042);
    expect(result.costSource).toBe("header");
  });

  it("parses a body padded with leading whitespace (OpenRouter's keep-alive)", async () => {
    const { fetch } = answering(200, `\n\n         \n${JSON.stringify(completion())}`);
    expect((await new OpenRouter({ apiKey: KEY, fetch, retry: false }).chat({ messages })).text).toBe("Hello!");
  });

  it("parses a BOM-prefixed body", async () => {
    const { fetch } = answering(200, `\uFEFF${JSON.stringify(completion())}`);
    expect((await new OpenRouter({ apiKey: KEY, fetch, retry: false }).chat({ messages })).text).toBe("Hello!");
  });

  it("joins and parses tool calls, including one without an index and one with malformed arguments", async () => {
    const tool_calls = [
      { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
      { id: "call_2", type: "function", function: { name: "now", arguments: "" } },
      { id: "call_3", type: "function", function: { name: "broken", arguments: '{"a":' } },
    ];
    const { fetch } = answering(200, JSON.stringify(completion({}, { content: null, tool_calls })));
    const result = await new OpenRouter({ apiKey: KEY, fetch, retry: false }).chat({ messages });
    expect(result.text).toBe("");
    expect(result.toolCalls.map((c) => [c.index, c.id, c.name, c.args])).toEqual([
      [0, "call_1", "get_weather", { city: "Paris" }],
      [1, "call_2", "now", {}],
      [2, "call_3", "broken", undefined],
    ]);
    expect(result.toolCalls[2]!.parseError).toBeTruthy();
    expect(result.toolCalls[2]!.arguments).toBe('{"a":');
    expect(result.message.tool_calls).toHaveLength(3);
  });

  it("choices: null with no error is a retryable invalid-response error, not a crash", async () => {
    for (const choices of [null, undefined, []]) {
      const { fetch } = answering(200, JSON.stringify(completion({ choices })));
      const error = await new OpenRouter({ apiKey: KEY, fetch, retry: false }).chat({ messages }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect((error as InvalidResponseError).retryable).toBe(true);
      expect((error as InvalidResponseError).generationId).toBe("gen-1700000000-abcdefghijklmnopqrst");
    }
  });

  it("choices: null is retried (it is transient) and the final error says how many attempts were made", async () => {
    const { fetch, seen } = answering(200, JSON.stringify(completion({ choices: null })));
    const sleeps: number[] = [];
    const client = new OpenRouter({ apiKey: KEY, fetch, retry: { maxRetries: 2 }, sleep: async (ms) => void sleeps.push(ms) });
    const error = await client.chat({ messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as InvalidResponseError).attempts).toBe(3);
    expect(seen).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it("a 200 carrying an error envelope raises the typed error", async () => {
    const { fetch } = answering(200, JSON.stringify({ error: { code: 429, message: "Rate limit exceeded", metadata: { error_type: "rate_limit_exceeded" } } }));
    const error = await new OpenRouter({ apiKey: KEY, fetch, retry: false }).chat({ messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
  });

  it("a choice with finish_reason error raises with the partial text kept", async () => {
    const body = completion({}, { content: "The answer is" });
    (body.choices[0] as Record<string, unknown>)["finish_reason"] = "error";
    (body.choices[0] as Record<string, unknown>)["error"] = { code: "server_error", message: "upstream died" };
    const { fetch } = answering(200, JSON.stringify(body));
    const error = await new OpenRouter({ apiKey: KEY, fetch, retry: false }).chat({ messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).message).toContain("upstream died");
    expect((error as StreamError).partial?.text).toBe("The answer is");
    expect((error as StreamError).partial?.usage?.total_tokens).toBe(7);
    expect((error as StreamError).generationId).toBe("gen-1700000000-abcdefghijklmnopqrst");
  });

  it("a body that is not JSON, and one that is cut short, are typed errors", async () => {
    const html = await new OpenRouter({ apiKey: KEY, retry: false, fetch: answering(200, "<html>oops</html>").fetch }).chat({ messages }).catch((e: unknown) => e);
    expect(html).toBeInstanceOf(InvalidResponseError);
    expect((html as InvalidResponseError).retryable).toBe(false);
    const cut = await new OpenRouter({ apiKey: KEY, retry: false, fetch: answering(200, '{"id":"gen-1","choices":[{"mess').fetch }).chat({ messages }).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(InvalidResponseError);
    expect((cut as InvalidResponseError).message).toMatch(/Truncated/);
    expect((cut as InvalidResponseError).retryable).toBe(true);
  });

  it("rejects bad input before sending", async () => {
    const { fetch, seen } = answering(200, JSON.stringify(completion()));
    const client = new OpenRouter({ apiKey: KEY, fetch, retry: false });
    await expect(client.chat({ messages: [] })).rejects.toThrow(InvalidArgumentError);
    await expect(client.chat({ model: "", messages })).rejects.toThrow(/model/);
    // @ts-expect-error: stream is not a chat() parameter
    await expect(client.chat({ messages, stream: true })).rejects.toThrow(/chatStream/);
    // @ts-expect-error: messages must be objects with a role
    await expect(client.chat({ messages: ["hi"] })).rejects.toThrow(/messages\[0\]/);
    expect(seen).toHaveLength(0);
  });

  it("without a key, a call to OpenRouter fails before sending", async () => {
    const { fetch, seen } = answering(200, JSON.stringify(completion()));
    const before = process.env["OPENROUTER_API_KEY"];
    delete process.env["OPENROUTER_API_KEY"];
    try {
      await expect(new OpenRouter({ fetch }).chat({ messages })).rejects.toThrow(AuthenticationError);
    } finally {
      if (before !== undefined) process.env["OPENROUTER_API_KEY"] = before;
    }
    expect(seen).toHaveLength(0);
  });

  it("a fetch that rejects becomes a ConnectionError with a clean cause", async () => {
    const fetch = (async () => {
      throw new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }) });
    }) as typeof globalThis.fetch;
    const error = await new OpenRouter({ apiKey: KEY, fetch, retry: false }).chat({ model: "a/b", messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).kind).toBe("network");
    expect((error as ConnectionError).retryable).toBe(true);
    expect((error as ConnectionError).message).toContain("ECONNREFUSED");
    expect((error as ConnectionError).message).toContain("model a/b");
  });
});

describe("timeouts and aborts against a loopback server", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
    server = createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/api/v1`;
  }

  it("timeoutMs raises TimeoutError, never a bare AbortError, and the server sees the close", async () => {
    let closed!: () => void;
    const serverSawClose = new Promise<void>((resolve) => (closed = resolve));
    const baseUrl = await listen((req, res) => {
      req.on("close", () => closed());
      res.writeHead(200, { "content-type": "application/json" });
      res.write("\n"); // headers out, body never finishes
    });
    const error = await new OpenRouter({ apiKey: KEY, baseUrl, timeoutMs: 150 }).chat({ messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).kind).toBe("timeout");
    await serverSawClose;
  });

  it("the caller's AbortSignal raises AbortError", async () => {
    const baseUrl = await listen(() => {
      /* never answers */
    });
    const controller = new AbortController();
    const pending = new OpenRouter({ apiKey: KEY, baseUrl, retry: false }).chat({ messages }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).kind).toBe("aborted");
  });

  it("an already-aborted signal never sends", async () => {
    let requests = 0;
    const baseUrl = await listen((_req, res) => {
      requests++;
      res.end();
    });
    const error = await new OpenRouter({ apiKey: KEY, baseUrl, retry: false }).chat({ messages }, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(requests).toBe(0);
  });

  it("a connection reset while reading the body is a ConnectionError", async () => {
    const baseUrl = await listen((req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"id":"gen-1",');
      setTimeout(() => req.socket.destroy(), 10);
    });
    const error = await new OpenRouter({ apiKey: KEY, baseUrl, retry: false }).chat({ messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
  });
});

describe("client.chatStream's request signal (injected fetch)", () => {
  const content = (text: string) => `data: ${JSON.stringify({ id: "gen-s-1", choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;

  it("fetch gets the stream's own signal, the one AbortController the stream makes; abort() after the headers aborts it", async () => {
    const signals: AbortSignal[] = [];
    const bodies: ReadableStreamDefaultController<Uint8Array>[] = [];
    const fetch = async (_input: unknown, init?: RequestInit) => {
      signals.push(init!.signal!);
      const body = new ReadableStream<Uint8Array>({ start: (c) => void bodies.push(c) });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    };
    // The default total timeout is on: the deadline aborts the stream's controller rather than make its own.
    const client = new OpenRouter({ apiKey: KEY, fetch });
    // A first stream loads the stream reader and the pipeline.
    const first = client.chatStream({ model: "a/b", messages });
    const firstEvent = first[Symbol.asyncIterator]().next();
    await vi.waitFor(() => expect(bodies).toHaveLength(1));
    bodies[0]!.enqueue(new TextEncoder().encode(content("Hello")));
    await firstEvent;
    first.abort();

    const controllers = countingAbortControllers();
    try {
      const stream = client.chatStream({ model: "a/b", messages });
      const events = stream[Symbol.asyncIterator]();
      const next = events.next();
      await vi.waitFor(() => expect(bodies).toHaveLength(2));
      bodies[1]!.enqueue(new TextEncoder().encode(content("Hi")));
      expect((await next).value).toEqual({ type: "content", text: "Hi" });
      expect(controllers.made).toBe(1);
      const signal = signals[1]!;
      expect(signal.aborted).toBe(false);
      stream.abort("enough");
      expect(signal.aborted).toBe(true);
      expect(await stream.final().catch((e: unknown) => e)).toBeInstanceOf(AbortError);
    } finally {
      controllers.restore();
    }
  });
});

describe("client.chatStream keeps no request while it is open", () => {
  it("the messages of an open stream can be collected once the caller lets go of them", async () => {
    const { fetch, bodies, write } = bodyWritingFetch();
    const client = new OpenRouter({ apiKey: KEY, fetch });
    const open = async (): Promise<{ stream: ReturnType<typeof client.chatStream>; sent: WeakRef<object> }> => {
      const sent = [{ role: "user" as const, content: "x".repeat(100_000) }];
      const stream = client.chatStream({ model: "a/b", messages: sent });
      const first = stream[Symbol.asyncIterator]().next();
      await vi.waitFor(() => expect(bodies.length).toBeGreaterThan(0));
      write(`data: ${JSON.stringify({ id: "gen-k-1", choices: [{ index: 0, delta: { content: "Hi" } }] })}\n\n`);
      await first;
      return { stream, sent: new WeakRef(sent) };
    };
    const { stream, sent } = await open();
    await collectGarbage();
    expect(stream.done).toBe(false);
    expect(sent.deref()).toBeUndefined();
    stream.abort();
  });
});

describe("client.api (path-typed openapi-fetch)", () => {
  it("GET with path params goes through our fetch with auth and never throws on HTTP errors", async () => {
    const { fetch, seen } = answering(404, JSON.stringify({ error: { code: 404, message: "Model not found" } }));
    const client = new OpenRouter({ apiKey: KEY, fetch, retry: false });
    const { data, error, response } = await client.api.GET("/models/{author}/{slug}/endpoints", { params: { path: { author: "openai", slug: "gpt-4o" } } });
    expect(data).toBeUndefined();
    expect(response.status).toBe(404);
    expect(error).toEqual({ error: { code: 404, message: "Model not found" } });
    expect(seen[0]!.url).toBe("https://openrouter.ai/api/v1/models/openai/gpt-4o/endpoints");
    expect(seen[0]!.headers.get("authorization")).toBe(`Bearer ${KEY}`);
  });

  it("query parameters are serialised", async () => {
    const { fetch, seen } = answering(200, JSON.stringify({ data: { id: "gen-1" } }));
    const { data } = await new OpenRouter({ apiKey: KEY, fetch, retry: false }).api.GET("/generation", { params: { query: { id: "gen-1" } } });
    expect(seen[0]!.url).toBe("https://openrouter.ai/api/v1/generation?id=gen-1");
    expect(data).toMatchObject({ data: { id: "gen-1" } });
  });

  it("a network failure is thrown as ConnectionError", async () => {
    const fetch = (async () => {
      throw new TypeError("fetch failed");
    }) as typeof globalThis.fetch;
    await expect(new OpenRouter({ apiKey: KEY, fetch, retry: false }).api.GET("/models")).rejects.toThrow(ConnectionError);
  });
});
