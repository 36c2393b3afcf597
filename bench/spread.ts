/**
 * A client against a reference client (the floor or the limit) repetition by repetition: each repetition's
 * ratio (or difference, for times) is taken within that repetition, where both ran on the same machine state,
 * then summarised as the median and the lowest and highest. The spread says how far one run can be trusted.
 *
 * @example
 * ```ts
 * compareReps([2100, 2000, 2200], [2584, 2500, 2600], "ratio"); // { mid: 0.81, min: 0.8, max: 0.85, n: 3 }
 * ```
 */
import { median } from "./config.js";

export interface Compared {
  mid: number;
  min: number;
  max: number;
  /** Repetitions in which both clients have a figure. */
  n: number;
}

/** `xs[i]` and `ys[i]` are the client's and the reference's figure in repetition i (undefined: not measured). */
export function compareReps(xs: readonly (number | undefined)[], ys: readonly (number | undefined)[], kind: "ratio" | "diff"): Compared | undefined {
  const per: number[] = [];
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const x = xs[i];
    const y = ys[i];
    if (x === undefined || y === undefined || !Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (kind === "ratio" && y === 0) continue;
    per.push(kind === "ratio" ? x / y : x - y);
  }
  if (per.length === 0) return undefined;
  return { mid: median(per), min: Math.min(...per), max: Math.max(...per), n: per.length };
}

/** "0.82× F [0.79–0.85]", "+0.12 ms F [+0.10…+0.15]"; the range only when there are several repetitions. */
export function formatCompared(c: Compared, kind: "ratio" | "diff", tag: string, digits = 2, unit = ""): string {
  const f = (x: number) =>
    kind === "ratio"
      ? x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
      : `${x >= 0 ? "+" : "−"}${Math.abs(x).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
  const mid = kind === "ratio" ? `${f(c.mid)}×` : `${f(c.mid)}${unit}`;
  const range = c.n > 1 ? ` [${f(c.min)}${kind === "ratio" ? "–" : "…"}${f(c.max)}]` : "";
  return `${mid} ${tag}${range}`;
}
