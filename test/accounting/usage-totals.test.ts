import { describe, expect, it } from "vitest";
import { TOKEN_FIELDS, apply, contributionOf, emptyAcc, tokenCounts, totalsOf } from "../../src/accounting/usage-totals.js";
import { toAtto } from "../../src/accounting/money.js";
import { usageTokens } from "../../src/accounting/cost.js";

const usage = {
  prompt_tokens: 16,
  completion_tokens: 13.7,
  total_tokens: 29,
  prompt_tokens_details: { cached_tokens: 4, cache_write_tokens: 2 },
  completion_tokens_details: { reasoning_tokens: 5 },
  server_tool_use: { web_search_requests: 1 },
};

describe("tokenCounts", () => {
  it("reads the counts the ledger adds up, tolerant of missing or odd values", () => {
    expect(tokenCounts(usage)).toEqual({ promptTokens: 16, completionTokens: 13, reasoningTokens: 5, cachedTokens: 4, cacheWriteTokens: 2 });
    expect(tokenCounts(undefined)).toEqual({ promptTokens: 0, completionTokens: 0, reasoningTokens: 0, cachedTokens: 0, cacheWriteTokens: 0 });
    expect(tokenCounts({ prompt_tokens: -3, completion_tokens: Number.NaN, prompt_tokens_details: null } as never).promptTokens).toBe(0);
  });

  it("is the part of cost.ts's usageTokens the ledger needs", () => {
    const full = usageTokens(usage);
    for (const field of TOKEN_FIELDS) expect(full[field]).toBe(tokenCounts(usage)[field]);
    expect(full.webSearchRequests).toBe(1);
  });
});

describe("contributions and totals", () => {
  it("adds and takes back a call exactly, and lists the totals in snapshot order", () => {
    const acc = emptyAcc();
    const c = contributionOf("m", usage, toAtto("0.0012"), true, true);
    expect(c.anomaly).toBeUndefined();
    expect(contributionOf("m", undefined, 0n, false, false, true).anomaly).toBe(true);
    apply(acc, c, 1);
    const totals = totalsOf(acc);
    expect(Object.keys(totals)).toEqual([
      "requests",
      "promptTokens",
      "completionTokens",
      "reasoningTokens",
      "cachedTokens",
      "cacheWriteTokens",
      "totalTokens",
      "costUsd",
      "cost",
      "costMicros",
      "estimatedCostUsd",
      "pendingRequests",
    ]);
    expect(totals).toMatchObject({ requests: 1, promptTokens: 16, totalTokens: 29, costUsd: 0.0012, cost: "0.0012", costMicros: 1200, estimatedCostUsd: 0.0012, pendingRequests: 1 });
    apply(acc, c, -1);
    expect(acc).toEqual(emptyAcc());
  });
});
