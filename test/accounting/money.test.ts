import { describe, expect, it } from "vitest";
import { ATTO_DIGITS, attoToMicros, attoToUsd, formatAtto, toAtto } from "../../src/accounting/money.js";
import * as cost from "../../src/accounting/cost.js";
import { InvalidArgumentError } from "../../src/index.js";

describe("exact money (atto-dollars)", () => {
  it("adds amounts that are not whole micro-dollars without drift", () => {
    const sum = ["0.0004688775", "6e-7", "0.1", "0.2"].map((v) => toAtto(v)).reduce((a, b) => a + b, 0n);
    expect(formatAtto(sum)).toBe("0.3004694775");
    expect(attoToUsd(sum)).toBe(0.3004694775);
    expect(attoToMicros(sum)).toBe(300469);
    expect(toAtto(1)).toBe(10n ** BigInt(ATTO_DIGITS));
    expect(formatAtto(toAtto("0.0000000208333333333333"))).toBe("0.000000020833333333");
  });

  it("reads every decimal form OpenRouter writes: exponents, signs, leading zeros, a bare point, rounding past 18 places", () => {
    expect(toAtto(1.2e-7)).toBe(120_000_000_000n);
    expect(toAtto("1.5E+2")).toBe(150n * 10n ** 18n);
    expect(toAtto("-0.25")).toBe(-(25n * 10n ** 16n));
    expect(toAtto("+000.5")).toBe(5n * 10n ** 17n);
    expect(toAtto(".5")).toBe(toAtto("0.5"));
    expect(toAtto("5.")).toBe(toAtto(5));
    expect(toAtto("1e25")).toBe(10n ** 43n); // beyond the precomputed powers of ten
    expect(toAtto("0.0000000000000000005")).toBe(1n); // half away from zero
    expect(toAtto("0.0000000000000000004")).toBe(0n);
    expect(toAtto("-0.0000000000000000005")).toBe(-1n);
    expect(toAtto("1e-40")).toBe(0n);
    expect(() => toAtto(".")).toThrow(InvalidArgumentError);
  });

  it("refuses text that is not an amount, with a typed error", () => {
    expect(() => toAtto("abc")).toThrow(InvalidArgumentError);
    expect(() => toAtto(Number.NaN)).toThrow(InvalidArgumentError);
  });

  it("is the arithmetic cost.ts still re-exports (one implementation)", () => {
    expect(cost.toAtto).toBe(toAtto);
    expect(cost.formatAtto).toBe(formatAtto);
  });
});
