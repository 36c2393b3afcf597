/**
 * Request validation of the stand-in (src/testing/validate.ts), through its public functions:
 * `embeddedValidators`, `validatorsFromSpec` and `loadRequestValidators` with an explicit spec.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { embeddedValidators, loadRequestValidators, validatorsFromSpec } from "../../src/testing/index.js";

const dir = mkdtempSync(join(tmpdir(), "or-validate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small OpenAPI document: a ChatRequest that only needs a model, and no EmbeddingsRequest. */
const tinySpec = {
  openapi: "3.1.0",
  components: {
    schemas: {
      ChatRequest: {
        type: "object",
        required: ["model"],
        properties: { model: { type: "string" }, mode: { enum: ["fast", "slow"] } },
        additionalProperties: false,
      },
    },
  },
};

describe("embeddedValidators", () => {
  const v = embeddedValidators();

  it("accepts a plain chat and names the allowed values of a wrong enum", () => {
    expect(v.source).toBe("embedded");
    expect(v.chat({ model: "m", messages: [{ role: "user", content: "hi" }] })).toEqual([]);
    const issues = v.chat({ model: "m", messages: [{ role: "wizard", content: "hi" }] });
    expect(issues).toEqual([{ path: "/messages/0/role", message: "must be equal to one of the allowed values: system, developer, user, assistant, tool" }]);
  });

  it("reports the deepest issue of a failed branch, once, and at most ten", () => {
    const issues = v.chat({ model: "m", messages: [{ role: "tool", content: "x" }] });
    expect(issues).toEqual([{ path: "/messages/0", message: "must have required property 'tool_call_id'" }]);
    const many = v.chat({ model: "m", messages: Array.from({ length: 30 }, () => ({ role: "nobody" })) });
    expect(many).toHaveLength(10);
    // A whole-body problem is reported at "/", and only when nothing deeper is wrong.
    expect(v.chat({ model: "m" })).toEqual([{ path: "/", message: "must have required property 'messages'" }]);
    expect(v.chat({ messages: [] })).toEqual([{ path: "/messages", message: "must NOT have fewer than 1 items" }]);
  });

  it("checks embeddings requests", () => {
    expect(v.embeddings({ model: "m", input: "x" })).toEqual([]);
    expect(v.embeddings({ model: "m", input: "x", encoding_format: "hex" })).toEqual([
      { path: "/encoding_format", message: "must be equal to one of the allowed values: float, base64" },
    ]);
  });
});

describe("validatorsFromSpec", () => {
  it("refuses a document without a ChatRequest schema", () => {
    expect(() => validatorsFromSpec({})).toThrow(/no components\.schemas\.ChatRequest/);
    expect(() => validatorsFromSpec(null)).toThrow(TypeError);
  });

  it("validates chats by the document and embeddings by the embedded schema when the document has none", () => {
    const v = validatorsFromSpec(tinySpec);
    expect(v.source).toBe("spec");
    expect(v.chat({ model: "m" })).toEqual([]);
    expect(v.chat({ model: "m", extra: 1 })).toEqual([{ path: "/", message: "must NOT have additional properties (extra)" }]);
    expect(v.chat({ model: "m", mode: "medium" })).toEqual([{ path: "/mode", message: "must be equal to one of the allowed values: fast, slow" }]);
    expect(v.embeddings({ model: "m" })).toEqual([{ path: "/", message: "must have required property 'input'" }]);
  });
});

describe("loadRequestValidators with an explicit spec", () => {
  it("reads a JSON file and a YAML file", async () => {
    const json = join(dir, "spec.json");
    writeFileSync(json, JSON.stringify(tinySpec));
    expect((await loadRequestValidators(json)).chat({})).toEqual([{ path: "/", message: "must have required property 'model'" }]);
    const yaml = join(dir, "spec.yaml");
    writeFileSync(
      yaml,
      ["openapi: 3.1.0", "components:", "  schemas:", "    ChatRequest:", "      type: object", "      required: [model]"].join("\n"),
    );
    expect((await loadRequestValidators(yaml)).chat({ model: "m" })).toEqual([]);
    expect((await loadRequestValidators(tinySpec)).source).toBe("spec");
  });

  it("fails clearly on a missing file", async () => {
    const missing = join(dir, "nope.yaml");
    await expect(loadRequestValidators(missing)).rejects.toThrow(`createMockOpenRouter: spec file not found: ${missing}`);
  });
});
