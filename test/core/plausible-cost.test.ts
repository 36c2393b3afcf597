import { describe, expect, it } from "vitest";
import { MAX_CALL_COST_USD, numberOfText, plausibleCost } from "../../src/core/plausible-cost.js";

describe("plausibleCost", () => {
  it("takes plausible numbers and numeric strings as they are, -0 as 0", () => {
    expect(plausibleCost(0.0012)).toBe(0.0012);
    expect(plausibleCost("0.0012")).toBe(0.0012);
    expect(plausibleCost(" 6e-7 ")).toBe(6e-7);
    expect(plausibleCost(MAX_CALL_COST_USD)).toBe(MAX_CALL_COST_USD);
    expect(Object.is(plausibleCost(-0), 0)).toBe(true);
  });

  it.each([[undefined], [null], [-1000], [Number.NaN], [Number.POSITIVE_INFINITY], [MAX_CALL_COST_USD * 1.0001], ["-0.5"], ["0x10"], ["1e999"], [true], [{}]])(
    "refuses %j",
    (value) => {
      expect(plausibleCost(value)).toBeUndefined();
    },
  );
});

describe("numberOfText", () => {
  it("reads only plain decimals, and never a long text", () => {
    expect(numberOfText(".5")).toBe(0.5);
    expect(Number.isNaN(numberOfText("1,5"))).toBe(true);
    expect(Number.isNaN(numberOfText("9".repeat(100)))).toBe(true);
  });
});
