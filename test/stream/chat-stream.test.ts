/**
 * Unit tests for ChatStream: assembly (index-less tool calls, reasoning_details merging, usage chunks),
 * event order, the read-once rules, final() without iterating, toReadableStream/textStream, the outcomes
 * (completed / error / truncated / timeout / aborted) and the timing metrics. Bodies are web ReadableStreams
 * fed to `open`, exactly what the client hands over after a 2xx; timeouts use fake timers.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ConnectionError,
  InvalidArgumentError,
  OpenRouterError,
} from "../../src/core/errors.js";
import {
  AbortError,
  InvalidResponseError,
  RateLimitError,
  StreamError,
  TimeoutError,
} from "../../src/core/call-errors.js";
import { ChatStream, type ChatStreamEvent, type ChatStreamInit, type ChatStreamSettled } from "../../src/stream/chat-stream.js";
import { EventChannel } from "../../src/core/final-iterable.js";
import { responseOf } from "../../src/core/transport.js";
import { collect } from "../helpers/collect.js";

type Json = Record<string, unknown>;
const encoder = new TextEncoder();
const GEN = "gen-1700000000-unittestunittest0001";

function data(payload: Json | string): string {
  return `data: ${typeof payload === "string" ? payload : JSON.stringify(payload)}\n\n`;
}
function chunk(delta: Json, finish: string | null = null, extra: Json = {}): Json {
  return { id: GEN, object: "chat.completion.chunk", model: "test/model", provider: "TestProvider", choices: [{ index: 0, delta, finish_reason: finish }], ...extra };
}
const usage = { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, cost: 0.000123 };
const DONE = "data: [DONE]\n\n";

/** A body that yields the given pieces (strings or bytes) one read at a time. */
function body(pieces: (string | Uint8Array)[], onCancel?: (reason: unknown) => void): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const piece = pieces[i++];
      if (piece === undefined) controller.close();
      else controller.enqueue(typeof piece === "string" ? encoder.encode(piece) : piece);
    },
    cancel: (reason) => onCancel?.(reason),
  });
}

function sse(pieces: (string | Uint8Array)[], headers: Record<string, string> = {}, onCancel?: (r: unknown) => void): Response {
  return new Response(body(pieces, onCancel), { headers: { "content-type": "text/event-stream", ...headers } });
}

/** A body the test pushes into by hand (for timeouts and aborts). */
function manualBody() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled: unknown = "not cancelled";
  const stream = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
    cancel: (reason) => {
      cancelled = reason;
    },
  });
  return {
    response: new Response(stream, { headers: { "content-type": "text/event-stream" } }),
    push: (text: string) => controller.enqueue(encoder.encode(text)),
    close: () => controller.close(),
    error: (e: unknown) => controller.error(e),
    get cancelled() {
      return cancelled;
    },
    /** Chunks pushed that no reader has taken yet (the stream's queue holds one before it asks for more). */
    get unread() {
      return 1 - (controller.desiredSize ?? 1);
    },
  };
}

const INFO = { method: "POST", path: "/chat/completions", model: "test/model" };

function streamOf(response: Response | Promise<Response>, init: Partial<ChatStreamInit> = {}): ChatStream {
  return new ChatStream({ open: () => Promise.resolve(response), info: INFO, ...init });
}

/** `streamOf` over a hand-fed body, keeping the signal the request was opened with. */
function watchedStreamOf(response: Response, init: Partial<ChatStreamInit> = {}) {
  const opened: { signal?: AbortSignal } = {};
  const stream = streamOf(response, {
    open: async (signal) => {
      opened.signal = signal;
      return response;
    },
    ...init,
  });
  return { stream, opened };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("assembly", () => {
  it("joins tool-call fragments without an index: a new id starts a call, no id continues the last one", async () => {
    const stream = streamOf(
      sse([
        data(chunk({ role: "assistant", tool_calls: [{ id: "call_a", type: "function", function: { name: "lookup", arguments: '{"q":' } }] })),
        data(chunk({ tool_calls: [{ function: { arguments: '"cats"}' } }] })),
        data(chunk({ tool_calls: [{ id: "call_b", function: { name: "now", arguments: "" } }] })),
        data(chunk({ tool_calls: [{ function: { arguments: "{}" } }] })),
        data(chunk({}, "tool_calls")),
        DONE,
      ]),
    );
    const { events, error } = await collect(stream);
    expect(error).toBeUndefined();
    const fragments = events.filter((e) => e.type === "tool_call");
    expect(fragments.map((e) => [e.index, e.id, e.name, e.argumentsDelta])).toEqual([
      [0, "call_a", "lookup", '{"q":'],
      [0, undefined, undefined, '"cats"}'],
      [1, "call_b", "now", ""],
      [1, undefined, undefined, "{}"],
    ]);
    const result = await stream.final();
    expect(result.toolCalls.map(({ index, id, name, arguments: a, args }) => ({ index, id, name, a, args }))).toEqual([
      { index: 0, id: "call_a", name: "lookup", a: '{"q":"cats"}', args: { q: "cats" } },
      { index: 1, id: "call_b", name: "now", a: "{}", args: {} },
    ]);
    expect(result.message.tool_calls).toEqual([
      { id: "call_a", type: "function", function: { name: "lookup", arguments: '{"q":"cats"}' } },
      { id: "call_b", type: "function", function: { name: "now", arguments: "{}" } },
    ]);
    expect(result.text).toBe("");
    expect(result.message.content).toBeNull();
  });

  it("tool calls by index, interleaved; a known id without index continues its call; a different id at a taken index starts a new call", async () => {
    const result = await streamOf(
      sse([
        data(chunk({ tool_calls: [{ index: 0, id: "a", function: { name: "f", arguments: "[1" } }, { index: 1, id: "b", function: { name: "g", arguments: "[2" } }] })),
        data(chunk({ tool_calls: [{ index: 1, function: { arguments: ",2]" } }, { index: 0, function: { arguments: ",1]" } }] })),
        data(chunk({ tool_calls: [{ id: "a", function: { arguments: "" } }] })),
        data(chunk({ tool_calls: [{ index: 0, id: "c", function: { name: "h", arguments: "3" } }] })),
        data(chunk({}, "tool_calls")),
        DONE,
      ]),
    ).final();
    expect(result.toolCalls.map((t) => [t.index, t.id, t.name, t.arguments])).toEqual([
      [0, "a", "f", "[1,1]"],
      [1, "b", "g", "[2,2]"],
      [2, "c", "h", "3"],
    ]);
  });

  it("a tool call whose arguments do not parse keeps the raw string and the parse error", async () => {
    const result = await streamOf(
      sse([data(chunk({ tool_calls: [{ index: 0, id: "x", function: { name: "f", arguments: '{"a":' } }] }, "length")), DONE]),
    ).final();
    expect(result.toolCalls[0]?.arguments).toBe('{"a":');
    expect(result.toolCalls[0]?.args).toBeUndefined();
    expect(result.toolCalls[0]?.parseError).toBeTruthy();
  });

  it("merges reasoning_details deltas per (type, index): text concatenated, signature kept, summary and encrypted apart", async () => {
    const result = await streamOf(
      sse([
        data(chunk({ reasoning: "", reasoning_details: [{ type: "reasoning.text", text: "", signature: "", format: "anthropic-claude-v1", index: 0 }] })),
        data(chunk({ reasoning: "Let me ", reasoning_details: [{ type: "reasoning.text", text: "Let me ", format: "anthropic-claude-v1", index: 0 }] })),
        data(chunk({ reasoning: "think.", reasoning_details: [{ type: "reasoning.text", text: "think.", format: "anthropic-claude-v1", index: 0 }] })),
        data(chunk({ reasoning_details: [{ type: "reasoning.text", signature: "SIG123", format: "anthropic-claude-v1", index: 0 }] })),
        data(chunk({ reasoning_details: [{ type: "reasoning.summary", summary: "**Plan** ", index: 0 }] })),
        data(chunk({ reasoning_details: [{ type: "reasoning.summary", summary: "do it", index: 0 }] })),
        data(chunk({ reasoning_details: [{ type: "reasoning.encrypted", data: "gAAAA-secret", id: "rs_1", index: 0 }] })),
        data(chunk({ content: "Answer" }, "stop")),
        DONE,
      ]),
    ).final();
    expect(result.reasoning).toBe("Let me think.");
    expect(result.reasoningDetails).toEqual([
      { type: "reasoning.text", text: "Let me think.", signature: "SIG123", format: "anthropic-claude-v1", index: 0 },
      { type: "reasoning.summary", summary: "**Plan** do it", index: 0 },
      { type: "reasoning.encrypted", data: "gAAAA-secret", id: "rs_1", index: 0 },
    ]);
    expect(result.message.reasoning_details).toEqual(result.reasoningDetails);
    expect(result.text).toBe("Answer");
  });

  it("usage from a choices:[] chunk, and usage sharing a chunk with the finish reason", async () => {
    const separate = await streamOf(
      sse([data(chunk({ content: "a" })), data(chunk({}, "stop")), data({ id: GEN, choices: [], usage }), DONE]),
    ).final();
    expect(separate.usage).toEqual(usage);
    expect(separate.cost).toBe(0.000123);
    const shared = await streamOf(sse([data(chunk({ content: "a" })), data(chunk({ content: "b" }, "stop", { usage })), DONE])).final();
    expect(shared.text).toBe("ab");
    expect(shared.usage).toEqual(usage);
    expect(shared.finishReason).toBe("stop");
  });

  it("keeps the last finish reason seen even when the usage chunk says null; native_finish_reason too", async () => {
    const result = await streamOf(
      sse([
        data({ ...chunk({ content: "x" }, "stop"), choices: [{ index: 0, delta: { content: "x" }, finish_reason: "stop", native_finish_reason: "end_turn" }] }),
        data({ ...chunk({ content: "" }), choices: [{ index: 0, delta: { content: "" }, finish_reason: null, native_finish_reason: null }], usage }),
        DONE,
      ]),
    ).final();
    expect(result.finishReason).toBe("stop");
    expect(result.nativeFinishReason).toBe("end_turn");
  });

  it("annotations, refusal and images become events and land on the result; a debug echo chunk is ignored", async () => {
    const annotation = { type: "url_citation", url_citation: { url: "https://example.com", title: "Ex" } };
    const image = { type: "image_url", image_url: { url: "data:image/png;base64,AAA" } };
    const stream = streamOf(
      sse([
        data({ id: GEN, choices: [], debug: { echo_upstream_body: { model: "x" } } }),
        data(chunk({ annotations: [annotation] })),
        data(chunk({ refusal: "I can't " })),
        data(chunk({ refusal: "help." })),
        data(chunk({ images: [image] }, "stop")),
        DONE,
      ]),
    );
    const { events } = await collect(stream);
    expect(events.map((e) => e.type)).toEqual(["annotation", "refusal", "refusal", "image", "finish", "done"]);
    const result = await stream.final();
    expect(result.annotations).toEqual([annotation]);
    expect(result.refusal).toBe("I can't help.");
    expect(result.raw.choices[0]?.message.images).toEqual([image]);
  });

  it("takes the generation id from X-Generation-Id when the chunks carry none", async () => {
    const result = await streamOf(
      sse([data({ choices: [{ index: 0, delta: { content: "hi" }, finish_reason: "stop" }] }), DONE], { "x-generation-id": "gen-from-header" }),
    ).final();
    expect(result.generationId).toBe("gen-from-header");
    expect(result.id).toBe("gen-from-header");
    expect(result.model).toBe("test/model"); // from info when the chunks name none
  });
});

describe("SSE framing", () => {
  it("a BOM split across reads, then blank lines and spaces before the first event", async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf]);
    const text = `  \n\n \t\n${data(chunk({ content: "ok" }, "stop"))}${DONE}`;
    const result = await streamOf(sse([bom.subarray(0, 1), bom.subarray(1), text])).final();
    expect(result.text).toBe("ok");
  });

  it("comments are skipped and multi-line data is joined", async () => {
    const result = await streamOf(
      sse([": OPENROUTER PROCESSING\n\n", `data: {"id":"${GEN}",\ndata: "choices":[{"index":0,"delta":{"content":"joined"},"finish_reason":"stop"}]}\n\n`, DONE]),
    ).final();
    expect(result.text).toBe("joined");
  });

  it("stops at [DONE]: what follows is not read into the result and the rest of the body is cancelled", async () => {
    let cancelled = false;
    const result = await streamOf(
      sse([data(chunk({ content: "kept" }, "stop")) + DONE, data(chunk({ content: " ignored" })), data(chunk({ content: " more" }))], {}, () => {
        cancelled = true;
      }),
    ).final();
    expect(result.text).toBe("kept");
    await vi.waitFor(() => expect(cancelled).toBe(true));
  });

  it("a last event without its blank line is still taken when its JSON is whole", async () => {
    const result = await streamOf(sse([data(chunk({ content: "a" })), `data: ${JSON.stringify(chunk({ content: "b" }, "stop"))}`])).final();
    expect(result.text).toBe("ab");
  });

  it("a body cut in the middle of an event's JSON is truncated", async () => {
    const whole = data(chunk({ content: "b" }, "stop"));
    const stream = streamOf(sse([data(chunk({ content: "a" })), whole.slice(0, 40)]));
    const error = await stream.final().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as OpenRouterError).message).toMatch(/in the middle of an event \(truncated\)/);
    expect((error as OpenRouterError).partial?.text).toBe("a");
    expect(stream.outcome).toBe("truncated");
  });

  it("a data event that is not JSON is an InvalidResponseError with the partial output", async () => {
    const stream = streamOf(sse([data(chunk({ content: "a" })), "data: <html>oops</html>\n\n", DONE]));
    const error = await stream.final().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as OpenRouterError).message).toContain("<html>oops</html>");
    expect((error as OpenRouterError).partial?.text).toBe("a");
  });

  it("an event larger than maxBufferSize stops the stream instead of growing without bound", async () => {
    const huge = data(chunk({ content: "x".repeat(5000) }));
    const stream = streamOf(sse([huge.slice(0, 2000), huge.slice(2000), DONE]), { maxBufferSize: 1000 });
    const error = await stream.final().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as OpenRouterError).message).toMatch(/maxBufferSize \(1000 characters\)/);
  });

  it("[DONE] with no data event before it: no choices, a retryable InvalidResponseError", async () => {
    const error = await streamOf(sse([": OPENROUTER PROCESSING\n\n", DONE])).final().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as OpenRouterError).retryable).toBe(true);
  });

  it("a 200 JSON completion instead of SSE (stream ignored upstream) still gives the result and its events", async () => {
    const completion = {
      id: GEN,
      model: "test/model",
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "whole answer" } }],
      usage,
    };
    const stream = streamOf(new Response(`\n  ${JSON.stringify(completion)}`, { headers: { "content-type": "application/json" } }));
    const { events } = await collect(stream);
    expect(events.map((e) => e.type)).toEqual(["content", "finish", "usage", "done"]);
    const result = await stream.final();
    expect(result.text).toBe("whole answer");
    expect(result.cost).toBe(0.000123);
  });

  it("a 200 JSON error envelope instead of SSE is a typed error", async () => {
    const envelope = { error: { code: 502, message: "Provider returned error", metadata: { error_type: "provider_unavailable" } } };
    const error = await streamOf(new Response(JSON.stringify(envelope), { headers: { "content-type": "application/json" } }))
      .final()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenRouterError);
    expect((error as OpenRouterError).kind).toBe("provider_unavailable");
  });
});

describe("events and consumption", () => {
  const fullStream = () =>
    sse([
      ": OPENROUTER PROCESSING\n\n",
      data(chunk({ role: "assistant", reasoning: "Hmm.", reasoning_details: [{ type: "reasoning.text", text: "Hmm.", index: 0 }] })),
      data(chunk({ content: "Hello" })),
      data(chunk({ content: " wörld 🎉", tool_calls: [{ index: 0, id: "t1", function: { name: "f", arguments: "{}" } }] }, "tool_calls")),
      data({ id: GEN, choices: [], usage }),
      DONE,
    ]);

  it("yields events in wire order and ends with done; the done result is final()'s result", async () => {
    const stream = streamOf(fullStream());
    const { events, error } = await collect(stream);
    expect(error).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(["reasoning", "content", "content", "tool_call", "finish", "usage", "done"]);
    expect(events[0]).toEqual({ type: "reasoning", text: "Hmm.", details: [{ type: "reasoning.text", text: "Hmm.", index: 0 }] });
    expect(events[4]).toEqual({ type: "finish", finishReason: "tool_calls", nativeFinishReason: null });
    expect(events[5]).toEqual({ type: "usage", usage, cost: 0.000123 });
    const done = events[6] as Extract<ChatStreamEvent, { type: "done" }>;
    expect(done.result).toBe(await stream.final());
    expect(done.result.text).toBe("Hello wörld 🎉");
  });

  it("final() without iterating reads the whole body and keeps no events", async () => {
    const push = vi.spyOn(EventChannel.prototype, "push");
    const skip = vi.spyOn(EventChannel.prototype, "skip");
    const stream = streamOf(fullStream());
    const result = await stream.final();
    expect(result.text).toBe("Hello wörld 🎉");
    expect(result.usage).toEqual(usage);
    // Not even built: the events are only counted as skipped.
    expect(push).not.toHaveBeenCalled();
    expect(skip).toHaveBeenCalled();
    push.mockRestore();
    skip.mockRestore();
    // The events are gone, so iterating now is an error rather than a silently short sequence.
    expect(() => stream[Symbol.asyncIterator]()).toThrow(InvalidArgumentError);
  });

  it("final() called before the loop starts does not steal events (nothing consumed yet)", async () => {
    const stream = streamOf(fullStream());
    const pending = stream.final();
    const { events } = await collect(stream);
    expect(events.map((e) => e.type)).toEqual(["reasoning", "content", "content", "tool_call", "finish", "usage", "done"]);
    expect((await pending).text).toBe("Hello wörld 🎉");
  });

  it("iterating twice is an error", async () => {
    const stream = streamOf(fullStream());
    stream[Symbol.asyncIterator]();
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/read only once/);
    expect(() => stream.textStream()).toThrow(InvalidArgumentError);
    expect(() => stream.toReadableStream()).toThrow(InvalidArgumentError);
  });

  it("toReadableStream() gives the text as UTF-8 bytes", async () => {
    const text = await new Response(streamOf(fullStream()).toReadableStream()).text();
    expect(text).toBe("Hello wörld 🎉");
  });

  it("toReadableStream() errors with the typed error when the stream fails", async () => {
    const readable = streamOf(sse([data(chunk({ content: "a" })), data(chunk({}, "error", { error: { code: 429, message: "slow down" } }))])).toReadableStream();
    const reader = readable.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("a");
    await expect(reader.read()).rejects.toBeInstanceOf(RateLimitError);
  });

  it("textStream() yields only the text deltas", async () => {
    const parts: string[] = [];
    for await (const t of streamOf(fullStream()).textStream()) parts.push(t);
    expect(parts).toEqual(["Hello", " wörld 🎉"]);
  });

  it("onSettled is called exactly once, before final() resolves, with the outcome", async () => {
    const calls: ChatStreamSettled[] = [];
    const stream = streamOf(fullStream(), { onSettled: (s) => calls.push(s) });
    await collect(stream);
    const result = await stream.final();
    stream.abort(); // no-op after the end
    expect(calls).toHaveLength(1);
    expect(calls[0]?.outcome).toBe("completed");
    expect(calls[0]?.result).toBe(result);
    expect(stream.outcome).toBe("completed");
    expect(stream.done).toBe(true);
  });

  it("a throwing onSettled does not change the outcome", async () => {
    const stream = streamOf(fullStream(), {
      onSettled: () => {
        throw new Error("hook failed");
      },
    });
    expect((await stream.final()).text).toBe("Hello wörld 🎉");
  });
});

describe("outcomes", () => {
  it("finish_reason error without an error object: StreamError with the partial output", async () => {
    const calls: ChatStreamSettled[] = [];
    const stream = streamOf(sse([data(chunk({ content: "so far" })), data(chunk({}, "error")), DONE]), { onSettled: (s) => calls.push(s) });
    const { events, error } = await collect(stream);
    expect(events.map((e) => e.type)).toEqual(["content", "finish"]);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as OpenRouterError).partial?.text).toBe("so far");
    expect((error as OpenRouterError).generationId).toBe(GEN);
    expect((error as OpenRouterError).message).toContain("(POST /chat/completions, model test/model)");
    expect(calls).toEqual([{ outcome: "error", error }]);
  });

  it("a choice-level error object is raised too", async () => {
    const error = await streamOf(
      sse([data({ ...chunk({}), choices: [{ index: 0, delta: { content: "x" }, finish_reason: "error", error: { code: 502, message: "upstream died" } }] }), DONE]),
    )
      .final()
      .catch((e: unknown) => e);
    expect((error as OpenRouterError).message).toMatch(/^upstream died/);
    expect((error as OpenRouterError).kind).toBe("provider_unavailable");
    expect((error as OpenRouterError).partial?.text).toBe("x");
  });

  it("a read error mid-body is a ConnectionError (truncated) with the cause and partial", async () => {
    const body = manualBody();
    const stream = streamOf(body.response);
    const pending = stream.final().catch((e: unknown) => e);
    body.push(data(chunk({ content: "part" })));
    await vi.waitFor(() => expect(body.unread).toBe(0));
    body.error(new TypeError("terminated"));
    const error = (await pending) as OpenRouterError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toMatch(/dropped mid-stream \(truncated\): terminated/);
    expect((error.cause as Error).message).toBe("terminated");
    expect(error.partial?.text).toBe("part");
  });

  it("a read error after the finish reason still completes (only usage and [DONE] were lost)", async () => {
    const body = manualBody();
    const stream = streamOf(body.response);
    const pending = stream.final();
    body.push(data(chunk({ content: "all" }, "stop")));
    await vi.waitFor(() => expect(body.unread).toBe(0));
    body.error(new TypeError("terminated"));
    expect((await pending).text).toBe("all");
    expect(stream.outcome).toBe("completed");
  });

  it("an open() failure is passed through as is; a non-OpenRouter failure becomes a ConnectionError", async () => {
    const typed = new RateLimitError("Rate limit exceeded (POST /chat/completions)", { status: 429 });
    const rejected = new ChatStream({ open: () => Promise.reject(typed) });
    expect(await rejected.final().catch((e: unknown) => e)).toBe(typed);
    expect(rejected.outcome).toBe("failed");
    const other = await new ChatStream({ open: () => Promise.reject(new TypeError("fetch failed")), info: INFO })
      .final()
      .catch((e: unknown) => e);
    expect(other).toBeInstanceOf(ConnectionError);
    expect((other as OpenRouterError).message).toMatch(/fetch failed/);
    // A synchronous throw from open counts the same.
    const sync = await new ChatStream({
      open: () => {
        throw new TypeError("boom");
      },
    })
      .final()
      .catch((e: unknown) => e);
    expect(sync).toBeInstanceOf(ConnectionError);
  });

  it("a non-2xx Response from a hand-written open (a bare fetch) becomes the typed status error", async () => {
    const response = new Response(JSON.stringify({ error: { code: 429, message: "Rate limit exceeded" } }), {
      status: 429,
      headers: { "content-type": "application/json", "retry-after": "3" },
    });
    const stream = streamOf(response);
    const { events, error } = await collect(stream);
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as OpenRouterError).status).toBe(429);
    expect((error as OpenRouterError).retryAfterMs).toBe(3000);
    expect(stream.outcome).toBe("failed");
  });

  it("open() may resolve with a TransportResponse: the same events and result as with the Response", async () => {
    const pieces = [data(chunk({ content: "Hi" })), data(chunk({ content: " there" }, "stop")), data({ id: GEN, choices: [], usage }), DONE];
    const viaTransport = await collect(new ChatStream({ open: () => Promise.resolve(responseOf(sse(pieces))), info: INFO }));
    const viaResponse = await collect(streamOf(sse(pieces)));
    expect(viaTransport.error).toBeUndefined();
    expect(viaTransport.events.map((e) => e.type)).toEqual(["content", "content", "finish", "usage", "done"]);
    expect(JSON.stringify(viaTransport.events.slice(0, -1))).toBe(JSON.stringify(viaResponse.events.slice(0, -1)));
    const done = viaTransport.events.at(-1) as Extract<ChatStreamEvent, { type: "done" }>;
    expect(done.result.text).toBe("Hi there");
    expect(done.result.usage).toEqual(usage);
  });

  it("a non-2xx TransportResponse becomes the typed status error too", async () => {
    const response = new Response(JSON.stringify({ error: { code: 429, message: "Rate limit exceeded" } }), {
      status: 429,
      headers: { "content-type": "application/json", "retry-after": "3" },
    });
    const stream = new ChatStream({ open: () => Promise.resolve(responseOf(response)), info: INFO });
    const { error } = await collect(stream);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as OpenRouterError).retryAfterMs).toBe(3000);
    expect(stream.outcome).toBe("failed");
  });

  it("abort() while the request is in flight aborts open()'s signal and ends with AbortError", async () => {
    let signal: AbortSignal | undefined;
    const stream = new ChatStream({
      open: (s) => {
        signal = s;
        return new Promise<Response>(() => {}); // never answers: the abort must still end the stream
      },
      info: INFO,
    });
    const pending = collect(stream);
    stream.abort("changed my mind");
    const { error } = await pending;
    expect(error).toBeInstanceOf(AbortError);
    expect((error as OpenRouterError).cause).toBe("changed my mind");
    expect(signal?.aborted).toBe(true);
    expect(stream.outcome).toBe("aborted");
  });

  it("the caller's signal aborts mid-body: the body is cancelled, the partial is kept", async () => {
    const body = manualBody();
    const controller = new AbortController();
    const { stream, opened } = watchedStreamOf(body.response, { signal: controller.signal });
    const events: ChatStreamEvent[] = [];
    body.push(data(chunk({ content: "one" })));
    const error = await (async () => {
      for await (const e of stream) {
        events.push(e);
        controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as OpenRouterError).partial?.text).toBe("one");
    expect(opened.signal?.aborted).toBe(true);
    expect(body.cancelled).not.toBe("not cancelled");
  });

  it("an already-aborted signal never calls open()", async () => {
    const open = vi.fn(() => Promise.resolve(sse([DONE])));
    const stream = new ChatStream({ open, signal: AbortSignal.abort() });
    await expect(stream.final()).rejects.toBeInstanceOf(AbortError);
    expect(open).not.toHaveBeenCalled();
  });

  it("break out of the loop aborts the request", async () => {
    const body = manualBody();
    const { stream, opened } = watchedStreamOf(body.response);
    body.push(data(chunk({ content: "a" })));
    for await (const e of stream) if (e.type === "content") break;
    expect(stream.outcome).toBe("aborted");
    expect(opened.signal?.aborted).toBe(true);
    await expect(stream.final()).rejects.toBeInstanceOf(AbortError);
  });

  it("rejects bad init with a clear error", () => {
    expect(() => new ChatStream({} as ChatStreamInit)).toThrow(/init.open must be a function/);
    expect(() => new ChatStream({ open: () => Promise.resolve(sse([])), idleTimeoutMs: -5 })).toThrow(/idleTimeoutMs must be a positive number/);
    expect(() => new ChatStream({ open: () => Promise.resolve(sse([])), firstEventTimeoutMs: Number.NaN })).toThrow(InvalidArgumentError);
  });
});

describe("final() asked for late", () => {
  it("a stream that failed while nobody awaited final() rejects later with the same error, and nothing is unhandled", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const stream = streamOf(sse([data(chunk({ content: "par" })), data("{not json")]));
      const { events, error } = await collect(stream);
      expect(events).toEqual([{ type: "content", text: "par" }]);
      expect(error).toBeInstanceOf(InvalidResponseError);
      // Give an unhandled rejection the turns it needs to be reported.
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
      await expect(stream.final()).rejects.toBe(error);
      expect((error as OpenRouterError).partial?.text).toBe("par");
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("after the iterator finished, final() resolves with the result of the done event", async () => {
    const stream = streamOf(sse([data(chunk({ content: "ok" }, "stop")), DONE]));
    const { events } = await collect(stream);
    const done = events.at(-1) as { type: "done"; result: unknown };
    expect(done.type).toBe("done");
    expect(await stream.final()).toBe(done.result);
  });
});

describe("one network read, many events (the iterator pulls)", () => {
  const a = data(chunk({ content: "a" }));
  const b = data(chunk({ content: "b" }));
  const c = data(chunk({ content: "c" }));

  it("hands over the first event of a read before parsing the rest of it", async () => {
    // One read: two good chunks, then a payload that is not JSON. Eager parsing would have failed the stream
    // before the caller saw "a"; pulled, "a" and "b" come first and the error only when it is reached.
    const stream = streamOf(sse([a + b + data("{not json")]));
    const it = stream[Symbol.asyncIterator]();
    expect(await it.next()).toEqual({ done: false, value: { type: "content", text: "a" } });
    expect(stream.done).toBe(false);
    expect(await it.next()).toEqual({ done: false, value: { type: "content", text: "b" } });
    await expect(it.next()).rejects.toBeInstanceOf(InvalidResponseError);
    expect(stream.outcome).toBe("error");
  });

  it("events come out in the same order and the result is the same as parsing a read at once", async () => {
    const pieces = [a + b + c + data(chunk({}, "stop", {})) + data({ ...chunk({}), choices: [], usage }) + DONE];
    const pulled = await collect(streamOf(sse(pieces)));
    const drained = await streamOf(sse(pieces)).final();
    expect(pulled.events.map((e) => e.type)).toEqual(["content", "content", "content", "finish", "usage", "done"]);
    const done = pulled.events.at(-1) as { type: "done"; result: { text: string; usage: unknown; finishReason: string } };
    expect(done.result.text).toBe("abc");
    expect(done.result.text).toBe(drained.text);
    expect(done.result.usage).toEqual(drained.usage);
    expect(done.result.finishReason).toBe("stop");
  });

  it("abort() keeps what had arrived but was not yet pulled: in error.partial and as events before the error", async () => {
    const stream = streamOf(sse([a + b + c]));
    const it = stream[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual({ type: "content", text: "a" });
    stream.abort();
    const error = (await stream.final().catch((e: unknown) => e)) as OpenRouterError;
    expect(error).toBeInstanceOf(AbortError);
    expect(error.partial?.text).toBe("abc");
    expect((await it.next()).value).toEqual({ type: "content", text: "b" });
    expect((await it.next()).value).toEqual({ type: "content", text: "c" });
    await expect(it.next()).rejects.toBeInstanceOf(AbortError);
  });

  it("a body cut off in the middle of an event is still truncated when the events before it were not yet pulled", async () => {
    const stream = streamOf(sse([a + b + 'data: {"choices":[{"index":0,"delta":{"content":"c']));
    const it = stream[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual({ type: "content", text: "a" });
    expect((await it.next()).value).toEqual({ type: "content", text: "b" });
    const error = (await it.next().catch((e: unknown) => e)) as OpenRouterError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toMatch(/in the middle of an event \(truncated\)/);
    expect(error.partial?.text).toBe("ab");
  });

  it("a connection dropped after a read that held the finish reason still completes", async () => {
    const body = manualBody();
    const stream = streamOf(body.response);
    const it = stream[Symbol.asyncIterator]();
    body.push(a + data(chunk({ content: "b" }, "stop")));
    expect((await it.next()).value).toEqual({ type: "content", text: "a" });
    body.error(new TypeError("terminated"));
    const rest: ChatStreamEvent[] = [];
    for (let n = await it.next(); !n.done; n = await it.next()) rest.push(n.value);
    expect(rest.map((e) => e.type)).toEqual(["content", "finish", "done"]);
    expect(stream.outcome).toBe("completed");
    expect((await stream.final()).text).toBe("ab");
  });

  it("idleTimeoutMs counts arrivals, not pulls; a timeout keeps the unpulled text in error.partial", async () => {
    vi.useFakeTimers();
    const body = manualBody();
    const stream = streamOf(body.response, { idleTimeoutMs: 500, now: () => Date.now() });
    const it = stream[Symbol.asyncIterator]();
    body.push(a + b + c);
    expect((await it.next()).value).toEqual({ type: "content", text: "a" });
    // The caller stops pulling; nothing more arrives.
    await vi.advanceTimersByTimeAsync(600);
    expect(stream.outcome).toBe("timeout");
    const error = (await stream.final().catch((e: unknown) => e)) as OpenRouterError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.partial?.text).toBe("abc");
  });
});

describe("timeouts (fake timers)", () => {
  it("firstEventTimeoutMs: keep-alive comments do not count; the fetch is aborted and the body cancelled", async () => {
    vi.useFakeTimers();
    const body = manualBody();
    const { stream, opened } = watchedStreamOf(body.response, { firstEventTimeoutMs: 1000, now: () => Date.now() });
    const pending = stream.final().catch((e: unknown) => e);
    for (let i = 0; i < 9; i++) {
      body.push(": OPENROUTER PROCESSING\n\n");
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(stream.done).toBe(false);
    await vi.advanceTimersByTimeAsync(150);
    const error = (await pending) as OpenRouterError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/firstEventTimeoutMs \(1000 ms\) \(9 keep-alive comments received meanwhile\)/);
    expect(opened.signal?.aborted).toBe(true);
    expect(stream.outcome).toBe("timeout");
  });

  it("idleTimeoutMs: data events keep the stream alive, comments do not", async () => {
    vi.useFakeTimers();
    const body = manualBody();
    const stream = streamOf(body.response, { idleTimeoutMs: 500, now: () => Date.now() });
    const pending = stream.final().catch((e: unknown) => e);
    // Data every 400 ms: never idle for 500 ms.
    for (let i = 0; i < 5; i++) {
      body.push(data(chunk({ content: `${i}` })));
      await vi.advanceTimersByTimeAsync(400);
    }
    expect(stream.done).toBe(false);
    // Then only comments, every 50 ms: the stream times out 500 ms after the last data event anyway.
    let comments = 0;
    while (!stream.done && comments < 100) {
      body.push(": OPENROUTER PROCESSING\n\n");
      comments++;
      await vi.advanceTimersByTimeAsync(50);
    }
    expect(comments).toBeGreaterThan(1);
    expect(comments).toBeLessThan(100);
    const error = (await pending) as OpenRouterError;
    expect(error.message).toMatch(/keep-alive comments received meanwhile/);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.partial?.text).toBe("01234");
    expect(body.cancelled).toBeInstanceOf(TimeoutError);
  });

  it("no timers are left behind once the stream ends", async () => {
    vi.useFakeTimers();
    const stream = streamOf(sse([data(chunk({ content: "x" }, "stop")), DONE]), { idleTimeoutMs: 500, firstEventTimeoutMs: 500, now: () => Date.now() });
    await stream.final();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("timing", () => {
  it("ttfbMs at the response, ttftMs at the first token (not at a role-only chunk), totalMs at the end", async () => {
    let t = 1000;
    const pieces = [
      { at: 1015, text: ": OPENROUTER PROCESSING\n\n" },
      { at: 1020, text: data(chunk({ role: "assistant", content: "" })) },
      { at: 1030, text: data(chunk({ content: "first" })) },
      { at: 1045, text: data(chunk({ content: "!" }, "stop")) + DONE },
    ];
    let i = 0;
    const response = new Response(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          const piece = pieces[i++];
          if (!piece) return controller.close();
          t = piece.at;
          controller.enqueue(encoder.encode(piece.text));
        },
      }, { highWaterMark: 0 }), // pull only when the stream reads, so `t` moves with the reads
      { headers: { "content-type": "text/event-stream" } },
    );
    const stream = new ChatStream({
      open: async () => {
        t = 1010;
        return response;
      },
      now: () => t,
    });
    const result = await stream.final();
    expect(result.timing).toEqual({ ttfbMs: 10, ttftMs: 30, totalMs: 45 });
  });

  it("reads the clock once per network read, not once per event, with both timeouts on", async () => {
    const many = Array.from({ length: 200 }, (_, i) => data(chunk({ content: `t${i}` }))).join("");
    let reads = 0;
    const now = vi.fn(() => 1000 + reads);
    const pieces = [many, data(chunk({}, "stop")) + DONE];
    const response = new Response(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          const piece = pieces[reads++];
          if (piece === undefined) controller.close();
          else controller.enqueue(encoder.encode(piece));
        },
      }, { highWaterMark: 0 }),
      { headers: { "content-type": "text/event-stream" } },
    );
    const stream = streamOf(response, { now, idleTimeoutMs: 60_000, firstEventTimeoutMs: 60_000 });
    const { events, error } = await collect(stream);
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === "content")).toHaveLength(200);
    // Start, headers, first token, two reads with data, settling: a handful, whatever the number of events.
    expect(now.mock.calls.length).toBeLessThan(12);
  });
});

describe("the first stream, before the stream reader's code has loaded", () => {
  /** ChatStream and the error classes from a fresh module registry: the machine's code is not loaded yet. */
  async function fresh() {
    vi.resetModules();
    return { ...(await import("../../src/stream/chat-stream.js")), errors: { ...(await import("../../src/core/errors.js")), ...(await import("../../src/core/call-errors.js")) } };
  }
  const reply = () => sse([data(chunk({ role: "assistant", content: "Hel" })), data(chunk({ content: "lo" }, "stop")), data({ ...chunk({}), choices: [], usage }), DONE]);

  it("streams and assembles the same result, with the iterator asked for before the code is there", async () => {
    const { ChatStream: Fresh } = await fresh();
    const settled: ChatStreamSettled[] = [];
    const stream = new Fresh({ open: async () => reply(), onSettled: (s) => settled.push(s) });
    expect(stream.done).toBe(false);
    expect(stream.outcome).toBeUndefined();
    const iterator = stream[Symbol.asyncIterator]();
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/already being iterated/);
    const final = stream.final();
    const texts: string[] = [];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) if (next.value.type === "content") texts.push(next.value.text);
    expect(texts).toEqual(["Hel", "lo"]);
    const result = await final;
    expect(result.text).toBe("Hello");
    expect(result.usage?.total_tokens).toBe(7);
    expect(stream.outcome).toBe("completed");
    expect(settled.map((s) => s.outcome)).toEqual(["completed"]);
  });

  it("checks its settings at once, as a loaded stream does", async () => {
    const { ChatStream: Fresh, errors } = await fresh();
    expect(() => new Fresh({ open: "nope" } as never)).toThrow(errors.InvalidArgumentError);
    expect(() => new Fresh({ open: async () => reply(), idleTimeoutMs: -1 })).toThrow(errors.InvalidArgumentError);
  });

  it("aborted before its code loaded: done at once, never sends, final() rejects with AbortError", async () => {
    const { ChatStream: Fresh, errors } = await fresh();
    const open = vi.fn(async () => reply());
    const settled: ChatStreamSettled[] = [];
    const stream = new Fresh({ open, onSettled: (s) => settled.push(s) });
    stream.abort(new Error("user left"));
    expect(stream.done).toBe(true);
    expect(stream.outcome).toBe("aborted");
    await expect(stream.final()).rejects.toBeInstanceOf(errors.AbortError);
    expect(open).not.toHaveBeenCalled();
    expect(settled.map((s) => s.outcome)).toEqual(["aborted"]);
  });

  it("a reader whose code cannot load fails the stream with a typed ConnectionError and settles it once", async () => {
    vi.resetModules();
    vi.doMock("../../src/stream/machine.js", () => {
      throw new Error("chunk missing");
    });
    try {
      const { ChatStream: Fresh } = await import("../../src/stream/chat-stream.js");
      const errors = await import("../../src/core/errors.js");
      const open = vi.fn(async () => reply());
      const settled: ChatStreamSettled[] = [];
      const stream = new Fresh({ open, onSettled: (s) => settled.push(s) });
      const error = await stream.final().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(errors.ConnectionError);
      expect((error as Error).message).toMatch(/Could not load the stream reader/);
      await expect(stream[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(errors.ConnectionError);
      expect(stream.done).toBe(true);
      expect(stream.outcome).toBe("failed");
      expect(open).not.toHaveBeenCalled();
      expect(settled).toEqual([{ outcome: "failed", error }]);
    } finally {
      vi.doUnmock("../../src/stream/machine.js");
      vi.resetModules();
    }
  });
});
