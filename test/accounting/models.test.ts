import createClient from "openapi-fetch";
import { describe, expect, it, vi } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { AbortError } from "../../src/core/call-errors.js";
import type { paths } from "../../src/generated/openrouter.js";
import { type Model, type ModelEndpoint, ModelRegistry } from "../../src/accounting/models.js";
import { matchesFilters } from "../../src/accounting/model-filters.js";
import { loadFixture, recordedBody, recordedHeaders } from "../helpers/fixtures.js";

const LISTS = ["models-list-01.json", "models-list-02.json", "models-list-03.json", "models-list-04.json"];
const recordedModels = (name: string): Model[] => (loadFixture(name).response.body as { data: Model[] }).data;
/** Every recorded model, first occurrence of an id wins. */
function allModels(): Model[] {
  const byId = new Map<string, Model>();
  for (const name of LISTS) for (const m of recordedModels(name)) if (!byId.has(m.id)) byId.set(m.id, m);
  return [...byId.values()];
}

function registry(models: Model[] = allModels(), extra: Partial<ConstructorParameters<typeof ModelRegistry>[0]> = {}) {
  const fetchModels = vi.fn(async () => models);
  return { reg: new ModelRegistry({ fetchModels, ...extra }), fetchModels };
}

describe("loading and caching", () => {
  it("loads GET /models through openapi-fetch with an injected fetch (recorded models-list-04)", async () => {
    const rec = loadFixture("models-list-04.json");
    const fetch = vi.fn(async (_input: Request) => new Response(recordedBody(rec), { status: 200, headers: recordedHeaders(rec) }));
    const api = createClient<paths>({ baseUrl: "https://openrouter.ai/api/v1", fetch });
    const reg = new ModelRegistry({
      fetchModels: async (signal) => {
        const { data, error } = await api.GET("/models", { ...(signal && { signal }) });
        if (error || !data) throw new Error("GET /models failed");
        return data.data;
      },
    });
    const models = await reg.list();
    expect(models.map((m) => m.id)).toEqual(recordedModels("models-list-04.json").map((m) => m.id));
    expect(fetch).toHaveBeenCalledTimes(1);
    const req = fetch.mock.calls[0]![0];
    expect(new URL(req.url).pathname).toBe("/api/v1/models");
  });

  it("caches for the TTL (default one hour) and reloads after it", async () => {
    let now = 1_000_000;
    const { reg, fetchModels } = registry(undefined, { now: () => now });
    await reg.list();
    now += 60 * 60 * 1000 - 1;
    await reg.list();
    await reg.get("openai/gpt-4o");
    expect(fetchModels).toHaveBeenCalledTimes(1);
    expect(reg.isFresh).toBe(true);
    now += 1;
    expect(reg.isFresh).toBe(false);
    await reg.list();
    expect(fetchModels).toHaveBeenCalledTimes(2);
  });

  it("honours a custom TTL, refresh() and invalidate()", async () => {
    let now = 0;
    const { reg, fetchModels } = registry(undefined, { ttlMs: 10, now: () => now });
    await reg.list();
    now = 9;
    await reg.list();
    expect(fetchModels).toHaveBeenCalledTimes(1);
    await reg.refresh();
    expect(fetchModels).toHaveBeenCalledTimes(2);
    reg.invalidate();
    await reg.list();
    expect(fetchModels).toHaveBeenCalledTimes(3);
  });

  it("shares one in-flight request between concurrent callers", async () => {
    let release!: (m: Model[]) => void;
    const fetchModels = vi.fn(() => new Promise<Model[]>((r) => (release = r)));
    const reg = new ModelRegistry({ fetchModels });
    const calls = [reg.list(), reg.get("openai/gpt-4o"), reg.cheapest(), reg.list({ free: true })];
    release(allModels());
    const [list, one, cheapest, free] = await Promise.all(calls);
    expect(fetchModels).toHaveBeenCalledTimes(1);
    expect((list as Model[]).length).toBe(allModels().length);
    expect((one as Model).id).toBe("openai/gpt-4o");
    expect(cheapest).toBeDefined();
    expect((free as Model[]).length).toBeGreaterThan(0);
  });

  it("a fetchModels that throws at once does not poison later loads", async () => {
    let calls = 0;
    const fetchModels = vi.fn((): Promise<Model[]> => {
      if (++calls === 1) throw new Error("offline");
      return Promise.resolve(allModels());
    });
    const reg = new ModelRegistry({ fetchModels });
    await expect(reg.list()).rejects.toThrow("offline");
    expect(await reg.get("openai/gpt-4o")).toMatchObject({ id: "openai/gpt-4o" });
    expect(fetchModels).toHaveBeenCalledTimes(2);
  });

  it("an aborted caller stops waiting without cancelling the shared load", async () => {
    let release!: (m: Model[]) => void;
    const fetchModels = vi.fn(() => new Promise<Model[]>((r) => (release = r)));
    const reg = new ModelRegistry({ fetchModels });
    const controller = new AbortController();
    const aborted = reg.list({}, controller.signal);
    const patient = reg.list();
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(AbortError);
    release(allModels());
    expect((await patient).length).toBe(allModels().length);
    await expect(reg.list({}, controller.signal)).rejects.toBeInstanceOf(AbortError);
  });

  it("fails when the first load fails, retries next time, and serves a stale list when a refresh fails", async () => {
    let now = 0;
    const fetchModels = vi
      .fn<() => Promise<Model[]>>()
      .mockRejectedValueOnce(new Error("boom"))
      .mockResolvedValueOnce(allModels())
      .mockRejectedValueOnce(new Error("down"));
    const reg = new ModelRegistry({ fetchModels, ttlMs: 100, now: () => now });
    await expect(reg.list()).rejects.toThrow("boom");
    expect((await reg.list()).length).toBe(allModels().length);
    now = 500;
    expect((await reg.list()).length).toBe(allModels().length);
    expect(fetchModels).toHaveBeenCalledTimes(3);
    await expect(reg.refresh()).rejects.toThrow(); // an explicit refresh reports the failure
  });

  it("validates its dependencies", () => {
    expect(() => new ModelRegistry({} as never)).toThrow(InvalidArgumentError);
    expect(() => new ModelRegistry({ fetchModels: async () => [], ttlMs: -1 })).toThrow(/ttlMs/);
    expect(() => new ModelRegistry({ fetchModels: async () => [], fetchEndpoints: 1 as never })).toThrow(/fetchEndpoints/);
  });
});

describe("filters", () => {
  it("filters by modality, parameter, price, context, provider, search and predicate", async () => {
    const { reg } = registry();
    const all = await reg.list();
    const image = await reg.list({ inputModalities: ["image", "file"] });
    expect(image.length).toBeGreaterThan(0);
    expect(image.every((m) => m.architecture?.input_modalities?.includes("image") && m.architecture.input_modalities.includes("file"))).toBe(true);
    expect(image.length).toBeLessThan(all.length);

    const imageOut = await reg.list({ outputModalities: ["image"] });
    expect(imageOut.map((m) => m.id)).toEqual(expect.arrayContaining(["google/gemini-2.5-flash-image"]));

    const structured = await reg.list({ supports: ["tools", "structured_outputs"] });
    expect(structured.every((m) => m.supported_parameters?.includes("tools") && m.supported_parameters.includes("structured_outputs"))).toBe(true);
    expect(structured.map((m) => m.id)).toContain("openai/gpt-4o-mini");
    expect(structured.map((m) => m.id)).not.toContain("anthropic/claude-sonnet-4"); // tools but no structured_outputs

    const cheap = await reg.list({ maxPromptPrice: 0.15, maxCompletionPrice: 0.6 });
    expect(cheap.map((m) => m.id)).toContain("openai/gpt-4o-mini"); // exactly $0.15/M and $0.60/M
    expect(cheap.map((m) => m.id)).not.toContain("openai/gpt-4o");
    expect(cheap.map((m) => m.id)).not.toContain("openrouter/auto"); // "-1" is not a price

    const long = await reg.list({ minContextLength: 1_000_000 });
    expect(long.every((m) => (m.context_length ?? 0) >= 1_000_000)).toBe(true);

    const openai = await reg.list({ provider: "OpenAI" });
    expect(openai.length).toBeGreaterThan(3);
    expect(openai.every((m) => m.id.startsWith("openai/"))).toBe(true);
    const two = await reg.list({ provider: ["anthropic", "x-ai"] });
    expect(two.map((m) => m.id)).toContain("~x-ai/grok-latest");

    const free = await reg.list({ free: true });
    expect(free.length).toBeGreaterThan(5);
    expect(free.every((m) => Number(m.pricing?.prompt) === 0 && Number(m.pricing?.completion) === 0)).toBe(true);
    expect((await reg.list({ free: false })).length + free.length).toBe(all.length);

    expect((await reg.list({ search: "HAIKU" })).map((m) => m.id)).toEqual(["anthropic/claude-haiku-4.5"]);
    expect((await reg.list({ includeRouters: false })).some((m) => m.id.startsWith("openrouter/auto") || m.id.startsWith("~"))).toBe(false);
    expect(await reg.list({ where: (m) => m.id === "openai/gpt-4o" })).toHaveLength(1);
  });

  it("rejects bad filters", async () => {
    const { reg } = registry();
    await expect(reg.list({ maxPromptPrice: -1 })).rejects.toThrow(/maxPromptPrice/);
    await expect(reg.list({ minContextLength: Number.NaN })).rejects.toThrow(/minContextLength/);
    await expect(reg.list({ where: 1 as never })).rejects.toThrow(/where/);
    expect(() => matchesFilters(allModels()[0]!, {})).not.toThrow();
  });
});

describe("cheapest", () => {
  it("finds the cheapest priced model, skipping routers", async () => {
    const { reg } = registry();
    const paid = await reg.cheapest({ free: false, supports: "tools" });
    const candidates = (await reg.list({ free: false, supports: "tools", includeRouters: false })).filter((m) => Number(m.pricing?.prompt) >= 0);
    const total = (m: Model) => Number(m.pricing?.prompt) + Number(m.pricing?.completion);
    expect(paid).toBeDefined();
    expect(candidates.every((m) => total(m) >= total(paid!))).toBe(true);
    expect(paid!.id.startsWith("openrouter/")).toBe(false);
    expect(Number((await reg.cheapest())!.pricing?.prompt)).toBe(0);
    expect(await reg.cheapest({ search: "no-such-model" })).toBeUndefined();
  });
});

describe("get: variants, aliases and canonical slugs", () => {
  it("returns the exact catalogue entry", async () => {
    const { reg } = registry();
    const m = await reg.get("openai/gpt-4o-mini");
    expect(m).toMatchObject({ id: "openai/gpt-4o-mini", requestedId: "openai/gpt-4o-mini", resolvedId: "openai/gpt-4o-mini", variant: undefined, routingOnlyVariant: false, matchedBy: "id" });
  });

  it.each(["nitro", "floor", "exacto", "online"])("resolves :%s to the base model's metadata and prices", async (variant) => {
    const { reg } = registry();
    const base = (await reg.get("openai/gpt-4o-mini"))!;
    const m = (await reg.get(`openai/gpt-4o-mini:${variant}`))!;
    expect(m).toMatchObject({ requestedId: `openai/gpt-4o-mini:${variant}`, resolvedId: "openai/gpt-4o-mini", variant, routingOnlyVariant: true, matchedBy: "base" });
    expect(m.pricing).toEqual(base.pricing);
    expect(m.context_length).toBe(base.context_length);
  });

  it("resolves :free only to its own catalogue entry, with its own prices", async () => {
    const { reg } = registry();
    const free = (await reg.get("nvidia/nemotron-3.5-lightning:free"))!;
    const paid = (await reg.get("nvidia/nemotron-3.5-lightning"))!;
    expect(free).toMatchObject({ resolvedId: "nvidia/nemotron-3.5-lightning:free", variant: "free", routingOnlyVariant: false });
    expect(free.pricing).toMatchObject({ prompt: "0", completion: "0" });
    expect(paid.pricing?.prompt).not.toBe("0");
    // No :free / :thinking / :extended entry means no such model, even though the base exists.
    expect(await reg.get("openai/gpt-4o-mini:free")).toBeUndefined();
    expect(await reg.get("openai/gpt-4o-mini:thinking")).toBeUndefined();
    expect(await reg.get("openai/gpt-4o-mini:extended")).toBeUndefined();
    expect((await reg.get("google/gemini-3.7-flash:batch"))?.name).toBe("Google: Gemini 3.7 Flash (batch)");
  });

  it("exposes an alias's target and matches dated canonical slugs", async () => {
    const { reg } = registry();
    expect(await reg.get("~x-ai/grok-latest")).toMatchObject({ resolvedId: "~x-ai/grok-latest", aliasTarget: "x-ai/grok-4.6" });
    expect(await reg.get("openai/gpt-5-nano-2025-08-07")).toMatchObject({ resolvedId: "openai/gpt-5-nano", matchedBy: "canonical_slug" });
    expect(await reg.get("google/gemini-3.7-flash-20260813")).toMatchObject({ resolvedId: "google/gemini-3.7-flash" });
  });

  it("returns undefined for unknown or malformed ids and rejects empty ones", async () => {
    const { reg } = registry();
    expect(await reg.get("openai/gpt-9")).toBeUndefined();
    expect(await reg.get("not an id")).toBeUndefined();
    expect(await reg.get("no-such/model:nitro")).toBeUndefined();
    await expect(reg.get("")).rejects.toThrow(InvalidArgumentError);
  });

  it("peek answers only from a fresh cache, without loading", async () => {
    let now = 0;
    const { reg, fetchModels } = registry(undefined, { now: () => now, ttlMs: 100 });
    expect(reg.peek("openai/gpt-4o")).toBeUndefined();
    expect(fetchModels).not.toHaveBeenCalled();
    await reg.list();
    expect(reg.peek("openai/gpt-4o:floor")?.resolvedId).toBe("openai/gpt-4o");
    now = 100;
    expect(reg.peek("openai/gpt-4o")).toBeUndefined();
  });
});

describe("suggest", () => {
  it("suggests the closest known ids", async () => {
    const { reg } = registry();
    expect(reg.suggest("openai/gpt4o-mini")).toEqual([]); // nothing loaded yet
    await reg.list();
    expect(reg.suggest("openai/gpt4o-mini")[0]).toBe("openai/gpt-4o-mini");
    expect(reg.suggest("anthropic/claude-haiku-45")[0]).toBe("anthropic/claude-haiku-4.5");
    expect(reg.suggest("claude-opus-4.5")).toContain("anthropic/claude-opus-4.5"); // forgot the author
    expect(reg.suggest("opnai/gpt-4o")[0]).toBe("openai/gpt-4o");
    expect(reg.suggest("openai/gpt-4o", 1)).toEqual(["openai/gpt-4o"]);
    expect(reg.suggest("zzzz/qqqqqqqqqqqq")).toEqual([]);
  });
});

describe("endpoints", () => {
  const endpoints: ModelEndpoint[] = [{ provider_name: "OpenAI", tag: "openai", context_length: 128000, pricing: { prompt: "0.0000025", completion: "0.00001" } }];

  it("loads, caches and shares endpoint lookups; routing-only variants use the base model", async () => {
    const fetchEndpoints = vi.fn(async () => endpoints);
    const { reg } = registry(undefined, { fetchEndpoints });
    const [a, b] = await Promise.all([reg.endpoints("openai/gpt-4o"), reg.endpoints("openai/gpt-4o:nitro")]);
    expect(a).toBe(endpoints);
    expect(b).toBe(endpoints);
    expect(fetchEndpoints).toHaveBeenCalledTimes(1);
    expect(fetchEndpoints).toHaveBeenCalledWith("openai/gpt-4o");
    await reg.endpoints("openai/gpt-4o");
    expect(fetchEndpoints).toHaveBeenCalledTimes(1);
    await reg.endpoints("meta-llama/llama-3.3-8b-instruct:free");
    expect(fetchEndpoints).toHaveBeenLastCalledWith("meta-llama/llama-3.3-8b-instruct:free");
  });

  it("explains when endpoints are unavailable or the id is malformed", async () => {
    const { reg } = registry();
    await expect(reg.endpoints("openai/gpt-4o")).rejects.toThrow(/no fetchEndpoints/);
    const withFetch = registry(undefined, { fetchEndpoints: async () => endpoints }).reg;
    await expect(withFetch.endpoints("gpt-4o")).rejects.toThrow(/no author prefix/);
  });
});

describe("ModelRegistry loads the catalogue code on first use", () => {
  /** A ModelRegistry from a fresh module registry: its catalogue code is not loaded yet. */
  async function freshModule() {
    vi.resetModules();
    // The error classes of that fresh registry, for instanceof.
    return { ...(await import("../../src/accounting/models.js")), errors: { ...(await import("../../src/core/errors.js")), ...(await import("../../src/core/call-errors.js")) } };
  }

  it("answers the synchronous methods as an empty cache before the first load, and shares the first load", async () => {
    const { ModelRegistry: Fresh } = await freshModule();
    const fetchModels = vi.fn(async () => allModels());
    const reg = new Fresh({ fetchModels });
    expect(reg.isFresh).toBe(false);
    expect(reg.peek("openai/gpt-4o")).toBeUndefined();
    expect(reg.suggest("openai/gpt4o")).toEqual([]);
    reg.invalidate();
    expect(fetchModels).not.toHaveBeenCalled();
    // Concurrent first calls wait for the same code and the same catalogue: one request.
    const [model, list] = await Promise.all([reg.get("openai/gpt-4o:nitro"), reg.list(), reg.cheapest()]);
    expect(fetchModels).toHaveBeenCalledTimes(1);
    expect(model?.resolvedId).toBe("openai/gpt-4o");
    expect(list.length).toBe(allModels().length);
    expect(reg.isFresh).toBe(true);
    expect(reg.peek("openai/gpt-4o")?.id).toBe("openai/gpt-4o");
    expect(reg.suggest("openai/gpt4o-mini")).toContain("openai/gpt-4o-mini");
    reg.invalidate();
    expect(reg.isFresh).toBe(false);
  });

  it("checks its deps in the constructor and a model id before loading anything", async () => {
    const { ModelRegistry: Fresh, errors } = await freshModule();
    expect(() => new Fresh({ fetchModels: async () => [], ttlMs: -1 })).toThrow(errors.InvalidArgumentError);
    expect(() => new Fresh({ fetchModels: async () => [], fetchEndpoints: 3 as never })).toThrow(errors.InvalidArgumentError);
    const fetchModels = vi.fn(async () => allModels());
    const reg = new Fresh({ fetchModels });
    await expect(reg.get("  ")).rejects.toBeInstanceOf(errors.InvalidArgumentError);
    expect(fetchModels).not.toHaveBeenCalled();
  });

  it("keeps the errors of the first call typed: an endpoint lookup without fetchEndpoints, an abort", async () => {
    const { ModelRegistry: Fresh, errors } = await freshModule();
    const reg = new Fresh({ fetchModels: () => new Promise<Model[]>(() => undefined) });
    await expect(reg.endpoints("openai/gpt-4o")).rejects.toBeInstanceOf(errors.InvalidArgumentError);
    const ac = new AbortController();
    const pending = reg.list({}, ac.signal);
    ac.abort();
    await expect(pending).rejects.toBeInstanceOf(errors.AbortError);
  });

  it("serves client.models before and after the code has loaded, through the client's pipeline", async () => {
    vi.resetModules();
    const { OpenRouter } = await import("../../src/index.js");
    const { createMockOpenRouter } = await import("../../src/testing/index.js");
    const mock = createMockOpenRouter({ apiKey: "sk-or-v1-models-test" });
    const client = new OpenRouter({ apiKey: "sk-or-v1-models-test", fetch: mock.fetch });
    expect(client.models.isFresh).toBe(false);
    const first = await client.models.list();
    expect(first.length).toBeGreaterThan(0);
    const id = first[0]!.id;
    expect((await client.models.get(id))?.id).toBe(id);
    expect(client.models.peek(id)?.id).toBe(id);
    expect(mock.requests.filter((r) => r.path.includes("/models")).map((r) => r.method)).toEqual(["GET"]);
  });
});
