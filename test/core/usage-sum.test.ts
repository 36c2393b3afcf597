import { describe, expect, it } from "vitest";
import { emptyUsage, sumUsage } from "../../src/core/usage-sum.js";
import type { Usage } from "../../src/core/result.js";

describe("sumUsage / emptyUsage", () => {
  it("adds counts field by field, nested details included, and starts from zero", () => {
    const a = { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, cost: 0.5, prompt_tokens_details: { cached_tokens: 4 } } as Usage;
    const b = { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6, cost: 0.25, completion_tokens_details: { reasoning_tokens: 1 } } as Usage;
    expect(sumUsage(sumUsage(emptyUsage(), a), b)).toEqual({
      prompt_tokens: 15,
      completion_tokens: 3,
      total_tokens: 18,
      cost: 0.75,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 1 },
    });
  });
  it("never hands back (or later mutates) an object it was given", () => {
    const a = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, prompt_tokens_details: { cached_tokens: 1 } } as Usage;
    const only = sumUsage(a, undefined);
    expect(only).toEqual(a);
    expect(only).not.toBe(a);
    const sum = sumUsage({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } as Usage, a) as Usage & { prompt_tokens_details: { cached_tokens: number } };
    sum.prompt_tokens_details.cached_tokens = 99;
    expect(a.prompt_tokens_details).toEqual({ cached_tokens: 1 });
    expect(sumUsage(undefined, undefined)).toBeUndefined();
  });
});
