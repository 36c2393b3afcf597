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
 * Reads a reported cost: `undefined` when none was reported (absent or null), `{ usd }` for a plausible cost,
 * `{ anomaly }` otherwise. A numeric string (`"0.0012"`) is accepted as the number it spells: OpenRouter sends
 * numbers, but some compatible gateways and proxies quote them, and the amount is just as exact.
 *
 * @example
 * readReportedCost(0.0012);   // { usd: 0.0012 }
 * readReportedCost("0.0012"); // { usd: 0.0012 }
 * readReportedCost(-1000);    // { anomaly: { reported: "-1000", reason: "negative" } }
 */
export function readReportedCost(value: unknown): { usd: number; anomaly?: undefined } | { usd?: undefined; anomaly: CostAnomaly } | undefined {
  if (value === undefined || value === null) return undefined;
  let usd: number;
  if (typeof value === "number") usd = value;
  else if (typeof value === "string") {
    const text = value.length > MAX_TEXT ? "" : value.trim();
    if (text.startsWith("-") && DECIMAL_TEXT.test(text.slice(1))) return { anomaly: { reported: quote(value), reason: "negative" } };
    usd = DECIMAL_TEXT.test(text) ? Number(text) : Number.NaN;
  } else usd = Number.NaN;
  if (Number.isNaN(usd)) return { anomaly: { reported: quote(value), reason: "not_a_number" } };
  if (usd < 0) return { anomaly: { reported: quote(value), reason: "negative" } };
  if (!(usd <= MAX_CALL_COST_USD)) return { anomaly: { reported: quote(value), reason: "too_large" } };
  // -0 is a zero that would print as "0" anyway; normalise so no sum ever sees a signed zero.
  return { usd: usd === 0 ? 0 : usd };
}
