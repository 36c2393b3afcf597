/**
 * Why a reported cost was refused (`costAnomalyOf`), and both answers at once (`readReportedCost`), for the code
 * that reads a response or a `/generation` record. The gate itself, `plausibleCost`, is in plausible-cost.ts:
 * the usage ledger loads it with every client, and these only once a response is read.
 */
import { numberOfText, plausibleCost } from "./plausible-cost.js";

/** A reported cost that was refused; the call's cost is then treated as unknown (pending reconciliation). */
export interface CostAnomaly {
  /** What was reported, as text (bounded: a server's text is never kept whole). */
  reported: string;
  reason: "negative" | "not_a_number" | "too_large";
}

const QUOTE_LIMIT = 40;

function quote(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value.length > QUOTE_LIMIT ? `${value.slice(0, QUOTE_LIMIT)}…` : value) : String(value);
  return text.length > QUOTE_LIMIT + 4 ? `${text.slice(0, QUOTE_LIMIT)}…` : text;
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
