import createClient from "openapi-fetch";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  attoToMicros,
  attoToUsd,
  costOf,
  estimateCallCost,
  estimateCost,
  formatAtto,
  hasFixedPricing,
  toAtto,
} from "../../src/accounting/cost.js";
import { fetchGeneration, generationCost } from "../../src/accounting/generation.js";
import { AuthenticationError, InvalidArgumentError, NotFoundError } from "../../src/core/errors.js";
import { AbortError } from "../../src/core/call-errors.js";
import type { components, paths } from "../../src/generated/openrouter.js";
import { chatResultFromResponse } from "../../src/core/result.js";
import { listFixtures, loadFixture, recordedBody, recordedHeaders, recordedJson, recordedUsage } from "../helpers/fixtures.js";

type Model = components["schemas"]["Model"];
type Usage = components["schemas"]["Usage"];

function catalogue(): Map<string, Model> {
  const byId = new Map<string, Model>();
  for (const name of ["models-list-01.json", "models-list-02.json", "models-list-03.json", "models-list-04.json"]) {
    for (const m of (loadFixture(name).response.body as { data: Model[] }).data) if (!byId.has(m.id)) byId.set(m.id, m);
  }
  return byId;
}


function withoutCost(usage: Usage): Usage {
  const { cost: _cost, ...rest } = usage;
  return rest as Usage;
}

describe("exact money arithmetic", () => {
  it("parses numbers and decimal strings into atto-dollars exactly", () => {
    expect(toAtto("0.0004688775")).toBe(468_877_500_000_000n);
    expect(toAtto(6e-7)).toBe(600_000_000_000n);
    expect(toAtto("1")).toBe(10n ** 18n);
    expect(toAtto("-0.5")).toBe(-(5n * 10n ** 17n));
    expect(toAtto("2.5E-3")).toBe(25n * 10n ** 14n);
    expect(toAtto(".5")).toBe(5n * 10n ** 17n);
    expect(toAtto("0.0000000208333333333333")).toBe(20_833_333_333n);
  });

  it("rounds beyond 18 decimals half away from zero", () => {
    expect(formatAtto(toAtto(0.0076509169000000005))).toBe("0.007650916900000001");
    expect(toAtto("0.0000000000000000005")).toBe(1n);
    expect(toAtto("0.0000000000000000004")).toBe(0n);
  });

  it("adds without float drift", () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(attoToUsd(toAtto(0.1) + toAtto(0.2))).toBe(0.3);
    let sum = 0n;
    for (let i = 0; i < 1000; i++) sum += toAtto(8.1e-5);
    expect(formatAtto(sum)).toBe("0.081");
  });

  it("formats and rounds to micro-dollars", () => {
    expect(formatAtto(0n)).toBe("0");
    expect(formatAtto(toAtto("12.340"))).toBe("12.34");
    expect(formatAtto(-toAtto("0.25"))).toBe("-0.25");
    expect(attoToMicros(toAtto("0.0000125"))).toBe(13);
    expect(attoToMicros(toAtto("0.0000124"))).toBe(12);
    expect(attoToMicros(toAtto("3.000001"))).toBe(3_000_001);
  });

  it("rejects what is not an amount", () => {
    for (const bad of ["", ".", "abc", "1.2.3", "0x10", Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => toAtto(bad as never)).toThrow(InvalidArgumentError);
    }
  });
});

describe("costOf", () => {
  it("takes usage.cost from a recorded completion (through chatResultFromResponse)", () => {
    const rec = loadFixture("chat-basic-01.json");
    const result = chatResultFromResponse(recordedJson(rec), { headers: recordedHeaders(rec) });
    const cost = costOf(result);
    expect(cost).toMatchObject({ usd: 8.1e-5, source: "usage", estimated: false });
    expect(toAtto(cost.exact!)).toBe(toAtto("0.000081"));
    expect(cost.details).toMatchObject({
      promptTokens: 16,
      completionTokens: 13,
      reasoningTokens: 0,
      cachedTokens: 0,
      isByok: false,
      upstreamInferenceCost: 8.1e-5,
    });
    expect(cost.details.costDetails).toEqual({ upstream_inference_cost: 8.1e-5, upstream_inference_prompt_cost: 1.6e-5, upstream_inference_completions_cost: 6.5e-5 });
  });

  it("keeps cached, cache-write and reasoning token counts", () => {
    const cache = costOf({ usage: recordedUsage(loadFixture("chat-prompt-cache-02.json")) });
    expect(cache.details).toMatchObject({ promptTokens: 3329, cachedTokens: 3211, cacheWriteTokens: 115, completionTokens: 53 });
    const reasoning = costOf({ usage: recordedUsage(loadFixture("stream-reasoning-03.json")) });
    expect(reasoning).toMatchObject({ usd: 0.0010368, source: "usage" });
    expect(reasoning.details.reasoningTokens).toBe(308);
  });

  it("keeps BYOK's zero charge and reports the upstream cost separately", () => {
    const cost = costOf({ usage: recordedUsage(loadFixture("chat-tool-calls-nested-schema-01.json")) });
    expect(cost).toMatchObject({ usd: 0, source: "usage" });
    expect(cost.details).toMatchObject({ isByok: true, upstreamInferenceCost: 0.0003253 });
  });

  it("falls back to a cost header when usage has no cost (older recording chat-basic-02)", () => {
    const rec = loadFixture("chat-basic-02.json");
    const usage = recordedUsage(rec)!;
    expect(usage.cost).toBeUndefined();
    expect(costOf({ usage, headers: recordedHeaders(rec) }).source).toBeUndefined();
    const headers = recordedHeaders(rec);
    headers.set("x-openrouter-cost", "0.0000123");
    expect(costOf({ usage, headers })).toMatchObject({ usd: 0.0000123, source: "header", estimated: false });
    const legacy = new Headers({ "openrouter-cost": "2e-6" });
    expect(costOf({ usage, headers: legacy })).toMatchObject({ usd: 2e-6, source: "header" });
  });

  it("estimates exactly what OpenRouter charged, from recorded catalogue prices, for every matching recording", () => {
    const byId = catalogue();
    let checked = 0;
    for (const name of listFixtures()) {
      if (!/^(chat|stream)-/.test(name)) continue;
      const rec = loadFixture(name);
      const model = (rec.request.body as { model?: string } | null)?.model;
      const usage = recordedUsage(rec);
      const entry = model ? byId.get(model) : undefined;
      if (!usage || typeof usage.cost !== "number" || !entry || !hasFixedPricing(entry)) continue;
      const est = costOf({ usage: withoutCost(usage) }, entry.pricing);
      expect(est.source, name).toBe("estimate");
      expect(est.estimated).toBe(true);
      expect(est.exact, name).toBe(formatAtto(toAtto(usage.cost)));
      checked++;
    }
    expect(checked).toBe(21);
  });

  it("prices cache reads and writes separately (chat-prompt-cache-02, Claude Sonnet 4.6 list prices)", () => {
    const usage = recordedUsage(loadFixture("chat-prompt-cache-02.json"))!;
    const pricing = { prompt: "0.000003", completion: "0.000015", input_cache_read: "0.0000003", input_cache_write: "0.00000375" };
    const est = costOf({ usage: withoutCost(usage) }, pricing);
    expect(est.usd).toBe(usage.cost);
    expect(est.details.breakdown).toEqual({
      prompt: 0.000009,
      cacheRead: 0.0009633,
      cacheWrite: 0.00043125,
      completion: 0.000795,
      reasoning: 0,
      request: 0,
      webSearch: 0,
    });
    // The prompt-side parts add up to OpenRouter's own upstream_inference_prompt_cost.
    expect(attoToUsd(toAtto(0.000009) + toAtto(0.0009633) + toAtto(0.00043125))).toBe(usage.cost_details!.upstream_inference_prompt_cost);
  });

  it("adds per-search web prices (chat-web-search-01, GPT-5.2 list prices)", () => {
    const usage = recordedUsage(loadFixture("chat-web-search-01.json"))!;
    const est = costOf({ usage: withoutCost(usage) }, { prompt: "0.00000175", completion: "0.000014", web_search: "0.01" });
    expect(est.usd).toBe(usage.cost);
    expect(est.details.breakdown?.webSearch).toBe(0.03);
  });

  it("bills reasoning at internal_reasoning when priced, and as completion when it is 0", () => {
    const usage = { prompt_tokens: 10, completion_tokens: 100, total_tokens: 110, completion_tokens_details: { reasoning_tokens: 60 } };
    const separate = costOf({ usage }, { prompt: "0.000001", completion: "0.000002", internal_reasoning: "0.000004" });
    expect(separate.details.breakdown).toMatchObject({ completion: 0.00008, reasoning: 0.00024 });
    expect(separate.usd).toBe(0.00033);
    const same = costOf({ usage }, { prompt: "0.000001", completion: "0.000002", internal_reasoning: "0" });
    expect(same.usd).toBe(0.00021);
  });

  it("applies tiered pricing overrides (recorded ~x-ai/grok-latest)", () => {
    const grok = catalogue().get("~x-ai/grok-latest")!;
    const small = costOf({ usage: { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 } }, grok.pricing);
    expect(small.usd).toBe(1000 * 0.000002 + 100 * 0.000006);
    const large = costOf({ usage: { prompt_tokens: 250_000, completion_tokens: 100, total_tokens: 250_100 } }, grok.pricing);
    expect(large.exact).toBe("1.0012"); // 250k × $4/M + 100 × $12/M
  });

  it("adds the per-request price", () => {
    const est = costOf({ usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } }, { prompt: "0", completion: "0", request: "0.005" });
    expect(est.usd).toBe(0.005);
  });

  it("cannot estimate for routers or without usage", () => {
    const auto = catalogue().get("openrouter/auto")!;
    expect(hasFixedPricing(auto)).toBe(false);
    expect(costOf({ usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }, auto.pricing)).toMatchObject({ usd: undefined, source: undefined });
    expect(costOf({}, { prompt: "0.000001", completion: "0.000001" }).usd).toBeUndefined();
    expect(() => costOf(null as never)).toThrow(InvalidArgumentError);
  });
});

describe("estimateCallCost (client.estimateCost)", () => {
  const mini = () => catalogue().get("openai/gpt-4o-mini")!;
  const messages = [{ role: "user", content: "Hi" }];
  it("checks the parameters as chat does, then prices the catalogue's model", async () => {
    const get = vi.fn(async (id: string) => (id === "openai/gpt-4o-mini" ? mini() : undefined));
    const est = await estimateCallCost({ model: "openai/gpt-4o-mini", messages, max_tokens: 1000 }, { get });
    expect(est).toEqual(estimateCost({ messages, max_tokens: 1000 }, mini()));
    await expect(estimateCallCost({ messages }, { get })).rejects.toThrow(InvalidArgumentError);
    await expect(estimateCallCost({ model: "x/y", messages: [] }, { get })).rejects.toThrow(/at least one message/);
    await expect(estimateCallCost({ model: "nobody/none", messages }, { get })).rejects.toThrow(NotFoundError);
    expect(get).toHaveBeenCalledTimes(2);
  });
});

describe("estimateCost", () => {
  const mini = () => catalogue().get("openai/gpt-4o-mini")!;
  const messages = [{ role: "user", content: "Summarise the plot of Hamlet in three sentences." }];

  it("prices the estimated prompt and the whole completion budget", () => {
    const est = estimateCost({ messages, max_tokens: 1000 }, mini());
    expect(est.maxTokens).toBe(1000);
    expect(est.promptTokens).toBeGreaterThan(10);
    expect(toAtto(est.worstCaseExact)).toBe(BigInt(est.promptTokens) * toAtto("0.00000015") + 1000n * toAtto("0.0000006"));
    expect(est.worstCaseUsd).toBe(attoToUsd(toAtto(est.worstCaseExact)));
    expect(est.completionUsd).toBe(0.0006);
    expect(est.cappedByMaxPrice).toBe(false);
  });

  it("defaults the completion budget to the top provider's limit", () => {
    expect(estimateCost({ messages }, mini()).maxTokens).toBe(16384);
    const noTop = { ...mini(), top_provider: {} };
    const est = estimateCost({ messages }, noTop);
    expect(est.maxTokens).toBe(128000 - est.promptTokens);
  });

  it("honours provider.max_price (USD per million tokens; numbers or strings)", () => {
    const est = estimateCost({ messages, max_tokens: 1000, provider: { max_price: { prompt: "0.1", completion: 0.3 } } }, mini());
    expect(est.cappedByMaxPrice).toBe(true);
    expect(est.completionUsd).toBe(0.0003);
    expect(est.promptUsd).toBe(attoToUsd(BigInt(est.promptTokens) * toAtto("0.0000001")));
    const loose = estimateCost({ messages, max_tokens: 1000, provider: { max_price: { completion: 5 } } }, mini());
    expect(loose.cappedByMaxPrice).toBe(false);
    expect(() => estimateCost({ messages, provider: { max_price: { prompt: -1 } } }, mini())).toThrow(/must not be negative/);
  });

  it("uses the dearer of completion and internal_reasoning prices", () => {
    const m = { ...mini(), pricing: { prompt: "0", completion: "0.000001", internal_reasoning: "0.000003" } };
    expect(estimateCost({ messages, max_tokens: 10 }, m).completionUsd).toBe(0.00003);
  });

  it("refuses routers and bad input", () => {
    expect(() => estimateCost({ messages }, catalogue().get("openrouter/auto")!)).toThrow(/no fixed price/);
    expect(() => estimateCost({} as never, mini())).toThrow(/messages/);
    expect(() => estimateCost({ messages, max_tokens: -5 }, mini())).toThrow(/max_tokens/);
    expect(() => estimateCost({ messages }, { id: "x/y" } as never)).toThrow(/pricing/);
  });
});

describe("generationCost", () => {
  it("maps the recorded GET /generation data", () => {
    const body = recordedJson(loadFixture("generation-01.json")) as { data: components["schemas"]["GenerationData"] };
    const g = generationCost(body.data);
    expect(g).toMatchObject({
      id: "gen-1731289055-7lM7yhtp335znp1qegkj",
      model: "anthropic/claude-3-haiku",
      provider: "Anthropic",
      totalCost: 0.0004688775,
      cacheDiscount: 0.0010926,
      latencyMs: 787,
      generationTimeMs: 1905,
      moderationLatencyMs: 230,
      streamed: true,
      cancelled: false,
      finishReason: "end_turn",
      tokens: { prompt: 4538, completion: 257 },
      nativeTokens: { prompt: 4884, completion: 285, reasoning: undefined, cached: undefined },
    });
    expect(g.totalCostExact).toBe("0.0004688775");
    expect(toAtto(g.totalCostExact)).toBe(toAtto("0.0004688775"));
    expect(g.raw).toBe(body.data);
    // The native counts are what chat-prompt-cache-01 reported as usage.
    expect(recordedUsage(loadFixture("chat-prompt-cache-01.json"))).toMatchObject({ prompt_tokens: 4884, completion_tokens: 285 });
  });

  it("rejects data without an id or cost", () => {
    expect(() => generationCost({ total_cost: 1 } as never)).toThrow(/lacks an id/);
    expect(() => generationCost({ id: "gen-1" } as never)).toThrow(/lacks total_cost/);
    expect(() => generationCost(null as never)).toThrow(InvalidArgumentError);
  });
});

describe("fetchGeneration", () => {
  // The lookup and the retry loop are loaded on first use (accounting/generation.ts, core/resilience/lazy.ts);
  // loaded here, before any fake clock starts, so the timed tests below measure the backoff alone.
  beforeAll(async () => {
    await Promise.all([import("../../src/core/resilience/run.js"), import("../../src/accounting/generation-lookup.js")]);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const GEN = loadFixture("generation-01.json");
  const ID = "gen-1731289055-7lM7yhtp335znp1qegkj";
  // OpenRouter's body for a not-yet-available generation is not recorded; this mirrors its error envelope.
  const notYet = () => new Response('{"error":{"message":"Generation not found","code":404}}', { status: 404, headers: { "content-type": "application/json" } });
  const found = () => new Response(recordedBody(GEN), { status: 200, headers: recordedHeaders(GEN) });

  function replay(responses: Array<() => Response>) {
    const calls: Array<{ url: string; headers: Headers }> = [];
    const fetch = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
      const req = input instanceof Request ? input : new Request(input, init);
      calls.push({ url: req.url, headers: req.headers });
      const next = responses.shift();
      if (!next) throw new Error("unexpected request");
      return next();
    });
    return { fetch, calls };
  }

  it("retries the early 404 with backoff (fake timers) and returns the recorded stats", async () => {
    vi.useFakeTimers();
    const { fetch, calls } = replay([notYet, notYet, found]);
    const promise = fetchGeneration(fetch, ID, { headers: { authorization: "Bearer test" }, baseUrl: "https://example.test/api/v1/" });
    await vi.advanceTimersByTimeAsync(499);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(fetch).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    const g = await promise;
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(g).toMatchObject({ id: ID, totalCost: 0.0004688775, latencyMs: 787, nativeTokens: { prompt: 4884, completion: 285 } });
    expect(calls[0]!.url).toBe(`https://example.test/api/v1/generation?id=${ID}`);
    expect(calls[0]!.headers.get("authorization")).toBe("Bearer test");
  });

  it("works through openapi-fetch (client.api's shape) with an injected fetch", async () => {
    const { fetch, calls } = replay([notYet, found]);
    const api = createClient<paths>({ baseUrl: "https://openrouter.ai/api/v1", fetch });
    const delays: number[] = [];
    const g = await fetchGeneration(api, ID, { sleep: async (ms) => void delays.push(ms) });
    expect(g.totalCost).toBe(0.0004688775);
    expect(delays).toEqual([500]);
    expect(calls.map((c) => new URL(c.url).searchParams.get("id"))).toEqual([ID, ID]);
  });

  it("gives up with NotFoundError after the retries, doubling up to maxDelayMs", async () => {
    const { fetch } = replay([notYet, notYet, notYet, notYet]);
    const delays: number[] = [];
    const err = await fetchGeneration(fetch, ID, { retries: 3, maxDelayMs: 800, sleep: async (ms) => void delays.push(ms) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).message).toMatch(/Generation not found.*GET \/generation\?id=gen-/);
    expect(delays).toEqual([500, 800, 800]);
    expect(fetch).toHaveBeenCalledTimes(4);
  });

  it("does not retry other errors", async () => {
    const { fetch } = replay([() => new Response('{"error":{"message":"No auth credentials found","code":401}}', { status: 401 })]);
    await expect(fetchGeneration(fetch, ID, { sleep: async () => {} })).rejects.toBeInstanceOf(AuthenticationError);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("stops waiting when the signal aborts during the backoff", async () => {
    vi.useFakeTimers();
    const { fetch } = replay([notYet, found]);
    const controller = new AbortController();
    const promise = fetchGeneration(fetch, ID, { signal: controller.signal });
    const settled = promise.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    const err = await settled;
    expect(err).toBeInstanceOf(AbortError);
    expect(fetch).toHaveBeenCalledTimes(1);
    await expect(fetchGeneration(fetch, ID, { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
  });

  it("rejects bad input before any request", async () => {
    const { fetch } = replay([]);
    await expect(fetchGeneration(fetch, "")).rejects.toThrow(/generation id/);
    await expect(fetchGeneration({} as never, ID)).rejects.toThrow(/client.api/);
    await expect(fetchGeneration(fetch, ID, { retries: -1 })).rejects.toThrow(/retries/);
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe("impossible costs and JSON safety", () => {
  it("costOf ignores a negative or non-numeric usage.cost (falling back to the estimate) and reads numeric strings", () => {
    const usage = { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 };
    const pricing = { prompt: "0.000001", completion: "0.000002" };
    expect(costOf({ usage: { ...usage, cost: -1000 } }, pricing)).toMatchObject({ usd: 0.0012, source: "estimate" });
    expect(costOf({ usage: { ...usage, cost: "free" as never } })).toMatchObject({ usd: undefined, source: undefined });
    expect(costOf({ usage: { ...usage, cost: "0.0012" as never } })).toMatchObject({ usd: 0.0012, exact: "0.0012", source: "usage" });
    expect(costOf({ usage, headers: new Headers({ "x-openrouter-cost": "-5" }) })).toMatchObject({ usd: undefined });
  });

  it("generationCost refuses an impossible total_cost", () => {
    expect(() => generationCost({ id: "gen-1", total_cost: -1000 } as never)).toThrow(/lacks a usable total_cost \(got -1000: negative\)/);
    expect(() => generationCost({ id: "gen-1", total_cost: 1e12 } as never)).toThrow(/too_large/);
    expect(generationCost({ id: "gen-1", total_cost: "0.0012" } as never).totalCostExact).toBe("0.0012");
  });

  it("costOf, estimateCost and generationCost results round-trip through JSON.stringify", () => {
    const rec = loadFixture("chat-basic-01.json");
    const call = costOf(chatResultFromResponse(recordedJson(rec), { headers: recordedHeaders(rec) }));
    expect(JSON.parse(JSON.stringify(call))).toEqual(call);
    const est = estimateCost({ messages: [{ role: "user", content: "Hi" }], max_tokens: 10 }, catalogue().get("openai/gpt-4o-mini")!);
    expect(JSON.parse(JSON.stringify(est))).toEqual(est);
    const g = generationCost((recordedJson(loadFixture("generation-01.json")) as { data: components["schemas"]["GenerationData"] }).data);
    expect(JSON.parse(JSON.stringify(g))).toEqual(g);
    expect(JSON.parse(JSON.stringify(g))).toMatchObject({ totalCost: 0.0004688775, totalCostExact: "0.0004688775" });
  });
});
