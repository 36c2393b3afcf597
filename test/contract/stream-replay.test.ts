/**
 * Contract tests for streaming: every recorded SSE exchange on /chat/completions (test/fixtures/recorded,
 * provenance in its SOURCES.md) is replayed through the real client (`new OpenRouter({ fetch })` →
 * `client.chatStream`) and compared with what a tiny, independent reference reader derives from the raw SSE
 * text. Recordings that kept the network reads (`sse_chunks`) are served read by read. The replays run on both
 * transports: on the Node transport a loopback server serves the same bytes.
 */
import { describe, expect, it } from "vitest";
import {
  ContextLengthError,
  OpenRouter,
  OpenRouterError,
  isOpenRouterError,
  type ChatParams,
  type ChatResult,
} from "../../src/index.js";
import { chatResultFromResponse } from "../../src/core/result.js";
import type { ChatStreamEvent } from "../../src/stream/chat-stream.js";
import { type Recorded, listFixtures, loadFixture, recordedHeaders, recordedJson, replayFetch } from "../helpers/fixtures.js";
import { TRANSPORTS, type TransportCase } from "../helpers/transports.js";

type Json = Record<string, unknown>;

const isChatSse = (rec: Recorded) =>
  rec.kind.startsWith("chat-stream") ||
  rec.kind === "error-stream" ||
  (rec.response.sse !== undefined && rec.request.path.endsWith("/chat/completions"));

const fixtures = listFixtures()
  .map((name) => ({ name, rec: loadFixture(name) }))
  .filter(({ rec }) => isChatSse(rec));

/** The request as a chatStream() call (the prism recording kept no request: any valid one will do). */
function streamParams(rec: Recorded): ChatParams {
  const body = { ...((rec.request.body as Json | null) ?? { model: "openai/gpt-5", messages: [{ role: "user", content: "hi" }] }) };
  delete body["stream"];
  return body as unknown as ChatParams;
}

interface Reference {
  id: string | undefined;
  model: string | undefined;
  provider: string | undefined;
  text: string;
  reasoning: string;
  toolCalls: { index: number; id: string; name: string; arguments: string }[];
  usage: Json | undefined;
  finishReason: string | null;
  nativeFinishReason: string | null;
  annotations: unknown[];
  error: Json | undefined;
  dataEvents: number;
}

/**
 * The reference reader: deliberately naive and unlike src/stream/chat-stream.ts. It splits the whole text into lines on
 * any CR/LF form, groups `data:` lines into events at blank lines, skips `:` comments, stops at [DONE].
 */
function reference(sse: string): Reference {
  const payloads: string[] = [];
  let data: string[] = [];
  for (const line of sse.split(/\r\n|\r|\n/)) {
    if (line === "") {
      if (data.length) payloads.push(data.join("\n"));
      data = [];
    } else if (line.startsWith("data:")) {
      data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
    }
  }
  if (data.length) payloads.push(data.join("\n"));
  const ref: Reference = {
    id: undefined,
    model: undefined,
    provider: undefined,
    text: "",
    reasoning: "",
    toolCalls: [],
    usage: undefined,
    finishReason: null,
    nativeFinishReason: null,
    annotations: [],
    error: undefined,
    dataEvents: 0,
  };
  for (const payload of payloads) {
    if (payload === "[DONE]") break;
    const chunk = JSON.parse(payload) as Json;
    ref.dataEvents++;
    ref.id ??= chunk["id"] as string;
    ref.model = (chunk["model"] as string) ?? ref.model;
    ref.provider = (chunk["provider"] as string) ?? ref.provider;
    if (chunk["usage"]) ref.usage = chunk["usage"] as Json;
    if (chunk["error"]) ref.error = chunk["error"] as Json;
    const choice = (chunk["choices"] as Json[])[0];
    if (!choice) continue;
    const delta = (choice["delta"] ?? {}) as Json;
    ref.text += (delta["content"] as string | null) ?? "";
    ref.reasoning += (delta["reasoning"] as string | null) ?? "";
    ref.annotations.push(...((delta["annotations"] as unknown[]) ?? []));
    for (const t of (delta["tool_calls"] as Json[]) ?? []) {
      const fn = (t["function"] ?? {}) as Json;
      const call = (ref.toolCalls[t["index"] as number] ??= { index: t["index"] as number, id: "", name: "", arguments: "" });
      call.id ||= (t["id"] as string) ?? "";
      call.name ||= (fn["name"] as string) ?? "";
      call.arguments += (fn["arguments"] as string) ?? "";
    }
    ref.finishReason = (choice["finish_reason"] as string | null) ?? ref.finishReason;
    ref.nativeFinishReason = (choice["native_finish_reason"] as string | null) ?? ref.nativeFinishReason;
  }
  return ref;
}

/** Replays one recording through the real client, iterating the events. */
async function replay(rec: Recorded, t: TransportCase = TRANSPORTS[0]!) {
  const { fetch, sent } = replayFetch(rec);
  const client = new OpenRouter({ apiKey: "sk-or-test", ...t.serve(fetch) });
  const stream = client.chatStream(streamParams(rec));
  const events: ChatStreamEvent[] = [];
  let thrown: unknown;
  try {
    for await (const event of stream) events.push(event);
  } catch (e) {
    thrown = e;
  }
  const final = await stream.final().then(
    (result) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error }),
  );
  return { stream, events, thrown, sent, ...final };
}

/** What the events add up to, per type. */
function fromEvents(events: ChatStreamEvent[]) {
  let text = "";
  let reasoning = "";
  const args = new Map<number, string>();
  const usage: Json[] = [];
  for (const e of events) {
    if (e.type === "content") text += e.text;
    if (e.type === "reasoning") reasoning += e.text;
    if (e.type === "tool_call") args.set(e.index, (args.get(e.index) ?? "") + e.argumentsDelta);
    if (e.type === "usage") usage.push(e.usage as unknown as Json);
  }
  return { text, reasoning, args, usage };
}

function expectMatchesReference(result: ChatResult, ref: Reference) {
  expect(result.text).toBe(ref.text);
  expect(result.reasoning ?? "").toBe(ref.reasoning);
  expect(result.toolCalls.map((t) => ({ index: t.index, id: t.id, name: t.name, arguments: t.arguments }))).toEqual(ref.toolCalls);
  for (const call of result.toolCalls) expect(call.args).toEqual(JSON.parse(call.arguments || "{}"));
  expect(result.usage).toEqual(ref.usage);
  expect(result.cost).toBe(ref.usage?.["cost"] ?? undefined);
  expect(result.finishReason).toBe(ref.finishReason);
  expect(result.nativeFinishReason).toBe(ref.nativeFinishReason);
  expect(result.generationId).toBe(ref.id);
  expect(result.id).toBe(ref.id);
  expect(result.model).toBe(ref.model);
  expect(result.provider).toBe(ref.provider);
  expect(result.annotations).toEqual(ref.annotations);
}

describe.each(TRANSPORTS)("recorded SSE streams replay through client.chatStream on the $name transport", (t) => {
  it("finds every recorded chat stream (read from test/fixtures/recorded)", () => {
    const names = fixtures.map((f) => f.name);
    expect(names.length).toBeGreaterThanOrEqual(22);
    expect(names).toContain("error-midstream-01.json");
    expect(names.filter((n) => n.startsWith("stream-"))).toHaveLength(21);
    // Replays with the recorded network reads, not only the joined text.
    expect(fixtures.filter((f) => f.rec.response.sse_chunks).length).toBeGreaterThanOrEqual(5);
  });

  for (const { name, rec } of fixtures) {
    const ref = reference(rec.response.sse!);
    it(`${name}: ${ref.error ? "raises the in-band error with the partial output" : "assembles text, tool calls, usage and cost"}`, async () => {
      const { stream, events, thrown, sent, result, error } = await replay(rec, t);
      // The request that went out: stream: true, SSE accepted, to the recorded path.
      expect(sent).toHaveLength(1);
      expect(new URL(sent[0]!.url).pathname).toBe(rec.request.path);
      expect((sent[0]!.body as Json)["stream"]).toBe(true);
      expect(sent[0]!.headers.get("accept")).toContain("text/event-stream");

      const sum = fromEvents(events);
      if (ref.error) {
        expect(stream.outcome).toBe("error");
        expect(isOpenRouterError(thrown)).toBe(true);
        expect(error).toBe(thrown);
        const e = thrown as OpenRouterError;
        expect(e.message).toContain(String(ref.error["message"]));
        expect(e.code).toBe(ref.error["code"]);
        expect(e.generationId).toBe(ref.id);
        expect(e.partial).toBeDefined();
        expectMatchesReference(e.partial!, ref);
        expect(events.some((ev) => ev.type === "done")).toBe(false);
      } else {
        expect(thrown).toBeUndefined();
        expect(stream.outcome).toBe("completed");
        expectMatchesReference(result!, ref);
        const last = events[events.length - 1];
        expect(last?.type).toBe("done");
        expect(last?.type === "done" && last.result).toBe(result);
        expect(result!.timing?.totalMs).toBeGreaterThanOrEqual(0);
        expect(result!.timing?.ttfbMs).toBeGreaterThanOrEqual(0);
      }
      // The events add up to the same answer.
      expect(sum.text).toBe(ref.text);
      expect(sum.reasoning).toBe(ref.reasoning);
      expect([...sum.args.entries()].map(([index, a]) => ({ index, a }))).toEqual(ref.toolCalls.map((t) => ({ index: t.index, a: t.arguments })));
      expect(sum.usage).toEqual(ref.usage ? [ref.usage] : []);
    });

    it(`${name}: final() without iterating gives the same outcome`, async () => {
      const { fetch } = replayFetch(rec);
      const stream = new OpenRouter({ apiKey: "sk-or-test", ...t.serve(fetch) }).chatStream(streamParams(rec));
      const settled = await stream.final().then(
        (r) => r,
        (e: unknown) => e,
      );
      if (ref.error) {
        expect(isOpenRouterError(settled)).toBe(true);
        expectMatchesReference((settled as OpenRouterError).partial!, ref);
      } else {
        expectMatchesReference(settled as ChatResult, ref);
      }
    });
  }
});

describe("recorded streams: literal spot checks", () => {
  const byName = (n: string) => fixtures.find((f) => f.name === n)!.rec;

  it("stream-basic-01: keep-alives, finish repeated on the usage chunk, X-Generation-Id", async () => {
    const { result } = await replay(byName("stream-basic-01.json"));
    expect(result!.text).toBe("1\n2\n3");
    expect(result!.finishReason).toBe("stop");
    expect(result!.usage?.total_tokens).toBe(24);
    expect(result!.cost).toBe(0.00006);
    expect(result!.costSource).toBe("usage");
    expect(result!.generationId).toBe(result!.headers.get("x-generation-id"));
  });

  it("stream-basic-02: cost and usage from the choices:[] usage chunk", async () => {
    const { result, events } = await replay(byName("stream-basic-02.json"));
    expect(result!.text).toBe("2");
    expect(result!.usage?.prompt_tokens).toBe(27);
    expect(result!.cost).toBe(0.00000465);
    // The usage chunk comes after the finish.
    expect(events.map((e) => e.type).slice(-3)).toEqual(["finish", "usage", "done"]);
  });

  it("stream-tool-calls-01: argument fragments joined and parsed", async () => {
    const { result } = await replay(byName("stream-tool-calls-01.json"));
    expect(result!.toolCalls).toHaveLength(1);
    expect(result!.toolCalls[0]).toMatchObject({
      id: "toolu_bdrk_01FnJwNhnbF7UbXLQGHJ5dda",
      name: "weather",
      arguments: '{"latitude": "52.5200", "longitude": "13.4050"}',
      args: { latitude: "52.5200", longitude: "13.4050" },
    });
    expect(result!.finishReason).toBe("tool_calls");
    expect(result!.nativeFinishReason).toBe("tool_use");
    expect(result!.message.tool_calls?.[0]?.function.name).toBe("weather");
    expect(result!.cost).toBe(0.001008);
  });

  it("stream-reasoning-01: reasoning text and one merged reasoning_details entry with its signature", async () => {
    const { result } = await replay(byName("stream-reasoning-01.json"));
    expect(result!.text).toBe("2 + 2 = 4");
    expect(result!.reasoning).toBe("This is a simple arithmetic question. 2+2 equals 4.");
    expect(result!.reasoningDetails).toHaveLength(1);
    expect(result!.reasoningDetails[0]).toMatchObject({
      type: "reasoning.text",
      text: "This is a simple arithmetic question. 2+2 equals 4.",
      format: "anthropic-claude-v1",
      index: 0,
    });
    expect((result!.reasoningDetails[0] as { signature?: string }).signature).toMatch(/^Et0BCkgI/);
  });

  it("stream-web-search-01: url_citation annotations survive", async () => {
    const { result, events } = await replay(byName("stream-web-search-01.json"));
    expect(result!.annotations).toHaveLength(5);
    expect(result!.annotations[0]).toMatchObject({ type: "url_citation", url_citation: { url: "https://github.com/pydantic/pydantic-ai" } });
    expect(events.filter((e) => e.type === "annotation")).toHaveLength(5);
    expect(result!.usage?.server_tool_use_details?.web_search_requests).toBe(1);
  });

  it("error-midstream-01: the error next to usage after finish_reason length still raises, partial keeps text, reasoning and usage", async () => {
    const { thrown, stream } = await replay(byName("error-midstream-01.json"));
    expect(thrown).toBeInstanceOf(ContextLengthError); // code 400 "Token limit reached"
    const e = thrown as OpenRouterError;
    expect(e.message).toMatch(/^Token limit reached \(POST \/chat\/completions, model minimax\/minimax-m2:free\)/);
    expect(e.generationId).toBe("gen-1762179802-UN8pkJI4AGZvryk0kFnb");
    expect(e.partial?.reasoning).toBe("We need to respond to a greeting. The user");
    expect(e.partial?.finishReason).toBe("length");
    expect(e.partial?.usage?.total_tokens).toBe(53);
    expect(e.partial?.provider).toBe("Minimax");
    expect(stream.outcome).toBe("error");
  });

  it("stream-usage-01 and its non-streaming twin chat-usage-01 give the same ChatResult (but for the generation id)", async () => {
    const { result: streamed } = await replay(byName("stream-usage-01.json"));
    const twin = loadFixture("chat-usage-01.json");
    const plain = chatResultFromResponse(recordedJson(twin), { headers: recordedHeaders(twin) });
    const comparable = (r: ChatResult) => ({
      model: r.model,
      provider: r.provider,
      text: r.text,
      message: r.message,
      toolCalls: r.toolCalls,
      reasoning: r.reasoning,
      reasoningDetails: r.reasoningDetails,
      annotations: r.annotations,
      refusal: r.refusal,
      finishReason: r.finishReason,
      nativeFinishReason: r.nativeFinishReason,
      usage: r.usage,
      cost: r.cost,
      costSource: r.costSource,
    });
    expect(comparable(streamed!)).toEqual(comparable(plain));
    expect(streamed!.generationId).not.toBe(plain.generationId);
  });
});

describe("recorded Responses streams replay through client.responses.stream", () => {
  for (const name of ["responses-stream-01.json", "responses-stream-02.json"]) {
    it(`${name}: the events as sent, and a result matching what the raw SSE says`, async () => {
      const rec = loadFixture(name);
      const { fetch, sent } = replayFetch(rec);
      const client = new OpenRouter({ apiKey: "sk-or-test", fetch });
      const body = { ...(rec.request.body as Json) };
      delete body["stream"];
      const stream = client.responses.stream(body as never);
      const events: Json[] = [];
      for await (const event of stream) events.push(event as unknown as Json);
      const result = await stream.final();
      expect(sent[0]!.body).toEqual(rec.request.body);
      // The naive reference: every data payload but [DONE], parsed.
      const payloads = rec.response.sse!
        .split(/\n\n/)
        .filter((block) => block.startsWith("data: {"))
        .map((block) => JSON.parse(block.slice(6)) as Json);
      expect(events).toEqual(payloads);
      const text = payloads.filter((p) => p["type"] === "response.output_text.delta").map((p) => p["delta"]).join("");
      const reasoning = payloads.filter((p) => p["type"] === "response.reasoning_text.delta").map((p) => p["delta"]).join("");
      const completed = payloads.find((p) => p["type"] === "response.completed")!["response"] as Json;
      expect(result.text).toBe(text);
      expect(result.reasoning).toBe(reasoning === "" ? undefined : reasoning);
      expect(result.id).toBe(completed["id"]);
      expect(result.usage).toEqual(completed["usage"]);
      expect(result.cost).toBe((completed["usage"] as Json)["cost"]);
      expect(result.raw).toEqual(completed);
      expect(client.usage.snapshot().requests).toBe(1);
    });
  }
});
