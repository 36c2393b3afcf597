/**
 * accounting/public.ts: the package entry's accounting functions are the modules' own functions (same
 * identity, same behaviour), declared as bindings of their own only so bundlers can leave the modules lazy.
 */
import { describe, expect, it } from "vitest";
import * as face from "../../src/accounting/public.js";
import * as entry from "../../src/index.js";
import * as routing from "../../src/accounting/routing.js";
import * as cost from "../../src/accounting/cost.js";
import * as generation from "../../src/accounting/generation.js";
import * as tokens from "../../src/accounting/tokens.js";

describe("accounting/public", () => {
  it("is each module's own function, and the package entry exports these", () => {
    const owners: Record<string, Record<string, unknown>> = { routing, cost, generation, tokens };
    const expected: Record<keyof typeof face, string> = {
      parseModelId: "routing",
      isRoutingOnlyVariant: "routing",
      withVariant: "routing",
      fallbackModels: "routing",
      providerPreferences: "routing",
      hasFixedPricing: "cost",
      costOf: "cost",
      estimateCost: "cost",
      generationCost: "generation",
      fetchGeneration: "generation",
      estimateTokens: "tokens",
      fitsContext: "tokens",
    };
    for (const [name, owner] of Object.entries(expected)) {
      expect(face[name as keyof typeof face], name).toBe(owners[owner]![name]);
      expect((entry as Record<string, unknown>)[name], name).toBe(owners[owner]![name]);
    }
    expect(Object.keys(face).sort()).toEqual(Object.keys(expected).sort());
  });

  it("behaves as the modules do", () => {
    expect(face.parseModelId("openai/gpt-4o:nitro")).toEqual(routing.parseModelId("openai/gpt-4o:nitro"));
    expect(face.estimateTokens("hello world")).toBe(tokens.estimateTokens("hello world"));
  });
});
