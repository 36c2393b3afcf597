/**
 * Reconciliation: pending entries (calls whose cost OpenRouter did not report) settled from `/generation`,
 * on demand (`UsageTracker.reconcile`) or in the background after a delay (`autoReconcile`). Works on the
 * tracker's ledger through {@link Ledger}; never imports usage.ts.
 */
import { InvalidArgumentError } from "../core/errors.js";
import { InvalidResponseError } from "../core/call-errors.js";
import { readReportedCost } from "../core/reported-cost.js";
import type { GenerationCost } from "./generation.js";
import { attoToUsd, toAtto } from "./money.js";
import type { Contribution, PendingState } from "./usage-totals.js";

/** The outcome of `UsageTracker.reconcile`. */
export interface ReconcileReport {
  /** Entries whose cost now comes from `/generation`. */
  reconciled: number;
  /** Lookups that failed; those entries stay pending for a later attempt. */
  failed: Array<{ generationId: string; error: unknown }>;
  /** Entries still pending. */
  remaining: number;
  /** How much the session total changed, USD (negative when estimates were too high). */
  adjustedUsd: number;
}

/** Looks a generation's authoritative cost up (normally `client.generation`). */
export type GenerationLookup = (generationId: string) => Promise<GenerationCost>;

/** What reconciliation may change in the tracker it serves. */
export interface Ledger {
  readonly pending: Map<string, PendingState>;
  add(c: Contribution): void;
  remove(c: Contribution): void;
  /** Drops the background lookup scheduled for `id`, if any. */
  cancel(id: string): void;
  /** One more impossible cost refused. */
  countAnomaly(): void;
}

type Settled = { kind: "settled"; adjustment: bigint } | { kind: "failed"; error: unknown } | { kind: "gone" };

/** `UsageTracker.reconcile`: every pending entry looked up, `concurrency` at a time. */
export async function reconcilePending(ledger: Ledger, lookup: GenerationLookup, opts: { concurrency?: number }): Promise<ReconcileReport> {
  if (typeof lookup !== "function") throw new InvalidArgumentError("UsageTracker.reconcile() needs a lookup function (id => GenerationCost).");
  const concurrency = opts.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidArgumentError(`reconcile(): concurrency must be a positive integer; got ${String(concurrency)}.`);
  }
  const ids = [...ledger.pending.keys()];
  const report: ReconcileReport = { reconciled: 0, failed: [], remaining: 0, adjustedUsd: 0 };
  let adjusted = 0n;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const id = ids[next++] as string;
      const outcome = await settle(ledger, id, lookup);
      if (outcome.kind === "failed") report.failed.push({ generationId: id, error: outcome.error });
      else if (outcome.kind === "settled") {
        adjusted += outcome.adjustment;
        report.reconciled++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  report.remaining = ledger.pending.size;
  report.adjustedUsd = attoToUsd(adjusted);
  return report;
}

/** Looks one pending entry up and replaces its contribution with OpenRouter's figures. */
export async function settle(ledger: Ledger, id: string, lookup: GenerationLookup): Promise<Settled> {
  let cost: GenerationCost;
  let atto: bigint;
  try {
    cost = await lookup(id);
    if (cost === null || typeof cost !== "object" || typeof cost.totalCost !== "number") {
      throw new InvalidArgumentError(`The generation lookup for ${id} did not return a GenerationCost.`);
    }
    const reported = readReportedCost(cost.totalCost);
    if (reported?.usd === undefined) {
      ledger.countAnomaly();
      throw new InvalidResponseError(`The generation lookup for ${id} reported an impossible cost (${reported?.anomaly?.reported}); the entry stays pending.`);
    }
    atto = typeof cost.totalCostExact === "string" ? toAtto(cost.totalCostExact) : toAtto(reported.usd);
  } catch (error) {
    return { kind: "failed", error };
  }
  const state = ledger.pending.get(id);
  if (!state) return { kind: "gone" }; // recorded or reset meanwhile
  const old = state.contribution;
  const n = cost.nativeTokens ?? { prompt: undefined, completion: undefined, reasoning: undefined, cached: undefined };
  const hadUsage = state.entry.usage !== undefined;
  const settled: Contribution = {
    ...old,
    promptTokens: hadUsage ? old.promptTokens : (n.prompt ?? cost.tokens?.prompt ?? 0),
    completionTokens: hadUsage ? old.completionTokens : (n.completion ?? cost.tokens?.completion ?? 0),
    reasoningTokens: hadUsage ? old.reasoningTokens : (n.reasoning ?? 0),
    cachedTokens: hadUsage ? old.cachedTokens : (n.cached ?? 0),
    atto,
    estimated: false,
    pending: false,
  };
  ledger.remove(old);
  ledger.add(settled);
  ledger.pending.delete(id);
  ledger.cancel(id);
  return { kind: "settled", adjustment: settled.atto - old.atto };
}
