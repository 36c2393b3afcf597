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

  it("checks the other string formats, leap years included", () => {
    const ok = (format: string, value: string) => interpretSchema({ type: "string", format }, value).valid;
    expect(ok("date", "2000-02-29")).toBe(true);
    expect(ok("date", "1900-02-29")).toBe(false);
    expect(ok("date", "2024-13-01")).toBe(false);
    expect(ok("date", "2024-04-31")).toBe(false);
    expect(ok("time", "14:00:00Z")).toBe(true);
    expect(ok("time", "2pm")).toBe(false);
    expect(ok("uri", "https://example.com/a?b=c")).toBe(true);
    expect(ok("uri", "not a uri")).toBe(false);
    expect(ok("uri-reference", "../a/b")).toBe(true);
    expect(ok("uri-reference", "a b")).toBe(false);
    expect(ok("ipv4", "192.168.0.1")).toBe(true);
    expect(ok("ipv4", "256.1.1.1")).toBe(false);
    expect(ok("ipv6", "::1")).toBe(true);
    expect(ok("ipv6", "1.2.3.4")).toBe(false);
    expect(ok("hostname", "api.example.com")).toBe(true);
    expect(ok("hostname", "-bad-.example")).toBe(false);
    // A format nobody knows is accepted, as ajv does with unknown formats ignored.
    expect(ok("color", "anything")).toBe(true);
  });

  it("accepts null for nullable, checks exclusiveMinimum, and rejects everything under a false schema", () => {
    expect(interpretSchema({ type: "string", nullable: true } as JSONSchema, null).valid).toBe(true);
    expect(interpretSchema({ type: "number", exclusiveMinimum: 1 }, 1).errors).toEqual([{ path: "", keyword: "exclusiveMinimum", message: "must be > 1" }]);
    expect(interpretSchema(false, 1).errors).toEqual([{ path: "", keyword: "false schema", message: "boolean schema is false" }]);
    expect(interpretSchema(true, 1).valid).toBe(true);
    expect(interpretSchema({ type: "object", properties: { a: false } }, { a: 1 }).errors[0]?.path).toBe("/a");
  });

  it("tells the closest anyOf/oneOf branch, and says when oneOf matched several", () => {
    const anyOf = interpretSchema({ anyOf: [{ type: "object", required: ["a", "b"] }, { type: "object", required: ["a"] }] }, {});
    expect(anyOf.errors.map((e) => e.message)).toEqual(["must have required property 'a'", "must match a schema in anyOf"]);
    const oneOf = interpretSchema({ oneOf: [{ type: "string", minLength: 5 }, { type: "string", maxLength: 1 }] }, "abc");
    expect(oneOf.errors.at(-1)?.message).toBe("must match exactly one schema in oneOf");
    expect(interpretSchema({ oneOf: [{ type: "number" }, { minimum: 0 }] }, 1).errors).toEqual([
      { path: "", keyword: "oneOf", message: "must match exactly one schema in oneOf (matched several)" },
    ]);
  });

  it("resolves $ref to the root and to escaped names, and refuses unresolvable or endless ones", () => {
    const tree: JSONSchema = { type: "object", properties: { child: { anyOf: [{ $ref: "#" }, { type: "null" }] } }, required: ["child"] };
    expect(interpretSchema(tree, { child: { child: null } }).valid).toBe(true);
    expect(interpretSchema(tree, { child: { child: 1 } }).valid).toBe(false);
    const escaped: JSONSchema = { $defs: { "a/b": { type: "string" }, "c~d": { type: "integer" } }, properties: { x: { $ref: "#/$defs/a~1b" }, y: { $ref: "#/$defs/c~0d" } } };
    expect(interpretSchema(escaped, { x: "s", y: 1 }).valid).toBe(true);
    expect(interpretSchema(escaped, { x: 1 }).valid).toBe(false);
    expect(() => interpretSchema({ $ref: "#/$defs/missing" }, 1)).toThrow(/Unresolvable \$ref "#\/\$defs\/missing"/);
    expect(() => interpretSchema({ $ref: "#/$defs/list/0" } as JSONSchema, 1)).toThrow(/Unresolvable/);
    expect(() => interpretSchema({ $ref: "#" }, 1)).toThrow(/Schema recursion too deep/);
  });

  it("caps the error list it formats", () => {
    const errors = Array.from({ length: 25 }, (_, i) => ({ path: `/${i}`, keyword: "type", message: "must be string" }));
    const text = formatValidationErrors(errors, 3);
    expect(text.split("\n")).toEqual(["/0: must be string", "/1: must be string", "/2: must be string", "… and 22 more"]);
    expect(formatValidationErrors([{ path: "", keyword: "type", message: "must be object" }])).toBe("(root): must be object");
  });

  it("keys equal schemas the same whatever their key order, treating undefined like JSON does", () => {
    expect(stableStringify({ b: [1, undefined], a: { d: undefined, c: 1 } })).toBe('{"a":{"c":1},"b":[1,null]}');
    expect(stableStringify(undefined)).toBe("null");
    expect(stableStringify("s")).toBe('"s"');
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

  it("validates boolean schemas and starts afresh after clear()", async () => {
    const ajv = await createAjvValidator();
    expect(ajv.validate(true, 1)).toEqual({ valid: true, errors: [] });
    expect(ajv.validate(false, 1).valid).toBe(false);
    expect(ajv.validate(false, 1).errors[0]?.keyword).toBe("false schema");
    const prepared = await prepareValidator(ajv, true);
    expect(prepared.validate(true, "anything").valid).toBe(true);
    ajv.clear();
    expect(ajv.validate({ type: "integer" }, 1).valid).toBe(true);
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
