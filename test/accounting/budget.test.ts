/**
 * The budget guard under concurrency, from the outside: a real client with `budgetUsd` and an injected fetch
 * that plays OpenRouter (catalogue, plain and streamed completions, /generation) and counts what it received.
 * Calls in flight hold their worst case, so spent + held never exceeds the budget however many start at once;
 * impossible reported costs never move the money.
 */
import { describe, expect, it } from "vitest";
import { OpenRouter } from "../../src/client.js";
import { BudgetExceededError, isOpenRouterError } from "../../src/core/errors.js";
import type { Model } from "../../src/accounting/models.js";

const PRICED = "test/priced";

/** $0 a prompt token, $10 per million completion tokens: max_tokens 400 is a worst case of exactly $0.004. */
function catalogue(overrides: Partial<Model> = {}): Model[] {
  return [
    {
      id: PRICED,
      name: "Priced",
      created: 1,
      context_length: 8000,
      architecture: { input_modalities: ["text"], output_modalities: ["text"], tokenizer: "Other" },
      pricing: { prompt: "0", completion: "0.00001" },
      top_provider: { context_length: 8000, max_completion_tokens: 400, is_moderated: false },
      supported_parameters: ["max_tokens"],
      ...overrides,
    } as Model,
  ];
}

interface FakeOptions {
  /** What `usage.cost` says (any JSON value); default $0.004. */
  cost?: unknown;
  /** Leave `cost` out of usage. */
  noCost?: boolean;
  models?: Model[];
  /** Status for chat requests (default 200). */
  status?: number;
  /** Streams: stop after the first content chunk and never end (the caller breaks out). */
  hang?: boolean;
  /** `/generation` answers with this total_cost. */
  generationCost?: unknown;
}

/** An injected fetch playing OpenRouter; answers come a macrotask later so concurrent calls overlap. */
function fakeOpenRouter(opts: FakeOptions = {}) {
  const received = { models: 0, chat: 0, generation: 0 };
  let n = 0;
  // Like a real fetch, an aborted signal rejects the wait.
  const later = (signal?: AbortSignal | null) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, 5);
      signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    });
  const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
  const usage = () => ({
    prompt_tokens: 10,
    completion_tokens: 400,
    total_tokens: 410,
    ...(!opts.noCost && { cost: "cost" in opts ? opts.cost : 0.004 }),
  });
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    if (url.pathname.endsWith("/models")) {
      received.models++;
      await later();
      return json({ data: opts.models ?? catalogue() });
    }
    if (url.pathname.endsWith("/generation")) {
      received.generation++;
      const id = url.searchParams.get("id");
      return json({ data: { id, model: PRICED, total_cost: opts.generationCost ?? 0.001, native_tokens_prompt: 10, native_tokens_completion: 100 } });
    }
    received.chat++;
    const id = `gen-${++n}`;
    const body = JSON.parse(String(init?.body)) as { model: string; stream?: boolean };
    await later(init?.signal);
    if (opts.status !== undefined && opts.status !== 200) {
      return json({ error: { code: opts.status, message: "refused" } }, opts.status, { "x-generation-id": id });
    }
    if (!body.stream) {
      return json({
        id,
        object: "chat.completion",
        created: 1,
        model: body.model,
        choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "ok" } }],
        usage: usage(),
      });
    }
    const chunk = (extra: Record<string, unknown>) =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 1, model: body.model, ...extra })}\n\n`;
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode(chunk({ choices: [{ index: 0, delta: { role: "assistant", content: "o" } }] })));
        if (opts.hang) return; // never ends; the caller breaks out
        await later();
        controller.enqueue(encoder.encode(chunk({ choices: [{ index: 0, delta: { content: "k" }, finish_reason: "stop" }] })));
        controller.enqueue(encoder.encode(chunk({ choices: [], usage: usage() })));
        controller.enqueue(encoder.encode("data: [DONE]\n\n"));
        controller.close();
      },
    });
    return new Response(stream, { status: 200, headers: { "content-type": "text/event-stream" } });
  };
  return { fetch: fetch as typeof globalThis.fetch, received };
}

const hi = [{ role: "user" as const, content: "Hi" }];
const client = (budgetUsd: number | undefined, fake: ReturnType<typeof fakeOpenRouter>, extra: Record<string, unknown> = {}) =>
  new OpenRouter({ apiKey: "sk-or-budget-test", baseUrl: "https://openrouter.test/api/v1", fetch: fake.fetch, retry: false, budgetUsd, ...extra });

async function settle<T>(calls: Array<Promise<T>>): Promise<{ ok: T[]; refused: BudgetExceededError[]; other: unknown[] }> {
  const out = { ok: [] as T[], refused: [] as BudgetExceededError[], other: [] as unknown[] };
  for (const r of await Promise.allSettled(calls)) {
    if (r.status === "fulfilled") out.ok.push(r.value);
    else if (r.reason instanceof BudgetExceededError) out.refused.push(r.reason);
    else out.other.push(r.reason);
  }
  return out;
}

describe("concurrent calls under a budget", () => {
  it("50 concurrent chats at $0.004 against $0.01: two are sent, the rest refused, never over", async () => {
    const fake = fakeOpenRouter();
    const c = client(0.01, fake);
    await c.models.list();
    const calls = Array.from({ length: 50 }, () => c.chat({ model: PRICED, messages: hi, max_tokens: 400 }));
    const { ok, refused, other } = await settle(calls);
    expect(other).toEqual([]);
    expect(fake.received.chat).toBe(2);
    expect(ok).toHaveLength(2);
    expect(refused).toHaveLength(48);
    expect(fake.received.chat * 0.004).toBeLessThanOrEqual(0.01);
    expect(c.usage.snapshot()).toMatchObject({ requests: 2, cost: "0.008", reservedUsd: 0, reservations: 0, remainingUsd: 0.002 });
    expect(refused[0]!.message).toMatch(/could cost up to \$0\.004, more than the \$0\.002 left of the \$0\.01 budget/);
  });

  it("50 concurrent streams at $0.004 against $0.01: the same, settled from each stream's usage", async () => {
    const fake = fakeOpenRouter();
    const c = client(0.01, fake);
    await c.models.list();
    const calls = Array.from({ length: 50 }, () => c.chatStream({ model: PRICED, messages: hi, max_tokens: 400 }).final());
    const { ok, refused, other } = await settle(calls);
    expect(other).toEqual([]);
    expect(fake.received.chat).toBe(2);
    expect(ok.map((r) => r.cost)).toEqual([0.004, 0.004]);
    expect(refused).toHaveLength(48);
    expect(c.usage.snapshot()).toMatchObject({ requests: 2, cost: "0.008", reservedUsd: 0, remainingUsd: 0.002 });
  });

  it("a cold catalogue is loaded once for 10 parallel calls, and the model's completion limit prices them", async () => {
    // No max_tokens: the worst case is the model's 100-token completion limit × $1/M = $0.0001 a call.
    const fake = fakeOpenRouter({
      cost: 0.0001,
      models: catalogue({ pricing: { prompt: "0", completion: "0.000001" }, top_provider: { context_length: 8000, max_completion_tokens: 100, is_moderated: false } } as Partial<Model>),
    });
    const c = client(0.0003, fake);
    const { ok, refused, other } = await settle(Array.from({ length: 10 }, () => c.chat({ model: PRICED, messages: hi })));
    expect(other).toEqual([]);
    expect(fake.received.models).toBe(1);
    expect(fake.received.chat).toBe(3);
    expect(ok).toHaveLength(3);
    expect(refused).toHaveLength(7);
    expect(c.usage.snapshot()).toMatchObject({ cost: "0.0003", reservedUsd: 0, remainingUsd: 0 });
  });

  it("a call to a model the catalogue cannot price holds all that is left, so it runs alone", async () => {
    const fake = fakeOpenRouter({ cost: 0.001 });
    const c = client(0.01, fake);
    const { ok, refused } = await settle([c.chat({ model: "someone/unlisted", messages: hi }), c.chat({ model: "someone/unlisted", messages: hi })]);
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.message).toMatch(/Nothing is left of the \$0\.01 budget .*held by 1 call in flight/);
    expect(fake.received.chat).toBe(1);
    // Settled with its real cost, the hold is given back.
    expect(c.usage.snapshot()).toMatchObject({ cost: "0.001", reservedUsd: 0, remainingUsd: 0.009 });
    await c.chat({ model: "someone/unlisted", messages: hi });
    expect(c.usage.snapshot().cost).toBe("0.002");
  });

  it("client-side fallback models are priced too: the dearest candidate is held", async () => {
    const models = [
      ...catalogue(),
      { ...catalogue()[0]!, id: "test/dear", pricing: { prompt: "0", completion: "0.0001" } } as Model, // $0.04 for 400 tokens
    ];
    const fake = fakeOpenRouter({ models });
    const c = client(0.01, fake, { fallbackModels: ["test/dear"] });
    const err = await c.chat({ model: PRICED, messages: hi, max_tokens: 400 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect(fake.received.chat).toBe(0);
    await c.chat({ model: PRICED, messages: hi, max_tokens: 400 }, { fallbackModels: false });
    expect(fake.received.chat).toBe(1);
  });
});

describe("how a hold is settled", () => {
  it("a refused call (non-2xx) gives its hold back", async () => {
    const fake = fakeOpenRouter({ status: 400 });
    const c = client(0.01, fake);
    await c.models.list();
    const { other } = await settle(Array.from({ length: 5 }, () => c.chat({ model: PRICED, messages: hi, max_tokens: 400 })));
    expect(other).toHaveLength(2); // two were sent (and refused); three never fit while those were in flight
    const s = c.usage.snapshot();
    expect(s).toMatchObject({ reservedUsd: 0, reservations: 0, costUsd: 0, remainingUsd: 0.01 });
  });

  it("a call aborted before any answer gives its hold back", async () => {
    const fake = fakeOpenRouter();
    const c = client(0.01, fake);
    await c.models.list();
    const ac = new AbortController();
    const call = c.chat({ model: PRICED, messages: hi, max_tokens: 400 }, { signal: ac.signal });
    while (fake.received.chat === 0) await new Promise((r) => setTimeout(r, 0)); // sent, not yet answered
    expect(c.usage.snapshot()).toMatchObject({ reservedUsd: 0.004, reservations: 1 });
    ac.abort();
    await expect(call).rejects.toSatisfy(isOpenRouterError);
    expect(c.usage.snapshot()).toMatchObject({ reservedUsd: 0, reservations: 0, costUsd: 0 });
  });

  it("a stream aborted while its checks run gives back the hold it then takes", async () => {
    const fake = fakeOpenRouter();
    const c = client(0.004, fake);
    await c.models.list();
    const stream = c.chatStream({ model: PRICED, messages: hi, max_tokens: 400 });
    stream.abort(); // settles at once; the checks (and the hold) finish after it
    await expect(stream.final()).rejects.toSatisfy(isOpenRouterError);
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
    expect(c.usage.snapshot()).toMatchObject({ reservedUsd: 0, reservations: 0 });
    expect(fake.received.chat).toBe(0);
    // The whole budget is still there for the next call.
    await c.chat({ model: PRICED, messages: hi, max_tokens: 400 });
    expect(fake.received.chat).toBe(1);
  });

  it("a stream broken off keeps its hold as the pending estimate until /generation settles it", async () => {
    const fake = fakeOpenRouter({ hang: true, generationCost: 0.001 });
    const c = client(0.01, fake);
    await c.models.list();
    const stream = c.chatStream({ model: PRICED, messages: hi, max_tokens: 400 });
    for await (const event of stream) if (event.type === "content") break;
    const held = c.usage.snapshot();
    expect(held).toMatchObject({ reservedUsd: 0, cost: "0.004", estimatedCostUsd: 0.004, pendingRequests: 1, remainingUsd: 0.006 });
    expect(held.pending).toEqual([expect.objectContaining({ generationId: "gen-1", estimatedUsd: 0.004 })]);
    const report = await c.usage.reconcile((id) => c.generation(id));
    expect(report).toMatchObject({ reconciled: 1, remaining: 0, adjustedUsd: -0.003 });
    expect(c.usage.snapshot()).toMatchObject({ cost: "0.001", estimatedCostUsd: 0, pendingRequests: 0, remainingUsd: 0.009 });
  });

  it("a completion without a cost stays pending at its hold, never counted as free", async () => {
    const fake = fakeOpenRouter({ noCost: true });
    const c = client(0.01, fake);
    await c.models.list();
    await c.chat({ model: PRICED, messages: hi, max_tokens: 400 });
    await c.chat({ model: PRICED, messages: hi, max_tokens: 400 });
    await expect(c.chat({ model: PRICED, messages: hi, max_tokens: 400 })).rejects.toBeInstanceOf(BudgetExceededError);
    expect(fake.received.chat).toBe(2);
    expect(c.usage.snapshot()).toMatchObject({ cost: "0.008", pendingRequests: 2, reservedUsd: 0 });
  });
});

describe("impossible reported costs", () => {
  it("cost -1000 never inflates the budget: the call is flagged and stays pending at its hold", async () => {
    const fake = fakeOpenRouter({ cost: -1000 });
    const c = client(0.01, fake);
    await c.models.list();
    const r = await c.chat({ model: PRICED, messages: hi, max_tokens: 400 });
    expect(r.cost).toBeUndefined();
    expect(r.costSource).toBeUndefined();
    expect(r.costAnomaly).toEqual({ reported: "-1000", reason: "negative" });
    const s = c.usage.snapshot();
    expect(s).toMatchObject({ cost: "0.004", pendingRequests: 1, costAnomalies: 1, remainingUsd: 0.006 });
    // Only one more $0.004 call fits; a -1000 counted as money would have let all of them through.
    const { ok, refused } = await settle(Array.from({ length: 5 }, () => c.chat({ model: PRICED, messages: hi, max_tokens: 400 })));
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(4);
    expect(c.usage.snapshot().costUsd).toBeLessThanOrEqual(0.01);
  });

  it("without a budget, -1000 is still kept out of the totals", async () => {
    const c = client(undefined, fakeOpenRouter({ cost: -1000 }));
    await c.chat({ model: PRICED, messages: hi });
    expect(c.usage.snapshot()).toMatchObject({ requests: 1, costUsd: 0, pendingRequests: 1, costAnomalies: 1 });
  });

  it.each([
    ["a numeric string", "0.0012", 0.0012],
    ["a numeric string in exponent form", "6e-7", 6e-7],
  ])("accepts %s as the amount it spells", async (_, cost, usd) => {
    const c = client(undefined, fakeOpenRouter({ cost }));
    const r = await c.chat({ model: PRICED, messages: hi });
    expect(r).toMatchObject({ cost: usd, costSource: "usage" });
    expect(r.costAnomaly).toBeUndefined();
    expect(c.usage.snapshot()).toMatchObject({ costUsd: usd, pendingRequests: 0, costAnomalies: 0 });
    const streamed = await client(undefined, fakeOpenRouter({ cost })).chatStream({ model: PRICED, messages: hi }).final();
    expect(streamed).toMatchObject({ cost: usd, costSource: "usage" });
  });

  it.each([
    ["non-numeric text", "free", "not_a_number"],
    ["a negative string", "-0.5", "negative"],
    ["an absurd amount", 1e9, "too_large"],
    ["an overflowing number (1e999 parses as Infinity)", "RAW:1e999", "too_large"],
    ["an object", { usd: 1 }, "not_a_number"],
  ])("refuses %s as an anomaly", async (_, cost, reason) => {
    const fake = fakeOpenRouter({ cost: cost === "RAW:1e999" ? 0.004 : cost });
    const fetch: typeof globalThis.fetch =
      cost === "RAW:1e999"
        ? async (input, init) => {
            const res = await fake.fetch(input, init);
            const text = (await res.text()).replace('"cost":0.004', '"cost":1e999');
            return new Response(text, { status: res.status, headers: res.headers });
          }
        : fake.fetch;
    const c = new OpenRouter({ apiKey: "sk-or-budget-test", baseUrl: "https://openrouter.test/api/v1", fetch, retry: false });
    const r = await c.chat({ model: PRICED, messages: hi });
    expect(r.cost).toBeUndefined();
    expect(r.costAnomaly?.reason).toBe(reason);
    expect(r.costAnomaly!.reported.length).toBeLessThanOrEqual(44);
    expect(c.usage.snapshot()).toMatchObject({ costUsd: 0, pendingRequests: 1, costAnomalies: 1 });
  });

  it("a stream reporting a negative cost is flagged the same way, in its usage event too", async () => {
    const c = client(0.01, fakeOpenRouter({ cost: -1000 }));
    await c.models.list();
    const stream = c.chatStream({ model: PRICED, messages: hi, max_tokens: 400 });
    const costs: unknown[] = [];
    for await (const e of stream) if (e.type === "usage") costs.push(e.cost);
    expect(costs).toEqual([undefined]);
    const r = await stream.final();
    expect(r.costAnomaly).toEqual({ reported: "-1000", reason: "negative" });
    expect(c.usage.snapshot()).toMatchObject({ cost: "0.004", pendingRequests: 1, costAnomalies: 1 });
  });

  it("a /generation total_cost of -1000 fails the lookup and leaves the entry pending", async () => {
    const fake = fakeOpenRouter({ noCost: true, generationCost: -1000 });
    const c = client(undefined, fake);
    await c.chat({ model: PRICED, messages: hi });
    await expect(c.generation("gen-1")).rejects.toThrow(/usable total_cost \(got -1000: negative\)/);
    const report = await c.usage.reconcile((id) => c.generation(id));
    expect(report).toMatchObject({ reconciled: 0, remaining: 1 });
    expect(c.usage.snapshot()).toMatchObject({ costUsd: 0, pendingRequests: 1 });
    // A lookup that hands back an impossible figure itself is counted as an anomaly and changes nothing.
    const bad = await c.usage.reconcile(async (id) => ({ ...(await c.generation(id).catch(() => undefined)), id, totalCost: -5 }) as never);
    expect(bad).toMatchObject({ reconciled: 0, remaining: 1 });
    expect(c.usage.snapshot()).toMatchObject({ costUsd: 0, costAnomalies: 1 });
  });
});

describe("public results are JSON-safe", () => {
  it("generation(), estimateCost() and the usage snapshot round-trip through JSON.stringify", async () => {
    const fake = fakeOpenRouter();
    const c = client(undefined, fake);
    const generation = await c.generation("gen-42");
    expect(JSON.parse(JSON.stringify(generation))).toMatchObject({ id: "gen-42", totalCost: 0.001, totalCostExact: "0.001" });
    const estimate = await c.estimateCost({ model: PRICED, messages: hi, max_tokens: 400 });
    expect(JSON.parse(JSON.stringify(estimate))).toEqual(estimate);
    expect(estimate.worstCaseExact).toBe("0.004");
    await c.chat({ model: PRICED, messages: hi });
    const snapshot = c.usage.snapshot();
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual({ ...snapshot, byModel: { ...snapshot.byModel } });
  });
});

describe("model ids that are Object.prototype names", () => {
  it("__proto__, constructor and toString each get their own byModel entry", async () => {
    const fake = fakeOpenRouter();
    const c = client(undefined, fake);
    for (const model of ["__proto__", "constructor", "toString", "__proto__"]) await c.chat({ model, messages: hi });
    const { byModel, requests } = c.usage.snapshot();
    expect(requests).toBe(4);
    expect(Object.keys(byModel)).toEqual(["__proto__", "constructor", "toString"]);
    expect(byModel["__proto__"]).toMatchObject({ requests: 2, cost: "0.008" });
    expect(byModel["constructor"]).toMatchObject({ requests: 1, cost: "0.004" });
    expect(byModel["toString"]).toMatchObject({ requests: 1, cost: "0.004" });
    const parsed = JSON.parse(JSON.stringify(c.usage.snapshot())) as { byModel: Record<string, { requests: number }> };
    expect(Object.keys(parsed.byModel)).toEqual(["__proto__", "constructor", "toString"]);
    expect(Object.getOwnPropertyDescriptor(parsed.byModel, "__proto__")?.value).toMatchObject({ requests: 2 });
  });
});
