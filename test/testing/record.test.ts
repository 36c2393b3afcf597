/**
 * recordFetch / replayFetch (src/testing/record.ts, fixtures.ts) and noNetwork (src/testing/no-network.ts):
 * an exchange recorded through the real client replays through the real client, the key never reaches
 * the file, an unmatched request fails naming the closest recordings, and real network calls are blocked.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OpenRouter } from "../../src/index.js";
import {
  createMockOpenRouter,
  isLoopbackHost,
  listRecordings,
  NetworkBlockedError,
  noNetwork,
  noNetworkFromEnv,
  normaliseBody,
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
