/**
 * `client.messages.stream` (src/stream/event-stream.ts, event-machine.ts, messages-fold.ts) from the outside:
 * against the stand-in (in process and on a loopback server), a hand-fed body on fake timers, and a generated
 * stream re-chunked at every byte boundary. The same guarantees as `chatStream`, for Anthropic's events:
 * typed events and `final()`, `ping` and comments as keep-alives, the in-band `error` event with the partial
 * output kept, no success without `message_stop`, timeouts, retries only before the first event, cancelling.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  AbortError,
  ConnectionError,
  InvalidArgumentError,
  type MessagesStreamEvent,
  OpenRouter,
  type OpenRouterError,
  TimeoutError,
  isOpenRouterError,
} from "../../src/index.js";
import { createMockOpenRouter } from "../../src/testing/index.js";
import { collect } from "../helpers/collect.js";
import { manualStreamFetch } from "../helpers/manual-stream.js";
import { standInClient } from "../helpers/stand-in.js";

const KEY = "sk-or-v1-messages-stream-key-0123456789abcdef";
const MODEL = "anthropic/claude-haiku-4.5";
const ask = { model: MODEL, max_tokens: 300, messages: [{ role: "user" as const, content: "What is 2+2?" }] };
const encoder = new TextEncoder();

afterEach(() => {
  vi.useRealTimers();
});

const setup = (options: Parameters<typeof standInClient>[1] = {}) => standInClient(KEY, options);

const textOf = (events: MessagesStreamEvent[]) =>
  events.map((e) => (e.type === "content_block_delta" && e.delta.type === "text_delta" ? e.delta.text : "")).join("");

const event = (payload: { type: string } & Record<string, unknown>) => `event: ${payload.type}\ndata: ${JSON.stringify(payload)}\n\n`;
const start = event({ type: "message_start", message: { id: "gen-manual-m", type: "message", role: "assistant", model: MODEL, content: [], usage: { input_tokens: 9, output_tokens: 0 } } });
const blockStart = event({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
const text = (t: string) => event({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: t } });
const PING = event({ type: "ping" });

describe("client.messages.stream against the stand-in", () => {
  it("yields Anthropic's typed events and final() assembles thinking, text, usage and cost like create()", async () => {
    const { mock, client } = setup({ scenarios: [{ reply: { text: "It is four.", reasoning: "Two and two." } }] });
    const params = { ...ask, thinking: { type: "enabled", budget_tokens: 1024 } };
    const stream = client.messages.stream(params);
    const { events, error } = await collect(stream);
    expect(error).toBeUndefined();
    expect(events.slice(0, 2).map((e) => e.type)).toEqual(["message_start", "ping"]);
    expect(events.slice(-2).map((e) => e.type)).toEqual(["message_delta", "message_stop"]);
    expect(textOf(events)).toBe("It is four.");
    const result = await stream.final();
    const plain = await client.messages.create(params);
    for (const r of [result, plain]) {
      expect(r.text).toBe("It is four.");
      expect(r.thinking).toBe("Two and two.");
      expect(r.stopReason).toBe("end_turn");
      expect(r.content.map((b) => b.type)).toEqual(["thinking", "text"]);
      expect(r.content[0]!.signature).toMatch(/^sig_/);
    }
    expect(result.cost).toBe(mock.generations.get(result.id)!.total_cost);
    expect(result.usage?.input_tokens).toBe(plain.usage?.input_tokens);
    expect(result.usage?.output_tokens).toBe(plain.usage?.output_tokens);
    expect(mock.requests[0]!.body).toEqual({ ...params, stream: true });
    expect(client.usage.snapshot().costUsd).toBeCloseTo(mock.totalCost, 12);
  });

  it("joins input_json_delta fragments into the tool input", async () => {
    const { client } = setup({ scenarios: [{ reply: { toolCalls: [{ name: "get_weather", arguments: { city: "Paris", days: 3 } }] } }] });
    const result = await client.messages.stream({ ...ask, tools: [{ name: "get_weather", input_schema: { type: "object" } }] }).final();
    expect(result.stopReason).toBe("tool_use");
    expect(result.toolUses.map((t) => [t.name, t.input])).toEqual([["get_weather", { city: "Paris", days: 3 }]]);
  });

  it("keep-alive comments and pings change nothing (loopback server, platform fetch)", async () => {
    const mock = createMockOpenRouter({ apiKey: KEY, scenarios: [{ reply: "Four, with comments." }], faults: [{ fault: "keepalive-comments", count: 2 }] });
    const { baseUrl } = await mock.listen();
    try {
      const { events, error } = await collect(new OpenRouter({ apiKey: KEY, baseUrl }).messages.stream(ask));
      expect(error).toBeUndefined();
      expect(textOf(events)).toBe("Four, with comments.");
    } finally {
      await mock.close();
    }
  });

  it("the in-band error event is the typed error with the partial text; nothing is re-sent", async () => {
    const { mock, client } = setup({ scenarios: [{ reply: "one two three four five", faults: [{ fault: "midstream-error", afterChunks: 2 }] }] });
    const { events, error } = await collect(client.messages.stream(ask));
    expect(isOpenRouterError(error)).toBe(true);
    const e = error as OpenRouterError;
    expect(e.errorType).toBe("provider_unavailable");
    expect(e.message).toContain("Provider returned error");
    expect(e.partial?.text).toBe("one two ");
    expect(e.generationId).toMatch(/^gen-/);
    expect(events[events.length - 1]!.type).toBe("error");
    expect(mock.requests).toHaveLength(1);
  });

  it("a body that ends without message_stop is a truncation, never a success", async () => {
    const { client } = setup({ scenarios: [{ reply: "one two three four", faults: [{ fault: "truncate", afterChunks: 3 }] }] });
    const error = (await client.messages.stream(ask).final().catch((e: unknown) => e)) as OpenRouterError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toMatch(/without its terminal event \(message_stop\)/);
    expect(error.partial?.text).toBe("one two three ");
  });

  it("retries a 529 before the first event", async () => {
    const { mock, client } = setup({ faults: [{ fault: "overloaded-529", times: 1 }] });
    const result = await client.messages.stream(ask).final();
    expect(result.attempts).toBe(2);
    expect(mock.requests.map((r) => r.status)).toEqual([529, 200]);
  });

  it("bad input rejects with InvalidArgumentError and nothing is sent", async () => {
    const { mock, client } = setup();
    await expect(client.messages.stream({ ...ask, messages: [] }).final()).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.messages.stream({ ...ask, max_tokens: -1 })[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(mock.requests).toHaveLength(0);
  });

  it("break in the loop aborts the request; final() keeps the partial text", async () => {
    const server = manualStreamFetch();
    const stream = new OpenRouter({ apiKey: KEY, fetch: server.fetch }).messages.stream(ask);
    void vi.waitFor(() => expect(server.requests).toHaveLength(1)).then(() => server.push(start + blockStart + text("Hel") + text("lo")));
    for await (const e of stream) if (e.type === "content_block_delta") break;
    const error = (await stream.final().catch((e: unknown) => e)) as OpenRouterError;
    expect(error).toBeInstanceOf(AbortError);
    expect(error.partial?.text).toBe("Hello");
    expect(server.requests[0]!.signal.aborted).toBe(true);
  });
});

describe("Messages stream timeouts (fake timers)", () => {
  it("ping events, like comments, do not count as the first event", async () => {
    vi.useFakeTimers();
    const server = manualStreamFetch();
    const stream = new OpenRouter({ apiKey: KEY, fetch: server.fetch }).messages.stream(ask, { firstEventTimeoutMs: 1000 });
    const events: string[] = [];
    const settled = (async () => {
      try {
        for await (const e of stream) events.push(e.type);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    for (let i = 0; i < 9; i++) {
      server.push(i % 2 === 0 ? PING : ": OPENROUTER PROCESSING\n\n");
      await vi.advanceTimersByTimeAsync(100);
    }
    await vi.advanceTimersByTimeAsync(150);
    const error = (await settled) as OpenRouterError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/firstEventTimeoutMs \(1000 ms\) \(9 keep-alive comments received meanwhile\)/);
    // The pings were delivered as events all the same.
    expect(events).toEqual(["ping", "ping", "ping", "ping", "ping"]);
  });

  it("after some text, pings alone do not keep the stream alive: the idle timeout fires with the partial text", async () => {
    vi.useFakeTimers();
    const server = manualStreamFetch();
    const stream = new OpenRouter({ apiKey: KEY, fetch: server.fetch }).messages.stream(ask, { idleTimeoutMs: 500 });
    const settled = stream.final().catch((e: unknown) => e);
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    server.push(start + blockStart + text("Hi"));
    for (let i = 0; i < 10; i++) {
      server.push(PING);
      await vi.advanceTimersByTimeAsync(100);
    }
    const error = (await settled) as OpenRouterError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/idleTimeoutMs \(500 ms\)/);
    expect(error.partial?.text).toBe("Hi");
  });
});

describe("a Messages stream re-chunked", () => {
  it("a cut at every byte boundary, 1-byte reads and CRLF give the same events and result (multi-byte text too)", async () => {
    const { mock, client } = setup({ scenarios: [{ reply: { text: "Vier — 4 °C, ☃ und 🎉 fertig.", reasoning: "Zwei plus zwei." } }] });
    const raw = await mock.fetch("https://openrouter.ai/api/v1/messages", {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ ...ask, stream: true, thinking: { type: "enabled", budget_tokens: 100 } }),
    });
    const sse = await raw.text();
    const bytes = encoder.encode(sse);
    let reads: Uint8Array[] = [];
    const fetchImpl = async () => {
      const queue = reads;
      let i = 0;
      const body = new ReadableStream<Uint8Array>({
        pull: (c) => (i < queue.length ? c.enqueue(queue[i++]!.slice()) : c.close()),
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    };
    const replay = new OpenRouter({ apiKey: KEY, fetch: fetchImpl as typeof fetch });
    const run = async (next: Uint8Array[]) => {
      reads = next;
      const stream = replay.messages.stream(ask);
      const { events, error } = await collect(stream);
      const result = error === undefined ? await stream.final() : undefined;
      return { events, error, text: result?.text, thinking: result?.thinking, usage: result?.usage, content: result?.content };
    };
    const baseline = await run([bytes]);
    expect(baseline.error).toBeUndefined();
    expect(baseline.text).toBe("Vier — 4 °C, ☃ und 🎉 fertig.");
    expect(baseline.thinking).toBe("Zwei plus zwei.");
    expect(client).toBeDefined();
    for (let at = 1; at < bytes.length; at++) {
      const got = await run([bytes.subarray(0, at), bytes.subarray(at)]);
      if (got.error !== undefined || got.text !== baseline.text || got.events.length !== baseline.events.length) expect(got, `cut at byte ${at}`).toEqual(baseline);
    }
    expect(await run(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)))).toEqual(baseline);
    expect(await run([encoder.encode(sse.replace(/\n/g, "\r\n"))])).toEqual(baseline);
  }, 120_000);
});
