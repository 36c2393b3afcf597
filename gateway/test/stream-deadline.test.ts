/**
 * The stream timeouts: the deadline alone under fake timers (one timer per stream, data only records the
 * time, keep-alive comments are not progress), then the gateway in front of a loopback upstream that goes
 * silent (before its headers, after its headers, mid-answer, or sending only keep-alive comments): the app gets
 * what arrived and then an error event, never `[DONE]`, the upstream request is aborted and the row settled.
 * An app slow to read is not taken for a silent upstream. Also the non-stream path: a chat upstream that never
 * answers ends with the client's total timeout.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createGateway, createKey, type Gateway } from "../src/index.js";
import { StreamDeadline, streamTimeouts, type DeadlineKind } from "../src/stream-deadline.js";
import { collectDeltas, loopbackUpstream, tempDir, type LoopbackUpstream } from "./helpers.js";

describe("StreamDeadline (fake timers)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function deadline(first: number, idle: number): { d: StreamDeadline; fired: DeadlineKind[] } {
    vi.useFakeTimers();
    const d = new StreamDeadline({ firstEventTimeoutMs: first, idleTimeoutMs: idle }, () => Date.now());
    const fired: DeadlineKind[] = [];
    d.onExpire = (kind) => fired.push(kind);
    return { d, fired };
  }

  it("the first-event window counts from the start; the idle window from the last data event; one timer throughout", () => {
    const { d, fired } = deadline(1_000, 300);
    d.start();
    d.onHeaders();
    vi.advanceTimersByTime(999);
    expect(fired).toEqual([]);
    d.onData();
    expect(vi.getTimerCount()).toBe(1);
    // Data every 200 ms for a long while: never idle, and no timer per chunk.
    for (let i = 0; i < 20; i++) {
      vi.advanceTimersByTime(200);
      d.onData();
      expect(vi.getTimerCount()).toBe(1);
    }
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(299);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(2);
    expect(fired).toEqual(["idle"]);
    expect(d.message()).toContain("idleTimeoutMs (300 ms)");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("with no data event the first-event timeout passes, however short the idle one is", () => {
    const { d, fired } = deadline(1_000, 100);
    d.start();
    d.onHeaders();
    vi.advanceTimersByTime(999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(["first"]);
    expect(d.message()).toContain("firstEventTimeoutMs (1000 ms)");
  });

  it("only idleTimeoutMs: the idle window counts from the headers; 0 and 0 arm nothing; stop clears the timer", () => {
    const { d, fired } = deadline(0, 200);
    d.start();
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual([]);
    d.onHeaders();
    vi.advanceTimersByTime(200);
    expect(fired).toEqual(["idle"]);
    const off = new StreamDeadline({ firstEventTimeoutMs: 0, idleTimeoutMs: 0 }, () => Date.now());
    off.start();
    off.onHeaders();
    off.onData();
    expect(vi.getTimerCount()).toBe(0);
    const stopped = new StreamDeadline({ firstEventTimeoutMs: 100, idleTimeoutMs: 100 }, () => Date.now());
    stopped.start();
    stopped.stop();
    stopped.onData();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("while held (the app is not reading), time does not count; the silence before the hold still does", () => {
    const { d, fired } = deadline(1_000, 300);
    d.start();
    d.onData();
    vi.advanceTimersByTime(200);
    d.hold();
    vi.advanceTimersByTime(5_000);
    expect(fired).toEqual([]);
    d.release();
    // 200 ms of the window were used before the hold: 100 are left.
    vi.advanceTimersByTime(99);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(2);
    expect(fired).toEqual(["idle"]);
  });

  it("the values come from the client options by the client's rule, with its defaults", () => {
    expect(streamTimeouts(undefined)).toEqual({ firstEventTimeoutMs: 300_000, idleTimeoutMs: 120_000 });
    expect(streamTimeouts({ firstEventTimeoutMs: 50 })).toEqual({ firstEventTimeoutMs: 50, idleTimeoutMs: 120_000 });
    expect(streamTimeouts({ idleTimeoutMs: 70 })).toEqual({ firstEventTimeoutMs: 0, idleTimeoutMs: 70 });
  });
});

// ---- the gateway in front of a loopback upstream that goes silent ----

const event = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const firstChunk = event({ id: "gen-t1", provider: "FakeProv", object: "chat.completion.chunk", model: "fake/partial", choices: [{ index: 0, delta: { content: "Hel" }, finish_reason: null }] });
const FIRST_MS = 300;
const IDLE_MS = 150;

let fake: LoopbackUpstream;
let gateway: Gateway;
let url: string;
let key: string;
const tmp = tempDir();
/** Models whose upstream request was closed (aborted by the gateway, since the upstream never ends it). */
const upstreamClosed: string[] = [];
const timers = new Set<ReturnType<typeof setInterval>>();

function upstream(req: IncomingMessage, res: ServerResponse, body: string): void {
  if (req.url?.startsWith("/api/v1/generation")) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ data: { id: "gen-t1", total_cost: 0.0000777, provider_name: "FakeProv", native_tokens_prompt: 11, native_tokens_completion: 2 } }));
    return;
  }
  const model = (JSON.parse(body) as { model: string }).model;
  res.on("close", () => upstreamClosed.push(model));
  // Every model below goes silent at some point and never ends its response: only the gateway can.
  if (model === "fake/no-headers") return;
  if (model === "fake/json-never") return;
  res.writeHead(200, { "content-type": "text/event-stream" });
  res.flushHeaders();
  if (model === "fake/partial") res.write(firstChunk);
  if (model === "fake/complete") {
    // A healthy stream in two network writes: the app, not the upstream, is the slow one.
    res.write(firstChunk);
    setTimeout(() => res.end(event({ id: "gen-t1", choices: [{ index: 0, delta: { content: "lo" }, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 2, cost: 0.00001 } }) + "data: [DONE]\n\n"), 20);
  }
  if (model === "fake/keep-alive") {
    // Comments far more often than either timeout: they must not count as data.
    const timer = setInterval(() => res.write(": OPENROUTER PROCESSING\n\n"), 20);
    timers.add(timer);
    res.on("close", () => clearInterval(timer));
  }
}

beforeAll(async () => {
  fake = await loopbackUpstream(upstream);
  const base = fake.base;
  gateway = await createGateway({
    db: `${tmp.dir}/timeouts.sqlite`,
    upstreamApiKey: "up-key",
    upstreamBaseUrl: base,
    client: { retry: false, timeoutMs: 1_500, firstEventTimeoutMs: FIRST_MS, idleTimeoutMs: IDLE_MS },
  });
  ({ url } = await gateway.listen({ port: 0 }));
  ({ key } = await createKey(gateway.store.db, { name: "timeouts" }, Date.now()));
});

afterAll(async () => {
  for (const t of timers) clearInterval(t);
  fake.server.closeAllConnections();
  await gateway.close();
  await fake.close();
  tmp.cleanup();
});

const post = (model: string, stream: boolean) =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, stream, max_tokens: 20, messages: [{ role: "user", content: "hi" }] }),
  });

async function settledRow(id: string) {
  for (let i = 0; i < 300; i++) {
    const r = await gateway.store.db.selectFrom("gateway_usage").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    if (r.state !== "open") return r;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error(`row ${id} never settled`);
}

async function closedUpstream(model: string): Promise<boolean> {
  for (let i = 0; i < 300 && !upstreamClosed.includes(model); i++) await new Promise((r) => setTimeout(r, 10));
  return upstreamClosed.includes(model);
}

describe("stream timeouts through the gateway (a socket, plain fetch and the openai SDK)", () => {
  it("headers, then nothing: the app gets the first-event timeout as an error event, the upstream call is aborted, the row closed", async () => {
    const res = await post("fake/silent", true);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('"code":"upstream_timeout"');
    expect(text).toContain(`firstEventTimeoutMs (${FIRST_MS} ms)`);
    expect(text).not.toContain("[DONE]");
    expect(await closedUpstream("fake/silent")).toBe(true);
    const row = await settledRow(res.headers.get("x-request-id")!);
    // No generation id ever came: nothing to look up, the row is closed without a cost.
    expect(row).toMatchObject({ state: "done", stream_outcome: "timeout", status: 504, generation_id: null, cost_usd: 0 });
  });

  it("some content, then silence: the openai SDK gets the content, then an error; the row is settled from /generation", async () => {
    const openai = new OpenAI({ apiKey: key, baseURL: `${url}/v1`, maxRetries: 0 });
    const { data: stream, response } = await openai.chat.completions.create({ model: "fake/partial", stream: true, messages: [{ role: "user", content: "hi" }], max_tokens: 20 }).withResponse();
    const { got, error } = await collectDeltas(stream);
    expect(got).toEqual(["Hel"]);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(String((error as Error).message)).toContain(`idleTimeoutMs (${IDLE_MS} ms)`);
    expect(await closedUpstream("fake/partial")).toBe(true);
    const row = await settledRow(response.headers.get("x-request-id")!);
    expect(row).toMatchObject({ state: "done", stream_outcome: "timeout", status: 504, generation_id: "gen-t1", provider: "FakeProv", cost_usd: 0.0000777, prompt_tokens: 11, completion_tokens: 2 });
    expect(row.ttft_ms).not.toBeNull();
  });

  it("called as fetch (no socket) too: what arrived, then the idle timeout's error event, never [DONE]", async () => {
    const res = await gateway.fetch(
      new Request("http://gw/v1/chat/completions", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "fake/partial", stream: true, messages: [{ role: "user", content: "hi" }] }),
      }),
    );
    const text = await res.text();
    expect(text.startsWith(firstChunk)).toBe(true);
    expect(text).toContain(`"code":"upstream_timeout"`);
    expect(text).toContain(`idleTimeoutMs (${IDLE_MS} ms)`);
    expect(text).not.toContain("[DONE]");
    expect(await settledRow(res.headers.get("x-request-id")!)).toMatchObject({ state: "done", stream_outcome: "timeout", cost_usd: 0.0000777 });
  });

  it("an app that takes its time between reads is not the upstream's silence: the stream completes", async () => {
    const res = await gateway.fetch(
      new Request("http://gw/v1/chat/completions", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "fake/complete", stream: true, messages: [{ role: "user", content: "hi" }] }),
      }),
    );
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value, { stream: true });
    expect(text).toBe(firstChunk);
    // Longer than the idle timeout; the upstream has sent everything meanwhile.
    await new Promise((r) => setTimeout(r, IDLE_MS * 3));
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value, { stream: true });
    expect(text).not.toContain("upstream_timeout");
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(await settledRow(res.headers.get("x-request-id")!)).toMatchObject({ stream_outcome: "completed", status: 200 });
  });

  it("keep-alive comments alone do not keep a stream alive past the first-event timeout (nor trip the idle one)", async () => {
    const res = await post("fake/keep-alive", true);
    const text = await res.text();
    expect(text.startsWith(": OPENROUTER PROCESSING\n\n")).toBe(true);
    expect(text).toContain(`firstEventTimeoutMs (${FIRST_MS} ms)`);
    expect(text).not.toContain("idleTimeoutMs");
    expect(text).not.toContain("[DONE]");
    expect(await closedUpstream("fake/keep-alive")).toBe(true);
    expect(await settledRow(res.headers.get("x-request-id")!)).toMatchObject({ stream_outcome: "timeout", status: 504 });
  });

  it("no headers at all: the first-event timeout (shorter than the total one) ends the call with a 504", async () => {
    const res = await post("fake/no-headers", true);
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ error: { code: "upstream_timeout" } });
    expect(await closedUpstream("fake/no-headers")).toBe(true);
    expect(await settledRow(res.headers.get("x-request-id")!)).toMatchObject({ state: "done", status: 504, cost_usd: 0 });
  });

  it("a chat (not streamed) whose upstream never answers ends with the client's total timeout", async () => {
    const res = await post("fake/json-never", false);
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ error: { type: "api_error", code: "timeout" } });
    expect(await closedUpstream("fake/json-never")).toBe(true);
    expect(await settledRow(res.headers.get("x-request-id")!)).toMatchObject({ state: "done", status: 504, cost_usd: 0 });
  });
});
