/**
 * `client.responses.stream` (src/stream/event-stream.ts, event-machine.ts, responses-fold.ts) from the outside:
 * against the stand-in (in process and on a loopback server), a hand-fed body on fake timers, and the recorded
 * streams re-chunked at every byte boundary. Each guarantee of `chatStream` is checked here for the Responses
 * API: typed events and `final()`, keep-alives, in-band errors with the partial output kept, truncation never a
 * success, first-event and idle timeouts, retries only before the first event, abort / break / signal, the
 * size limit, bad input with nothing sent, usage recorded.
 */
import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  AbortError,
  ConnectionError,
  InvalidArgumentError,
  OpenRouter,
  type OpenRouterError,
  ResponseTooLargeError,
  type ResponsesStreamEvent,
  TimeoutError,
  isOpenRouterError,
} from "../../src/index.js";
import { createMockOpenRouter } from "../../src/testing/index.js";
import { loadFixture, recordedHeaders } from "../helpers/fixtures.js";
import { collect } from "../helpers/collect.js";
import { manualStreamFetch } from "../helpers/manual-stream.js";
import { standInClient } from "../helpers/stand-in.js";
import { bodyWritingFetch, collectGarbage } from "../helpers/gc.js";

const KEY = "sk-or-v1-responses-stream-key-0123456789abcdef";
const MODEL = "openai/gpt-4o-mini";
const ask = { model: MODEL, input: "What is 2+2?" };
const encoder = new TextEncoder();

afterEach(() => {
  vi.useRealTimers();
});

const setup = (options: Parameters<typeof standInClient>[1] = {}) => standInClient(KEY, options);

const deltas = (events: ResponsesStreamEvent[], type: string) =>
  events.map((e) => (e.type === type && "delta" in e ? e.delta : "")).join("");

const data = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;
const created = data({ type: "response.created", response: { id: "gen-manual-1", object: "response", status: "in_progress", output: [] }, sequence_number: 0 });
const textDelta = (delta: string) => data({ type: "response.output_text.delta", item_id: "m1", output_index: 0, content_index: 0, delta });

describe("client.responses.stream against the stand-in", () => {
  it("yields the typed events in order and final() assembles the same result as create()", async () => {
    const { mock, client } = setup({ scenarios: [{ reply: { text: "It is four.", reasoning: "Two plus two." } }] });
    const stream = client.responses.stream(ask);
    const { events, error } = await collect(stream);
    expect(error).toBeUndefined();
    expect(events[0]!.type).toBe("response.created");
    expect(events[events.length - 1]!.type).toBe("response.completed");
    expect(deltas(events, "response.output_text.delta")).toBe("It is four.");
    expect(deltas(events, "response.reasoning_text.delta")).toBe("Two plus two.");
    const result = await stream.final();
    const plain = await client.responses.create(ask);
    for (const r of [result, plain]) {
      expect(r.text).toBe("It is four.");
      expect(r.reasoning).toBe("Two plus two.");
      expect(r.status).toBe("completed");
      expect(r.output.map((o) => o.type)).toEqual(["reasoning", "message"]);
    }
    expect(result.usage).toEqual({ ...plain.usage, cost: result.usage?.cost });
    expect(result.cost).toBe(mock.generations.get(result.id)!.total_cost);
    expect(result.generationId).toBe(result.id);
    expect(result.attempts).toBe(1);
    expect(result.timing?.ttftMs).toBeGreaterThanOrEqual(0);
    expect(mock.requests[0]!.body).toEqual({ ...ask, stream: true });
    const usage = client.usage.snapshot();
    expect(usage.requests).toBe(2);
    expect(usage.costUsd).toBeCloseTo(mock.totalCost, 12);
  });

  it("final() alone reads the whole stream; function-call argument deltas join into parsed arguments", async () => {
    const { client } = setup({ scenarios: [{ reply: { toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }] } }] });
    const result = await client.responses.stream({ model: MODEL, input: "Weather?", tools: [{ type: "function", name: "get_weather" }] }).final();
    expect(result.functionCalls.map((c) => [c.name, c.args])).toEqual([["get_weather", { city: "Paris" }]]);
  });

  it("keep-alive comments between events change nothing (loopback server, platform fetch)", async () => {
    const mock = createMockOpenRouter({ apiKey: KEY, scenarios: [{ reply: "Four, with comments around." }], faults: [{ fault: "keepalive-comments", count: 3 }] });
    const { baseUrl } = await mock.listen();
    try {
      const client = new OpenRouter({ apiKey: KEY, baseUrl });
      const { events, error } = await collect(client.responses.stream(ask));
      expect(error).toBeUndefined();
      expect(deltas(events, "response.output_text.delta")).toBe("Four, with comments around.");
      expect(mock.requests[0]!.faults).toContain("keepalive-comments");
    } finally {
      await mock.close();
    }
  });

  it("an in-band error event is the typed error, after the events that came first, with the partial text", async () => {
    const { mock, client } = setup({ scenarios: [{ reply: "one two three four five six", faults: [{ fault: "midstream-error", afterChunks: 3 }] }] });
    const stream = client.responses.stream(ask);
    const { events, error } = await collect(stream);
    expect(isOpenRouterError(error)).toBe(true);
    const e = error as OpenRouterError;
    expect(e.message).toContain("Provider returned error");
    expect(events[events.length - 1]!.type).toBe("error");
    expect(e.partial?.text).toBe("one two three ");
    expect(e.generationId).toMatch(/^gen-/);
    await expect(stream.final()).rejects.toBe(error);
    // Never retried once the body has started.
    expect(mock.requests).toHaveLength(1);
    // Billed or not, the call counts: left pending for reconciliation under its generation id.
    expect(client.usage.snapshot().pending.map((p) => p.generationId)).toEqual([e.generationId]);
  });

  it("an error event that echoes the API key is scrubbed in every rendering of the error", async () => {
    const events = [
      { data: { type: "response.created", response: { id: "gen-leak-1", object: "response", status: "in_progress", output: [] } } },
      { data: { type: "error", code: "invalid_api_key", message: `Incorrect API key provided: ${KEY}` } },
    ];
    const { client } = setup({ scenarios: [{ reply: { events } }] });
    const error = await client.responses.stream(ask).final().catch((e: unknown) => e);
    expect(isOpenRouterError(error)).toBe(true);
    for (const text of [String(error), inspect(error, { depth: 10 }), JSON.stringify(error), (error as Error).stack ?? ""]) {
      expect(text).toContain("Incorrect API key provided");
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(KEY.slice(6));
    }
  });

  it("response.failed is the typed error with what the failed response and the deltas hold", async () => {
    const failed = { id: "gen-failed-2", object: "response", status: "failed", output: [], error: { code: "server_error", message: "The provider failed" }, error_type: "provider_unavailable" };
    const events = [
      { data: { type: "response.created", response: { id: "gen-failed-2", object: "response", status: "in_progress", output: [] } } },
      { data: { type: "response.output_text.delta", item_id: "m1", output_index: 0, content_index: 0, delta: "Partial" } },
      { data: { type: "response.failed", response: failed } },
    ];
    const { client } = setup({ scenarios: [{ reply: { events } }] });
    const error = (await client.responses.stream(ask).final().catch((e: unknown) => e)) as OpenRouterError;
    expect(error.message).toContain("The provider failed");
    expect(error.errorType).toBe("provider_unavailable");
    expect(error.partial?.text).toBe("Partial");
  });

  it("a body that ends without response.completed is a truncation, never a success", async () => {
    const { client } = setup({ scenarios: [{ reply: "one two three four five", faults: [{ fault: "truncate", afterChunks: 2 }] }] });
    const stream = client.responses.stream(ask);
    const error = (await stream.final().catch((e: unknown) => e)) as OpenRouterError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toMatch(/without its terminal event \(response\.completed\)/);
    expect(error.partial?.text).toBe("one two ");
  });

  it("[DONE] before response.completed, or a body cut inside an event, is a truncation too", async () => {
    const cut = [{ data: { type: "response.created", response: { id: "gen-x", output: [] } } }, { raw: "data: [DONE]\n\n" }];
    const half = [{ data: { type: "response.created", response: { id: "gen-x", output: [] } } }, { raw: 'data: {"type":"response.output_text.del' }];
    for (const events of [cut, half]) {
      const { client } = setup({ scenarios: [{ reply: { events } }] });
      const error = await client.responses.stream(ask).final().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as Error).message).toMatch(/truncated/);
    }
  });

  it("a connection reset mid-body is a ConnectionError with the partial text (loopback server)", async () => {
    const mock = createMockOpenRouter({ apiKey: KEY, scenarios: [{ reply: "alpha beta gamma delta", faults: [{ fault: "truncate", afterChunks: 2, mode: "reset" }] }] });
    const { baseUrl } = await mock.listen();
    try {
      const stream = new OpenRouter({ apiKey: KEY, baseUrl }).responses.stream(ask);
      const { error } = await collect(stream);
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as OpenRouterError).partial?.text).toBe("alpha beta ");
    } finally {
      await mock.close();
    }
  });

  it("retries a 429 before the first event and reports the attempts", async () => {
    const { mock, client } = setup({ faults: [{ fault: "rate-limit-429", times: 1 }] });
    const result = await client.responses.stream(ask).final();
    expect(result.attempts).toBe(2);
    expect(mock.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it("text beyond maxResponseBytes fails with ResponseTooLargeError carrying the partial text", async () => {
    const { client } = setup({ scenarios: [{ reply: "x".repeat(64) + " more words after the limit" }] });
    const error = (await client.responses.stream(ask, { maxResponseBytes: 40 }).final().catch((e: unknown) => e)) as OpenRouterError;
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error.partial?.text.length).toBeGreaterThan(40);
  });

  it("response.incomplete (cut at max_output_tokens) ends the stream as a result with status incomplete", async () => {
    const { client } = setup();
    const result = await client.responses.stream({ model: MODEL, input: "one two three four five six seven eight", max_output_tokens: 3 }).final();
    expect(result.status).toBe("incomplete");
    expect(result.raw.incomplete_details).toEqual({ reason: "max_output_tokens" });
  });

  it("a JSON Response instead of an event stream (a proxy that ignored stream: true) is read as the result; an HTML page is a typed error", async () => {
    const json = { id: "gen-json-1", object: "response", model: MODEL, status: "completed", output: [{ type: "message", role: "assistant", content: [{ type: "output_text", text: "Whole" }] }], usage: { input_tokens: 3, output_tokens: 1, cost: 0.0001 } };
    const jsonFetch = (async () => new Response(JSON.stringify(json), { headers: { "content-type": "application/json" } })) as typeof globalThis.fetch;
    const result = await new OpenRouter({ apiKey: KEY, fetch: jsonFetch }).responses.stream(ask).final();
    expect(result.text).toBe("Whole");
    expect(result.cost).toBe(0.0001);
    const htmlFetch = (async () => new Response("<html><body>Sign in to the Wi-Fi</body></html>", { headers: { "content-type": "text/html" } })) as typeof globalThis.fetch;
    const error = (await new OpenRouter({ apiKey: KEY, fetch: htmlFetch, retry: false }).responses.stream(ask).final().catch((e: unknown) => e)) as OpenRouterError;
    expect(error.name).toBe("InvalidResponseError");
    expect(error.message).toContain("Sign in to the Wi-Fi");
  });

  it("bad input rejects the first next() and final() with InvalidArgumentError, and nothing is sent", async () => {
    const { mock, client } = setup();
    const stream = client.responses.stream({ model: MODEL, input: [] });
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.responses.stream({ ...ask, store: true }).final()).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(mock.requests).toHaveLength(0);
  });
});

describe("an open Responses or Messages stream keeps no request", () => {
  it("the input of an open stream can be collected once the caller lets go of it", async () => {
    const { fetch, bodies, write } = bodyWritingFetch();
    const client = new OpenRouter({ apiKey: KEY, fetch });
    const messagesAsk = (content: string) => ({ model: "anthropic/claude-haiku-4.5", max_tokens: 10, messages: [{ role: "user" as const, content }] });
    const open = async (api: "responses" | "messages") => {
      const big = "x".repeat(100_000);
      const sent = api === "responses" ? { model: MODEL, input: [{ role: "user" as const, content: big }] } : messagesAsk(big);
      const stream = api === "responses" ? client.responses.stream(sent as Parameters<typeof client.responses.stream>[0]) : client.messages.stream(sent as ReturnType<typeof messagesAsk>);
      const first = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]().next();
      const before = bodies.length;
      await vi.waitFor(() => expect(bodies.length).toBe(before + 1));
      const event = api === "responses" ? created : `event: ping\ndata: {"type":"ping"}\n\n`;
      write(event);
      await first;
      return { stream, sent: new WeakRef(sent) };
    };
    for (const api of ["responses", "messages"] as const) {
      const { stream, sent } = await open(api);
      await collectGarbage();
      expect(sent.deref(), api).toBeUndefined();
      stream.abort();
    }
  });
});

describe("cancelling a Responses stream", () => {
  it("break in the loop aborts the request; final() rejects with an AbortError that keeps the partial text", async () => {
    const server = manualStreamFetch();
    const stream = new OpenRouter({ apiKey: KEY, fetch: server.fetch }).responses.stream(ask);
    // The request goes out at the first read: start reading, then write the body.
    void vi.waitFor(() => expect(server.requests).toHaveLength(1)).then(() => server.push(created + textDelta("Hel") + textDelta("lo")));
    for await (const event of stream) if (event.type === "response.output_text.delta") break;
    const error = (await stream.final().catch((e: unknown) => e)) as OpenRouterError;
    expect(error).toBeInstanceOf(AbortError);
    expect(error.message).toMatch(/closed early/);
    expect(error.partial?.text).toBe("Hello");
    expect(server.requests[0]!.signal.aborted).toBe(true);
  });

  it("abort() and the caller's signal end the stream with an AbortError", async () => {
    const server = manualStreamFetch();
    const client = new OpenRouter({ apiKey: KEY, fetch: server.fetch });
    const stream = client.responses.stream(ask);
    const settled = stream.final().catch((e: unknown) => e);
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    server.push(created + textDelta("Hi"));
    stream.abort("enough");
    expect(await settled).toBeInstanceOf(AbortError);

    const controller = new AbortController();
    const second = client.responses.stream(ask, { signal: controller.signal });
    const pending = second.final().catch((e: unknown) => e);
    await vi.waitFor(() => expect(server.requests).toHaveLength(2));
    controller.abort();
    expect(await pending).toBeInstanceOf(AbortError);
    expect(server.requests[1]!.signal.aborted).toBe(true);
  });

  it("abort() before the stream is read sends nothing", async () => {
    const server = manualStreamFetch();
    const stream = new OpenRouter({ apiKey: KEY, fetch: server.fetch }).responses.stream(ask);
    stream.abort();
    expect(await stream.final().catch((e: unknown) => e)).toBeInstanceOf(AbortError);
    expect(server.requests).toHaveLength(0);
  });
});

describe("Responses stream timeouts (fake timers)", () => {
  it("keep-alive comments do not count as the first event: the first-event timeout fires anyway", async () => {
    vi.useFakeTimers();
    const server = manualStreamFetch();
    const stream = new OpenRouter({ apiKey: KEY, fetch: server.fetch }).responses.stream(ask, { firstEventTimeoutMs: 1000 });
    const settled = stream.final().catch((e: unknown) => e);
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    for (let i = 0; i < 9; i++) {
      server.push(": OPENROUTER PROCESSING\n\n");
      await vi.advanceTimersByTimeAsync(100);
    }
    let early: unknown = "pending";
    void settled.then((e) => (early = e));
    await vi.advanceTimersByTimeAsync(0);
    expect(early).toBe("pending");
    await vi.advanceTimersByTimeAsync(150);
    const error = (await settled) as OpenRouterError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/firstEventTimeoutMs \(1000 ms\) \(9 keep-alive comments received meanwhile\)/);
    expect(server.requests[0]!.signal.aborted).toBe(true);
  });

  it("after data, only comments: the idle timeout fires and keeps the partial text; no timer is left", async () => {
    vi.useFakeTimers();
    const server = manualStreamFetch();
    const stream = new OpenRouter({ apiKey: KEY, fetch: server.fetch }).responses.stream(ask, { idleTimeoutMs: 500 });
    const settled = stream.final().catch((e: unknown) => e);
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    server.push(created);
    for (let i = 0; i < 4; i++) {
      server.push(textDelta(`${i}`));
      await vi.advanceTimersByTimeAsync(400);
    }
    for (let i = 0; i < 9; i++) {
      server.push(": OPENROUTER PROCESSING\n\n");
      await vi.advanceTimersByTimeAsync(100);
    }
    const error = (await settled) as OpenRouterError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/idleTimeoutMs \(500 ms\)/);
    expect(error.partial?.text).toBe("0123");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a response that never comes: the total timeout aborts the fetch's signal and the stream fails with a TimeoutError", async () => {
    vi.useFakeTimers();
    const signals: AbortSignal[] = [];
    const silent = (_input: unknown, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        signals.push(init!.signal!);
        init!.signal!.addEventListener("abort", () => reject(init!.signal!.reason), { once: true });
      });
    const client = new OpenRouter({ apiKey: KEY, fetch: silent as typeof fetch, retry: false });
    const stream = client.responses.stream(ask, { timeoutMs: 1000, firstEventTimeoutMs: 0, idleTimeoutMs: 0 });
    const settled = stream.final().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(999);
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = (await settled) as OpenRouterError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/timed out after 1000 ms/);
    expect(signals[0]!.aborted).toBe(true);
  });
});

describe("recorded Responses streams re-chunked", () => {
  /** One client per recording, serving whatever reads the current run sets. */
  function replayer(name: string) {
    const rec = loadFixture(name);
    let reads: Uint8Array[] = [];
    const fetchImpl = async () => {
      const queue = reads;
      let i = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (i < queue.length) controller.enqueue(queue[i++]!.slice());
          else controller.close();
        },
      });
      return new Response(body, { status: 200, headers: recordedHeaders(rec) });
    };
    const client = new OpenRouter({ apiKey: KEY, fetch: fetchImpl as typeof fetch });
    /** Serves the reads given; returns a comparable summary of everything observable. */
    return async (next: Uint8Array[]) => {
      reads = next;
      const stream = client.responses.stream(ask);
      const { events, error } = await collect(stream);
      const result = error === undefined ? await stream.final() : undefined;
      return { events, error, text: result?.text, reasoning: result?.reasoning, usage: result?.usage, cost: result?.cost };
    };
  }

  for (const name of ["responses-stream-01.json", "responses-stream-02.json"]) {
    it(`${name}: a cut at every byte boundary, 1-byte reads and CRLF line ends give the same events and result`, async () => {
      const sse = loadFixture(name).response.sse!;
      const bytes = encoder.encode(sse);
      const run = replayer(name);
      const baseline = await run([bytes]);
      expect(baseline.error).toBeUndefined();
      expect(baseline.text).not.toBe("");
      expect(baseline.cost).toBeGreaterThan(0);
      for (let at = 1; at < bytes.length; at++) {
        const got = await run([bytes.subarray(0, at), bytes.subarray(at)]);
        if (got.error !== baseline.error || got.text !== baseline.text || got.events.length !== baseline.events.length) {
          expect(got, `cut at byte ${at}`).toEqual(baseline);
        }
      }
      expect(await run(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)))).toEqual(baseline);
      expect(await run([encoder.encode(sse.replace(/\n/g, "\r\n"))])).toEqual(baseline);
    }, 120_000);
  }
});
