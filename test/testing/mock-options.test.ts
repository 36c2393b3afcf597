/**
 * createMockOpenRouter's option checks (src/testing/mock.ts): a bad `presets` option is refused up front with
 * a TypeError naming the expected shape; good presets are served.
 */
import { describe, expect, it } from "vitest";
import { createMockOpenRouter } from "../../src/testing/index.js";

describe("createMockOpenRouter presets option", () => {
  it.each([
    ["not an array", "support"],
    ["a null entry", [null]],
    ["an entry without a slug", [{ name: "x" }]],
    ["a numeric slug", [{ slug: 3 }]],
    ["an empty slug", [{ slug: "" }]],
  ])("refuses %s", (_, presets) => {
    expect(() => createMockOpenRouter({ presets: presets as never })).toThrow(/presets must be an array of \{ slug/);
  });

  it("serves good presets", async () => {
    const mock = createMockOpenRouter({ presets: [{ slug: "helper" }] });
    const response = await mock.fetch("https://openrouter.ai/api/v1/presets/helper");
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: { slug: string } }).data.slug).toBe("helper");
  });
});
