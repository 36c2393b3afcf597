/**
 * recordFetch / replayFetch (src/testing/record.ts, fixtures.ts) and noNetwork (src/testing/no-network.ts):
 * an exchange recorded through the real client replays through the real client, the key never reaches
 * the file, an unmatched request fails naming the closest recordings, and real network calls are blocked.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OpenRouter } from "../../src/index.js";
import {
  createMockOpenRouter,
  isLoopbackHost,
  listRecordings,
  loadRecordings,
  NetworkBlockedError,
  noNetwork,
  noNetworkFromEnv,
  normaliseBody,
  normalisePath,
  recordFetch,
  replayFetch,
  ReplayMissError,
  type MockOpenRouter,
  type RecordedExchange,
} from "../../src/testing/index.js";

const KEY = "sk-or-v1-0123456789abcdef0123456789abcdef";
const question = { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "What is 2 + 2?" }] };

let dir: string;
let mock: MockOpenRouter;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "or-record-"));
  mock = createMockOpenRouter({ apiKey: KEY, scenarios: [{ reply: "4" }] });
});
afterEach(async () => {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

function clientWith(fetch: typeof globalThis.fetch, apiKey = KEY) {
  return new OpenRouter({ apiKey, fetch, retry: false } as ConstructorParameters<typeof OpenRouter>[0]);
}

describe("recordFetch -> replayFetch", () => {
  it("round-trips a JSON chat and a stream through the real client, with the key redacted", async () => {
    const rec = recordFetch({ dir, fetch: mock.fetch });
    const live = clientWith(rec);
    const plain = await live.chat(question as never);
    const stream = live.chatStream(question as never);
    const streamed = await stream.final();
    await rec.flush();

    const files = listRecordings(dir);
    expect(files).toHaveLength(2);
    for (const file of files) {
      const bytes = readFileSync(file, "utf8");
      expect(bytes).not.toContain(KEY);
      expect(bytes).not.toContain(KEY.slice(6));
      const exchange = JSON.parse(bytes) as RecordedExchange;
      expect(exchange.request.headers?.["authorization"]).toBe("Bearer REDACTED");
      expect(exchange.request.path).toBe("/api/v1/chat/completions");
      expect(exchange.source).toMatch(/^recordFetch /);
    }
    const kinds = files.map((f) => (JSON.parse(readFileSync(f, "utf8")) as RecordedExchange).kind).sort();
    expect(kinds).toEqual(["chat", "chat-stream"]);
    const sseFile = files.find((f) => f.includes("chat-stream"))!;
    expect((JSON.parse(readFileSync(sseFile, "utf8")) as RecordedExchange).response.sse).toContain("data: [DONE]");

    const replay = replayFetch({ dir });
    const offline = clientWith(replay, "a-different-key");
    const again = await offline.chat(question as never);
    expect(again.text).toBe(plain.text);
    expect(again.generationId).toBe(plain.generationId);
    expect(again.cost).toBe(plain.cost);
    const againStreamed = await offline.chatStream(question as never).final();
    expect(againStreamed.text).toBe(streamed.text);
    expect(againStreamed.usage).toEqual(streamed.usage);
    expect(replay.unused()).toEqual([]);
  });

  it("scrubs the key wherever it appears: URL, request body, response body", async () => {
    const echo = createMockOpenRouter({ apiKey: KEY, scenarios: [{ reply: (req) => `you sent ${req.lastUserText}` }] });
    const rec = recordFetch({ dir, fetch: echo.fetch });
    await rec(`https://openrouter.ai/api/v1/chat/completions?leak=${KEY}`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", cookie: "session=abc" },
      body: JSON.stringify({ ...question, messages: [{ role: "user", content: `my key is ${KEY}` }] }),
    }).then((r) => r.text());
    await rec.flush();
    const [file] = listRecordings(dir);
    const bytes = readFileSync(file!, "utf8");
    expect(bytes).not.toContain(KEY);
    expect(bytes).not.toContain("session=abc");
    const exchange = JSON.parse(bytes) as RecordedExchange;
    expect(exchange.request.url).toContain("leak=REDACTED");
    expect(JSON.stringify(exchange.request.body)).toContain("my key is REDACTED");
    expect(exchange.response.body_text).toContain("you sent my key is REDACTED");
  });

  it("matches bodies independent of key order and of stream_options", async () => {
    expect(normaliseBody('{"b":1,"a":{"y":2,"x":1},"stream_options":{"include_usage":true}}')).toBe(normaliseBody({ a: { x: 1, y: 2 }, b: 1 }));
    expect(normaliseBody({ a: [1, 2] })).not.toBe(normaliseBody({ a: [2, 1] }));
    const rec = recordFetch({ dir, fetch: mock.fetch });
    await (await rec("https://openrouter.ai/api/v1/chat/completions", {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ messages: question.messages, model: question.model, stream_options: { include_usage: true } }),
    })).text();
    await rec.flush();
    const replay = replayFetch({ dir });
    const res = await replay("http://127.0.0.1:9/api/v1/chat/completions", { method: "POST", body: JSON.stringify(question) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe("4");
  });

  it("fails an unmatched request clearly, naming the closest recording and the differing field", async () => {
    const rec = recordFetch({ dir, fetch: mock.fetch });
    await clientWith(rec).chat(question as never);
    await rec.flush();
    const replay = replayFetch({ dir });
    const other = { ...question, messages: [{ role: "user", content: "What is 3 + 3?" }] };
    const err = await replay("https://openrouter.ai/api/v1/chat/completions", { method: "POST", body: JSON.stringify(other) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ReplayMissError);
    const miss = err as ReplayMissError;
    expect(miss.message).toContain("no recording matches POST /chat/completions");
    expect(miss.message).toContain("chat-001.json");
    expect(miss.message).toContain("/messages/0/content");
    expect(miss.closest).toHaveLength(1);
    await expect(replay("https://openrouter.ai/api/v1/models")).rejects.toThrow(/no recording matches GET \/models/);
  });

  it("replays the project's own contract fixtures (same file format)", async () => {
    const replay = replayFetch({ dir: "test/fixtures/recorded" });
    const result = await clientWith(replay).chat({ model: "anthropic/claude-haiku-4.5", messages: [{ role: "user", content: "What's 2 + 2?" }], stream: false } as never);
    expect(result.text).toBe("2 + 2 = 4");
    expect(replay.used.map((f) => f.split("/").pop())).toEqual(["chat-basic-01.json"]);
  });

  it("rejects bad options with a clear message", () => {
    expect(() => recordFetch({} as never)).toThrow(/dir must be a non-empty directory path/);
    expect(() => replayFetch({} as never)).toThrow(/give dir, files or exchanges/);
  });
});

describe("recordFetch: file names, headers and failures", () => {
  const API = "https://openrouter.ai/api/v1";
  const post = (rec: typeof globalThis.fetch, path: string, body: unknown) =>
    rec(`${API}${path}`, { method: "POST", headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.text());
  const get = (rec: typeof globalThis.fetch, path: string) => rec(`${API}${path}`, { headers: { authorization: `Bearer ${KEY}` } }).then((r) => r.text());
  const names = (rec: { files: readonly string[] }) => rec.files.map((f) => f.split("/").pop());

  it("names each file after what the exchange was", async () => {
    const rec = recordFetch({ dir, fetch: mock.fetch });
    const weather = [{ type: "function", function: { name: "weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
    await post(rec, "/chat/completions", { ...question, tools: weather });
    await post(rec, "/chat/completions", { ...question, response_format: { type: "json_object" } });
    await post(rec, "/chat/completions", { ...question, reasoning: { effort: "low" } });
    await post(rec, "/chat/completions", { ...question, stream: true, tools: weather });
    await post(rec, "/chat/completions", { ...question, stream: true, response_format: { type: "json_object" } });
    await post(rec, "/chat/completions", { ...question, model: "nobody/nothing" });
    await post(rec, "/embeddings", { model: "openai/text-embedding-3-small", input: "hi" });
    await get(rec, "/models");
    await get(rec, "/model/openai/gpt-4o-mini");
    await get(rec, "/generation?id=gen-missing");
    await get(rec, "/credits");
    await get(rec, "/");
    await rec.flush();
    expect(names(rec)).toEqual([
      "chat-tools-001.json",
      "chat-structured-002.json",
      "chat-reasoning-003.json",
      "chat-stream-tools-004.json",
      "chat-stream-005.json",
      "error-006.json",
      "embeddings-007.json",
      "models-008.json",
      "models-009.json",
      "error-010.json",
      "credits-011.json",
      "error-012.json",
    ]);
    expect(listRecordings(dir)).toHaveLength(12);
  });

  it("names generation, responses, rerank and other endpoints, and a failed body that threw a non-Error", async () => {
    const server = async (request: Request) => {
      const path = new URL(request.url).pathname;
      if (path.endsWith("/broken")) {
        return new Response(new ReadableStream({ pull: (controller) => controller.error("plain string failure") }));
      }
      return Response.json({ ok: path });
    };
    const rec = recordFetch({ dir, fetch: server as typeof globalThis.fetch });
    for (const path of ["/generation?id=gen-1", "/responses", "/rerank", "/activity", "/"]) await get(rec, path);
    await expect(get(rec, "/broken")).rejects.toBe("plain string failure");
    await rec.flush();
    expect(names(rec)).toEqual(["generation-001.json", "responses-002.json", "rerank-003.json", "activity-004.json", "other-005.json", "broken-006.json"]);
    const broken = JSON.parse(readFileSync(rec.files[5]!, "utf8")) as RecordedExchange;
    expect(broken.notes).toEqual(["recording incomplete: plain string failure"]);
  });

  it("scrubs OPENROUTER_API_KEY from the environment even when the request carried another key", async () => {
    const envKey = "sk-or-v1-from-the-environment-0123456789";
    const before = process.env["OPENROUTER_API_KEY"];
    process.env["OPENROUTER_API_KEY"] = envKey;
    try {
      const echo = async (request: Request) => Response.json({ echoed: await request.text() });
      const rec = recordFetch({ dir, fetch: echo as typeof globalThis.fetch });
      await (await rec(`${API}/chat/completions`, { method: "POST", body: JSON.stringify({ note: envKey }) })).text();
      await rec.flush();
      expect(readFileSync(rec.files[0]!, "utf8")).not.toContain(envKey);
    } finally {
      if (before === undefined) delete process.env["OPENROUTER_API_KEY"];
      else process.env["OPENROUTER_API_KEY"] = before;
    }
  });

  it("replays from a list of files", async () => {
    const rec = recordFetch({ dir, fetch: mock.fetch });
    await post(rec, "/chat/completions", question);
    await rec.flush();
    const replay = replayFetch({ files: rec.files });
    const res = await replay(`${API}/chat/completions`, { method: "POST", body: JSON.stringify(question) });
    expect(((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe("4");
  });

  it("takes a caller's file name, refuses one that could escape the folder, and never overwrites", async () => {
    const rec = recordFetch({ dir, fetch: mock.fetch, name: () => "same", description: "fixed" });
    await post(rec, "/chat/completions", question);
    await post(rec, "/chat/completions", question);
    await rec.flush();
    expect(names(rec)).toEqual(["same.json", "same-2.json"]);
    expect((JSON.parse(readFileSync(rec.files[0]!, "utf8")) as RecordedExchange).description).toBe("fixed");

    const bad = recordFetch({ dir, fetch: mock.fetch, name: () => "../outside" });
    // The caller still gets the response; the refusal surfaces from flush().
    expect(await post(bad, "/chat/completions", question)).toContain('"content":"4"');
    await expect(bad.flush()).rejects.toThrow(/file name "\.\.\/outside" must use letters, digits/);
    expect(bad.files).toEqual([]);
  });

  it("redacts cookies both ways and keeps other headers", async () => {
    const server = async () =>
      new Response("{}", { headers: [["content-type", "application/json"], ["set-cookie", "session=abc"], ["set-cookie", "other=def"], ["x-trace", "t-1"]] });
    const rec = recordFetch({ dir, fetch: server as typeof globalThis.fetch });
    await (await rec(`${API}/credits`, { headers: { cookie: "session=abc", "x-api-key": KEY, accept: "application/json" } })).text();
    await rec.flush();
    const saved = JSON.parse(readFileSync(rec.files[0]!, "utf8")) as RecordedExchange;
    expect(saved.request.headers).toMatchObject({ cookie: "REDACTED", "x-api-key": "REDACTED", accept: "application/json" });
    expect(saved.response.headers).toMatchObject({ "set-cookie": ["REDACTED", "REDACTED"], "x-trace": "t-1" });
    expect(readFileSync(rec.files[0]!, "utf8")).not.toContain("abc");
  });

  it("saves a body that is not JSON as text, and a 204 without one", async () => {
    const server = async (request: Request) =>
      new URL(request.url).pathname.endsWith("/empty") ? new Response(null, { status: 204 }) : new Response("plain words", { status: 200 });
    const rec = recordFetch({ dir, fetch: server as typeof globalThis.fetch });
    await (await rec(`${API}/text`, { method: "POST", body: "not json either" })).text();
    await rec(`${API}/empty`);
    await rec.flush();
    const [text, empty] = rec.files.map((f) => JSON.parse(readFileSync(f, "utf8")) as RecordedExchange);
    expect(text!.request.body).toBe("not json either");
    expect(text!.response.body).toBeUndefined();
    expect(text!.response.body_text).toBe("plain words");
    expect(empty!.response.status).toBe(204);
    expect(empty!.response.body_text).toBe("");
  });

  it("keeps what it knows when the body fails, with the reason and no key", async () => {
    const server = async () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode("data: {}\n\n"));
            controller.error(new Error(`connection reset while sending to ${KEY}`));
          },
        }),
        { headers: { "content-type": "text/event-stream" } },
      );
    const rec = recordFetch({ dir, fetch: server as typeof globalThis.fetch });
    const response = await rec(`${API}/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${KEY}` }, body: JSON.stringify({ ...question, stream: true }) });
    await expect(response.text()).rejects.toThrow(/connection reset/);
    await rec.flush();
    const file = readFileSync(rec.files[0]!, "utf8");
    expect(file).not.toContain(KEY);
    const saved = JSON.parse(file) as RecordedExchange;
    expect(saved.kind).toBe("chat-stream");
    expect(saved.notes).toEqual(["recording incomplete: connection reset while sending to REDACTED"]);
    expect(saved.response.sse).toBeUndefined();
  });
});

describe("replayFetch: repeats, aborts and misses", () => {
  const exchange = (content: string): RecordedExchange => ({
    request: { method: "POST", path: "/api/v1/chat/completions", body: question },
    response: { status: 200, headers: { "content-type": "application/json" }, body: { choices: [{ message: { role: "assistant", content } }] } },
  }) as RecordedExchange;
  const ask = (replay: typeof globalThis.fetch, init: RequestInit = {}) =>
    replay("https://openrouter.ai/api/v1/chat/completions", { method: "POST", body: JSON.stringify(question), ...init });

  it("answers identical requests in recording order, then repeats the last", async () => {
    const replay = replayFetch({ exchanges: [exchange("first"), exchange("second")] });
    const texts = [];
    for (let i = 0; i < 3; i++) texts.push(((await (await ask(replay)).json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content);
    expect(texts).toEqual(["first", "second", "second"]);
    expect(replay.used).toEqual(["recordings[0]", "recordings[1]", "recordings[1]"]);
    expect(replay.unused()).toEqual([]);
  });

  it("lists recordings never used, to catch stale fixtures", async () => {
    const replay = replayFetch({ exchanges: [exchange("only")], ignoreBodyKeys: [] });
    expect(replay.unused()).toEqual(["recordings[0]"]);
  });

  it("rejects with the caller's abort reason when the signal is already aborted", async () => {
    const replay = replayFetch({ exchanges: [exchange("x")] });
    const controller = new AbortController();
    controller.abort(new Error("caller gave up"));
    await expect(ask(replay, { signal: controller.signal })).rejects.toThrow("caller gave up");
  });

  it("says when nothing is loaded at all, and redacts a key in the path", async () => {
    const replay = replayFetch({ exchanges: [], ignoreBodyKeys: [] });
    const err = (await replay(`https://openrouter.ai/api/v1/key/${KEY}`).catch((e: unknown) => e)) as ReplayMissError;
    expect(err).toBeInstanceOf(ReplayMissError);
    expect(err.message).toContain("No recordings loaded");
    expect(err.message).toContain("ignored keys: none");
    expect(err.message).not.toContain(KEY);
    expect(err.path).toBe("/key/REDACTED");
    expect(listRecordings(join(dir, "does-not-exist"))).toEqual([]);
  });

  it("loads recordings from files and says which file is broken or not an exchange", async () => {
    const good = join(dir, "good.json");
    writeFileSync(good, JSON.stringify(exchange("from a file")));
    expect(loadRecordings({ files: [good] }).map((r) => r.file)).toEqual([good]);
    const broken = join(dir, "broken.json");
    writeFileSync(broken, "{ not json");
    expect(() => loadRecordings({ files: [broken] })).toThrow(new RegExp(`Cannot read recording ${broken}`));
    const other = join(dir, "other.json");
    writeFileSync(other, JSON.stringify({ hello: "world" }));
    expect(() => loadRecordings({ files: [other] })).toThrow(/is not a recorded exchange \(needs request\.method, request\.path, response\.status\)/);
    expect(() => loadRecordings({ exchanges: [{ request: {} } as never] })).toThrow(/recordings\[0\] is not a recorded exchange/);
  });

  it("normalises paths: host and /api/v1 dropped, query sorted", () => {
    expect(normalisePath("https://openrouter.ai/api/v1/generation?id=x")).toBe("/generation?id=x");
    expect(normalisePath("https://openrouter.ai/api/v1")).toBe("/");
    expect(normalisePath("/models?b=2&a=1&a=0")).toBe("/models?a=0&a=1&b=2");
    expect(normalisePath("/credits")).toBe("/credits");
  });

  it("replays SSE with its recorded chunking, plain text bodies, and drops framing headers", async () => {
    const sse = "data: {\"a\":1}\n\ndata: [DONE]\n\n";
    const replay = replayFetch({
      exchanges: [
        {
          // An empty path: matching falls back to the full URL.
          request: { method: "POST", path: "", url: "https://openrouter.ai/api/v1/chat/completions", body: { stream: true } },
          response: { status: 200, headers: { "Content-Length": "99", "X-Trace": ["a", "b"] }, sse, sse_chunks: ["data: {\"a\":1}\n\n", "data: [DONE]\n\n"] },
        },
        {
          request: { method: "GET", path: "/api/v1/credits", body: null },
          response: { status: 502, status_text: "Bad Gateway", headers: {}, body_text: "<html>upstream down</html>" },
        },
      ] as RecordedExchange[],
    });
    const stream = await replay("https://openrouter.ai/api/v1/chat/completions", { method: "POST", body: JSON.stringify({ stream: true }) });
    expect(stream.headers.get("content-type")).toBe("text/event-stream");
    expect(stream.headers.get("content-length")).toBeNull();
    expect(stream.headers.get("x-trace")).toBe("a, b");
    const reader = stream.body!.getReader();
    const chunks: string[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(new TextDecoder().decode(r.value));
    expect(chunks).toEqual(["data: {\"a\":1}\n\n", "data: [DONE]\n\n"]);
    const html = await replay("https://openrouter.ai/api/v1/credits");
    expect(html.status).toBe(502);
    expect(html.statusText).toBe("Bad Gateway");
    expect(await html.text()).toBe("<html>upstream down</html>");
  });

  it("names the closest recordings by method and path, or by the first differing body field", async () => {
    const replay = replayFetch({
      exchanges: [
        exchange("a"),
        { request: { method: "GET", path: "/api/v1/models", body: null }, response: { status: 200, headers: {}, body: { data: [] } } } as RecordedExchange,
      ],
    });
    const other = { ...question, temperature: 0.5 };
    const miss = (await replay("https://openrouter.ai/api/v1/chat/completions", { method: "POST", body: JSON.stringify(other) }).catch((e: unknown) => e)) as ReplayMissError;
    expect(miss.closest).toEqual(["recordings[0] (body differs at /temperature)", "recordings[1] (GET /models)"]);
    const arrays = (await replay("https://openrouter.ai/api/v1/chat/completions", { method: "POST", body: JSON.stringify([1]) }).catch((e: unknown) => e)) as ReplayMissError;
    expect(arrays.closest[0]).toBe("recordings[0] (body differs at /)");
  });

  it("replays a 204 without a body", async () => {
    const replay = replayFetch({
      exchanges: [{ request: { method: "DELETE", path: "/api/v1/keys/abc", body: null }, response: { status: 204, headers: {} } } as RecordedExchange],
    });
    const response = await replay("https://openrouter.ai/api/v1/keys/abc", { method: "DELETE" });
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });
});

describe("noNetwork", () => {
  const realFetch = globalThis.fetch;
  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  it("blocks a non-loopback URL naming the host (never the headers) and allows 127.0.0.1", async () => {
    const restore = noNetwork();
    try {
      const err = await fetch("https://openrouter.ai/api/v1/models", { headers: { authorization: `Bearer ${KEY}` } }).then(
        () => undefined,
        (e: unknown) => e as NetworkBlockedError,
      );
      expect(err).toBeInstanceOf(NetworkBlockedError);
      expect(err?.host).toBe("openrouter.ai");
      expect(err?.message).toContain("openrouter.ai");
      expect(err?.message).not.toContain(KEY);
      await expect(fetch(new Request("https://example.com/x", { method: "POST" }))).rejects.toThrow(/POST request to example\.com/);

      const { baseUrl } = await mock.listen();
      const res = await fetch(`${baseUrl}/models`);
      expect(res.status).toBe(200);
    } finally {
      restore();
    }
    expect(globalThis.fetch).toBe(realFetch);
  });

  it("is switched on by OPENROUTER_NO_NETWORK=1 and off otherwise", async () => {
    const off = noNetworkFromEnv({}, {});
    expect(globalThis.fetch).toBe(realFetch);
    off();
    const on = noNetworkFromEnv({}, { OPENROUTER_NO_NETWORK: "1" });
    await expect(fetch("https://openrouter.ai/api/v1/models")).rejects.toBeInstanceOf(NetworkBlockedError);
    on();
    expect(globalThis.fetch).toBe(realFetch);
  });

  it("recognises loopback hosts only", () => {
    expect(["127.0.0.1", "127.1.2.3", "localhost", "[::1]", "api.localhost"].every(isLoopbackHost)).toBe(true);
    expect(["openrouter.ai", "10.0.0.1", "128.0.0.1", "localhost.example.com"].some(isLoopbackHost)).toBe(false);
  });
});
