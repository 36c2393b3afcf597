/**
 * The one gate every cost a server reports goes through (`usage.cost`, a cost header, `/generation`'s
 * `total_cost`) before it may move a session total or a budget. A negative cost would hand budget back, NaN or
 * an infinity poisons every sum after it, and an absurd figure is a corrupt body rather than a real charge; all
 * of these are kept out of the money and reported as an anomaly instead.
 *
 * Only the gate is here: the usage ledger (loaded with every client) needs it, while the anomaly reports of
 * reported-cost.ts are only needed once a response is read.
 */

/**
 * The most a single call is taken to cost, USD. Today's dearest models would need a million-token prompt and a
 * full completion to reach a few hundred dollars; a figure above this is a corrupt or hostile body.
 */
export const MAX_CALL_COST_USD = 10_000;

/** A plain non-negative decimal, as a number would print: "0.0012", "6e-7", ".5". */
// Unambiguous (no two ways to match a digit run), so a hostile string cannot make it backtrack.
const DECIMAL_TEXT = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?$/;
/** Longer text is not a cost anyway; never run even a linear regex over a server's megabytes. */
const MAX_TEXT = 64;

/**
 * A reported cost if it is plausible, else `undefined` (absent, null or impossible: reported-cost.ts's `costAnomalyOf` says which).
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

/** The number a cost text spells, or NaN: only a plain decimal counts. */
export function numberOfText(value: string): number {
  const text = value.length > MAX_TEXT ? "" : value.trim();
  return DECIMAL_TEXT.test(text) ? Number(text) : Number.NaN;
}
