import { describe, expect, it, vi } from "vitest";
import { BudgetExceededError, InvalidArgumentError } from "../../src/core/errors.js";
import { BadRequestError, ContextLengthError } from "../../src/core/call-errors.js";
import { needsPreSendChecks, requiredParameters, runPreSendChecks, type PreSendOptions } from "../../src/accounting/guards.js";
import { type Model, ModelRegistry } from "../../src/accounting/models.js";
import type { ChatRequest } from "../../src/core/result.js";
import { UsageTracker } from "../../src/accounting/usage.js";
import { loadFixture, recordedHeaders, recordedJson } from "../helpers/fixtures.js";
import { chatResultFromResponse } from "../../src/core/result.js";

function allModels(): Model[] {
  const byId = new Map<string, Model>();
  for (const name of ["models-list-01.json", "models-list-02.json", "models-list-03.json", "models-list-04.json"]) {
    for (const m of (loadFixture(name).response.body as { data: Model[] }).data) if (!byId.has(m.id)) byId.set(m.id, m);
  }
  return [...byId.values()];
}

function setup(budgetUsd?: number) {
  const fetchModels = vi.fn(async () => allModels());
  const registry = new ModelRegistry({ fetchModels });
  const usage = new UsageTracker(budgetUsd === undefined ? {} : { budgetUsd });
  const run = (body: ChatRequest, options: PreSendOptions) => runPreSendChecks({ body, registry, usage, options });
  return { fetchModels, registry, usage, run };
}

const hi = [{ role: "user" as const, content: "Hi" }];
const weatherTool = {
  type: "function" as const,
  function: { name: "weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } } } },
};
const jsonSchema = { type: "json_schema" as const, json_schema: { name: "person", schema: { type: "object", properties: { name: { type: "string" } } } } };

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

describe("the hot path", () => {
  it("does nothing, and makes no request, when no check is enabled", async () => {
    const { run, fetchModels } = setup();
    await run({ model: "no-such/model", messages: hi, tools: [weatherTool] }, {});
    await run({ model: "no-such/model", messages: hi }, { validateModel: false, preflight: false, checkContext: false });
    expect(fetchModels).not.toHaveBeenCalled();
    expect(needsPreSendChecks({})).toBe(false);
    expect(needsPreSendChecks({}, new UsageTracker({ budgetUsd: 1 }))).toBe(true);
    expect(needsPreSendChecks({ checkContext: true })).toBe(true);
  });
});

describe("budget", () => {
  it("refuses once the tracker's budget is spent, without loading the catalogue", async () => {
    const { run, usage, fetchModels } = setup(0.00005);
    const rec = loadFixture("chat-basic-01.json");
    usage.record(chatResultFromResponse(recordedJson(rec), { headers: recordedHeaders(rec) })); // $0.000081
    const err = await caught(run({ model: "anthropic/claude-haiku-4.5", messages: hi }, {}));
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect((err as BudgetExceededError).message).toMatch(/Budget of \$0\.00005 is spent \(\$0\.000081 used\)/);
    expect(fetchModels).not.toHaveBeenCalled();
  });

  it("uses the options' budget over the tracker's", async () => {
    const { run } = setup();
    await expect(run({ model: "a/b", messages: hi }, { budgetUsd: 0 })).rejects.toBeInstanceOf(BudgetExceededError);
  });

  it("loads missing prices once and refuses a call whose worst case would overrun", async () => {
    const { run, fetchModels, usage } = setup(0.001);
    const body = { model: "openai/gpt-4o-mini", messages: hi, max_tokens: 2000 }; // 2000 × $0.60/M = $0.0012
    const err = await caught(run(body, {})); // no catalogue yet: it is loaded to price the call
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect((err as BudgetExceededError).message).toMatch(/could cost up to \$0\.0012\d+, more than the \$0\.001 left/);
    expect(fetchModels).toHaveBeenCalledTimes(1);
    const hold = await run({ ...body, max_tokens: 1000 }, {});
    expect(hold?.held).toBe(true);
    expect(hold!.usd).toBeGreaterThan(0.0006);
    expect(usage.snapshot()).toMatchObject({ reservedUsd: hold!.usd, reservations: 1, costUsd: 0 });
    hold!.release();
    expect(usage.snapshot()).toMatchObject({ reservedUsd: 0, reservations: 0, remainingUsd: 0.001 });
    expect(fetchModels).toHaveBeenCalledTimes(1);
  });
});

describe("budget reservations", () => {
  it("holds the dearest candidate's worst case, fallbacks included", async () => {
    const { run, usage } = setup(1);
    const body = { model: "openai/gpt-4o-mini", messages: hi, max_tokens: 1000 };
    const alone = await run(body, {});
    alone!.release();
    const withModels = await run({ ...body, models: ["anthropic/claude-haiku-4.5"] }, {});
    expect(withModels!.usd).toBeGreaterThan(alone!.usd * 5); // $5/M against $0.60/M completion
    withModels!.release();
    const fallback = await runPreSendChecks({ body, registry: setup().registry, usage, options: {}, fallbackModels: ["anthropic/claude-haiku-4.5"] });
    expect(fallback!.usd).toBe(withModels!.usd);
    fallback!.release();
    expect(usage.snapshot()).toMatchObject({ reservedUsd: 0, reservations: 0 });
  });

  it("holds everything left for a router, an unlisted model, or when the catalogue cannot be loaded", async () => {
    const { run } = setup(0.5);
    const router = await run({ model: "openrouter/auto", messages: hi }, {});
    expect(router!.usd).toBe(0.5);
    router!.release();
    const unlisted = await run({ model: "someone/unlisted", messages: hi, max_tokens: 1 }, {});
    expect(unlisted!.usd).toBe(0.5);
    unlisted!.release();
    const usage = new UsageTracker({ budgetUsd: 0.5 });
    const failing = new ModelRegistry({ fetchModels: async () => Promise.reject(new Error("503")) });
    const hold = await runPreSendChecks({ body: { model: "openai/gpt-4o-mini", messages: hi, max_tokens: 1 }, registry: failing, usage, options: {} });
    expect(hold!.usd).toBe(0.5);
    await expect(runPreSendChecks({ body: { model: "openai/gpt-4o-mini", messages: hi }, registry: failing, usage, options: {} })).rejects.toBeInstanceOf(
      BudgetExceededError,
    );
  });

  it("a caller's abort while the prices load is an abort, not an unpriced call", async () => {
    const registry = new ModelRegistry({ fetchModels: () => new Promise<Model[]>(() => {}) });
    const usage = new UsageTracker({ budgetUsd: 1 });
    const ac = new AbortController();
    const pending = runPreSendChecks({ body: { model: "openai/gpt-4o-mini", messages: hi }, registry, usage, options: {}, signal: ac.signal });
    ac.abort();
    await expect(pending).rejects.toThrow(/aborted/);
    expect(usage.snapshot().reservations).toBe(0);
  });
});

describe("validateModel", () => {
  it("accepts known ids, routing variants, aliases and routers", async () => {
    const { run } = setup();
    for (const model of ["openai/gpt-4o-mini", "openai/gpt-4o-mini:nitro", "~x-ai/grok-latest", "openrouter/auto", "nvidia/nemotron-3.5-lightning:free"]) {
      await run({ model, messages: hi }, { validateModel: true });
    }
  });

  it("never rejects OpenRouter's routers, even when the catalogue does not list them", async () => {
    const registry = new ModelRegistry({ fetchModels: async () => allModels().filter((m) => !m.id.startsWith("openrouter/")) });
    const usage = new UsageTracker();
    await runPreSendChecks({ body: { model: "openrouter/free", messages: hi }, registry, usage, options: { validateModel: true } });
    await expect(runPreSendChecks({ body: { model: "openrouter/bodybuilder-x", messages: hi }, registry, usage, options: { validateModel: true } })).rejects.toThrow(
      /Unknown model/,
    );
  });

  it("rejects an unknown id with the closest known ids", async () => {
    const { run } = setup();
    const err = (await caught(run({ model: "openai/gpt4o-mini", messages: hi }, { validateModel: true }))) as BadRequestError;
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.code).toBe("model_not_found");
    expect(err.status).toBeUndefined(); // nothing was sent
    expect(err.message).toMatch(/^Unknown model "openai\/gpt4o-mini": it is not in OpenRouter's model list\. Did you mean "openai\/gpt-4o-mini"/);
    expect((err.metadata?.["suggestions"] as string[])[0]).toBe("openai/gpt-4o-mini");
    expect(err.model).toBe("openai/gpt4o-mini");
  });

  it("rejects a catalogue variant the catalogue does not list, suggesting from the base", async () => {
    const { run } = setup();
    const err = (await caught(run({ model: "openai/gpt-4o-mini:free", messages: hi }, { validateModel: true }))) as BadRequestError;
    expect(err.message).toMatch(/Unknown model "openai\/gpt-4o-mini:free".*"openai\/gpt-4o-mini"/);
  });

  it("checks every fallback id and rejects malformed ids", async () => {
    const { run } = setup();
    await expect(run({ model: "openai/gpt-4o", models: ["openai/gpt-4o-mini", "anthropic/claude-haiku-45"], messages: hi }, { validateModel: true })).rejects.toThrow(
      /Unknown model "anthropic\/claude-haiku-45".*"anthropic\/claude-haiku-4\.5"/,
    );
    await expect(run({ model: "gpt-4o", messages: hi }, { validateModel: true })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe("preflight", () => {
  it("lists what a request needs", () => {
    expect(requiredParameters({ model: "a/b", messages: hi, tools: [weatherTool], response_format: jsonSchema, reasoning: { effort: "high" } })).toEqual([
      { parameter: "tools", field: "tools" },
      { parameter: "structured_outputs", field: "response_format" },
      { parameter: "reasoning", field: "reasoning" },
    ]);
    expect(requiredParameters({ model: "a/b", messages: hi, tools: [{ type: "openrouter:web_search" }] as never, reasoning: { effort: "none" }, temperature: 0 })).toEqual([]);
    expect(requiredParameters({ model: "a/b", messages: hi, temperature: 0, tool_choice: "required", provider: { require_parameters: true } })).toEqual([
      { parameter: "tool_choice", field: "tool_choice" },
      { parameter: "temperature", field: "temperature" },
    ]);
  });

  it("names the unsupported parameter instead of OpenRouter's 'no endpoints' 404", async () => {
    const { run } = setup();
    const err = (await caught(run({ model: "meta-llama/llama-guard-4-12b", messages: hi, tools: [weatherTool] }, { preflight: true }))) as BadRequestError;
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.code).toBe("unsupported_parameter");
    expect(err.message).toMatch(/^meta-llama\/llama-guard-4-12b does not support "tools" \(needed by tools\); OpenRouter would answer 404 "No endpoints found"/);
    expect(err.metadata).toMatchObject({ parameter: "tools", field: "tools" });
    await expect(run({ model: "openai/gpt-3.5-turbo", messages: hi, reasoning: { effort: "low" } }, { preflight: true })).rejects.toThrow(/does not support "reasoning"/);
  });

  it("says which structured-output mode would work", async () => {
    const { run } = setup();
    const viaTools = (await caught(run({ model: "anthropic/claude-sonnet-4", messages: hi, response_format: jsonSchema }, { preflight: true }))) as BadRequestError;
    expect(viaTools.metadata?.["suggestedMode"]).toBe("tools");
    expect(viaTools.message).toMatch(/does not support "structured_outputs".*Instead, use a forced tool call/);
    const viaJsonMode = (await caught(run({ model: "meta-llama/llama-guard-4-12b", messages: hi, response_format: jsonSchema }, { preflight: true }))) as BadRequestError;
    expect(viaJsonMode.metadata?.["suggestedMode"]).toBe("json_object");
    expect(viaJsonMode.message).toMatch(/response_format \{type:"json_object"\}/);
    const viaPrompt = (await caught(run({ model: "relace/relace-apply-3", messages: hi, response_format: { type: "json_object" } }, { preflight: true }))) as BadRequestError;
    expect(viaPrompt.metadata).toMatchObject({ parameter: "response_format", suggestedMode: "prompt" });
  });

  it("passes supported requests, routers, unknown models and fallbacks that can serve", async () => {
    const { run } = setup();
    await run({ model: "openai/gpt-4o-mini", messages: hi, tools: [weatherTool], response_format: jsonSchema }, { preflight: true });
    await run({ model: "openai/gpt-5-nano:floor", messages: hi, reasoning: { effort: "low" } }, { preflight: true });
    await run({ model: "openrouter/auto", messages: hi, tools: [weatherTool] }, { preflight: true });
    await run({ model: "someone/brand-new-model", messages: hi, tools: [weatherTool] }, { preflight: true });
    await run({ model: "meta-llama/llama-guard-4-12b", models: ["openai/gpt-4o-mini"], messages: hi, tools: [weatherTool] }, { preflight: true });
  });

  it("checks sampling parameters only under provider.require_parameters", async () => {
    const { run } = setup();
    await run({ model: "openai/gpt-5-nano", messages: hi, temperature: 0.2 }, { preflight: true });
    await expect(run({ model: "openai/gpt-5-nano", messages: hi, temperature: 0.2, provider: { require_parameters: true } }, { preflight: true })).rejects.toThrow(
      /does not support "temperature"/,
    );
  });
});

describe("checkContext", () => {
  it("raises ContextLengthError before sending when the prompt cannot fit", async () => {
    const { run } = setup();
    const huge = [{ role: "user" as const, content: "lorem ipsum ".repeat(7000) }]; // ~21k tokens > 16385
    const err = (await caught(run({ model: "openai/gpt-3.5-turbo", messages: huge }, { checkContext: true }))) as ContextLengthError;
    expect(err).toBeInstanceOf(ContextLengthError);
    expect(err.kind).toBe("context_length");
    expect(err.status).toBeUndefined();
    expect(err.message).toMatch(/exceed openai\/gpt-3\.5-turbo's context window of 16385 tokens\. \(estimated before sending; no request was made\)/);
    expect(err.metadata).toMatchObject({ limit: 16385, estimated: true });
    await run({ model: "openai/gpt-4o-mini", messages: huge }, { checkContext: true });
  });

  it("rejects max_tokens above the model's completion limit, unless a fallback fits", async () => {
    const { run } = setup();
    await expect(run({ model: "openai/gpt-3.5-turbo", messages: hi, max_tokens: 5000 }, { checkContext: true })).rejects.toThrow(/max_tokens 5000 exceeds .*4096/);
    await run({ model: "openai/gpt-3.5-turbo", models: ["openai/gpt-4o-mini"], messages: hi, max_tokens: 5000 }, { checkContext: true });
  });
});
