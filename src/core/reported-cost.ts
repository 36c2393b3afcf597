/**
 * The one gate every cost a server reports goes through (`usage.cost`, a cost header, `/generation`'s
 * `total_cost`) before it may move a session total or a budget. A negative cost would hand budget back, NaN or
 * an infinity poisons every sum after it, and an absurd figure is a corrupt body rather than a real charge; all
 * of these are kept out of the money and reported as an anomaly instead.
 */

/**
 * The most a single call is taken to cost, USD. Today's dearest models would need a million-token prompt and a
 * full completion to reach a few hundred dollars; a figure above this is a corrupt or hostile body.
 */
export const MAX_CALL_COST_USD = 10_000;

/** A reported cost that was refused; the call's cost is then treated as unknown (pending reconciliation). */
export interface CostAnomaly {
  /** What was reported, as text (bounded: a server's text is never kept whole). */
  reported: string;
  reason: "negative" | "not_a_number" | "too_large";
}

/** A plain non-negative decimal, as a number would print: "0.0012", "6e-7", ".5". */
// Unambiguous (no two ways to match a digit run), so a hostile string cannot make it backtrack.
const DECIMAL_TEXT = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?$/;
/** Longer text is not a cost anyway; never run even a linear regex over a server's megabytes. */
const MAX_TEXT = 64;
const QUOTE_LIMIT = 40;

function quote(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value.length > QUOTE_LIMIT ? `${value.slice(0, QUOTE_LIMIT)}…` : value) : String(value);
  return text.length > QUOTE_LIMIT + 4 ? `${text.slice(0, QUOTE_LIMIT)}…` : text;
}

/**
 * A reported cost if it is plausible, else `undefined` (absent, null or impossible: see {@link costAnomalyOf}).
 * Allocation-free for the usual number, since every completion goes through here. A numeric string
 * (`"0.0012"`) counts as the number it spells: OpenRouter sends numbers, but some compatible gateways and
 * proxies quote them, and the amount is just as exact.
 *
 * @example
 * plausibleCost(0.0012);   // 0.0012
 * plausibleCost("0.0012"); // 0.0012
 * plausibleCost(-1000);    // undefined
 */
export function plausibleCost(value: unknown): number | undefined {
  const usd = typeof value === "number" ? value : typeof value === "string" ? numberOfText(value) : Number.NaN;
  // NaN fails both comparisons; -0 becomes 0 so no sum ever sees a signed zero.
  return usd >= 0 && usd <= MAX_CALL_COST_USD ? usd + 0 : undefined;
}

/**
 * Why a reported cost was refused, or `undefined` when it was plausible or not reported at all.
 *
 * @example
 * costAnomalyOf(-1000); // { reported: "-1000", reason: "negative" }
 */
export function costAnomalyOf(value: unknown): CostAnomaly | undefined {
  if (value === undefined || value === null || plausibleCost(value) !== undefined) return undefined;
  const usd = typeof value === "number" ? value : typeof value === "string" ? numberOfText(value) : Number.NaN;
  const negative = usd < 0 || (typeof value === "string" && value.trim().startsWith("-") && !Number.isNaN(numberOfText(value.trim().slice(1))));
  const reason = negative ? "negative" : Number.isNaN(usd) ? "not_a_number" : "too_large";
  return { reported: quote(value), reason };
}

/**
 * Both at once: `undefined` when nothing was reported, `{ usd }` for a plausible cost, `{ anomaly }` otherwise.
 *
 * @example
 * readReportedCost("0.0012"); // { usd: 0.0012 }
 * readReportedCost(-1000);    // { anomaly: { reported: "-1000", reason: "negative" } }
 */
export function readReportedCost(value: unknown): { usd: number; anomaly?: undefined } | { usd?: undefined; anomaly: CostAnomaly } | undefined {
  const usd = plausibleCost(value);
  if (usd !== undefined) return { usd };
  const anomaly = costAnomalyOf(value);
  return anomaly && { anomaly };
}

function numberOfText(value: string): number {
  const text = value.length > MAX_TEXT ? "" : value.trim();
  return DECIMAL_TEXT.test(text) ? Number(text) : Number.NaN;
}
