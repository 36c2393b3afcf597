import { describe, expect, it } from "vitest";
import { readReportedCost } from "../../src/core/reported-cost.js";
import { MAX_CALL_COST_USD } from "../../src/core/plausible-cost.js";

describe("readReportedCost", () => {
  it("takes plausible numbers and numeric strings as they are", () => {
    expect(readReportedCost(0.0004688775)).toEqual({ usd: 0.0004688775 });
    expect(readReportedCost(0)).toEqual({ usd: 0 });
    expect(Object.is(readReportedCost(-0)?.usd, 0)).toBe(true);
    expect(readReportedCost("0.0012")).toEqual({ usd: 0.0012 });
    expect(readReportedCost(" 6e-7 ")).toEqual({ usd: 6e-7 });
    expect(readReportedCost(".5")).toEqual({ usd: 0.5 });
    expect(readReportedCost(MAX_CALL_COST_USD)).toEqual({ usd: MAX_CALL_COST_USD });
  });

  it("treats absent and null as not reported", () => {
    expect(readReportedCost(undefined)).toBeUndefined();
    expect(readReportedCost(null)).toBeUndefined();
  });

  it.each([
    [-1000, "negative"],
    [-Number.MIN_VALUE, "negative"],
    [Number.NEGATIVE_INFINITY, "negative"],
    ["-0.5", "negative"],
    [Number.NaN, "not_a_number"],
    ["", "not_a_number"],
    ["0x10", "not_a_number"],
    ["1,5", "not_a_number"],
    ["Infinity", "not_a_number"],
    [true, "not_a_number"],
    [{}, "not_a_number"],
    [[0.1], "not_a_number"],
    [Number.POSITIVE_INFINITY, "too_large"],
    [MAX_CALL_COST_USD * 1.0001, "too_large"],
    ["1e999", "too_large"],
    ["1e99", "too_large"],
  ])("refuses %j as %s", (value, reason) => {
    expect(readReportedCost(value)).toMatchObject({ anomaly: { reason } });
  });

  it("bounds the quoted text of a huge value", () => {
    const anomaly = readReportedCost("9".repeat(1_000_000) + "x")?.anomaly;
    expect(anomaly?.reason).toBe("not_a_number");
    expect(anomaly!.reported.length).toBeLessThanOrEqual(44);
  });
});
