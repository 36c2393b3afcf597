/**
 * The ledger's arithmetic: totals and per-model accumulators in exact atto-dollars, one call's contribution,
 * and the public totals a snapshot reports. No state of its own; usage.ts, budget.ts and reconcile.ts share it.
 */
import type { Usage } from "../core/result.js";
import { type Json, isObject } from "../internal/json.js";
import { attoToMicros, attoToUsd, formatAtto } from "./money.js";

/** The token counts and OpenRouter's own figures of one usage object (`CostDetails` without an estimate). */
export interface UsageTokens {
  promptTokens: number;
  completionTokens: number;
  /** Reasoning tokens (already included in `completionTokens`, as OpenRouter reports them). */
  reasoningTokens: number;
  /** Prompt tokens read from the provider's prompt cache (included in `promptTokens`). */
  cachedTokens: number;
  /** Prompt tokens written to the prompt cache (included in `promptTokens`). */
  cacheWriteTokens: number;
  webSearchRequests: number;
  isByok: boolean | undefined;
  /** BYOK: what the upstream provider charged your own key (OpenRouter's `usage.cost` is then its fee only). */
  upstreamInferenceCost: number | undefined;
  /** `usage.cost_details` as sent. */
  costDetails: Usage["cost_details"] | undefined;
}

const int = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v > 0 ? Math.trunc(v) : 0);

/**
 * Token counts of a usage object, tolerant of the older shapes (no details, `server_tool_use`, nulls).
 *
 * @example
 * usageTokens(result.usage); // { promptTokens: 16, completionTokens: 13, reasoningTokens: 0, cachedTokens: 0, … }
 */
export function usageTokens(usage: Usage | undefined | null): UsageTokens {
  const u: Json = isObject(usage) ? usage : {};
  const prompt = isObject(u["prompt_tokens_details"]) ? u["prompt_tokens_details"] : {};
  const completion = isObject(u["completion_tokens_details"]) ? u["completion_tokens_details"] : {};
  const tools = isObject(u["server_tool_use_details"]) ? u["server_tool_use_details"] : isObject(u["server_tool_use"]) ? u["server_tool_use"] : {};
  const details = isObject(u["cost_details"]) ? u["cost_details"] : undefined;
  const upstream = details?.["upstream_inference_cost"];
  return {
    promptTokens: int(u["prompt_tokens"]),
    completionTokens: int(u["completion_tokens"]),
    reasoningTokens: int(completion["reasoning_tokens"]),
    cachedTokens: int(prompt["cached_tokens"]),
    cacheWriteTokens: int(prompt["cache_write_tokens"]),
    webSearchRequests: int(tools["web_search_requests"]),
    isByok: typeof u["is_byok"] === "boolean" ? u["is_byok"] : undefined,
    upstreamInferenceCost: typeof upstream === "number" ? upstream : undefined,
    costDetails: details as Usage["cost_details"] | undefined,
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

export interface Acc {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  atto: bigint;
  estimatedAtto: bigint;
  pendingRequests: number;
}

/** One call's contribution to the totals. */
export interface Contribution {
  model: string;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
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

export const emptyContribution = (model: string): Contribution => ({
  model,
  promptTokens: 0,
  completionTokens: 0,
  reasoningTokens: 0,
  cachedTokens: 0,
  cacheWriteTokens: 0,
  atto: 0n,
  estimated: false,
  pending: false,
});

export const emptyAcc = (): Acc => ({
  requests: 0,
  promptTokens: 0,
  completionTokens: 0,
  reasoningTokens: 0,
  cachedTokens: 0,
  cacheWriteTokens: 0,
  atto: 0n,
  estimatedAtto: 0n,
  pendingRequests: 0,
});

export function apply(acc: Acc, c: Contribution, sign: 1 | -1): void {
  const s = BigInt(sign);
  acc.requests += sign;
  acc.promptTokens += sign * c.promptTokens;
  acc.completionTokens += sign * c.completionTokens;
  acc.reasoningTokens += sign * c.reasoningTokens;
  acc.cachedTokens += sign * c.cachedTokens;
  acc.cacheWriteTokens += sign * c.cacheWriteTokens;
  acc.atto += s * c.atto;
  if (c.estimated) acc.estimatedAtto += s * c.atto;
  if (c.pending) acc.pendingRequests += sign;
}

export function totalsOf(acc: Acc): UsageTotals {
  return {
    requests: acc.requests,
    promptTokens: acc.promptTokens,
    completionTokens: acc.completionTokens,
    reasoningTokens: acc.reasoningTokens,
    cachedTokens: acc.cachedTokens,
    cacheWriteTokens: acc.cacheWriteTokens,
    totalTokens: acc.promptTokens + acc.completionTokens,
    costUsd: attoToUsd(acc.atto),
    cost: formatAtto(acc.atto),
    costMicros: attoToMicros(acc.atto),
    estimatedCostUsd: attoToUsd(acc.estimatedAtto),
    pendingRequests: acc.pendingRequests,
  };
}

/** An amount for a message: `$0.25`. */
export const usd = (atto: bigint): string => `$${formatAtto(atto)}`;
