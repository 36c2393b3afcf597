import { describe, expect, it } from "vitest";
import { checkToolArguments, defineTool, toolOutputToContent, toolToWire } from "../../src/agents/tools.js";
import { sumUsage } from "../../src/core/usage-sum.js";
import { validateSchema } from "../helpers/spec.js";

const weather = defineTool({
  name: "get_weather",
  description: "Current weather for a city",
  parameters: { type: "object", properties: { city: { type: "string", minLength: 1 }, unit: { enum: ["c", "f"] } }, required: ["city"], additionalProperties: false },
  strict: true,
  execute: ({ city }) => ({ city, temp: 21 }),
});

describe("defineTool", () => {
  it("returns a frozen tool with its fields", () => {
    expect(weather.name).toBe("get_weather");
    expect(Object.isFrozen(weather)).toBe(true);
    expect(weather.execute({ city: "Oslo" }, {} as never)).toEqual({ city: "Oslo", temp: 21 });
  });

  it("rejects bad definitions with clear errors", () => {
    const base = { parameters: { type: "object" }, execute: () => 1 } as const;
    expect(() => defineTool({ ...base, name: "has space" })).toThrow(/name must be 1-64 characters/);
    expect(() => defineTool({ ...base, name: "x".repeat(65) })).toThrow(/name must be/);
    expect(() => defineTool({ name: "t", parameters: { type: "string" }, execute: () => 1 })).toThrow(/must describe an object/);
    expect(() => defineTool({ name: "t", parameters: null as never, execute: () => 1 })).toThrow(/parameters must be a JSON Schema object/);
    expect(() => defineTool({ name: "t", parameters: { type: "object" }, execute: "no" as never })).toThrow(/execute must be a function/);
    expect(() => defineTool({ ...base, name: "t", maxRetries: -1 })).toThrow(/maxRetries/);
    expect(() => defineTool(null as never)).toThrow(/definition object/);
    expect(() => defineTool({ ...base, name: "t", description: 42 as never })).toThrow(/description must be a string/);
  });
});

describe("toolToWire", () => {
  it("is a spec-valid FunctionTool", () => {
    const wire = toolToWire(weather);
    expect(wire).toEqual({
      type: "function",
      function: { name: "get_weather", description: "Current weather for a city", parameters: weather.parameters, strict: true },
    });
    expect(validateSchema("FunctionTool", wire).errors).toBe("");
    const bare = toolToWire(defineTool({ name: "now", parameters: { type: "object" }, execute: () => Date.now() }));
    expect(bare.function).toEqual({ name: "now", parameters: { type: "object" } });
    expect(validateSchema("Tool", bare).errors).toBe("");
  });
});

describe("checkToolArguments", () => {
  it("parses and validates", async () => {
    expect(await checkToolArguments(weather, '{"city":"Oslo"}')).toEqual({ ok: true, args: { city: "Oslo" } });
  });
  it("reports invalid JSON", async () => {
    const r = await checkToolArguments(weather, '{"city":');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.failure.kind).toBe("invalid_json");
  });
  it("reports schema violations with paths", async () => {
    const r = await checkToolArguments(weather, '{"city":5,"unit":"k"}', "interpreter");
    expect(r.ok).toBe(false);
    if (!r.ok && r.failure.kind === "invalid_arguments") {
      expect(r.failure.message).toMatch(/\/city: must be string/);
      expect(r.failure.errors.map((e) => e.path)).toEqual(expect.arrayContaining(["/city", "/unit"]));
    } else expect.unreachable();
  });
  it("treats empty arguments as {}", async () => {
    const none = defineTool({ name: "ping", parameters: { type: "object", properties: {}, additionalProperties: false }, execute: () => "pong" });
    expect(await checkToolArguments(none, "")).toEqual({ ok: true, args: {} });
  });
});

describe("toolOutputToContent", () => {
  it("keeps strings, JSON-encodes the rest", () => {
    expect(toolOutputToContent("hi")).toBe("hi");
    expect(toolOutputToContent({ a: 1 })).toBe('{"a":1}');
    expect(toolOutputToContent(undefined)).toBe("");
    expect(toolOutputToContent(3)).toBe("3");
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(toolOutputToContent(cyclic)).toBe("[object Object]");
    // JSON has no text for a function or a symbol: their String() is used.
    expect(toolOutputToContent(Symbol.for("done"))).toBe("Symbol(done)");
  });
});

describe("sumUsage", () => {
  it("adds every numeric field, nested details included", () => {
    const a = { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, cost: 0.1, is_byok: false, prompt_tokens_details: { cached_tokens: 4 } };
    const b = { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6, cost: 0.2, completion_tokens_details: { reasoning_tokens: 3 } };
    const sum = sumUsage(a, b);
    expect(sum).toEqual({
      prompt_tokens: 15,
      completion_tokens: 3,
      total_tokens: 18,
      cost: expect.closeTo(0.3, 10),
      is_byok: false,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 3 },
    });
    expect(sumUsage(undefined, undefined)).toBeUndefined();
    expect(sumUsage(undefined, b)).toEqual(b);
    expect(sumUsage(undefined, b)).not.toBe(b);
  });

  it("keeps the first side when the second is missing, and carries non-numeric fields from either side", () => {
    const a = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, prompt_tokens_details: { cached_tokens: 1 } };
    expect(sumUsage(a, undefined)).toEqual(a);
    expect(sumUsage(a, undefined)).not.toBe(a);
    const withNull = { prompt_tokens: 1, completion_tokens: 0, total_tokens: 1, prompt_tokens_details: null, server_tool_use: { web_search_requests: 1 } };
    const withDetails = { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3, prompt_tokens_details: { cached_tokens: 2 }, is_byok: true };
    expect(sumUsage(withNull as never, withDetails as never)).toEqual({
      prompt_tokens: 3,
      completion_tokens: 1,
      total_tokens: 4,
      prompt_tokens_details: { cached_tokens: 2 },
      server_tool_use: { web_search_requests: 1 },
      is_byok: true,
    });
  });
});
