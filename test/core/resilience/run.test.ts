import { describe, expect, it } from "vitest";
import {
  OpenRouterError,
  InvalidArgumentError,
} from "../../../src/core/errors.js";
import {
  AbortError,
  CircuitOpenError,
  InsufficientCreditsError,
  ProviderUnavailableError,
  RateLimitError,
  ServerError,
  TimeoutError,
  BadRequestError,
} from "../../../src/core/call-errors.js";
import type { ErrorEvent, FallbackEvent, Hooks, ResultEvent, RetryEvent } from "../../../src/core/resilience/hooks.js";
import { type Resilience, type ResilienceConfig, type SendRequest, createResilience } from "../../../src/core/resilience/run.js";
import { createPipeline } from "../../../src/core/pipeline.js";
import { type Transport, asResponse, fetchTransport, responseOf } from "../../../src/core/transport.js";
import type { Call } from "../../../src/core/types.js";

/** A resilience layer that runs the attempt once: the pipeline below it is then exactly one attempt. */
const once: Resilience = {
  run: (async (req: SendRequest, _call: unknown, attempt: (r: SendRequest, n: number) => Promise<unknown>) => ({ value: await attempt(req, 1) })) as never,
  circuit: undefined,
  limiter: undefined,
};

type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | Error;

/** The real transport over an injected fetch that plays a script and records each request body. */
function scripted(replies: Reply[] | ((n: number, body: Record<string, unknown>) => Reply)) {
  const bodies: Array<Record<string, unknown>> = [];
  const fetch = async (_url: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const body = JSON.parse(String(init?.body ?? "{}")) as Record<string, unknown>;
    bodies.push(body);
    const n = bodies.length;
    const reply = typeof replies === "function" ? replies(n, body) : replies[Math.min(n, replies.length) - 1];
    if (!reply) throw new Error("script exhausted");
    if (reply instanceof Error) throw reply;
    return new Response(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body ?? {}), {
      status: reply.status,
      headers: { "content-type": "application/json", ...reply.headers },
    });
  };
  const pipeline = createPipeline({
    baseUrl: "https://openrouter.test/api/v1",
    apiKey: "sk-or-v1-test",
    headers: {},
    transport: fetchTransport(fetch),
    timeoutMs: undefined,
    maxResponseBytes: 1 << 20,
    resilience: once,
  });
  /** One attempt of the real pipeline: a 2xx `Response` with its body unread, or the typed error. */
  const attempt = async (req: SendRequest): Promise<Response> => (await pipeline.call({ verb: "test", ...req } as Call, async (res) => asResponse(res))).value;
  return { bodies, attempt };
}

const ok = (model = "openai/gpt-4o"): Reply => ({
  status: 200,
  body: { id: "gen-1", model, choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }] },
  headers: { "x-generation-id": "gen-1" },
});
const fail = (status: number, message = `failed ${status}`, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Reply => ({
  status,
  body: { error: { code: status, message, ...extra } },
  headers,
});

function virtual(extra: Partial<ResilienceConfig> = {}) {
  let t = 1_000_000;
  const sleeps: number[] = [];
  const config: ResilienceConfig = {
    now: () => t,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      t += ms;
    },
    random: () => 0.5,
    ...extra,
  };
  return { config, sleeps, advance: (ms: number) => (t += ms), now: () => t };
}

const chatReq = (model = "openai/gpt-4o", body: Record<string, unknown> = {}): SendRequest => ({
  method: "POST",
  path: "/chat/completions",
  model,
  stream: false,
  body: { model, messages: [{ role: "user", content: "hello" }], ...body },
});

function collectHooks() {
  const events = { retry: [] as RetryEvent[], error: [] as ErrorEvent[], fallback: [] as FallbackEvent[], result: [] as ResultEvent[], request: 0, response: 0 };
  const hooks: Hooks = {
    onRequest: () => void events.request++,
    onResponse: () => void events.response++,
    onError: (e) => void events.error.push(e),
    onRetry: (e) => void events.retry.push(e),
    onFallback: (e) => void events.fallback.push(e),
    onResult: (e) => void events.result.push(e),
  };
  return { hooks, events };
}

describe("retries", () => {
  it("503 x2 then 200: three attempts, jittered backoff, hooks see each retry", async () => {
    const v = virtual();
    const { hooks, events } = collectHooks();
    const s = scripted([fail(503), fail(503), ok()]);
    const r = await createResilience({ ...v.config, hooks }).run(chatReq(), {}, s.attempt);
    expect(r.value.status).toBe(200);
    expect(r.attempts).toBe(3);
    expect(r.model).toBe("openai/gpt-4o");
    expect(r.fallbacks).toEqual([]);
    expect(v.sleeps).toEqual([250, 500]); // random 0.5 of 500, 1000
    expect(events.retry.map((e) => [e.attempt, e.nextAttempt, e.status, e.delayMs])).toEqual([
      [1, 2, 503, 250],
      [2, 3, 503, 500],
    ]);
    expect(events.request).toBe(3);
    expect(events.response).toBe(1);
    expect(events.error.every((e) => e.willRetry)).toBe(true);
  });

  it("honours Retry-After seconds and availability.retry_after", async () => {
    const v = virtual();
    const s = scripted([
      fail(429, "Rate limit exceeded", {}, { "retry-after": "1" }),
      fail(503, "down", { availability: { code: "temporarily_unavailable", retryable: true, retry_after: 3, requested_models: [] } }),
      ok(),
    ]);
    const r = await createResilience(v.config).run(chatReq(), {}, s.attempt);
    expect(r.attempts).toBe(3);
    expect(v.sleeps).toEqual([1000, 3000]);
  });

  it("500 forever: gives up after maxRetries with the attempt count and the last error", async () => {
    const v = virtual({ retry: { maxRetries: 3 } });
    const s = scripted([fail(500, "Internal Server Error")]);
    const error = await createResilience(v.config).run(chatReq(), {}, s.attempt).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as OpenRouterError).attempts).toBe(4);
    expect(s.bodies).toHaveLength(4);
  });

  it.each([400, 401, 402, 403, 404])("%d is never retried", async (status) => {
    const v = virtual();
    const s = scripted([fail(status)]);
    const error = (await createResilience(v.config).run(chatReq(), {}, s.attempt).catch((e: unknown) => e)) as OpenRouterError;
    expect(error.status).toBe(status);
    expect(error.attempts).toBe(1);
    expect(v.sleeps).toEqual([]);
  });

  it("availability.retryable false stops at once", async () => {
    const v = virtual();
    const s = scripted([fail(503, "no", { availability: { code: "no_endpoints", retryable: false, requested_models: [] } })]);
    const error = (await createResilience(v.config).run(chatReq(), {}, s.attempt).catch((e: unknown) => e)) as OpenRouterError;
    expect(error.attempts).toBe(1);
  });

  it("stops when the next wait would overrun maxElapsedMs", async () => {
    const v = virtual({ retry: { maxRetries: 5, maxElapsedMs: 2500 } });
    const s = scripted([fail(429, "slow down", {}, { "retry-after": "2" })]);
    const error = (await createResilience(v.config).run(chatReq(), {}, s.attempt).catch((e: unknown) => e)) as OpenRouterError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.attempts).toBe(2);
    expect(v.sleeps).toEqual([2000]);
  });

  it("does not retry earlier than a Retry-After longer than maxDelayMs; the error keeps the hint", async () => {
    const v = virtual({ retry: { maxDelayMs: 10_000 } });
    const s = scripted([fail(429, "slow down", {}, { "retry-after": "3600" }), ok()]);
    const error = (await createResilience(v.config).run(chatReq(), {}, s.attempt).catch((e: unknown) => e)) as OpenRouterError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(3_600_000);
    expect(error.attempts).toBe(1);
    expect(v.sleeps).toEqual([]);
  });

  it("per-call retry: false overrides the client", async () => {
    const v = virtual();
    const s = scripted([fail(503), ok()]);
    const error = (await createResilience(v.config).run(chatReq(), { retry: false }, s.attempt).catch((e: unknown) => e)) as OpenRouterError;
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error.attempts).toBe(1);
  });

  it("network failures are retried", async () => {
    const v = virtual();
    const s = scripted([new TypeError("fetch failed"), ok()]);
    const r = await createResilience(v.config).run(chatReq(), {}, s.attempt);
    expect(r.attempts).toBe(2);
  });

  it("an abort during the backoff sleep ends with AbortError carrying the last failure", async () => {
    const controller = new AbortController();
    const v = virtual({
      sleep: (_ms, signal) =>
        new Promise<void>((_resolve, reject) => {
          signal?.addEventListener("abort", () => reject(signal.reason));
          queueMicrotask(() => controller.abort());
        }),
    });
    const s = scripted([fail(503), ok()]);
    const error = (await createResilience(v.config).run(chatReq(), { signal: controller.signal }, s.attempt).catch((e: unknown) => e)) as OpenRouterError;
    expect(error).toBeInstanceOf(AbortError);
    expect(error.name).toBe("AbortError");
    expect(error.attempts).toBe(1);
    expect((error as Error).cause).toBeInstanceOf(ProviderUnavailableError);
    expect(s.bodies).toHaveLength(1);
  });

  it("a timeout reason on the signal becomes TimeoutError; a caller-provided abortError wins", async () => {
    const v = virtual();
    const s = scripted([ok()]);
    const timedOut = AbortSignal.abort(new DOMException("timeout", "TimeoutError"));
    const e1 = await createResilience(v.config).run(chatReq(), { signal: timedOut }, s.attempt).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(TimeoutError);
    const custom = new AbortError("custom");
    const e2 = await createResilience(v.config)
      .run(chatReq(), { signal: AbortSignal.abort(), abortError: () => custom }, s.attempt)
      .catch((e: unknown) => e);
    expect(e2).toBe(custom);
    expect(s.bodies).toHaveLength(0);
  });

  it("does not retry what is not an OpenRouterError (a bug in the attempt)", async () => {
    const v = virtual();
    let calls = 0;
    const bug = new TypeError("undefined is not a function");
    const error = await createResilience(v.config)
      .run(chatReq(), {}, async () => {
        calls++;
        throw bug;
      })
      .catch((e: unknown) => e);
    expect(error).toBe(bug);
    expect(calls).toBe(1);
  });
});

describe("402 affordability", () => {
  const msg = "This request requires more credits, or fewer max_tokens. You requested up to 4096 tokens, but can only afford 512. To increase, visit https://openrouter.ai/settings/credits and add more credits";

  it("reduce-max-tokens retries once with max_tokens lowered, without touching the caller's request", async () => {
    const v = virtual({ onInsufficientCredits: "reduce-max-tokens" });
    const { hooks, events } = collectHooks();
    const s = scripted([fail(402, msg), ok()]);
    const req = chatReq("openai/gpt-4o", { max_tokens: 4096 });
    const r = await createResilience({ ...v.config, hooks }).run(req, {}, s.attempt);
    expect(r.attempts).toBe(2);
    expect(s.bodies.map((b) => b["max_tokens"])).toEqual([4096, 512]);
    expect(req.body?.["max_tokens"]).toBe(4096);
    expect(events.retry[0]).toMatchObject({ reason: "reduce-max-tokens", maxTokens: 512, delayMs: 0 });
    expect(v.sleeps).toEqual([]);
  });

  it("reduces only once, and by default throws the typed error", async () => {
    const v = virtual();
    const s = scripted([fail(402, msg)]);
    const e1 = (await createResilience({ ...v.config, onInsufficientCredits: "reduce-max-tokens" })
      .run(chatReq("openai/gpt-4o", { max_tokens: 4096 }), {}, s.attempt)
      .catch((e: unknown) => e)) as InsufficientCreditsError;
    expect(e1).toBeInstanceOf(InsufficientCreditsError);
    expect(e1.attempts).toBe(2);
    const e2 = (await createResilience(v.config).run(chatReq("openai/gpt-4o", { max_tokens: 4096 }), {}, s.attempt).catch((e: unknown) => e)) as InsufficientCreditsError;
    expect(e2.affordableTokens).toBe(512);
    expect(e2.attempts).toBe(1);
  });

  it("a 402 without a number is never retried", async () => {
    const v = virtual({ onInsufficientCredits: "reduce-max-tokens" });
    const s = scripted([fail(402, "Insufficient credits. Add more using https://openrouter.ai/settings/credits")]);
    const e = (await createResilience(v.config).run(chatReq(), {}, s.attempt).catch((x: unknown) => x)) as OpenRouterError;
    expect(e.attempts).toBe(1);
  });
});

describe("fallback models", () => {
  it("moves to the next model after the primary's retries and says what failed", async () => {
    const v = virtual({ fallbackModels: ["anthropic/claude-sonnet-4"] });
    const { hooks, events } = collectHooks();
    const s = scripted((_n, body) => (body["model"] === "openai/gpt-4o" ? fail(503) : ok(String(body["model"]))));
    const r = await createResilience({ ...v.config, hooks }).run(chatReq(), {}, s.attempt);
    expect(r.model).toBe("anthropic/claude-sonnet-4");
    expect(r.attempts).toBe(4);
    expect(s.bodies.map((b) => b["model"])).toEqual(["openai/gpt-4o", "openai/gpt-4o", "openai/gpt-4o", "anthropic/claude-sonnet-4"]);
    expect(r.fallbacks.map((f) => [f.model, f.error.status])).toEqual([["openai/gpt-4o", 503]]);
    expect(events.fallback.map((e) => [e.fromModel, e.toModel])).toEqual([["openai/gpt-4o", "anthropic/claude-sonnet-4"]]);
    expect(events.error.at(-1)?.willFallback).toBe(true);
  });

  it("does not fall back on a 400 or 401, and per call false disables it", async () => {
    const v = virtual({ fallbackModels: ["b/model"] });
    const s = scripted([fail(400, "bad")]);
    const e = (await createResilience(v.config).run(chatReq(), {}, s.attempt).catch((x: unknown) => x)) as OpenRouterError;
    expect(e).toBeInstanceOf(BadRequestError);
    expect(s.bodies).toHaveLength(1);
    const s2 = scripted([fail(503)]);
    const e2 = (await createResilience(v.config).run(chatReq(), { fallbackModels: false }, s2.attempt).catch((x: unknown) => x)) as OpenRouterError;
    expect(e2.attempts).toBe(3);
    expect(s2.bodies.every((b) => b["model"] === "openai/gpt-4o")).toBe(true);
  });

  it("throws the last model's error with the total attempt count when every model fails", async () => {
    const v = virtual({ retry: { maxRetries: 1 } });
    const s = scripted([fail(502)]);
    const e = (await createResilience(v.config)
      .run(chatReq(), { fallbackModels: ["b/one", "c/two"] }, s.attempt)
      .catch((x: unknown) => x)) as OpenRouterError;
    expect(e).toBeInstanceOf(ProviderUnavailableError);
    expect(e.model).toBe("c/two");
    expect(e.attempts).toBe(6);
  });

  it("validates options with InvalidArgumentError naming the option", async () => {
    expect(() => createResilience({ fallbackModels: ["", "x"] })).toThrow(InvalidArgumentError);
    expect(() => createResilience({ fallbackModels: ["", "x"] })).toThrow(/fallbackModels/);
    expect(() => createResilience({ onInsufficientCredits: "maybe" as never })).toThrow(/onInsufficientCredits/);
    expect(() => createResilience({ retry: { maxRetries: -1 } })).toThrow(/retry\.maxRetries/);
    expect(() => createResilience({ circuitBreaker: { failureThreshold: 0 } })).toThrow(/circuitBreaker\.failureThreshold/);
    expect(() => createResilience({ rateLimit: { maxConcurrency: 0 } })).toThrow(/rateLimit\.maxConcurrency/);
    expect(() => createResilience({ hooks: { onRetry: 1 } as never })).toThrow(/hooks\.onRetry/);
    const s = scripted([ok()]);
    await expect(createResilience().run(chatReq(), { retry: { baseDelayMs: -5 } }, s.attempt)).rejects.toThrow(InvalidArgumentError);
    expect(s.bodies).toHaveLength(0);
  });
});

describe("circuit breaker", () => {
  it("opens after N failures, fails fast with CircuitOpenError, closes after a successful probe", async () => {
    const v = virtual({ circuitBreaker: { failureThreshold: 3, cooldownMs: 30_000 }, retry: false });
    let healthy = false;
    const s = scripted(() => (healthy ? ok() : fail(503)));
    const resilience = createResilience(v.config);
    for (let i = 0; i < 3; i++) await resilience.run(chatReq(), {}, s.attempt).catch(() => {});
    expect(resilience.circuit?.state("openai/gpt-4o")).toBe("open");
    const fast = (await resilience.run(chatReq(), {}, s.attempt).catch((x: unknown) => x)) as CircuitOpenError;
    expect(fast).toBeInstanceOf(CircuitOpenError);
    expect(fast.message).toContain("openai/gpt-4o");
    expect(fast.retryAfterMs).toBe(30_000);
    expect(fast.attempts).toBe(0);
    expect(s.bodies).toHaveLength(3);
    v.advance(30_000);
    healthy = true;
    const probe = await resilience.run(chatReq(), {}, s.attempt);
    expect(probe.attempts).toBe(1);
    expect(resilience.circuit?.state("openai/gpt-4o")).toBe("closed");
  });

  it("falls back at once while the primary's circuit is open", async () => {
    const v = virtual({ circuitBreaker: { failureThreshold: 1 }, retry: false, fallbackModels: ["b/model"] });
    const s = scripted((_n, body) => (body["model"] === "openai/gpt-4o" ? fail(503) : ok("b/model")));
    const resilience = createResilience(v.config);
    await resilience.run(chatReq(), {}, s.attempt); // primary fails once -> open, then b/model answers
    const before = s.bodies.length;
    const r = await resilience.run(chatReq(), {}, s.attempt);
    expect(r.model).toBe("b/model");
    expect(r.attempts).toBe(1);
    expect(r.fallbacks[0]?.error).toBeInstanceOf(CircuitOpenError);
    expect(s.bodies.slice(before).map((b) => b["model"])).toEqual(["b/model"]);
  });
});

describe("rate limits", () => {
  it("holds the concurrency slot until the response body is read", async () => {
    const v = virtual({ rateLimit: { maxConcurrency: 1 } });
    const s = scripted([ok()]);
    const resilience = createResilience(v.config);
    const r = await resilience.run(chatReq(), {}, s.attempt);
    expect(resilience.limiter?.active).toBe(1);
    const body = (await r.value.json()) as { id: string };
    expect(body.id).toBe("gen-1");
    expect(resilience.limiter?.active).toBe(0);
  });

  it("paces :free models to 20 per minute by default", async () => {
    let t = 0;
    const timers: Array<{ at: number; go: () => void }> = [];
    const config: ResilienceConfig = {
      now: () => t,
      sleep: (ms) => new Promise<void>((go) => timers.push({ at: t + ms, go })),
    };
    const s = scripted(() => ok());
    const resilience = createResilience(config);
    const free = "meta-llama/llama-3.3-70b-instruct:free";
    const done: number[] = [];
    const calls = Array.from({ length: 21 }, (_, i) => resilience.run(chatReq(free), {}, s.attempt).then(() => done.push(i)));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toHaveLength(20);
    expect(timers).toHaveLength(1);
    expect(timers[0]?.at).toBe(60_000);
    t = 60_000;
    timers[0]?.go();
    await Promise.all(calls);
    expect(done).toHaveLength(21);
    // Paid models are not paced.
    await resilience.run(chatReq(), {}, s.attempt);
  });

  it("rateLimit: false turns free pacing off", async () => {
    const v = virtual({ rateLimit: false });
    const s = scripted(() => ok());
    const resilience = createResilience(v.config);
    await Promise.all(Array.from({ length: 25 }, () => resilience.run(chatReq("x/y:free"), {}, s.attempt)));
    expect(s.bodies).toHaveLength(25);
    expect(v.sleeps).toEqual([]);
  });
});

describe("results and hooks", () => {
  it("a parsed (non-Response) value is recorded automatically: usage, cost and fallbacks reach onResult", async () => {
    const v = virtual();
    const { hooks, events } = collectHooks();
    const resilience = createResilience({ ...v.config, hooks });
    const r = await resilience.run(chatReq(), {}, async () => ({
      model: "openai/gpt-4o-2024",
      generationId: "gen-9",
      provider: "OpenAI",
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
      cost: 0.001,
      finishReason: "stop",
      text: "hello there",
    }));
    expect(r.value.generationId).toBe("gen-9");
    expect(events.result).toHaveLength(1);
    expect(events.result[0]).toMatchObject({ model: "openai/gpt-4o-2024", generationId: "gen-9", cost: 0.001, attempts: 1, provider: "OpenAI" });
    expect(events.result[0]?.result).toBeUndefined();
    expect(JSON.stringify(events.result)).not.toContain("hello there");
    r.recordResult({}); // only the first report counts
    expect(events.result).toHaveLength(1);
  });

  it("includeContent puts the body into onRequest", async () => {
    const v = virtual();
    const seen: unknown[] = [];
    const s = scripted([ok()]);
    await createResilience({ ...v.config, hooks: { includeContent: true, onRequest: (e) => void seen.push(e.body) } }).run(chatReq(), {}, s.attempt);
    expect(JSON.stringify(seen)).toContain("hello");
    const quiet: unknown[] = [];
    await createResilience({ ...v.config, hooks: { onRequest: (e) => void quiet.push(e) } }).run(chatReq(), {}, s.attempt);
    expect(JSON.stringify(quiet)).not.toContain("hello");
  });

  it("a pipeline over a plain-function transport runs the whole call through the resilience layer", async () => {
    const v = virtual();
    const replies = [fail(529), ok()];
    const sent: string[] = [];
    const transport: Transport = async (req) => {
      sent.push(String(req.body));
      const reply = replies.shift() as Exclude<Reply, Error>;
      return responseOf(new Response(JSON.stringify(reply.body), { status: reply.status, headers: reply.headers ?? {} }));
    };
    const pipeline = createPipeline({
      baseUrl: "https://openrouter.test/api/v1",
      apiKey: undefined,
      headers: {},
      transport,
      timeoutMs: undefined,
      maxResponseBytes: 1 << 20,
      resilience: createResilience(v.config),
    });
    const r = await pipeline.call({ verb: "test", ...chatReq(), serialized: '{"sent":"once"}' } as Call, async (res) => res.status);
    expect(r.attempts).toBe(2);
    expect(r.requestId).toBe("req-1");
    expect(r.value).toBe(200);
    // The body serialised once per call is what every attempt sends.
    expect(sent).toEqual(['{"sent":"once"}', '{"sent":"once"}']);
  });
});

describe("telemetry through the resilience layer", () => {
  /** A tracer that records what it is told, standing in for an OpenTelemetry SDK. */
  function recordingTracer() {
    const spans: Array<{ name: string; attributes: Record<string, unknown>; events: string[]; ended: number; status: number | undefined }> = [];
    const tracer = {
      startSpan(name: string, options?: { attributes?: Record<string, unknown> }) {
        const rec = { name, attributes: { ...options?.attributes }, events: [] as string[], ended: 0, status: undefined as number | undefined };
        spans.push(rec);
        return {
          setAttribute: (k: string, v: unknown) => (rec.attributes[k] = v),
          addEvent: (n: string) => rec.events.push(n),
          setStatus: (st: { code: number }) => (rec.status = st.code),
          recordException: () => {},
          end: () => rec.ended++,
        };
      },
    };
    return { tracer, spans };
  }

  it("one span per call: retries and fallbacks as events, result facts as attributes, ended once", async () => {
    const v = virtual({ fallbackModels: ["b/model"], retry: { maxRetries: 1 } });
    const { tracer, spans } = recordingTracer();
    const resilience = createResilience({ ...v.config, telemetry: { tracer } });
    const s = scripted((_n, body) => (body["model"] === "openai/gpt-4o" ? fail(503) : ok("b/model")));
    const r = await resilience.run(chatReq(), {}, s.attempt);
    r.recordResult({ model: "b/model", generationId: "gen-1", provider: "B", usage: { prompt_tokens: 5, completion_tokens: 2 }, cost: 0.01 });
    expect(spans).toHaveLength(1);
    expect(spans[0]?.name).toBe("chat openai/gpt-4o");
    expect(spans[0]?.events).toEqual(["openrouter.attempt", "openrouter.retry", "openrouter.attempt", "openrouter.fallback", "openrouter.attempt"]);
    expect(spans[0]?.attributes).toMatchObject({
      "gen_ai.response.model": "b/model",
      "openrouter.fallbacks": ["openai/gpt-4o"],
      "openrouter.attempts": 3,
      "openrouter.cost": 0.01,
      "gen_ai.usage.input_tokens": 5,
    });
    expect(spans[0]?.ended).toBe(1);
  });

  it("a failed call ends its span with an error status", async () => {
    const v = virtual({ retry: false });
    const { tracer, spans } = recordingTracer();
    const s = scripted([fail(401)]);
    await createResilience({ ...v.config, telemetry: { tracer } }).run(chatReq(), {}, s.attempt).catch(() => {});
    expect(spans[0]?.status).toBe(2);
    expect(spans[0]?.attributes["error.type"]).toBe("401");
    expect(spans[0]?.ended).toBe(1);
  });

  it("recordError after a resolved stream ends the span and sets attempts on the error", async () => {
    const v = virtual();
    const { tracer, spans } = recordingTracer();
    const s = scripted([ok()]);
    const r = await createResilience({ ...v.config, telemetry: { tracer } }).run({ ...chatReq(), stream: true }, {}, s.attempt);
    expect(spans[0]?.ended).toBe(0);
    const midStream = new AbortError("stream aborted");
    r.recordError(midStream);
    expect(midStream.attempts).toBe(1);
    expect(spans[0]?.ended).toBe(1);
  });
});

describe("hooks for fail-fast and queueing", () => {
  it("onError sees the CircuitOpenError of a fail-fast call; onRequest reports the queue wait", async () => {
    const v = virtual({ circuitBreaker: { failureThreshold: 1 }, retry: false, rateLimit: { requestsPerMinute: 60, requestsBurst: 1 } });
    const { hooks, events } = collectHooks();
    const queued: number[] = [];
    const resilience = createResilience({ ...v.config, hooks: { ...hooks, onRequest: (e) => void queued.push(e.queuedMs) } });
    const s = scripted([fail(503)]);
    await resilience.run(chatReq(), {}, s.attempt).catch(() => {});
    await resilience.run(chatReq(), {}, s.attempt).catch(() => {});
    expect(events.error.map((e) => e.error.kind)).toEqual(["provider_unavailable", "circuit_open"]);
    const s2 = scripted([ok()]);
    await resilience.run(chatReq("x/other"), {}, s2.attempt);
    expect(queued).toEqual([0, 1000]); // the bucket of 1/s made the third call wait a second
  });
});
