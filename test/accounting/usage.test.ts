import { afterEach, describe, expect, it, vi } from "vitest";
import { type GenerationCost, generationCost } from "../../src/accounting/generation.js";
import { BudgetExceededError, InvalidArgumentError } from "../../src/core/errors.js";
import type { components } from "../../src/generated/openrouter.js";
import { type ChatResult, chatResultFromResponse } from "../../src/core/result.js";
import { UsageTracker } from "../../src/accounting/usage.js";
import { loadFixture, recordedHeaders, recordedJson } from "../helpers/fixtures.js";

/** A real ChatResult built from a recorded completion by the library's own parser. */
function recorded(name: string): ChatResult {
  const rec = loadFixture(name);
  return chatResultFromResponse(recordedJson(rec), { headers: recordedHeaders(rec) });
}

/** A ChatResult with chosen numbers, built by the same parser from a minimal completion. */
function result(opts: { id: string; model: string; prompt: number; completion: number; cost?: number; reasoning?: number; cached?: number }): ChatResult {
  const usage: Record<string, unknown> = {
    prompt_tokens: opts.prompt,
    completion_tokens: opts.completion,
    total_tokens: opts.prompt + opts.completion,
    prompt_tokens_details: { cached_tokens: opts.cached ?? 0 },
    completion_tokens_details: { reasoning_tokens: opts.reasoning ?? 0 },
  };
  if (opts.cost !== undefined) usage["cost"] = opts.cost;
  const raw = {
    id: opts.id,
    object: "chat.completion",
    model: opts.model,
    choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "ok" } }],
    usage,
  };
  return chatResultFromResponse(raw, { headers: new Headers() });
}

const GEN = (recordedJson(loadFixture("generation-01.json")) as { data: components["schemas"]["GenerationData"] }).data;

describe("UsageTracker totals", () => {
  it("adds recorded completions exactly, in total and per model", () => {
    const t = new UsageTracker();
    t.record(recorded("chat-basic-01.json")); // claude-haiku-4.5: 16 + 13 tokens, $0.000081
    t.record(recorded("chat-json-object-01.json")); // gpt-4o-mini: 19 + 25, $0.00001785
    t.record(recorded("chat-usage-01.json")); // claude-haiku-4.5: 15 + 9, $0.00006
    t.record(recorded("chat-reasoning-02.json")); // claude-haiku-4.5: 80 + 855 (586 reasoning), $0.004355
    const s = t.snapshot();
    expect(s).toMatchObject({
      requests: 4,
      promptTokens: 16 + 19 + 15 + 80,
      completionTokens: 13 + 25 + 9 + 855,
      reasoningTokens: 586,
      cachedTokens: 0,
      totalTokens: 130 + 902,
      cost: "0.00451385",
      costUsd: 0.00451385,
      costMicros: 4514,
      estimatedCostUsd: 0,
      pendingRequests: 0,
      pending: [],
      budgetUsd: undefined,
      remainingUsd: undefined,
    });
    expect(Object.keys(s.byModel)).toEqual(["anthropic/claude-4.5-haiku-20251001", "openai/gpt-4o-mini"]);
    expect(s.byModel["openai/gpt-4o-mini"]).toMatchObject({ requests: 1, promptTokens: 19, completionTokens: 25, cost: "0.00001785" });
    expect(s.byModel["anthropic/claude-4.5-haiku-20251001"]).toMatchObject({ requests: 3, promptTokens: 111, reasoningTokens: 586, cost: "0.004496" });
  });

  it("does not drift over many small costs (float addition would)", () => {
    const t = new UsageTracker();
    let float = 0;
    for (let i = 0; i < 1000; i++) {
      t.record(result({ id: `gen-${i}`, model: "a/b", prompt: 1, completion: 1, cost: 0.1 }));
      float += 0.1;
    }
    expect(float).not.toBe(100);
    expect(t.snapshot()).toMatchObject({ requests: 1000, costUsd: 100, cost: "100", costMicros: 100_000_000 });
  });

  it("keeps cached tokens and sub-micro-dollar costs", () => {
    const t = new UsageTracker();
    t.record(recorded("chat-prompt-cache-02.json"));
    t.record(result({ id: "gen-tiny", model: "a/b", prompt: 1, completion: 1, cost: 6e-7 }));
    const s = t.snapshot();
    expect(s.cachedTokens).toBe(3211);
    expect(s.cacheWriteTokens).toBe(115);
    expect(s.cost).toBe("0.00219915");
  });

  it("counts a generation id once, however often it is recorded", () => {
    const t = new UsageTracker();
    const r = recorded("chat-basic-01.json");
    t.record(r);
    t.record(r);
    expect(t.snapshot()).toMatchObject({ requests: 1, cost: "0.000081" });
  });

  it("snapshots are copies", () => {
    const t = new UsageTracker();
    t.record(recorded("chat-basic-01.json"));
    const before = t.snapshot();
    t.record(recorded("chat-usage-01.json"));
    expect(before.requests).toBe(1);
    expect(t.snapshot().requests).toBe(2);
  });

  it("reset forgets calls but keeps the budget", () => {
    const t = new UsageTracker({ budgetUsd: 1 });
    t.record(recorded("chat-basic-01.json"));
    t.reset();
    expect(t.snapshot()).toMatchObject({ requests: 0, costUsd: 0, byModel: {}, budgetUsd: 1, remainingUsd: 1 });
    t.record(recorded("chat-basic-01.json")); // the same id counts again after a reset
    expect(t.snapshot().requests).toBe(1);
  });

  it("remembers the last 10,000 generation ids, forgetting the oldest first", () => {
    const t = new UsageTracker();
    const call = (i: number) => result({ id: `gen-${i}`, model: "m/x", prompt: 1, completion: 1, cost: 0.000001 });
    for (let i = 0; i < 10_002; i++) t.record(call(i));
    expect(t.snapshot().requests).toBe(10_002);
    t.record(call(10_001)); // recent: a duplicate, ignored
    t.record(call(2)); // still remembered
    expect(t.snapshot().requests).toBe(10_002);
    t.record(call(0)); // the two oldest were forgotten: counted again
    t.record(call(1));
    expect(t.snapshot().requests).toBe(10_004);
    t.reset();
    t.record(call(5));
    t.record(call(5));
    expect(t.snapshot().requests).toBe(1);
  });
});

describe("pending calls and reconciliation", () => {
  it("keeps a call without usage.cost as pending and settles it from /generation", async () => {
    const t = new UsageTracker();
    t.record(recorded("chat-prompt-cache-01.json")); // Nov 2024: usage without cost
    let s = t.snapshot();
    expect(s).toMatchObject({ requests: 1, promptTokens: 4884, completionTokens: 285, costUsd: 0, pendingRequests: 1 });
    expect(s.pending).toEqual([expect.objectContaining({ generationId: GEN.id, model: "anthropic/claude-3-haiku", estimatedUsd: undefined })]);
    const lookups: string[] = [];
    const report = await t.reconcile(async (id) => {
      lookups.push(id);
      return generationCost(GEN);
    });
    expect(lookups).toEqual([GEN.id]);
    expect(report).toEqual({ reconciled: 1, failed: [], remaining: 0, adjustedUsd: 0.0004688775 });
    s = t.snapshot();
    expect(s).toMatchObject({ requests: 1, promptTokens: 4884, completionTokens: 285, cost: "0.0004688775", pendingRequests: 0, pending: [] });
  });

  it("fills tokens of an aborted stream from the native counts", async () => {
    const t = new UsageTracker();
    t.recordPending({ generationId: GEN.id, model: "anthropic/claude-3-haiku" });
    expect(t.snapshot()).toMatchObject({ requests: 1, promptTokens: 0, pendingRequests: 1 });
    await t.reconcile(async () => generationCost(GEN));
    expect(t.snapshot()).toMatchObject({ requests: 1, promptTokens: 4884, completionTokens: 285, cost: "0.0004688775", pendingRequests: 0 });
    expect(t.snapshot().byModel["anthropic/claude-3-haiku"]).toMatchObject({ requests: 1, cost: "0.0004688775" });
  });

  it("replaces an estimate with the real cost and reports the adjustment", async () => {
    const t = new UsageTracker();
    const r = { ...result({ id: GEN.id, model: "anthropic/claude-3-haiku", prompt: 4884, completion: 285 }), cost: 0.0005, costSource: "estimate" as const };
    t.record(r);
    expect(t.snapshot()).toMatchObject({ costUsd: 0.0005, estimatedCostUsd: 0.0005, pendingRequests: 1 });
    const report = await t.reconcile(async () => generationCost(GEN));
    expect(report.adjustedUsd).toBe(-0.0000311225);
    expect(t.snapshot()).toMatchObject({ cost: "0.0004688775", estimatedCostUsd: 0, pendingRequests: 0 });
  });

  it("leaves failed lookups pending and reports them", async () => {
    const t = new UsageTracker();
    t.recordPending({ generationId: "gen-a", model: "a/b", usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } });
    t.recordPending({ generationId: "gen-b", model: "a/b" });
    const boom = new Error("404 after retries");
    const report = await t.reconcile(async (id) => {
      if (id === "gen-a") throw boom;
      return { ...generationCost(GEN), id } as GenerationCost;
    });
    expect(report.reconciled).toBe(1);
    expect(report.failed).toEqual([{ generationId: "gen-a", error: boom }]);
    expect(report.remaining).toBe(1);
    expect(t.snapshot().pending.map((p) => p.generationId)).toEqual(["gen-a"]);
    // gen-a kept its reported usage; gen-b got the native counts.
    expect(t.snapshot().promptTokens).toBe(5 + 4884);
  });

  it("a late final result replaces the pending entry instead of double counting", () => {
    const t = new UsageTracker();
    t.recordPending({ generationId: "gen-late", model: "a/b" });
    t.record(result({ id: "gen-late", model: "a/b", prompt: 10, completion: 2, cost: 0.00002 }));
    expect(t.snapshot()).toMatchObject({ requests: 1, promptTokens: 10, cost: "0.00002", pendingRequests: 0 });
  });

  it("limits concurrency of lookups", async () => {
    const t = new UsageTracker();
    for (let i = 0; i < 6; i++) t.recordPending({ generationId: `gen-${i}`, model: "a/b" });
    let active = 0;
    let peak = 0;
    await t.reconcile(
      async (id) => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setImmediate(r));
        active--;
        return { ...generationCost(GEN), id } as GenerationCost;
      },
      { concurrency: 2 },
    );
    expect(peak).toBe(2);
    expect(t.snapshot()).toMatchObject({ requests: 6, pendingRequests: 0, cost: "0.002813265" });
  });

  it("validates its input", async () => {
    const t = new UsageTracker();
    expect(() => t.recordPending({ generationId: "", model: "a/b" })).toThrow(InvalidArgumentError);
    expect(() => t.recordPending({ generationId: "g", model: "a/b", estimatedUsd: -1 })).toThrow(/estimatedUsd/);
    expect(() => t.record(null as never)).toThrow(/expects a ChatResult/);
    await expect(t.reconcile("x" as never)).rejects.toThrow(/lookup function/);
    await expect(t.reconcile(async () => generationCost(GEN), { concurrency: 0 })).rejects.toThrow(/concurrency/);
  });
});

describe("automatic background reconciliation (opt-in)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("looks a new pending entry up after delayMs (fake timers)", async () => {
    vi.useFakeTimers();
    const lookup = vi.fn(async () => generationCost(GEN));
    const t = new UsageTracker({ autoReconcile: { lookup, delayMs: 1500 } });
    t.recordPending({ generationId: GEN.id, model: "anthropic/claude-3-haiku" });
    await vi.advanceTimersByTimeAsync(1499);
    expect(lookup).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await t.settled();
    expect(lookup).toHaveBeenCalledWith(GEN.id);
    expect(t.snapshot()).toMatchObject({ cost: "0.0004688775", pendingRequests: 0, promptTokens: 4884 });
  });

  it("keeps failures pending, skips entries settled meanwhile, and reset cancels", async () => {
    vi.useFakeTimers();
    const lookup = vi.fn(async (id: string): Promise<GenerationCost> => {
      throw new Error(`no ${id}`);
    });
    const t = new UsageTracker({ autoReconcile: { lookup } });
    t.recordPending({ generationId: "gen-x", model: "a/b" });
    t.recordPending({ generationId: "gen-y", model: "a/b" });
    t.record(result({ id: "gen-y", model: "a/b", prompt: 1, completion: 1, cost: 0.001 })); // final result arrived
    await vi.advanceTimersByTimeAsync(2000);
    await t.settled();
    expect(lookup.mock.calls.map((c) => c[0])).toEqual(["gen-x"]);
    expect(t.snapshot().pending.map((p) => p.generationId)).toEqual(["gen-x"]);
    t.recordPending({ generationId: "gen-z", model: "a/b" });
    t.reset();
    await vi.advanceTimersByTimeAsync(5000);
    await t.settled();
    expect(lookup).toHaveBeenCalledTimes(1);
  });

  it("validates the option", () => {
    expect(() => new UsageTracker({ autoReconcile: {} as never })).toThrow(/autoReconcile needs/);
    expect(() => new UsageTracker({ autoReconcile: { lookup: async () => generationCost(GEN), delayMs: -1 } })).toThrow(/delayMs/);
  });
});

describe("budget guard", () => {
  it("does nothing without a budget", () => {
    const t = new UsageTracker();
    t.record(recorded("chat-reasoning-02.json"));
    expect(() => t.assertBudget("a/b", 1000)).not.toThrow();
  });

  it("throws BudgetExceededError once the budget is spent", () => {
    const t = new UsageTracker({ budgetUsd: 0.0001 });
    t.record(recorded("chat-basic-01.json")); // $0.000081
    expect(() => t.assertBudget("anthropic/claude-haiku-4.5")).not.toThrow();
    expect(t.snapshot().remainingUsd).toBe(0.000019);
    t.record(recorded("chat-usage-01.json")); // + $0.00006 → $0.000141
    const err = (() => {
      try {
        t.assertBudget("anthropic/claude-haiku-4.5");
      } catch (e) {
        return e;
      }
    })() as BudgetExceededError;
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect(err.kind).toBe("budget_exceeded");
    expect(err.model).toBe("anthropic/claude-haiku-4.5");
    expect(err.message).toBe("Budget of $0.0001 is spent ($0.000141 used); not sending the request to anthropic/claude-haiku-4.5.");
    expect(err.metadata).toEqual({ budgetUsd: 0.0001, spentUsd: 0.000141 });
    expect(t.snapshot().remainingUsd).toBe(0);
  });

  it("refuses a call whose worst case would overrun what is left", () => {
    const t = new UsageTracker({ budgetUsd: 0.001 });
    t.record(recorded("chat-basic-01.json")); // $0.000081 spent, $0.000919 left
    expect(() => t.assertBudget("x/y", 0.000919)).not.toThrow();
    expect(() => t.assertBudget("x/y", 0.00092)).toThrow(
      "The call to x/y could cost up to $0.00092, more than the $0.000919 left of the $0.001 budget; not sending it.",
    );
  });

  it("takes a per-call budget override and a settable budget", () => {
    const t = new UsageTracker();
    t.record(recorded("chat-basic-01.json"));
    expect(() => t.assertBudget("x/y", undefined, 0.00008)).toThrow(BudgetExceededError);
    t.budgetUsd = 0;
    expect(() => t.assertBudget("x/y")).toThrow(/Budget of \$0 is spent/);
    t.budgetUsd = undefined;
    expect(() => t.assertBudget("x/y")).not.toThrow();
  });

  it("rejects nonsense budgets and estimates", () => {
    expect(() => new UsageTracker({ budgetUsd: -1 })).toThrow(/budgetUsd must be a non-negative number/);
    expect(() => new UsageTracker({ budgetUsd: Number.NaN })).toThrow(InvalidArgumentError);
    const t = new UsageTracker({ budgetUsd: 1 });
    expect(() => t.assertBudget("x/y", -0.5)).toThrow(/estimateUsd/);
  });
});

describe("budget reservations", () => {
  it("checks and takes each hold synchronously: back-to-back reserves cannot all pass", () => {
    const t = new UsageTracker({ budgetUsd: 0.01 });
    const holds = [];
    const refused = [];
    for (let i = 0; i < 50; i++) {
      try {
        holds.push(t.reserve("a/b", 0.004));
      } catch (e) {
        refused.push(e);
      }
    }
    expect(holds).toHaveLength(2);
    expect(refused).toHaveLength(48);
    expect(refused[0]).toBeInstanceOf(BudgetExceededError);
    expect((refused[0] as BudgetExceededError).message).toBe(
      "The call to a/b could cost up to $0.004, more than the $0.002 left of the $0.01 budget ($0.008 is held by 2 calls in flight); not sending it.",
    );
    expect((refused[0] as BudgetExceededError).metadata).toEqual({ budgetUsd: 0.01, spentUsd: 0, reservedUsd: 0.008, estimateUsd: 0.004 });
    expect(t.snapshot()).toMatchObject({ reservedUsd: 0.008, reservations: 2, remainingUsd: 0.002, costUsd: 0 });
  });

  it("settles a hold with the real cost, or gives it back; twice is a no-op", () => {
    const t = new UsageTracker({ budgetUsd: 0.001 });
    const a = t.reserve("anthropic/claude-haiku-4.5", 0.0005)!;
    const b = t.reserve("x/y", 0.0005)!;
    expect(() => t.reserve("x/y", 0)).not.toThrow(); // a free call still fits
    expect(JSON.parse(JSON.stringify(a))).toEqual({ held: true, usd: 0.0005, model: "anthropic/claude-haiku-4.5" });
    t.record(recorded("chat-basic-01.json"), a); // $0.000081 replaces the $0.0005 hold
    expect(a.held).toBe(false);
    b.release();
    b.release();
    expect(t.snapshot()).toMatchObject({ cost: "0.000081", reservedUsd: 0, reservations: 1, remainingUsd: 0.000919 });
  });

  it("a real cost above the hold counts in full", () => {
    const t = new UsageTracker({ budgetUsd: 0.0001 });
    const hold = t.reserve("a/b", 0.00001)!;
    t.record(result({ id: "gen-over", model: "a/b", prompt: 1, completion: 1, cost: 0.00015 }), hold);
    expect(t.snapshot()).toMatchObject({ cost: "0.00015", reservedUsd: 0, remainingUsd: 0 });
    expect(() => t.reserve("a/b", 0)).toThrow(/Budget of \$0\.0001 is spent/);
  });

  it("without a known worst case, a call holds everything left", () => {
    const t = new UsageTracker({ budgetUsd: 0.01 });
    t.record(result({ id: "gen-1", model: "a/b", prompt: 1, completion: 1, cost: 0.004 }));
    const router = t.reserve("openrouter/auto")!;
    expect(router.usd).toBe(0.006);
    expect(() => t.reserve("b/c")).toThrow(/Nothing is left of the \$0\.01 budget for the call to b\/c \(\$0\.006 is held by 1 call in flight\)/);
    expect(() => t.reserve("a/b", 0.000001)).toThrow(/could cost up to \$0\.000001, more than the \$0 left/);
    expect(t.reserve("a/b", 0)).toBeDefined(); // a free call takes nothing from anyone
    router.release();
    expect(t.reserve("a/b", 0.006)).toBeDefined();
  });

  it("keeps an unknown cost's hold as the pending estimate until reconciled", async () => {
    const t = new UsageTracker({ budgetUsd: 0.01 });
    const hold = t.reserve("a/b", 0.004)!;
    t.record(result({ id: "gen-nocost", model: "a/b", prompt: 5, completion: 5 }), hold);
    expect(t.snapshot()).toMatchObject({ cost: "0.004", estimatedCostUsd: 0.004, reservedUsd: 0, pendingRequests: 1 });
    expect(t.snapshot().pending[0]).toMatchObject({ generationId: "gen-nocost", estimatedUsd: 0.004 });
    await t.reconcile(async () => generationCost({ ...GEN, id: "gen-nocost", total_cost: 0.001 }));
    expect(t.snapshot()).toMatchObject({ cost: "0.001", estimatedCostUsd: 0, pendingRequests: 0, remainingUsd: 0.009 });
  });

  it("recordFailure: refused or never sent gives the hold back; accepted keeps it", () => {
    const t = new UsageTracker({ budgetUsd: 0.01 });
    const refused = new BudgetExceededError("x", { generationId: "gen-refused" });
    t.recordFailure(refused, { model: "a/b", reservation: t.reserve("a/b", 0.004) });
    t.recordFailure(new Error("offline"), { model: "a/b", reservation: t.reserve("a/b", 0.004) });
    expect(t.snapshot()).toMatchObject({ costUsd: 0, reservedUsd: 0, pendingRequests: 1 }); // the id stays pending at $0
    const dropped = new InvalidArgumentError("mid-body drop, no id");
    t.recordFailure(dropped, { model: "a/b", reservation: t.reserve("a/b", 0.004), accepted: true });
    expect(t.snapshot()).toMatchObject({ cost: "0.004", estimatedCostUsd: 0.004, reservedUsd: 0 });
    const withId = new BudgetExceededError("stream cut", { generationId: "gen-cut" });
    t.recordFailure(withId, { model: "a/b", reservation: t.reserve("a/b", 0.004), accepted: true });
    expect(t.snapshot()).toMatchObject({ cost: "0.008", pendingRequests: 2, reservedUsd: 0 });
    expect(t.snapshot().pending.find((p) => p.generationId === "gen-cut")).toMatchObject({ estimatedUsd: 0.004 });
  });

  it("a hold from another tracker is not taken as money", () => {
    const t = new UsageTracker({ budgetUsd: 1 });
    const other = new UsageTracker({ budgetUsd: 1 });
    const foreign = other.reserve("a/b", 0.5)!;
    t.record(result({ id: "gen-f", model: "a/b", prompt: 1, completion: 1 }), foreign);
    expect(t.snapshot()).toMatchObject({ costUsd: 0, pendingRequests: 1 });
    expect(other.snapshot().reservedUsd).toBe(0.5);
  });

  it("reserve() without a budget takes nothing, and rejects nonsense", () => {
    const t = new UsageTracker();
    expect(t.reserve("a/b", 5)).toBeUndefined();
    expect(() => new UsageTracker({ budgetUsd: 1 }).reserve("a/b", -1)).toThrow(/worstCaseUsd/);
    expect(() => new UsageTracker({ budgetUsd: 1 }).reserve("a/b", Number.NaN)).toThrow(InvalidArgumentError);
  });
});

describe("impossible costs in results", () => {
  it("a hand-made result with cost -1000 never moves the totals", () => {
    const t = new UsageTracker({ budgetUsd: 0.01 });
    const r = result({ id: "gen-neg", model: "a/b", prompt: 1, completion: 1, cost: 0.001 });
    t.record({ ...r, cost: -1000, costSource: "usage" });
    expect(t.snapshot()).toMatchObject({ costUsd: 0, remainingUsd: 0.01, pendingRequests: 1, costAnomalies: 1 });
    t.record({ ...r, id: "gen-inf", generationId: "gen-inf", cost: Number.POSITIVE_INFINITY });
    t.record({ ...r, id: "gen-neg", generationId: "gen-neg", cost: -1000 }); // a duplicate: counted once
    expect(t.snapshot()).toMatchObject({ costUsd: 0, pendingRequests: 2, costAnomalies: 2 });
  });

  it("the parser flags -1000 and keeps the usage", () => {
    const r = result({ id: "gen-p", model: "a/b", prompt: 3, completion: 4, cost: -1000 });
    expect(r).toMatchObject({ cost: undefined, costSource: undefined, costAnomaly: { reported: "-1000", reason: "negative" } });
    expect(r.usage?.prompt_tokens).toBe(3);
    expect(JSON.parse(JSON.stringify(r.costAnomaly))).toEqual(r.costAnomaly);
  });
});

describe("model ids that are Object.prototype names", () => {
  it("each gets its own byModel entry, and the snapshot survives JSON", () => {
    const t = new UsageTracker();
    for (const [i, model] of ["__proto__", "constructor", "toString", "hasOwnProperty", "__proto__"].entries()) {
      t.record(result({ id: `gen-${i}`, model, prompt: 1, completion: 1, cost: 0.001 }));
    }
    const s = t.snapshot();
    expect(Object.keys(s.byModel)).toEqual(["__proto__", "constructor", "hasOwnProperty", "toString"]);
    expect(Object.getPrototypeOf(s.byModel)).toBeNull();
    expect(s.byModel["__proto__"]).toMatchObject({ requests: 2, cost: "0.002" });
    const parsed = JSON.parse(JSON.stringify(s)) as typeof s;
    expect(Object.getOwnPropertyDescriptor(parsed.byModel, "__proto__")?.value).toMatchObject({ requests: 2 });
    expect(parsed.byModel["toString"]).toMatchObject({ requests: 1 });
  });
});
