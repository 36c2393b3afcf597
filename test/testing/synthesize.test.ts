/**
 * src/testing/synthesize.ts: deterministic values from schemas (refs, required fields, enums, formats,
 * patterns, examples), checked against the spec's own validator for every response schema it names.
 */
import { describe, expect, it } from "vitest";
import { exampleBody, synthesize } from "../../src/testing/synthesize.js";
import { loadSpec, validateSchema } from "../helpers/spec.js";

const doc = {
  components: {
    schemas: {
      Thing: { type: "object", required: ["id", "kind", "at"], properties: { id: { type: "string", pattern: "^[a-f0-9]{64}$" }, kind: { $ref: "#/components/schemas/Kind" }, at: { type: "string", format: "date-time" }, note: { type: "string" } } },
      Kind: { anyOf: [{ type: "string", enum: ["first", "second"] }, { type: "string" }] },
    },
  },
};

describe("synthesize", () => {
  it("follows refs, fills required fields only, takes the first enum value, honours formats and patterns", () => {
    expect(synthesize(doc, { $ref: "#/components/schemas/Thing" })).toEqual({ id: "0".repeat(64), kind: "first", at: "2026-01-01T00:00:00Z" });
  });

  it("respects minimums, minItems and minLength, and is deterministic", () => {
    const schema = { type: "object", properties: { n: { type: "integer", minimum: 3 }, list: { type: "array", minItems: 2, items: { type: "string", minLength: 12 } } } };
    const value = synthesize({}, schema) as { n: number; list: string[] };
    expect(value.n).toBe(3);
    expect(value.list).toHaveLength(2);
    expect(value.list[0]!.length).toBeGreaterThanOrEqual(12);
    expect(synthesize({}, schema)).toEqual(value);
  });

  it("prefers the media type's example", () => {
    expect(exampleBody({}, { example: { ok: 1 }, schema: { type: "object" } })).toEqual({ ok: 1 });
  });

  it("gives a valid value for every schema of the spec named in a success response", () => {
    const spec = loadSpec() as { components: { schemas: Record<string, unknown> } };
    const names = Object.keys(spec.components.schemas).filter((n) => /Response$|Object$|Job$/.test(n));
    expect(names.length).toBeGreaterThan(20);
    const failures = names
      .map((name) => [name, validateSchema(name, synthesize(spec, { $ref: `#/components/schemas/${name}` })).errors] as const)
      .filter(([, errors]) => errors !== "");
    expect(failures).toEqual([]);
  });
});
