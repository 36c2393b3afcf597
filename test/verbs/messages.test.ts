/**
 * `client.messages.create` (src/verbs/messages.ts, messages-impl.ts, text-api-run.ts and
 * src/stream/messages-result.ts) against the stand-in: the result (text, thinking, tool uses, stop reason,
 * usage, cost, generation id, attempts), the usage tracker, retries on the one pipeline, typed errors (the
 * Anthropic error envelope, bad input caught before anything is sent), presets, and the key kept out of errors.
 */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { BadRequestError, InvalidArgumentError, OpenRouter, ProviderUnavailableError, isOpenRouterError } from "../../src/index.js";
import { createMockOpenRouter } from "../../src/testing/index.js";
import { validateRequest } from "../helpers/spec.js";
import { expectPricedByTheStandIn, standInClient } from "../helpers/stand-in.js";

const KEY = "sk-or-v1-messages-test-key-0123456789abcdef";
const MODEL = "anthropic/claude-haiku-4.5";
const ask = { model: MODEL, max_tokens: 200, messages: [{ role: "user" as const, content: "What is 2+2?" }] };

const setup = (options: Parameters<typeof standInClient>[1] = {}) => standInClient(KEY, options);

describe("client.messages.create", () => {
  it("returns the text, thinking with its signature, stop reason, usage with the cost; the raw Message is kept", async () => {
    const { mock, client } = setup({ scenarios: [{ reply: { text: "It is four.", reasoning: "Two and two." } }] });
    const result = await client.messages.create({ ...ask, system: "Be brief.", thinking: { type: "enabled", budget_tokens: 1024 } });
    expect(result.text).toBe("It is four.");
    expect(result.thinking).toBe("Two and two.");
    expect(result.content.map((b) => b.type)).toEqual(["thinking", "text"]);
    expect(result.content[0]!.signature).toMatch(/^sig_/);
    expect(result.stopReason).toBe("end_turn");
    expect(result.stopSequence).toBeNull();
    expect(result.model).toBe(MODEL);
    expect(result.provider).toBe("Anthropic");
    expectPricedByTheStandIn(mock, result);
    expect(result.raw.content).toEqual(result.content);
    expect(result.attempts).toBe(1);
    expect(mock.requests[0]!.path).toBe("/messages");
    expect(mock.requests[0]!.body).toEqual({ ...ask, system: "Be brief.", thinking: { type: "enabled", budget_tokens: 1024 } });
    expect(validateRequest("post", "/messages", mock.requests[0]!.body).errors).toBe("");
  });

  it("gives tool uses with their parsed input", async () => {
    const { client } = setup({ scenarios: [{ reply: { toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }] } }] });
    const tools = [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }];
    const result = await client.messages.create({ ...ask, tools });
    expect(result.stopReason).toBe("tool_use");
    expect(result.toolUses).toEqual([{ id: expect.stringMatching(/^toolu_/), name: "get_weather", input: { city: "Paris" } }]);
  });

  it("records the call on client.usage", async () => {
    const { mock, client } = setup();
    const result = await client.messages.create(ask);
    const snapshot = client.usage.snapshot();
    expect(snapshot.requests).toBe(1);
    expect(snapshot.promptTokens).toBe(result.usage!.input_tokens);
    expect(snapshot.completionTokens).toBe(result.usage!.output_tokens);
    expect(snapshot.costUsd).toBeCloseTo(mock.totalCost, 12);
  });

  it("hooks see the call like a chat call: onResult with the usage in chat's names and the cost", async () => {
    const mock = createMockOpenRouter({ apiKey: KEY });
    const seen: { path: string; usage: unknown; cost: unknown; generationId: unknown }[] = [];
    const client = new OpenRouter({ apiKey: KEY, fetch: mock.fetch, hooks: { onResult: (e) => void seen.push({ path: e.path, usage: e.usage, cost: e.cost, generationId: e.generationId }) } });
    const result = await client.messages.create(ask);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ path: "/messages", cost: result.cost, generationId: result.id });
    expect(seen[0]!.usage).toMatchObject({ prompt_tokens: result.usage!.input_tokens, completion_tokens: result.usage!.output_tokens });
  });

  it("retries a 529 (Anthropic's overloaded) and reports the attempts", async () => {
    const { mock, client, sleeps } = setup({ faults: [{ fault: "overloaded-529", times: 1 }] });
    const result = await client.messages.create(ask);
    expect(result.attempts).toBe(2);
    expect(sleeps).toHaveLength(1);
    expect(mock.requests.map((r) => r.status)).toEqual([529, 200]);
  });

  it("maps the Anthropic error envelope to the typed error", async () => {
    const { client } = setup({ scenarios: [{ reply: { error: { status: 400, message: "messages: roles must alternate" } } }] });
    const error = await client.messages.create(ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toContain("roles must alternate");
    const unavailable = setup({ faults: [{ fault: "overloaded-529" }] });
    const down = await unavailable.client.messages.create(ask, { retry: false }).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(ProviderUnavailableError);
  });

  it("rejects bad input with InvalidArgumentError before anything is sent", async () => {
    const { mock, client } = setup();
    const bad: unknown[] = [
      null,
      { messages: ask.messages, max_tokens: 10 },
      { model: MODEL, max_tokens: 10 },
      { model: MODEL, max_tokens: 10, messages: [] },
      { model: MODEL, max_tokens: 10, messages: [{ role: "system", content: "Be brief." }] },
      { model: MODEL, max_tokens: 10, messages: [{ role: "user" }] },
      { model: MODEL, max_tokens: 0, messages: ask.messages },
      { model: MODEL, max_tokens: "100", messages: ask.messages },
      { ...ask, system: 42 },
      { ...ask, stream: true },
    ];
    for (const params of bad) {
      const error = await client.messages.create(params as never).catch((e: unknown) => e);
      expect(error, JSON.stringify(params)).toBeInstanceOf(InvalidArgumentError);
    }
    const system = await client.messages.create({ model: MODEL, messages: [{ role: "system", content: "x" }] } as never).catch((e: Error) => e.message);
    expect(system).toContain("params.system");
    expect(mock.requests).toHaveLength(0);
  });

  it("a preset is just its model id: @preset/<slug> passes the checks and goes out as given", async () => {
    const { mock, client } = setup({ scenarios: [{ model: "@preset/concise", reply: "from the preset" }] });
    const result = await client.messages.create({ ...ask, model: "@preset/concise" });
    expect(result.text).toBe("from the preset");
    expect((mock.requests[0]!.body as { model: string }).model).toBe("@preset/concise");
  });

  it("keeps the API key out of every error, also when the upstream echoes it", async () => {
    const { client } = setup({ scenarios: [{ reply: { error: { status: 401, message: `invalid x-api-key ${KEY}` } } }] });
    const error = await client.messages.create(ask).catch((e: unknown) => e);
    expect(isOpenRouterError(error)).toBe(true);
    for (const text of [String(error), inspect(error, { depth: 10 }), JSON.stringify(error), (error as Error).stack ?? ""]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(KEY.slice(6));
    }
  });
});

describe("chat through a preset", () => {
  it("client.chat with model @preset/<slug> passes the checks and goes out as given", async () => {
    const { mock, client } = setup({ scenarios: [{ model: "@preset/concise", reply: "from the preset" }] });
    const result = await client.chat({ model: "@preset/concise", messages: [{ role: "user", content: "hi" }] });
    expect(result.text).toBe("from the preset");
    expect((mock.requests[0]!.body as { model: string }).model).toBe("@preset/concise");
  });
});
