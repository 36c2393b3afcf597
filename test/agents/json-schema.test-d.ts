import { describe, expectTypeOf, it } from "vitest";
import type { FromSchema, JSONSchema } from "../../src/agents/json-schema.js";
import { defineTool, type ToolContext } from "../../src/agents/tools.js";
import type { StructuredResult } from "../../src/agents/structured.js";
import type { OpenRouter } from "../../src/index.js";
import { structured } from "../../src/agents/structured.js";
import { runTools } from "../../src/agents/agent.js";

describe("FromSchema", () => {
  it("maps primitive types", () => {
    expectTypeOf<FromSchema<{ type: "string" }>>().toEqualTypeOf<string>();
    expectTypeOf<FromSchema<{ type: "integer" }>>().toEqualTypeOf<number>();
    expectTypeOf<FromSchema<{ type: "number" }>>().toEqualTypeOf<number>();
    expectTypeOf<FromSchema<{ type: "boolean" }>>().toEqualTypeOf<boolean>();
    expectTypeOf<FromSchema<{ type: "null" }>>().toEqualTypeOf<null>();
    expectTypeOf<FromSchema<{ description: "anything" }>>().toEqualTypeOf<unknown>();
    expectTypeOf<FromSchema<true>>().toEqualTypeOf<unknown>();
  });

  it("maps nullable type arrays and OpenAPI nullable", () => {
    expectTypeOf<FromSchema<{ type: readonly ["string", "null"] }>>().toEqualTypeOf<string | null>();
    expectTypeOf<FromSchema<{ type: "integer"; nullable: true }>>().toEqualTypeOf<number | null>();
  });

  it("maps enum and const to literals", () => {
    const Color = { type: "string", enum: ["red", "green"] } as const;
    expectTypeOf<FromSchema<typeof Color>>().toEqualTypeOf<"red" | "green">();
    expectTypeOf<FromSchema<{ const: 42 }>>().toEqualTypeOf<42>();
  });

  it("maps objects: required vs optional, closed vs open", () => {
    const Person = {
      type: "object",
      properties: { name: { type: "string" }, age: { type: ["integer", "null"] }, tags: { type: "array", items: { type: "string" } } },
      required: ["name"],
      additionalProperties: false,
    } as const;
    expectTypeOf<FromSchema<typeof Person>>().toEqualTypeOf<{ name: string; age?: number | null; tags?: string[] }>();
    type Open = FromSchema<{ type: "object"; properties: { a: { type: "string" } }; required: readonly ["a"] }>;
    expectTypeOf<Open["a"]>().toEqualTypeOf<string>();
    expectTypeOf<FromSchema<{ type: "object" }>>().toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf<FromSchema<{ type: "object"; additionalProperties: { type: "number" } }>>().toEqualTypeOf<Record<string, number>>();
  });

  it("maps arrays, tuples and nested objects", () => {
    const S = {
      type: "array",
      items: { type: "object", properties: { id: { type: "integer" }, kind: { enum: ["a", "b"] } }, required: ["id", "kind"], additionalProperties: false },
    } as const;
    expectTypeOf<FromSchema<typeof S>>().toEqualTypeOf<Array<{ id: number; kind: "a" | "b" }>>();
    expectTypeOf<FromSchema<{ type: "array"; prefixItems: readonly [{ type: "string" }, { type: "number" }] }>>().toEqualTypeOf<[string, number]>();
    expectTypeOf<FromSchema<{ type: "array" }>>().toEqualTypeOf<unknown[]>();
  });

  it("maps anyOf / oneOf to unions and allOf to intersections", () => {
    const U = { anyOf: [{ type: "string" }, { type: "object", properties: { n: { type: "number" } }, required: ["n"], additionalProperties: false }] } as const;
    expectTypeOf<FromSchema<typeof U>>().toEqualTypeOf<string | { n: number }>();
    expectTypeOf<FromSchema<{ oneOf: readonly [{ const: 1 }, { const: "one" }] }>>().toEqualTypeOf<1 | "one">();
    const A = {
      allOf: [
        { type: "object", properties: { a: { type: "string" } }, required: ["a"], additionalProperties: false },
        { type: "object", properties: { b: { type: "number" } }, required: ["b"], additionalProperties: false },
      ],
    } as const;
    expectTypeOf<FromSchema<typeof A>>().toMatchTypeOf<{ a: string; b: number }>();
  });

  it("follows $ref to $defs", () => {
    const S = {
      type: "object",
      properties: { home: { $ref: "#/$defs/Address" } },
      required: ["home"],
      additionalProperties: false,
      $defs: { Address: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false } },
    } as const;
    expectTypeOf<FromSchema<typeof S>["home"]>().toEqualTypeOf<{ city: string }>();
  });

  it("accepts const schema literals as JSONSchema", () => {
    const S = { type: "object", properties: { x: { type: "string" } } } as const;
    expectTypeOf(S).toMatchTypeOf<JSONSchema>();
  });
});

describe("typed APIs", () => {
  it("structured() types data from an inline schema without as const", () => {
    const client = {} as OpenRouter;
    const p = structured(client, {
      model: "m",
      messages: [{ role: "user", content: "x" }],
      schema: { type: "object", properties: { title: { type: "string" }, score: { type: "number" } }, required: ["title"], additionalProperties: false },
    });
    expectTypeOf(p).resolves.toEqualTypeOf<StructuredResult<{ title: string; score?: number }>>();
  });

  it("defineTool() types args from parameters and deps from the annotated ctx", () => {
    const tool = defineTool({
      name: "lookup",
      parameters: { type: "object", properties: { id: { type: "integer" }, mode: { enum: ["fast", "slow"] } }, required: ["id"], additionalProperties: false },
      execute: (args, ctx: ToolContext<{ db: Map<number, string> }>) => {
        expectTypeOf(args).toEqualTypeOf<{ id: number; mode?: "fast" | "slow" }>();
        expectTypeOf(ctx.deps.db).toEqualTypeOf<Map<number, string>>();
        return ctx.deps.db.get(args.id);
      },
    });
    const client = {} as OpenRouter;
    // deps must satisfy the tools' ctx.deps type
    void runTools(client, { model: "m", messages: [], tools: [tool], deps: { db: new Map<number, string>(), extra: 1 } });
    // @ts-expect-error: deps of the wrong type
    void runTools(client, { model: "m", messages: [], tools: [tool], deps: { db: "nope" } });
  });
});
