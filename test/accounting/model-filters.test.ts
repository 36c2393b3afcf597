import { describe, expect, it } from "vitest";
import { checkFilters, distance, matchesFilters, priceOf } from "../../src/accounting/model-filters.js";
import { InvalidArgumentError, type Model } from "../../src/index.js";

const model = (id: string, prompt: string, completion: string, extra: Partial<Model> = {}): Model =>
  ({ id, name: id, pricing: { prompt, completion }, context_length: 128_000, architecture: { input_modalities: ["text"], output_modalities: ["text"] }, supported_parameters: ["tools"], ...extra }) as Model;

describe("model filters", () => {
  it("reads per-token prices; negative or missing prices are unknown (variable-price routers)", () => {
    expect(priceOf(model("a/b", "0.000001", "0.000002"), "prompt")).toBe(0.000001);
    expect(priceOf(model("openrouter/auto", "-1", "-1"), "completion")).toBeUndefined();
    expect(priceOf({ id: "x/y" } as Model, "prompt")).toBeUndefined();
  });

  it("compares prices per million tokens, and leaves routers out only when asked", () => {
    const cheap = model("a/cheap", "0.0000005", "0.0000015");
    const router = model("openrouter/auto", "-1", "-1");
    expect(matchesFilters(cheap, { maxPromptPrice: 0.5, supports: "tools", provider: "A" })).toBe(true);
    expect(matchesFilters(cheap, { maxPromptPrice: 0.4 })).toBe(false);
    expect(matchesFilters(router, {})).toBe(true);
    expect(matchesFilters(router, {}, false)).toBe(false);
    expect(matchesFilters(cheap, { inputModalities: ["image"] })).toBe(false);
  });

  it("rejects malformed filters with a typed error", () => {
    expect(() => checkFilters({ maxPromptPrice: -1 })).toThrow(InvalidArgumentError);
    expect(() => checkFilters({ where: 1 as never })).toThrow(/where/);
    expect(() => checkFilters(null as never)).toThrow(InvalidArgumentError);
  });

  it("measures edit distance for suggestions", () => {
    expect(distance("gpt-4o", "gpt-4o")).toBe(0);
    expect(distance("gpt-4o", "gpt-40")).toBe(1);
    expect(distance("", "abc")).toBe(3);
  });
});
