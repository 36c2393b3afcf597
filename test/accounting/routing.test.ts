import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import {
  VARIANTS,
  fallbackModels,
  isRoutingOnlyVariant,
  isVariant,
  parseModelId,
  providerPreferences,
  withVariant,
} from "../../src/accounting/routing.js";
import { loadFixture, listFixtures } from "../helpers/fixtures.js";

describe("parseModelId", () => {
  it.each([
    ["openai/gpt-4o", { author: "openai", slug: "gpt-4o", variant: undefined, base: "openai/gpt-4o", isAlias: false, isRouter: false }],
    ["openai/gpt-4o:nitro", { author: "openai", slug: "gpt-4o", variant: "nitro", base: "openai/gpt-4o", isAlias: false, isRouter: false }],
    ["meta-llama/llama-3.3-8b-instruct:free", { author: "meta-llama", slug: "llama-3.3-8b-instruct", variant: "free", base: "meta-llama/llama-3.3-8b-instruct", isAlias: false, isRouter: false }],
    ["google/gemini-3.7-flash:batch", { author: "google", slug: "gemini-3.7-flash", variant: "batch", base: "google/gemini-3.7-flash", isAlias: false, isRouter: false }],
    ["~x-ai/grok-latest", { author: "x-ai", slug: "grok-latest", variant: undefined, base: "~x-ai/grok-latest", isAlias: true, isRouter: false }],
    ["openrouter/auto", { author: "openrouter", slug: "auto", variant: undefined, base: "openrouter/auto", isAlias: false, isRouter: true }],
    ["openrouter/free", { author: "openrouter", slug: "free", variant: undefined, base: "openrouter/free", isAlias: false, isRouter: true }],
    ["openrouter/pareto-code", { author: "openrouter", slug: "pareto-code", variant: undefined, base: "openrouter/pareto-code", isAlias: false, isRouter: true }],
    ["openrouter/aurora-alpha", { author: "openrouter", slug: "aurora-alpha", variant: undefined, base: "openrouter/aurora-alpha", isAlias: false, isRouter: false }],
  ])("parses %s", (id, want) => {
    expect(parseModelId(id)).toEqual({ id, ...want });
  });

  it.each([
    ["", /empty/],
    ["gpt-4o", /no author prefix/],
    ["openai/", /slug is empty/],
    ["/gpt-4o", /author is empty/],
    ["openai/gpt-4o:", /variant/],
    ["openai/gpt-4o:free:nitro", /stacked/],
    ["openai/gpt 4o", /invalid characters/],
    [" openai/gpt-4o", /whitespace/],
    ["a/b/c", /more than one/],
  ])("rejects %j with a clear error", (id, why) => {
    expect(() => parseModelId(id)).toThrow(InvalidArgumentError);
    expect(() => parseModelId(id)).toThrow(why);
    expect(() => parseModelId(id)).toThrow(/Expected "author\/slug"/);
  });

  it("rejects non-strings", () => {
    expect(() => parseModelId(42 as unknown as string)).toThrow(/expected a string, got number/);
    expect(() => parseModelId(null as unknown as string)).toThrow(/got null/);
  });

  it("parses every id in the recorded model lists and chat requests", () => {
    const ids = new Set<string>();
    for (const name of listFixtures()) {
      const rec = loadFixture(name);
      if (rec.kind === "models") for (const m of (rec.response.body as { data: Array<{ id: string }> }).data) ids.add(m.id);
      const body = rec.request.body as { model?: unknown; models?: unknown } | null;
      if (body && typeof body.model === "string" && body.model.includes("/")) ids.add(body.model);
    }
    expect(ids.size).toBeGreaterThan(100);
    for (const id of ids) {
      const p = parseModelId(id);
      expect(`${p.base}${p.variant === undefined ? "" : `:${p.variant}`}`).toBe(id);
    }
  });
});

describe("variants", () => {
  it("knows the documented variants and which only change routing", () => {
    expect([...VARIANTS].sort()).toEqual(["exacto", "extended", "floor", "free", "nitro", "online", "thinking"]);
    expect(VARIANTS.filter(isRoutingOnlyVariant).sort()).toEqual(["exacto", "floor", "nitro", "online"]);
    expect(isRoutingOnlyVariant(undefined)).toBe(false);
    expect(isRoutingOnlyVariant("batch")).toBe(false);
    expect(isVariant("thinking")).toBe(true);
    expect(isVariant("batch")).toBe(false);
  });

  it("withVariant adds, replaces (never stacks) and strips", () => {
    expect(withVariant("openai/gpt-4o", "nitro")).toBe("openai/gpt-4o:nitro");
    expect(withVariant("openai/gpt-4o:free", "floor")).toBe("openai/gpt-4o:floor");
    expect(withVariant("google/gemini-3.7-flash:batch", "exacto")).toBe("google/gemini-3.7-flash:exacto");
    expect(withVariant("openai/gpt-4o:nitro", undefined)).toBe("openai/gpt-4o");
    expect(withVariant("~x-ai/grok-latest", "nitro")).toBe("~x-ai/grok-latest:nitro");
  });

  it("withVariant rejects unknown variants, routers and bad ids", () => {
    expect(() => withVariant("openai/gpt-4o", "turbo" as never)).toThrow(/Unknown variant "turbo"/);
    expect(() => withVariant("openrouter/auto", "nitro")).toThrow(/routers/);
    expect(() => withVariant("gpt-4o", "nitro")).toThrow(InvalidArgumentError);
  });
});

describe("fallbackModels", () => {
  it("returns a validated copy in order", () => {
    const ids = ["anthropic/claude-sonnet-4.5", "openai/gpt-4o:nitro"];
    const out = fallbackModels(...ids);
    expect(out).toEqual(ids);
    expect(out).not.toBe(ids);
  });

  it("rejects an empty list, duplicates and malformed ids", () => {
    expect(() => fallbackModels()).toThrow(/at least one/);
    expect(() => fallbackModels("openai/gpt-4o", "openai/gpt-4o")).toThrow(/listed twice/);
    expect(() => fallbackModels("openai/gpt-4o", "gpt-4o")).toThrow(/no author prefix/);
  });

  it("matches the recorded fallback request's models array", () => {
    const body = loadFixture("chat-fallback-models-01.json").request.body as { models: string[] };
    expect(fallbackModels(...body.models)).toEqual(body.models);
  });
});

describe("providerPreferences", () => {
  it("passes valid preferences through unchanged (recorded requests included)", () => {
    for (const name of ["chat-provider-routing-01.json", "chat-provider-routing-02.json"]) {
      const body = loadFixture(name).request.body as { provider: Parameters<typeof providerPreferences>[0] };
      expect(providerPreferences(body.provider)).toBe(body.provider);
    }
    const prefs: Parameters<typeof providerPreferences>[0] = {
      order: ["anthropic", "deepinfra/turbo"],
      allow_fallbacks: false,
      require_parameters: true,
      data_collection: "deny",
      zdr: true,
      only: ["anthropic", "deepinfra"],
      ignore: ["together"],
      quantizations: ["fp8", "bf16"],
      sort: { by: "throughput", partition: "none" },
      preferred_min_throughput: { p90: 50 },
      preferred_max_latency: 2,
      max_price: { prompt: 3, completion: "15", request: 0 },
    };
    expect(providerPreferences(prefs)).toEqual(prefs);
  });

  it.each([
    [{ only: ["openai", "azure"], ignore: ["Azure"] }, /both list azure/],
    [{ order: ["openai"], ignore: ["openai"] }, /order lists openai, which provider.ignore excludes/],
    [{ order: ["openai", "openai"] }, /lists "openai" twice/],
    [{ only: [""] }, /non-empty strings/],
    [{ max_price: { prompt: -1 } }, /max_price.prompt must not be negative/],
    [{ max_price: { completion: "abc" } }, /finite number/],
    [{ max_price: { tokens: 1 } }, /unknown key "tokens"/],
    [{ sort: "cheapest" }, /provider.sort must be one of/],
    [{ sort: { by: "price", partition: "all" } }, /partition/],
    [{ data_collection: "never" }, /data_collection/],
    [{ allow_fallbacks: "no" }, /allow_fallbacks must be a boolean/],
    [{ preferred_min_throughput: -5 }, /must not be negative/],
    [{ preferred_max_latency: { p95: 1 } }, /unknown key "p95"/],
    [{ only: "openai" }, /provider.only must be an array of strings/],
    [{ ignore: ["openai"], order: ["Anthropic", "OpenAI"] }, /order lists OpenAI/],
    [{ sort: { by: "cheapest" } }, /provider.sort.by must be one of/],
    [{ sort: ["price"] }, /provider.sort must be a string or \{by, partition\}/],
    [{ sort: 3 }, /provider.sort must be a string or \{by, partition\}/],
    [{ max_price: [1, 2] }, /max_price must be an object/],
    [{ max_price: "1" }, /max_price must be an object/],
    [{ max_price: { prompt: " " } }, /finite number/],
  ])("rejects %j", (prefs, why) => {
    expect(() => providerPreferences(prefs as never)).toThrow(InvalidArgumentError);
    expect(() => providerPreferences(prefs as never)).toThrow(why);
  });

  it("rejects non-objects", () => {
    expect(() => providerPreferences(null as never)).toThrow(/expects an object/);
  });

  it("treats null fields as absent, as the wire does", () => {
    const prefs = { order: null, only: null, sort: null, max_price: null, data_collection: null, zdr: null, preferred_max_latency: null, ignore: ["x"] };
    expect(providerPreferences(prefs as never)).toBe(prefs);
    expect(providerPreferences({ sort: { by: "latency", partition: null } } as never)).toEqual({ sort: { by: "latency", partition: null } });
    expect(providerPreferences({ max_price: { prompt: null } } as never)).toEqual({ max_price: { prompt: null } });
  });

  it("keeps the literal type so the result drops into a ChatRequest", () => {
    const provider = providerPreferences({ sort: "price", only: ["deepinfra"] });
    const body: import("../../src/core/result.js").ChatRequest = { model: "openai/gpt-4o", messages: [{ role: "user", content: "hi" }], provider };
    expect(body.provider).toEqual({ sort: "price", only: ["deepinfra"] });
  });
});
