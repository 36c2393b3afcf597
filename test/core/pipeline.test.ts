/**
 * The request pipeline (src/core/pipeline.ts) through a plain-function transport and through the client:
 * status errors, network failures, redirects, client.api's real responses, and lookups on the client's pipeline.
 */
import { describe, expect, it, vi } from "vitest";
import { ConnectionError, InvalidResponseError, NotFoundError, OpenRouter, RateLimitError, TimeoutError } from "../../src/index.js";
import { apiErrorOf, createPipeline } from "../../src/core/pipeline.js";
import { readJson } from "../../src/core/read.js";
import { createResilience } from "../../src/core/resilience/run.js";
import { NO_SIGNAL, type Transport, type TransportRequest, responseOf, watchingAbortSources } from "../../src/core/transport.js";
import type { Call } from "../../src/core/types.js";
import { countingAbortControllers } from "../helpers/gc.js";

const KEY = "sk-or-v1-pipeline-test-0123456789abcdef";

function pipelineOver(transport: Transport, retry = false, timeoutMs?: number) {
  return createPipeline({
    baseUrl: "https://openrouter.test/api/v1/",
    apiKey: KEY,
    headers: { authorization: `Bearer ${KEY}` },
    transport,
    timeoutMs,
    maxResponseBytes: 1 << 20,
    resilience: createResilience({ retry: retry ? { maxRetries: 2 } : false, sleep: async () => {} }),
  });
}

const get = (path: string): Call => ({ verb: "test", method: "GET", path, stream: false });
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  responseOf(new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } }));

describe("pipeline.call", () => {
  it("sends one request built from the call: URL below the base, shared auth headers, no body on GET", async () => {
    const seen: TransportRequest[] = [];
    const pipeline = pipelineOver(async (req) => {
      seen.push(req);
      return json(200, { ok: 1 });
    });
    const { value, attempts } = await pipeline.call(get("/models?x=1"), readJson);
    expect(value.value).toEqual({ ok: 1 });
    expect(attempts).toBe(1);
    expect(seen[0]?.url).toBe("https://openrouter.test/api/v1/models?x=1");
    expect(seen[0]?.headers.get("authorization")).toBe(`Bearer ${KEY}`);
    expect(seen[0]?.headers.get("accept")).toBe("application/json");
    expect(seen[0]?.body).toBeUndefined();
  });

  it("turns a non-2xx answer into the typed error and a transport rejection into ConnectionError without the key", async () => {
    const limited = pipelineOver(async () => json(429, { error: { code: 429, message: "slow down" } }));
    await expect(limited.call(get("/x"), readJson)).rejects.toBeInstanceOf(RateLimitError);
    const broken = pipelineOver(async () => {
      throw new TypeError(`fetch failed for Bearer ${KEY}`);
    });
    const error = (await broken.call(get("/x"), readJson).catch((e: unknown) => e)) as ConnectionError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).not.toContain(KEY);
    expect(String((error.cause as Error).message)).not.toContain(KEY);
  });

  it("retries a 2xx body cut short inside the attempt, then succeeds", async () => {
    const bodies = ['{"data": [1, 2', '{"data": [1, 2]}'];
    const pipeline = pipelineOver(async () => responseOf(new Response(bodies.shift() ?? "", { status: 200 })), true);
    const { value, attempts } = await pipeline.call(get("/x"), readJson);
    expect(value.value).toEqual({ data: [1, 2] });
    expect(attempts).toBe(2);
  });

  it("refuses a redirect without following it", async () => {
    const pipeline = pipelineOver(async () => responseOf(new Response(null, { status: 302, headers: { location: "https://elsewhere.test/" } })));
    const error = await pipeline.call(get("/x"), readJson).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toContain("redirect to https://elsewhere.test/");
  });
});

describe("the signal a transport is given", () => {
  /** A transport that answers when `release` is called, or rejects with its signal's reason when that aborts. */
  function pending(marked: boolean) {
    const signals: AbortSignal[] = [];
    let release = () => {};
    const transport: Transport = (_req, signal) => {
      signals.push(signal);
      return new Promise((resolve, reject) => {
        release = () => resolve(json(200, { ok: 1 }));
        signal.addEventListener("abort", () => reject(signal.reason));
      });
    };
    return { transport: marked ? watchingAbortSources(transport) : transport, signals, release: () => release() };
  }

  it("NO_SIGNAL when the call has neither a timeout nor a caller's signal", async () => {
    const t = pending(false);
    const call = pipelineOver(t.transport).call(get("/x"), readJson);
    await Promise.resolve();
    t.release();
    await call;
    expect(t.signals).toEqual([NO_SIGNAL]);
  });

  it("a real AbortSignal for a transport that does not watch the deadline itself (fetch, a caller's own)", async () => {
    const t = pending(false);
    const call = pipelineOver(t.transport, false, 60_000).call(get("/x"), readJson);
    await Promise.resolve();
    t.release();
    await call;
    expect(t.signals[0]).toBeInstanceOf(AbortSignal);
  });

  it("a marked transport gets the deadline itself: no AbortController per call, and the timeout still aborts it", async () => {
    vi.useFakeTimers();
    const controllers = countingAbortControllers();
    try {
      const ok = pending(true);
      const first = pipelineOver(ok.transport, false, 60_000).call(get("/x"), readJson);
      await vi.advanceTimersByTimeAsync(0);
      ok.release();
      await first;
      expect(ok.signals[0]).not.toBeInstanceOf(AbortSignal);
      expect(controllers.made).toBe(0);

      const slow = pending(true);
      const second = pipelineOver(slow.transport, false, 1_000).call(get("/x"), readJson).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(await second).toBeInstanceOf(TimeoutError);
      expect(slow.signals[0]?.aborted).toBe(true);
      expect(controllers.made).toBe(0);
    } finally {
      controllers.restore();
      vi.useRealTimers();
    }
  });
});

describe("client.api on the pipeline", () => {
  it("hands openapi-fetch the real error response: { error } parsed by openapi-fetch, the typed error by apiErrorOf, nothing hidden on it", async () => {
    const fetch = async () => new Response('{"error":{"code":404,"message":"No such model"}}', { status: 404, statusText: "Not Found", headers: { "content-type": "application/json" } });
    const client = new OpenRouter({ apiKey: KEY, fetch, retry: false });
    const { data, error, response } = await client.api.GET("/models/{author}/{slug}/endpoints", { params: { path: { author: "a", slug: "b" } } });
    expect(data).toBeUndefined();
    expect(error).toEqual({ error: { code: 404, message: "No such model" } });
    expect(response.status).toBe(404);
    expect(response.statusText).toBe("Not Found");
    const typed = apiErrorOf(response);
    expect(typed).toBeInstanceOf(NotFoundError);
    expect(typed?.message).toContain("No such model");
    expect(Object.getOwnPropertySymbols(typed as object)).toEqual([]);
  });

  it("streams a streaming client.api answer unbuffered: the body is the transport's own stream", async () => {
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(new TextEncoder().encode("data: {}\n\n"));
        if (pulls === 3) controller.close();
      },
    });
    const fetch = async () => new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
    const client = new OpenRouter({ apiKey: KEY, fetch });
    const { response } = await client.api.POST("/chat/completions", { body: { model: "a/b", messages: [], stream: true } as never, parseAs: "stream" });
    expect(pulls).toBeLessThan(3);
    expect(await response.text()).toBe("data: {}\n\n".repeat(3));
  });

  it("client.generation retries the early 404 on the client's own pipeline", async () => {
    const replies = [404, 200];
    const urls: string[] = [];
    const fetch = async (input: string | URL | Request) => {
      urls.push(String(input instanceof Request ? input.url : input));
      const status = replies.shift() ?? 500;
      return status === 404
        ? new Response('{"error":{"code":404,"message":"Generation not found"}}', { status })
        : new Response(JSON.stringify({ data: { id: "gen-1", total_cost: 0.5, model: "a/b" } }), { status });
    };
    const client = new OpenRouter({ apiKey: KEY, fetch, sleep: async () => {} });
    const g = await client.generation("gen-1");
    expect(g.totalCost).toBe(0.5);
    expect(urls).toEqual(["https://openrouter.ai/api/v1/generation?id=gen-1", "https://openrouter.ai/api/v1/generation?id=gen-1"]);
  });
});
