/**
 * src/internal/quote.ts: how error messages quote a caller's value. Bounded, never throwing, never splitting
 * a character.
 */
import { describe, expect, it } from "vitest";
import { QUOTE_LIMIT, bounded, quote } from "../../src/internal/quote.js";

describe("bounded", () => {
  it("keeps short text and cuts long text with a count of what was left out", () => {
    expect(bounded("abc")).toBe("abc");
    const cut = bounded("x".repeat(1_000_000));
    expect(cut).toBe(`${"x".repeat(QUOTE_LIMIT)}… (${1_000_000 - QUOTE_LIMIT} more characters)`);
  });

  it("never splits a surrogate pair", () => {
    const text = `${"a".repeat(9)}😀tail`;
    expect(bounded(text, 10)).toBe(`${"a".repeat(9)}… (6 more characters)`);
  });
});

describe("quote", () => {
  it("JSON-quotes strings so line breaks and quotes stay visible", () => {
    expect(quote('a\n"b"')).toBe('"a\\n\\"b\\""');
    expect(quote("y".repeat(500))).toBe(`"${"y".repeat(QUOTE_LIMIT)}"… (300 more characters)`);
  });

  it("never throws, whatever the value", () => {
    const circular: Record<string, unknown> = {};
    circular["self"] = circular;
    expect(quote(10n)).toBe("10n");
    expect(quote(circular)).toBe("[object Object]");
    expect(quote({ a: 1n })).toBe("[object Object]");
    expect(quote(Number.NaN)).toBe("NaN");
    expect(quote(undefined)).toBe("undefined");
    expect(quote(() => 1)).toBe("a function");
    expect(quote(Symbol("s"))).toBe("Symbol(s)");
    expect(quote({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(quote(new Array(100_000).fill(1)).length).toBeLessThan(QUOTE_LIMIT + 40);
  });
});
