/**
 * Scripting and faults on the Responses and Messages streams (src/testing/sse-events.ts): scripted event
 * lists (events, comments, pauses, raw text), in-band `error` events, truncation without the final event
 * (closed or reset), keep-alive comments and stalls, through scenarios, `injectFaults` and the
 * `x-mock-fault` header, in process and over the loopback server.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createMockOpenRouter, type MockOpenRouter } from "../../src/testing/index.js";
import { validateSseData } from "../helpers/spec.js";
import { readStream } from "./sse.js";

const BASE = "https://openrouter.ai/api/v1";
const responsesBody = { model: "openai/gpt-4o-mini", input: "Hi", stream: true };
const messagesBody = { model: "anthropic/claude-haiku-4.5", max_tokens: 100, messages: [{ role: "user", content: "Hi" }], stream: true };
const words = "alpha beta gamma delta epsilon zeta";

let mocks: MockOpenRouter[] = [];
function standIn(options: Parameters<typeof createMockOpenRouter>[0] = {}) {
  const mock = createMockOpenRouter({ scenarios: [{ reply: words }], ...options });
  mocks.push(mock);
  return mock;
}
afterEach(async () => {
  await Promise.all(mocks.map((m) => m.close()));
  mocks = [];
});

function send(mock: MockOpenRouter, path: "/responses" | "/messages", fault?: string, base = BASE, fetcher: typeof fetch = mock.fetch) {
  const body = path === "/responses" ? responsesBody : messagesBody;
  const headers: Record<string, string> = { "content-type": "application/json", ...(fault ? { "x-mock-fault": fault } : {}) };
  return fetcher(`${base}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
}

const types = (events: Array<{ data: any }>) => events.map((e) => (typeof e.data === "string" ? e.data : e.data.type));

describe("Responses stream faults", () => {
  it("midstream-error: some text deltas, then an in-band error event that validates, and no response.completed", async () => {
    const mock = standIn();
    const stream = await readStream(await send(mock, "/responses", "midstream-error;after=2"));
    const t = types(stream.events);
    expect(t.filter((x) => x === "response.output_text.delta").length).toBeLessThan(6);
    expect(t).not.toContain("response.completed");
    const error = stream.events.find((e) => e.data.type === "error")!.data;
    expect(validateSseData("POST", "/responses", error).errors).toBe("");
    expect(error).toMatchObject({ type: "error", code: "server_error", message: "Provider returned error" });
    expect(mock.requests[0]!.faults).toEqual(["midstream-error"]);
  });

  it("truncate: the body ends cleanly without response.completed or [DONE]; mode=reset errors the reader", async () => {
    const mock = standIn();
    const closed = await readStream(await send(mock, "/responses", "truncate;after=1"));
    expect(closed.failure).toBeUndefined();
    const t = types(closed.events);
    expect(t).toContain("response.created");
    expect(t).not.toContain("response.completed");
    expect(t).not.toContain("[DONE]");
    expect(t.filter((x) => x === "response.output_text.delta")).toHaveLength(1);

    const reset = await readStream(await send(mock, "/responses", "truncate;mode=reset"));
    expect(reset.failure).toBeInstanceOf(TypeError);
    expect(types(reset.events)).not.toContain("response.completed");
    expect([...mock.generations.values()].every((g) => g["cancelled"] === true)).toBe(true);
  });

  it("truncate over the loopback server cuts the real socket the same way", async () => {
    const mock = standIn();
    const { baseUrl } = await mock.listen();
    const stream = await readStream(await send(mock, "/responses", "truncate;after=2", baseUrl, fetch));
    expect(types(stream.events)).not.toContain("response.completed");
    expect(types(stream.events).filter((x) => x === "response.output_text.delta")).toHaveLength(2);
  });

  it("keepalive-comments: OPENROUTER PROCESSING comments between events; the events are unchanged", async () => {
    const mock = standIn();
    const plain = await readStream(await send(mock, "/responses"));
    const padded = await readStream(await send(mock, "/responses", "keepalive-comments;count=1"));
    const comments = padded.items.filter((i) => i.kind === "comment");
    expect(comments.length).toBeGreaterThan(plain.items.filter((i) => i.kind === "comment").length + 5);
    expect(comments.every((c) => c.kind === "comment" && c.text.trim() === "OPENROUTER PROCESSING")).toBe(true);
    expect(types(padded.events)).toEqual(types(plain.events));
  });

  it("stall: after some content, the injected sleep is asked to wait the stall, then the stream completes", async () => {
    const waits: number[] = [];
    const mock = standIn({ sleep: async (ms) => void waits.push(ms) });
    const stream = await readStream(await send(mock, "/responses", "stall;after=1;delay=45000"));
    expect(waits).toEqual([45_000]);
    expect(types(stream.events).slice(-2)).toEqual(["response.completed", "[DONE]"]);
  });

  it("stall works on chat streams too: the pause comes after the given number of content chunks", async () => {
    const waits: number[] = [];
    const mock = standIn({ sleep: async (ms) => void waits.push(ms) });
    const response = await mock.fetch(`${BASE}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-mock-fault": "stall;after=3;delay=9000" },
      body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hi" }], stream: true }),
    });
    const text = (await readStream(response)).events.map((e) => e.data?.choices?.[0]?.delta?.content ?? "").join("");
    expect(waits).toEqual([9_000]);
    expect(text).toBe(words);
  });

  it("queued faults (injectFaults) and scenario faults apply to Responses requests too", async () => {
    const mock = standIn({ scenarios: [{ api: "responses", reply: words, faults: [{ fault: "truncate", times: 1 }] }] });
    expect(types((await readStream(await send(mock, "/responses"))).events)).not.toContain("response.completed");
    expect(types((await readStream(await send(mock, "/responses"))).events)).toContain("response.completed");
    mock.injectFaults("overloaded-529");
    expect((await send(mock, "/responses")).status).toBe(529);
  });
});

describe("Messages stream faults", () => {
  it("midstream-error: an `event: error` with Anthropic's error object, no message_stop", async () => {
    const mock = standIn();
    const stream = await readStream(await send(mock, "/messages", "midstream-error;after=1"));
    const error = stream.events.find((e) => e.event === "error")!;
    expect(error.data).toMatchObject({ type: "error", error: { type: "api_error" } });
    expect(stream.events.map((e) => e.event)).not.toContain("message_stop");
    expect(stream.events.filter((e) => e.data?.delta?.type === "text_delta")).toHaveLength(1);
  });

  it("truncate: no message_delta, message_stop or [DONE]", async () => {
    const mock = standIn();
    const names = (await readStream(await send(mock, "/messages", "truncate"))).events.map((e) => e.event);
    expect(names.slice(0, 2)).toEqual(["message_start", "ping"]);
    for (const missing of ["message_delta", "message_stop", "data"]) expect(names).not.toContain(missing);
  });
});

describe("scripted events", () => {
  const script = [
    { data: { type: "response.created", sequence_number: 0, response: { id: "resp_1", output: [] } } },
    { comment: "OPENROUTER PROCESSING" },
    { delayMs: 2_000 },
    { data: { type: "response.output_text.delta", sequence_number: 1, delta: "Hel" } },
    { data: { type: "response.output_text.delta", sequence_number: 2, delta: "lo" } },
    { data: { type: "error", sequence_number: 3, code: "rate_limit_exceeded", message: "Slow down" } },
    { raw: "data: [DONE]\n\n" },
  ];

  it("a reply's events are sent exactly as scripted, with comments and pauses", async () => {
    const waits: number[] = [];
    const mock = standIn({ scenarios: [{ api: "responses", reply: { text: "Hello", events: script } }], sleep: async (ms) => void waits.push(ms) });
    const stream = await readStream(await send(mock, "/responses"));
    expect(waits).toEqual([2_000]);
    expect(types(stream.events)).toEqual(["response.created", "response.output_text.delta", "response.output_text.delta", "error", "[DONE]"]);
    expect(stream.items.filter((i) => i.kind === "comment")).toHaveLength(2); // the stand-in's opening one and the scripted one
    for (const e of stream.events.slice(0, -1)) expect(validateSseData("POST", "/responses", e.data).errors).toBe("");
  });

  it("faults apply to scripted events: truncate after two events drops the rest (every scripted event counts)", async () => {
    const mock = standIn({ scenarios: [{ reply: { events: script } }], sleep: async () => {} });
    const stream = await readStream(await send(mock, "/responses", "truncate;after=2"));
    expect(types(stream.events)).toEqual(["response.created", "response.output_text.delta"]);
  });

  it("Messages events can be scripted with their event names", async () => {
    const mock = standIn({
      scenarios: [{ api: "messages", reply: { events: [{ event: "message_start", data: { type: "message_start", message: { id: "m1" } } }, { event: "ping", data: { type: "ping" } }] } }],
    });
    const stream = await readStream(await send(mock, "/messages"));
    expect(stream.events).toEqual([
      { event: "message_start", data: { type: "message_start", message: { id: "m1" } } },
      { event: "ping", data: { type: "ping" } },
    ]);
  });

  it("refuses events that are not an array when the mock is created", () => {
    expect(() => createMockOpenRouter({ scenarios: [{ reply: { events: "nope" as never } }] })).toThrow(/reply.events must be an array/);
  });
});
