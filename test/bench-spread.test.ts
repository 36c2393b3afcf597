import { describe, expect, it } from "vitest";
import { compareReps, formatCompared } from "../bench/spread.js";

describe("compareReps", () => {
  it("takes each repetition's ratio within the repetition, then the median and the range", () => {
    // Medians alone would give 2100 / 2584 = 0.81; the per-repetition ratios show how much the runs moved.
    const c = compareReps([2100, 1000, 2200], [2584, 2000, 2200], "ratio");
    expect(c).toEqual({ mid: 2100 / 2584, min: 0.5, max: 1, n: 3 });
  });

  it("differences for times, and skips repetitions in which either client has no figure", () => {
    expect(compareReps([3.2, undefined, 3.5, NaN], [3.0, 3.1, 3.0, 3.0], "diff")).toEqual({ mid: expect.closeTo(0.35, 9), min: expect.closeTo(0.2, 9), max: 0.5, n: 2 });
    expect(compareReps([undefined], [1], "ratio")).toBeUndefined();
    expect(compareReps([1], [0], "ratio")).toBeUndefined();
  });
});

describe("formatCompared", () => {
  it("shows the range only when there are several repetitions", () => {
    expect(formatCompared({ mid: 0.8213, min: 0.79, max: 0.85, n: 3 }, "ratio", "F")).toBe("0.82× F [0.79–0.85]");
    expect(formatCompared({ mid: 0.8213, min: 0.8213, max: 0.8213, n: 1 }, "ratio", "L")).toBe("0.82× L");
    expect(formatCompared({ mid: -0.72, min: -0.8, max: 0.1, n: 3 }, "diff", "F", 2, " ms")).toBe("−0.72 ms F [−0.80…+0.10]");
  });
});
