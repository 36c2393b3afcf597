import { describe, expect, it } from "vitest";
import { conversationSnapshotSchema } from "../../scripts/generate-validators.js";
import type { JSONSchema } from "../../src/agents/json-schema.js";
import { validateConversationSnapshot } from "../../src/generated/validators/index.js";
import {
  createAjvValidator,
  formatValidationErrors,
  interpretSchema,
  interpreterValidator,
  prepareValidator,
  stableStringify,
} from "../../src/agents/validator/index.js";

// Each case: a schema and values it must accept / reject. The interpreter and ajv must agree on every one.
const cases: Array<{ name: string; schema: JSONSchema; valid: unknown[]; invalid: unknown[] }> = [
  { name: "type", schema: { type: "integer" }, valid: [1, -3, 2.0], invalid: [1.5, "1", null, true] },
  { name: "type array", schema: { type: ["string", "null"] }, valid: ["a", null], invalid: [1, {}] },
  { name: "number accepts integers", schema: { type: "number" }, valid: [1, 1.5], invalid: ["1"] },
  {
    name: "object",
    schema: { type: "object", properties: { a: { type: "string" }, b: { type: "number" } }, required: ["a"], additionalProperties: false },
    valid: [{ a: "x" }, { a: "x", b: 2 }],
    invalid: [{}, { a: 1 }, { a: "x", c: 1 }, [], null],
  },
  {
    name: "additionalProperties schema + patternProperties",
    schema: { type: "object", patternProperties: { "^x-": { type: "string" } }, additionalProperties: { type: "number" } },
    valid: [{ "x-a": "s", n: 1 }, {}],
    invalid: [{ "x-a": 1 }, { n: "s" }],
  },
  { name: "items", schema: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 2 }, valid: [["a"], ["a", "b"]], invalid: [[], ["a", "b", "c"], [1]] },
  { name: "prefixItems", schema: { type: "array", prefixItems: [{ type: "string" }, { type: "number" }], items: false }, valid: [["a", 1], ["a"]], invalid: [[1, "a"], ["a", 1, 2]] },
  { name: "uniqueItems", schema: { type: "array", uniqueItems: true }, valid: [[1, 2, { a: 1 }, { a: 2 }]], invalid: [[1, 1], [{ a: 1 }, { a: 1 }]] },
  { name: "enum", schema: { enum: ["a", 1, null, { x: [1] }] }, valid: ["a", 1, null, { x: [1] }], invalid: ["b", 2, { x: [2] }] },
  { name: "const", schema: { const: { k: "v" } }, valid: [{ k: "v" }], invalid: [{ k: "w" }, "v"] },
  { name: "numbers", schema: { type: "number", minimum: 0, exclusiveMaximum: 10, multipleOf: 0.5 }, valid: [0, 9.5, 2], invalid: [-1, 10, 0.3] },
  { name: "strings", schema: { type: "string", minLength: 2, maxLength: 3, pattern: "^[a-z]+$" }, valid: ["ab", "abc"], invalid: ["a", "abcd", "AB", "éé"] },
  { name: "string length counts code points", schema: { type: "string", maxLength: 1 }, valid: ["😀"], invalid: ["😀😀"] },
  { name: "formats", schema: { type: "object", properties: { e: { type: "string", format: "email" }, d: { type: "string", format: "date" }, u: { type: "string", format: "uuid" } } }, valid: [{ e: "a@b.co", d: "2024-02-29", u: "123e4567-e89b-12d3-a456-426614174000" }], invalid: [{ e: "nope" }, { d: "2023-02-29" }, { u: "123" }] },
  { name: "date-time", schema: { type: "string", format: "date-time" }, valid: ["2026-11-22T14:00:00Z", "2026-11-22T14:00:00.5+01:00"], invalid: ["2026-11-22", "yesterday"] },
  { name: "anyOf", schema: { anyOf: [{ type: "string" }, { type: "number", minimum: 5 }] }, valid: ["x", 6], invalid: [4, null] },
  { name: "oneOf", schema: { oneOf: [{ type: "integer" }, { type: "number", minimum: 2 }] }, valid: [1, 2.5], invalid: [3, "x"] },
  { name: "allOf", schema: { allOf: [{ type: "number" }, { minimum: 1 }] }, valid: [1, 2], invalid: [0, "1"] },
  { name: "not", schema: { not: { type: "string" } }, valid: [1, null], invalid: ["s"] },
  {
    name: "$ref to $defs, recursive",
    schema: {
      $defs: { node: { type: "object", properties: { v: { type: "integer" }, next: { anyOf: [{ $ref: "#/$defs/node" }, { type: "null" }] } }, required: ["v", "next"], additionalProperties: false } },
      $ref: "#/$defs/node",
    },
    valid: [{ v: 1, next: null }, { v: 1, next: { v: 2, next: null } }],
    invalid: [{ v: 1 }, { v: 1, next: { v: "2", next: null } }],
  },
  { name: "$ref to definitions", schema: { definitions: { s: { type: "string" } }, type: "array", items: { $ref: "#/definitions/s" } }, valid: [["a"]], invalid: [[1]] },
  { name: "min/maxProperties", schema: { type: "object", minProperties: 1, maxProperties: 2 }, valid: [{ a: 1 }], invalid: [{}, { a: 1, b: 2, c: 3 }] },
];

describe("interpreter validator", () => {
  for (const c of cases) {
    it(`${c.name}`, () => {
      for (const v of c.valid) expect(interpretSchema(c.schema, v), `${JSON.stringify(v)} should be valid`).toEqual({ valid: true, errors: [] });
      for (const v of c.invalid) {
        const r = interpretSchema(c.schema, v);
        expect(r.valid, `${JSON.stringify(v)} should be invalid`).toBe(false);
        expect(r.errors.length).toBeGreaterThan(0);
      }
    });
  }

  it("reports JSON Pointer paths and ajv-style messages", () => {
    const schema: JSONSchema = {
      type: "object",
      properties: { items: { type: "array", items: { type: "object", properties: { "a/b": { type: "integer" } }, required: ["id"] } } },
      additionalProperties: false,
    };
    const r = interpreterValidator.validate(schema, { items: [{ id: 1 }, { "a/b": "x" }], extra: 1 });
    expect(r.errors).toEqual(
      expect.arrayContaining([
        { path: "/items/1", keyword: "required", message: "must have required property 'id'" },
        { path: "/items/1/a~1b", keyword: "type", message: "must be integer" },
        { path: "", keyword: "additionalProperties", message: "must NOT have additional property 'extra'" },
      ]),
    );
    expect(formatValidationErrors(r.errors)).toMatch(/^\/items\/1: must have required property 'id'$/m);
  });

  it("rejects remote $refs with a clear error", () => {
    expect(() => interpretSchema({ $ref: "https://example.com/s.json" }, 1)).toThrow(/only resolves local \$refs/);
  });
});

describe("ajv validator", () => {
  it("agrees with the interpreter on every case", async () => {
    const ajv = await createAjvValidator();
    for (const c of cases) {
      const prepared = await prepareValidator(ajv, c.schema);
      for (const v of [...c.valid, ...c.invalid]) {
        if (c.name === "formats" || c.name === "date-time") continue; // formats need ajv-formats: covered below
        expect(prepared.validate(c.schema, v).valid, `${c.name}: ${JSON.stringify(v)}`).toBe(interpretSchema(c.schema, v).valid);
      }
    }
  });

  it("loads ajv-formats on demand for schemas with format", async () => {
    const schema: JSONSchema = { type: "string", format: "email" };
    const v = await prepareValidator("ajv", schema);
    expect(v.kind).toBe("ajv");
    expect(v.validate(schema, "a@b.co").valid).toBe(true);
    expect(v.validate(schema, "nope").valid).toBe(false);
  });

  it("caches compiled validators by identity and by stable JSON", async () => {
    const ajv = await createAjvValidator();
    const a = { type: "object", properties: { x: { type: "string" } } } as const;
    ajv.validate(a, { x: "1" });
    ajv.validate(a, { x: "2" });
    ajv.validate({ properties: { x: { type: "string" } }, type: "object" }, {});
    expect(ajv.compileCount).toBe(1);
    ajv.validate({ type: "string" }, "s");
    expect(ajv.compileCount).toBe(2);
    expect(stableStringify({ b: [1, { d: 1, c: 2 }], a: undefined })).toBe('{"b":[1,{"c":2,"d":1}]}');
  });

  it("names the extra property and the allowed values in messages", async () => {
    const v = await prepareValidator("ajv", { type: "object", properties: { c: { enum: ["a", "b"] } }, additionalProperties: false });
    const r = v.validate({ type: "object", properties: { c: { enum: ["a", "b"] } }, additionalProperties: false }, { c: "z", y: 1 });
    const text = formatValidationErrors(r.errors);
    expect(text).toMatch(/'y'/);
    expect(text).toMatch(/"a", "b"/);
  });

  it("turns an invalid schema into InvalidArgumentError", async () => {
    await expect(prepareValidator("ajv", { type: "nonsense" as never })).rejects.toMatchObject({ kind: "invalid_argument" });
  });

  it("rejects unknown validator options", async () => {
    await expect(prepareValidator("zod" as never, { type: "string" })).rejects.toThrow(/validator must be/);
  });

  it("uses a custom validator object", async () => {
    const calls: unknown[] = [];
    const v = await prepareValidator({ validate: (_s, value) => (calls.push(value), { valid: false, errors: [{ path: "", keyword: "x", message: "no" }] }) }, {});
    expect(v.kind).toBe("custom");
    expect(v.validate({}, 5).valid).toBe(false);
    expect(calls).toEqual([5]);
  });
});

describe("precompiled (standalone) validators", () => {
  it("the generated conversation snapshot validator matches the interpreter on the same schema", () => {
    const samples: unknown[] = [
      { version: 1, model: "m/x", messages: [] },
      { version: 1, model: "m/x", system: "s", messages: [{ role: "user", content: "hi" }], cost: 0.1 },
      { version: 2, model: "m/x", messages: [] },
      { version: 1, model: " ", messages: [] },
      { version: 1, model: "m/x", messages: [{ role: "robot" }] },
      { version: 1, model: "m/x", messages: [], extra: true },
      { model: "m/x", messages: [] },
      "nope",
    ];
    for (const s of samples) {
      expect(validateConversationSnapshot(s), JSON.stringify(s)).toBe(interpretSchema(conversationSnapshotSchema as unknown as JSONSchema, s).valid);
    }
  });
});
