/**
 * src/testing/synthesize.ts, edge cases: the stand-in builds every stateless answer from these values, so each
 * schema keyword it meets (composition, nullable types, formats, bounds, patterns, examples, open objects) must
 * give a value that keyword accepts, and the same value every time.
 */
import { describe, expect, it } from "vitest";
import { derefSchema, exampleBody, resolveRef, synthesize } from "../../src/testing/synthesize.js";

const doc = {
  components: {
    schemas: {
      "a/b": { type: "integer", minimum: 7 },
      "t~x": { type: "boolean" },
      Loop: { $ref: "#/components/schemas/Loop" },
      Dangling: { $ref: "#/components/schemas/Missing" },
      Node: { type: "object", required: ["child"], properties: { child: { $ref: "#/components/schemas/Node" } } },
    },
    examples: { Greeting: { value: { hello: "world" } }, NoValue: { summary: "nothing here" } },
  },
};

describe("resolveRef and derefSchema", () => {
  it("decodes JSON-pointer escapes and ignores non-local refs", () => {
    expect(resolveRef(doc, "#/components/schemas/a~1b")).toEqual({ type: "integer", minimum: 7 });
    expect(resolveRef(doc, "#/components/schemas/t~0x")).toEqual({ type: "boolean" });
    expect(resolveRef(doc, "other.yaml#/components/schemas/a~1b")).toBeUndefined();
    expect(resolveRef(doc, "#/components/nothing/deeper")).toBeUndefined();
  });

  it("gives {} for a reference cycle, a dangling reference or a non-object", () => {
    expect(derefSchema(doc, { $ref: "#/components/schemas/Loop" })).toEqual({});
    expect(derefSchema(doc, { $ref: "#/components/schemas/Dangling" })).toEqual({});
    expect(derefSchema(doc, "string")).toEqual({});
    expect(synthesize(doc, { $ref: "#/components/schemas/a~1b" })).toBe(7);
  });
});

describe("synthesize: examples and constants", () => {
  it("takes const, then enum, then examples, then example, then default", () => {
    expect(synthesize({}, { type: "string", const: "fixed", enum: ["no"] })).toBe("fixed");
    expect(synthesize({}, { type: "string", enum: ["a", "b"], examples: ["no"] })).toBe("a");
    expect(synthesize({}, { type: "string", enum: [], examples: ["ex1", "ex2"], example: "no" })).toBe("ex1");
    expect(synthesize({}, { type: "integer", examples: [], example: 42, default: 1 })).toBe(42);
    expect(synthesize({}, { type: "number", default: 2.5 })).toBe(2.5);
    expect(synthesize({}, { const: null })).toBeNull();
  });

  it("builds objects instead of reusing a possibly partial object example", () => {
    const schema = { type: "object", required: ["id"], properties: { id: { type: "string" } }, example: { other: 1 } };
    expect(synthesize({}, schema)).toEqual({ id: "example id" });
  });

  it("an untyped schema returns its object example when nothing else describes it", () => {
    expect(synthesize({}, { example: { free: "form" } })).toEqual({ free: "form" });
  });
});

describe("synthesize: composition", () => {
  it("oneOf/anyOf skip a null option, and fall back to it when it is the only kind", () => {
    expect(synthesize({}, { oneOf: [{ type: "null" }, { type: "integer", minimum: 5 }] })).toBe(5);
    expect(synthesize({}, { anyOf: [{ type: "null" }] })).toBeNull();
  });

  it("sibling properties next to anyOf still apply to an object value", () => {
    const schema = {
      required: ["kind"],
      properties: { kind: { type: "string", enum: ["k"] } },
      anyOf: [{ type: "object", required: ["a"], properties: { a: { type: "boolean" } } }],
    };
    expect(synthesize({}, schema)).toEqual({ kind: "k", a: false });
    // A scalar option is not merged with the sibling properties.
    expect(synthesize({}, { properties: { x: { type: "string" } }, oneOf: [{ type: "string", const: "s" }] })).toBe("s");
  });

  it("allOf merges object parts, and gives the first part when they are not all objects", () => {
    const schema = {
      allOf: [
        { type: "object", required: ["a"], properties: { a: { type: "integer" } } },
        { type: "object", required: ["b"], properties: { b: { type: "string", format: "uuid" } } },
      ],
    };
    expect(synthesize({}, schema)).toEqual({ a: 1, b: "00000000-0000-4000-8000-000000000000" });
    expect(synthesize({}, { allOf: [{ type: "integer", minimum: 3 }, { type: "object" }] })).toBe(3);
  });

  it("stops at a depth limit for self-referencing schemas", () => {
    let value = synthesize(doc, { $ref: "#/components/schemas/Node" }) as { child: unknown } | null;
    let levels = 0;
    while (value !== null && typeof value === "object") {
      value = value.child as { child: unknown } | null;
      levels++;
    }
    expect(value).toBeNull();
    expect(levels).toBeGreaterThan(5);
  });
});

describe("synthesize: types", () => {
  it("type lists pick the first non-null type, and a list of only null gives null", () => {
    expect(synthesize({}, { type: ["null", "boolean"] })).toBe(false);
    expect(synthesize({}, { type: ["null"] })).toBeNull();
    expect(synthesize({}, { type: "null" })).toBeNull();
  });

  it("infers object from properties and array from items", () => {
    expect(synthesize({}, { properties: { n: { type: "number" } } })).toEqual({ n: 1 });
    expect(synthesize({}, { items: { type: "boolean" } })).toEqual([false]);
  });

  it("arrays: one item shows the shape, minItems adds more, no items gives minItems untyped values", () => {
    expect(synthesize({}, { type: "array", items: { type: "integer" } })).toEqual([1]);
    expect(synthesize({}, { type: "array", minItems: 3, items: { type: "integer" } })).toEqual([1, 1, 1]);
    expect(synthesize({}, { type: "array" })).toEqual([]);
    expect(synthesize({}, { type: "array", minItems: 2 })).toEqual(["example", "example"]);
  });

  it("numbers honour minimum, exclusiveMinimum and maximum; integers are whole", () => {
    expect(synthesize({}, { type: "number", exclusiveMinimum: 10 })).toBe(11);
    expect(synthesize({}, { type: "integer", minimum: 0.5 })).toBe(1);
    expect(synthesize({}, { type: "number", maximum: 0.25 })).toBe(0.25);
    expect(synthesize({}, { type: "integer", maximum: -3 })).toBe(-3);
    expect(synthesize({}, { type: "number", maximum: 100 })).toBe(1);
  });

  it("strings: formats, maxLength truncation, minLength padding", () => {
    expect(synthesize({}, { type: "string", format: "email" })).toBe("user@example.com");
    expect(synthesize({}, { type: "string", format: "date" })).toBe("2026-01-01");
    expect(synthesize({}, { type: "string", format: "not-a-format" }, "name")).toBe("example name");
    expect(synthesize({}, { type: "string", maxLength: 3 }, "name")).toBe("exa");
    const padded = synthesize({}, { type: "string", minLength: 20 }) as string;
    expect(padded).toHaveLength(20);
    expect(padded.startsWith("example")).toBe(true);
  });

  it("patterns: the first common shape that matches, else the plain example (also for an invalid pattern)", () => {
    expect(synthesize({}, { type: "string", pattern: "^example-model-id$" }, "model id")).toBe("example-model-id");
    expect(synthesize({}, { type: "string", pattern: "^sk-or-v1-[0-9]{64}$" })).toBe("sk-or-v1-" + "0".repeat(64));
    expect(synthesize({}, { type: "string", pattern: "^[0-9]+$" })).toMatch(/^[0-9]+$/);
    expect(synthesize({}, { type: "string", pattern: "^[A-Z][a-z]+$" })).toBe("Example");
    expect(synthesize({}, { type: "string", pattern: "^zz$" })).toBe("example");
    expect(synthesize({}, { type: "string", pattern: "([" }, "x")).toBe("example x");
  });

  it("an empty schema gives a short string named after the property", () => {
    expect(synthesize({}, {})).toBe("example");
    expect(synthesize({}, {}, "color")).toBe("example color");
  });
});

describe("synthesize: objects", () => {
  it("required names missing from properties take the additionalProperties schema", () => {
    const schema = { type: "object", required: ["extra"], additionalProperties: { type: "integer", minimum: 9 } };
    expect(synthesize({}, schema)).toEqual({ extra: 9 });
    expect(synthesize({}, { type: "object", required: ["free"] })).toEqual({ free: "example free" });
  });

  it("minProperties is met with generated keys", () => {
    const value = synthesize({}, { type: "object", minProperties: 2, additionalProperties: { type: "boolean" } });
    expect(Object.keys(value as object)).toHaveLength(2);
    expect(Object.values(value as object)).toEqual([false, false]);
  });

  it("optional properties are shown near the top and dropped deep down", () => {
    const leaf = { type: "object", properties: { opt: { type: "integer" } } };
    const nest = (inner: unknown) => ({ type: "object", required: ["in"], properties: { in: inner } });
    expect(synthesize({}, leaf)).toEqual({ opt: 1 });
    expect(synthesize({}, nest(nest(nest(nest(nest(leaf))))))).toEqual({ in: { in: { in: { in: { in: {} } } } } });
  });
});

describe("exampleBody", () => {
  it("takes the first named example (following a $ref), else synthesizes", () => {
    expect(exampleBody(doc, { examples: { one: { value: [1, 2] } }, schema: { type: "string" } })).toEqual([1, 2]);
    expect(exampleBody(doc, { examples: { g: { $ref: "#/components/examples/Greeting" } } })).toEqual({ hello: "world" });
    expect(exampleBody(doc, { examples: { n: { $ref: "#/components/examples/NoValue" } }, schema: { type: "integer", minimum: 4 } })).toBe(4);
    expect(exampleBody(doc, { examples: {}, schema: { type: "boolean" } })).toBe(false);
  });
});
