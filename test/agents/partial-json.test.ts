import { describe, expect, it } from "vitest";
import { parsePartialJson } from "../../src/agents/partial-json.js";

describe("parsePartialJson", () => {
  const table: Array<{ given: string; want: unknown; complete?: boolean }> = [
    { given: "", want: undefined },
    { given: "   ", want: undefined },
    { given: "{", want: {} },
    { given: '{"na', want: {} },
    { given: '{"name"', want: {} },
    { given: '{"name":', want: {} },
    { given: '{"name":"Ad', want: { name: "Ad" } },
    { given: '{"name":"Ada","tags":["x"', want: { name: "Ada", tags: ["x"] } },
    { given: '{"name":"Ada","tags":["x",', want: { name: "Ada", tags: ["x"] } },
    { given: '{"a":{"b":[{"c":"d', want: { a: { b: [{ c: "d" }] } } },
    { given: '{"a":tr', want: {} },
    { given: '{"a":true', want: { a: true } },
    { given: '{"a":nul', want: {} },
    { given: '{"n":12', want: {} }, // "12" may still become "123"
    { given: '{"n":12,', want: { n: 12 } },
    { given: '{"n":-1.5e3}', want: { n: -1500 }, complete: true },
    { given: "[1,2", want: [1] },
    { given: "[1,2]", want: [1, 2], complete: true },
    { given: '"abc', want: "abc" },
    { given: '"abc"', want: "abc", complete: true },
    { given: '{"s":"a\\', want: { s: "a" } },
    { given: '{"s":"a\\n', want: { s: "a\n" } },
    { given: '{"s":"\\u00', want: { s: "" } },
    { given: '{"s":"\\u00e9', want: { s: "é" } },
    { given: '{"a":1}  ', want: { a: 1 }, complete: true },
    { given: "[]", want: [], complete: true },
    { given: '{"a":[]}', want: { a: [] }, complete: true },
  ];
  for (const { given, want, complete = false } of table) {
    it(`parses ${JSON.stringify(given)}`, () => {
      expect(parsePartialJson(given)).toEqual({ value: want, complete });
    });
  }

  it("never shows a value the final JSON does not contain, at every cut of a realistic reply", () => {
    const final = { title: "Caf\u00e9 \ud83d\ude00 \"quoted\"", items: [{ id: 1, tags: ["a", "b"], price: 12.5 }, { id: 22, tags: [], ok: false, none: null }], n: -3 };
    const text = JSON.stringify(final, null, 1);
    for (let cut = 0; cut <= text.length; cut++) {
      const { value, complete } = parsePartialJson(text.slice(0, cut));
      expect(complete).toBe(cut === text.length);
      if (value !== undefined) expect(isPrefixOf(value, final), `cut ${cut}: ${JSON.stringify(value)}`).toBe(true);
    }
    expect(parsePartialJson(text).value).toEqual(final);
  });

  it("keeps __proto__ as a plain key, like JSON.parse", () => {
    const { value } = parsePartialJson('{"__proto__":{"polluted":true},"a":1,');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value as object)).toEqual(["__proto__", "a"]);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("throws SyntaxError for text that can never become JSON", () => {
    expect(() => parsePartialJson('{"a" 1}')).toThrow(SyntaxError);
    expect(() => parsePartialJson("Sure! {")).toThrow(SyntaxError);
    expect(() => parsePartialJson("[1] [2]")).toThrow(SyntaxError);
    expect(() => parsePartialJson('{"a":01}')).toThrow(SyntaxError);
  });
});

/** True when `partial` is what a cut-off `full` may show: strings are prefixes, containers are sub-structures. */
function isPrefixOf(partial: unknown, full: unknown): boolean {
  if (typeof partial === "string") return typeof full === "string" && full.startsWith(partial);
  if (Array.isArray(partial)) {
    return Array.isArray(full) && partial.length <= full.length && partial.every((v, i) => isPrefixOf(v, full[i]));
  }
  if (typeof partial === "object" && partial !== null) {
    if (typeof full !== "object" || full === null || Array.isArray(full)) return false;
    return Object.entries(partial).every(([k, v]) => k in full && isPrefixOf(v, (full as Record<string, unknown>)[k]));
  }
  return partial === full;
}
