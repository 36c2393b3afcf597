/**
 * The ledger's arithmetic: totals and per-model accumulators in exact atto-dollars, one call's contribution,
 * and the public totals a snapshot reports. No state of its own; usage.ts, budget.ts and reconcile.ts share it.
 */
import type { Usage } from "../core/result.js";
import { type Json, isObject } from "../internal/json.js";
import { attoToMicros, attoToUsd, formatAtto } from "./money.js";

/** The token counts of one call that the ledger adds up. */
export interface TokenCounts {
  promptTokens: number;
  completionTokens: number;
  /** Reasoning tokens (already included in `completionTokens`, as OpenRouter reports them). */
  reasoningTokens: number;
  /** Prompt tokens read from the provider's prompt cache (included in `promptTokens`). */
  cachedTokens: number;
  /** Prompt tokens written to the prompt cache (included in `promptTokens`). */
  cacheWriteTokens: number;
}

/** The fields of {@link TokenCounts}, in the order a snapshot lists them: every sum below walks this list. */
export const TOKEN_FIELDS = ["promptTokens", "completionTokens", "reasoningTokens", "cachedTokens", "cacheWriteTokens"] as const;

/** A count as the ledger takes it: a positive finite number, truncated; anything else counts as 0. */
export const int = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v > 0 ? Math.trunc(v) : 0);

/**
 * Token counts of a usage object, tolerant of the older shapes (no details, nulls). cost.ts's `usageTokens`
 * adds OpenRouter's own figures (web searches, BYOK, cost details) to these.
 *
 * @example
 * tokenCounts(result.usage); // { promptTokens: 16, completionTokens: 13, reasoningTokens: 0, cachedTokens: 0, cacheWriteTokens: 0 }
 */
export function tokenCounts(usage: Usage | undefined | null): TokenCounts {
  const u: Json = isObject(usage) ? usage : {};
  const prompt = isObject(u["prompt_tokens_details"]) ? u["prompt_tokens_details"] : {};
  const completion = isObject(u["completion_tokens_details"]) ? u["completion_tokens_details"] : {};
  return {
    promptTokens: int(u["prompt_tokens"]),
    completionTokens: int(u["completion_tokens"]),
    reasoningTokens: int(completion["reasoning_tokens"]),
    cachedTokens: int(prompt["cached_tokens"]),
    cacheWriteTokens: int(prompt["cache_write_tokens"]),
  };
}

/** Token and money totals (for the session or one model). */
export interface UsageTotals {
  /** Calls recorded (completed, estimated or pending). */
  requests: number;
  promptTokens: number;
  completionTokens: number;
  /** Included in `completionTokens`. */
  reasoningTokens: number;
  /** Prompt tokens served from the provider's cache (included in `promptTokens`). */
  cachedTokens: number;
  /** Prompt tokens written to the provider's cache (included in `promptTokens`). */
  cacheWriteTokens: number;
  totalTokens: number;
  /** USD: OpenRouter's charges plus our estimates for calls still awaiting reconciliation. */
  costUsd: number;
  /** The same amount as an exact decimal string. */
  cost: string;
  /** The same amount rounded to whole micro-dollars (1e-6 USD). */
  costMicros: number;
  /** The part of `costUsd` that is our estimate, not OpenRouter's figure. */
  estimatedCostUsd: number;
  /** Calls whose cost is unknown or estimated (reconcilable when they have a generation id). */
  pendingRequests: number;
}

/** A call whose cost OpenRouter did not report (aborted, truncated or errored streams, estimates). */
export interface PendingEntry {
  generationId: string;
  model: string;
  usage: Usage | undefined;
  /** Our estimate while we wait for `/generation`, if one was made. */
  estimatedUsd: number | undefined;
}

/**
 * A point-in-time copy of the tracker; safe to keep, serialise or compare. `byModel` has no prototype, so any
 * model id (even `__proto__` or `constructor`) is an ordinary key.
 */
export interface UsageSnapshot extends UsageTotals {
  byModel: Record<string, UsageTotals>;
  pending: PendingEntry[];
  budgetUsd: number | undefined;
  /** `budgetUsd - costUsd - reservedUsd` (never below 0), when a budget is set. */
  remainingUsd: number | undefined;
  /** USD held by calls in flight (their worst case), not yet part of `costUsd`. */
  reservedUsd: number;
  /** Calls in flight holding a reservation. */
  reservations: number;
  /**
   * Reported costs refused as impossible (negative, not a number, absurdly large), from results and from
   * `/generation` lookups. They never moved a total; the calls stayed pending instead.
   */
  costAnomalies: number;
}

export interface Acc extends TokenCounts {
  requests: number;
  atto: bigint;
  estimatedAtto: bigint;
  pendingRequests: number;
}

/** One call's contribution to the totals. */
export interface Contribution extends TokenCounts {
  model: string;
  atto: bigint;
  estimated: boolean;
  pending: boolean;
  /** The reported cost was refused (counted once per call in `costAnomalies`). */
  anomaly?: boolean;
}

export interface PendingState {
  entry: PendingEntry;
  contribution: Contribution;
}

/**
 * One call's contribution: its model, token counts, amount and state. `anomaly` only when the call reported
 * a cost that was refused.
 *
 * @example
 * contributionOf("openai/gpt-4o-mini", result.usage, toAtto(0.0012), false, false);
 */
export function contributionOf(model: string, usage: Usage | undefined | null, atto: bigint, estimated: boolean, pending: boolean, anomaly?: boolean): Contribution {
  const c: Contribution = { model, ...tokenCounts(usage), atto, estimated, pending };
  if (anomaly) c.anomaly = true;
  return c;
}

export const emptyAcc = (): Acc => ({ requests: 0, ...tokenCounts(undefined), atto: 0n, estimatedAtto: 0n, pendingRequests: 0 });

/** Adds (`sign` 1) or takes back (-1) one call's contribution. */
export function apply(acc: Acc, c: Contribution, sign: 1 | -1): void {
  const s = BigInt(sign);
  acc.requests += sign;
  for (const field of TOKEN_FIELDS) acc[field] += sign * c[field];
  acc.atto += s * c.atto;
  if (c.estimated) acc.estimatedAtto += s * c.atto;
  if (c.pending) acc.pendingRequests += sign;
}

export function totalsOf(acc: Acc): UsageTotals {
  const totals = { requests: acc.requests } as UsageTotals;
  for (const field of TOKEN_FIELDS) totals[field] = acc[field];
  totals.totalTokens = acc.promptTokens + acc.completionTokens;
  totals.costUsd = attoToUsd(acc.atto);
  totals.cost = formatAtto(acc.atto);
  totals.costMicros = attoToMicros(acc.atto);
  totals.estimatedCostUsd = attoToUsd(acc.estimatedAtto);
  totals.pendingRequests = acc.pendingRequests;
  return totals;
}

/** An amount for a message: `$0.25`. */
export const usd = (atto: bigint): string => `$${formatAtto(atto)}`;
