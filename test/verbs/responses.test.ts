/**
 * `client.responses.create` (src/verbs/responses.ts, responses-impl.ts, text-api-run.ts and
 * src/stream/responses-result.ts) against the stand-in: the result (text, reasoning, function calls, usage, cost,
 * generation id, attempts), the usage tracker, retries and fallbacks on the one pipeline, typed errors (bad input
 * caught before anything is sent, failures sent as a 200), presets, and the key kept out of every error.
 */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { BadRequestError, BudgetExceededError, InvalidArgumentError, OpenRouter, RateLimitError, StreamError, isOpenRouterError } from "../../src/index.js";
import { createMockOpenRouter } from "../../src/testing/index.js";
import { validateRequest } from "../helpers/spec.js";
import { expectPricedByTheStandIn, standInClient } from "../helpers/stand-in.js";

const KEY = "sk-or-v1-responses-test-key-0123456789abcdef";
const MODEL = "openai/gpt-4o-mini";

const setup = (options: Parameters<typeof standInClient>[1] = {}, clientOptions: Parameters<typeof standInClient>[2] = {}) => standInClient(KEY, options, clientOptions);

describe("client.responses.create", () => {
  it("returns the text, reasoning, usage with OpenRouter's cost, and the generation id; the raw Response is kept", async () => {
    const { mock, client } = setup({ scenarios: [{ reply: { text: "It is four.", reasoning: "Two plus two." } }] });
    const result = await client.responses.create({ model: MODEL, input: "What is 2+2?", instructions: "Be brief." });
    expect(result.text).toBe("It is four.");
    expect(result.reasoning).toBe("Two plus two.");
    expect(result.status).toBe("completed");
    expect(result.model).toBe(MODEL);
    expectPricedByTheStandIn(mock, result);
    expect(result.usage?.output_tokens_details?.reasoning_tokens).toBeGreaterThan(0);
    expect(result.raw.output.map((item) => item.type)).toEqual(["reasoning", "message"]);
    expect(result.output).toBe(result.raw.output);
    expect(result.attempts).toBe(1);
    expect(result.fallbacks).toEqual([]);
    expect(result.timing?.totalMs).toBeGreaterThanOrEqual(0);
    // What went out: the caller's body, valid per the spec, on POST /responses.
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]!.path).toBe("/responses");
    expect(mock.requests[0]!.body).toEqual({ model: MODEL, input: "What is 2+2?", instructions: "Be brief." });
    expect(validateRequest("post", "/responses", mock.requests[0]!.body).errors).toBe("");
  });

  it("parses function calls: the call id to answer with, the name and the arguments", async () => {
    const { client } = setup({ scenarios: [{ reply: { toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }] } }] });
    const tools = [{ type: "function", name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } }];
    const result = await client.responses.create({ model: MODEL, input: [{ role: "user", content: "Weather in Paris?" }], tools });
    expect(result.text).toBe("");
    expect(result.functionCalls).toHaveLength(1);
    const call = result.functionCalls[0]!;
    expect(call.name).toBe("get_weather");
    expect(call.args).toEqual({ city: "Paris" });
    expect(call.id).toBe(result.output.find((item) => item.type === "function_call")!.call_id);
  });

  it("records the call on client.usage: tokens and the exact cost", async () => {
    const { mock, client } = setup();
    const a = await client.responses.create({ model: MODEL, input: "one" });
    const b = await client.responses.create({ model: MODEL, input: "two" });
    const snapshot = client.usage.snapshot();
    expect(snapshot.requests).toBe(2);
    expect(snapshot.promptTokens).toBe(a.usage!.input_tokens! + b.usage!.input_tokens!);
    expect(snapshot.completionTokens).toBe(a.usage!.output_tokens! + b.usage!.output_tokens!);
    expect(snapshot.costUsd).toBeCloseTo(mock.totalCost, 12);
    expect(snapshot.byModel[MODEL]?.requests).toBe(2);
  });

  it("once budgetUsd is spent, the next call is refused before sending", async () => {
    // The budget is lowered below what was spent: a budget set up front would refuse even the first call,
    // whose worst case (prompt + the whole output cap) does not fit it.
    const { mock, client } = setup();
    await client.responses.create({ model: MODEL, input: "one two three four five six seven eight nine ten" });
    client.usage.budgetUsd = 0.000001;
    expect(client.usage.spentUsd).toBeGreaterThan(0.000001);
    await expect(client.responses.create({ model: MODEL, input: "again" })).rejects.toBeInstanceOf(BudgetExceededError);
    await expect(client.responses.stream({ model: MODEL, input: "again" }).final()).rejects.toBeInstanceOf(BudgetExceededError);
    expect(mock.requests).toHaveLength(1);
  });

  it("retries a 429 on the same pipeline as chat, and reports the attempts", async () => {
    const { mock, client, sleeps } = setup({ faults: [{ fault: "rate-limit-429", times: 1 }] });
    const result = await client.responses.create({ model: MODEL, input: "hi" });
    expect(result.attempts).toBe(2);
    expect(sleeps).toHaveLength(1);
    expect(mock.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it("falls back to the next model when the first is unavailable", async () => {
    const { mock, client } = setup({ scenarios: [{ model: "openai/gpt-4o", reply: { error: { status: 503, message: "No provider available" } } }] });
    const result = await client.responses.create({ model: "openai/gpt-4o", input: "hi" }, { fallbackModels: [MODEL], retry: false });
    expect(result.model).toBe(MODEL);
    expect(result.fallbacks?.map((f) => f.model)).toEqual(["openai/gpt-4o"]);
    expect(mock.requests.map((r) => (r.body as { model: string }).model)).toEqual(["openai/gpt-4o", MODEL]);
  });

  it("throws the typed error of a failed call (no retry for a 400), recorded as nothing spent", async () => {
    const { mock, client } = setup({ scenarios: [{ reply: { error: { status: 400, message: "Input is malformed" } } }] });
    const error = await client.responses.create({ model: MODEL, input: "hi" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).path).toBe("/responses");
    expect(mock.requests).toHaveLength(1);
    expect(client.usage.snapshot().costUsd).toBe(0);
  });

  it("a 200 whose Response has status failed is a typed error with what was produced on partial", async () => {
    const failed = { id: "gen-failed-1", object: "response", model: MODEL, status: "failed", output: [{ type: "message", id: "m1", role: "assistant", content: [{ type: "output_text", text: "Half an ans" }] }], error: { code: "server_error", message: "Provider returned error" } };
    const fetch = (async () => new Response(JSON.stringify(failed), { status: 200, headers: { "content-type": "application/json" } })) as typeof globalThis.fetch;
    const client = new OpenRouter({ apiKey: KEY, fetch, retry: false });
    const error = await client.responses.create({ model: MODEL, input: "hi" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).message).toContain("Provider returned error");
    expect((error as StreamError).partial?.text).toBe("Half an ans");
    expect((error as StreamError).generationId).toBe("gen-failed-1");
  });

  it("a bare error envelope in a 200 is the typed error it describes", async () => {
    const fetch = (async () => new Response(JSON.stringify({ error: { code: 429, message: "Rate limit exceeded" } }), { status: 200, headers: { "content-type": "application/json" } })) as typeof globalThis.fetch;
    const client = new OpenRouter({ apiKey: KEY, fetch, retry: false });
    await expect(client.responses.create({ model: MODEL, input: "hi" })).rejects.toBeInstanceOf(RateLimitError);
  });

  it("rejects bad input with InvalidArgumentError before anything is sent", async () => {
    const { mock, client } = setup();
    const bad: unknown[] = [
      undefined,
      [],
      { model: MODEL },
      { model: MODEL, input: "" },
      { model: MODEL, input: [] },
      { model: MODEL, input: [null] },
      { model: MODEL, input: [{ content: "no role or type" }] },
      { model: MODEL, input: [{ role: "user" }] },
      { model: "", input: "hi" },
      { model: "x".repeat(300), input: "hi" },
      { model: MODEL, models: "openai/gpt-4o", input: "hi" },
      { model: MODEL, input: "hi", max_output_tokens: 0 },
      { model: MODEL, input: "hi", max_output_tokens: 1.5 },
      { model: MODEL, input: "hi", store: true },
      { model: MODEL, input: "hi", previous_response_id: "resp_1" },
      { model: MODEL, input: "hi", stream: true },
      { model: MODEL, input: "hi", instructions: 42 },
      { model: MODEL, input: "hi", metadata: { big: 10n } },
    ];
    for (const params of bad) {
      const error = await client.responses.create(params as never).catch((e: unknown) => e);
      expect(error, JSON.stringify(params, (_k, v) => (typeof v === "bigint" ? "bigint" : v))).toBeInstanceOf(InvalidArgumentError);
    }
    const badOptions = await client.responses.create({ model: MODEL, input: "hi" }, { timeoutMs: -1 }).catch((e: unknown) => e);
    expect(badOptions).toBeInstanceOf(InvalidArgumentError);
    expect(mock.requests).toHaveLength(0);
  });

  it("a preset is just its model id: @preset/<slug> passes the checks and goes out as given", async () => {
    const { mock, client } = setup({ scenarios: [{ model: "@preset/concise", reply: "from the preset" }] });
    const result = await client.responses.create({ model: "@preset/concise", input: "hi" });
    expect(result.text).toBe("from the preset");
    expect((mock.requests[0]!.body as { model: string }).model).toBe("@preset/concise");
    expect(validateRequest("post", "/responses", mock.requests[0]!.body).errors).toBe("");
  });

  it("keeps the API key out of every error, also when the upstream echoes it", async () => {
    const { client } = setup({ scenarios: [{ reply: { error: { status: 401, message: `Incorrect API key provided: ${KEY}` } } }] });
    const error = await client.responses.create({ model: MODEL, input: "hi" }).catch((e: unknown) => e);
    expect(isOpenRouterError(error)).toBe(true);
    for (const text of [String(error), inspect(error, { depth: 10 }), JSON.stringify(error), (error as Error).stack ?? ""]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(KEY.slice(6));
    }
  });
});
