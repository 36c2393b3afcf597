/**
 * Type tests of the management and small verbs: inputs and answers come from the spec, required fields are
 * required, unknown fields and wrong categories are compile errors, and the created key's secret is a string.
 */
import { describe, expectTypeOf, it } from "vitest";
import { type ApiKey, type CreatedKey, OpenRouter, type PresetVersion } from "../../src/index.js";

const client = new OpenRouter({ apiKey: "sk-or-test", managementKey: "sk-or-management-test" });

describe("keys, presets and generations are typed from the spec", () => {
  it("keys", () => {
    expectTypeOf(client.keys.create({ name: "ci" })).resolves.toEqualTypeOf<CreatedKey>();
    expectTypeOf<CreatedKey["key"]>().toEqualTypeOf<string>();
    expectTypeOf(client.keys.list()).resolves.toHaveProperty("data").toEqualTypeOf<ApiKey[]>();
    void client.keys.list({ include_disabled: true, offset: 2 }, { managementKey: "k", timeoutMs: 1000 });
    void client.keys.update("hash", { disabled: true, limit: null });
    // @ts-expect-error name is required
    void client.keys.create({ limit: 5 });
    // @ts-expect-error not a field of the body
    void client.keys.update("hash", { colour: "red" });
  });

  it("presets", () => {
    expectTypeOf(client.presets.list({ limit: 5 })).resolves.toHaveProperty("total_count").toEqualTypeOf<number>();
    expectTypeOf(client.presets.version("concise", 2)).resolves.toHaveProperty("data").toEqualTypeOf<PresetVersion>();
    // @ts-expect-error presets are read with the API key: no management key option
    void client.presets.get("concise", { managementKey: "k" });
  });

  it("generations", () => {
    expectTypeOf(client.generations.content("gen-1")).resolves.toHaveProperty("data").toHaveProperty("output").toHaveProperty("completion").toEqualTypeOf<string | null>();
    void client.generations.feedback("gen-1", { category: "latency", comment: "slow" }, { managementKey: "k" });
    // @ts-expect-error not one of the spec's categories
    void client.generations.feedback("gen-1", { category: "rude" });
  });
});
