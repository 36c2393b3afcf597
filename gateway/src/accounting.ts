/**
 * The money and the usage rows of proxied requests: the worst case to reserve, the admission (limits, then
 * the atomic reservation together with the open usage row), the settlement with the real cost, settling from
 * OpenRouter's `GET /generation` when a stream ended without its usage, and the recovery of rows a crash left
 * open. Every row is committed before the response it describes completes.
 */
import { estimateCost, estimateTokens, hasFixedPricing, type ChatResult, type OpenRouter } from "openrouter-fetch";
import { revokedError, type CallerKey } from "./auth.js";
import type { GatewayContext } from "./context.js";
import { GatewayError } from "./errors.js";
import { openUsageRow, periodKey, type UsageTable } from "./store.js";

export interface Admission {
  key: CallerKey;
  usageId: string;
  reserved: number;
  estimatedTokens: number;
}

export type RowUpdate = Partial<UsageTable>;

type CatalogueEntry = NonNullable<Awaited<ReturnType<OpenRouter["models"]["get"]>>>;
type EstimateParams = Parameters<typeof estimateCost>[0];

/** How long a model's catalogue entry is reused by the gateway before the client's registry is asked again. */
const ENTRY_TTL_MS = 60_000;
const ENTRIES_MAX = 1_000;
const entries = new WeakMap<OpenRouter, Map<string, { entry: CatalogueEntry; expires: number }>>();

/**
 * The catalogue entry pricing `model`. `client.models.get` resolves the id and copies the entry on every
 * call; a budgeted request only needs the prices, which the registry itself keeps for an hour.
 */
async function catalogueEntry(ctx: GatewayContext, model: string): Promise<CatalogueEntry | undefined> {
  let byId = entries.get(ctx.client);
  if (!byId) entries.set(ctx.client, (byId = new Map()));
  const now = ctx.now();
  const hit = byId.get(model);
  if (hit && hit.expires > now) return hit.entry;
  const entry = await ctx.client.models.get(model);
  // Unknown ids are not kept: a refreshed catalogue may list them.
  if (entry) {
    if (byId.size >= ENTRIES_MAX) byId.clear();
    byId.set(model, { entry, expires: now + ENTRY_TTL_MS });
  }
  return entry;
}

/**
 * A budgeted key asked for a model without a fixed price (`openrouter/auto` and other routers list `-1`): its
 * worst case cannot be known before the call, so nothing could be reserved that the call would stay under.
 */
function unpricedError(model: string): GatewayError {
  return new GatewayError(
    400,
    `The model ${model} has no fixed price (a router bills whichever model it picks), so its worst-case cost cannot be reserved against this key's budget. Name a concrete model, or use a key without a budget.`,
    "unpriced_model",
    "model",
  );
}

/** `estimateCost`, with a model that has no fixed price refused in words a budgeted key's owner can act on. */
function priced(params: EstimateParams, entry: CatalogueEntry, model: string): ReturnType<typeof estimateCost> {
  try {
    return estimateCost(params, entry);
  } catch (e) {
    if (!hasFixedPricing(entry)) throw unpricedError(model);
    throw new GatewayError(400, `Cannot price this request for a budgeted key: ${(e as Error).message}`, "unpriced_request", "model");
  }
}

/** The worst-case cost to reserve; may set `max_tokens` to what the budget affords. */
async function worstCase(ctx: GatewayContext, key: CallerKey, body: Record<string, unknown>, model: string): Promise<{ amount: number; promptTokens: number }> {
  const row = key.row;
  if (row.budget_usd === null) {
    const promptTokens = row.tpm !== null ? estimateTokens(body as Parameters<typeof estimateTokens>[0]) : 0;
    const requested = typeof body["max_tokens"] === "number" ? body["max_tokens"] : 0;
    return { amount: 0, promptTokens: promptTokens + requested };
  }
  const entry = await catalogueEntry(ctx, model);
  if (!entry) throw new GatewayError(404, `Unknown model ${model}.`, "model_not_found", "model");
  const params = body as unknown as EstimateParams;
  const requested = body["max_tokens"] ?? body["max_completion_tokens"];
  if (requested !== undefined && requested !== null) {
    if (typeof requested !== "number" || !Number.isInteger(requested) || requested < 1) {
      throw new GatewayError(400, "`max_tokens` must be a positive integer.", "invalid_type", "max_tokens");
    }
    const e = priced(params, entry, model);
    return { amount: e.worstCaseUsd, promptTokens: e.promptTokens + requested };
  }
  const base = priced({ ...params, max_tokens: 0 }, entry, model);
  const full = estimateCost(params, entry);
  const remaining = await ctx.hot.remainingBudget(row.id, ctx.now());
  if (full.worstCaseUsd <= remaining) return { amount: full.worstCaseUsd, promptTokens: full.promptTokens + full.maxTokens };
  const per1k = estimateCost({ ...params, max_tokens: 1000 }, entry).worstCaseUsd - base.worstCaseUsd;
  const affordable = per1k > 0 ? Math.floor(((remaining - base.worstCaseUsd) / per1k) * 1000) : full.maxTokens;
  if (affordable < ctx.minUseful) {
    throw new GatewayError(402, `Budget exhausted: this key can afford fewer than ${ctx.minUseful} completion tokens for ${model}.`, "budget_exceeded");
  }
  body["max_tokens"] = affordable;
  return { amount: base.worstCaseUsd + (per1k * affordable) / 1000, promptTokens: base.promptTokens + affordable };
}

/** The estimated tokens of an embeddings `input`: text estimated as a prompt is, token-id arrays counted. */
function inputTokens(input: unknown, tokenizer: string | undefined): number {
  if (typeof input === "string") return estimateTokens(input, { tokenizer });
  if (typeof input === "number") return 1;
  if (!Array.isArray(input)) return 0;
  let n = 0;
  for (const item of input) n += inputTokens(item, tokenizer);
  return n;
}

/**
 * The worst-case cost of an embeddings request: its input's estimated tokens at the model's prompt price,
 * plus any per-request price. An embedding has no completion, so that is all it can be billed.
 */
async function embeddingsWorstCase(ctx: GatewayContext, key: CallerKey, body: Record<string, unknown>, model: string): Promise<{ amount: number; promptTokens: number }> {
  const row = key.row;
  if (row.budget_usd === null) return { amount: 0, promptTokens: row.tpm !== null ? inputTokens(body["input"], undefined) : 0 };
  const entry = await catalogueEntry(ctx, model);
  if (!entry) throw new GatewayError(404, `Unknown model ${model}.`, "model_not_found", "model");
  if (!hasFixedPricing(entry)) throw unpricedError(model);
  const architecture = entry.architecture as { tokenizer?: unknown } | undefined;
  const tokenizer = typeof architecture?.tokenizer === "string" ? architecture.tokenizer : undefined;
  const promptTokens = inputTokens(body["input"], tokenizer);
  const pricing = entry.pricing as Record<string, unknown>;
  const perRequest = Number(pricing["request"] ?? 0);
  const amount = promptTokens * Number(pricing["prompt"]) + (perRequest > 0 ? perRequest : 0);
  return { amount, promptTokens };
}

/** Limits, then the atomic reservation together with the open usage row. */
export async function admit(ctx: GatewayContext, key: CallerKey, body: Record<string, unknown>, model: string, endpoint: "chat" | "embeddings", requestId: string): Promise<Admission> {
  const row = key.row;
  const { amount, promptTokens } = endpoint === "chat" ? await worstCase(ctx, key, body, model) : await embeddingsWorstCase(ctx, key, body, model);
  if (row.rpm !== null || row.tpm !== null) {
    const check = await ctx.limits.take(row.id, row.rpm, row.tpm, promptTokens);
    if (!check.ok) {
      ctx.metrics.rateLimited.inc({ limit: check.which ?? "rpm" });
      throw new GatewayError(429, `Rate limit reached (${check.which}) for this key; retry after ${check.retryAfterSeconds} s.`, "rate_limit_exceeded", undefined, {
        "retry-after": String(check.retryAfterSeconds),
      });
    }
  }
  const now = ctx.now();
  const ok = await ctx.hot.admit({
    keyId: row.id,
    amountUsd: amount,
    periodKey: periodKey(row.budget_period, now),
    row: openUsageRow({ id: requestId, key_id: row.id, started_at: now, endpoint, model, reserved_usd: amount, instance_id: ctx.instanceId }),
  });
  if (!ok) {
    // The statement also refuses a revoked key: that is how a revoke made elsewhere reaches a cached key.
    if (await ctx.hot.isRevoked(row.id)) {
      ctx.keys.invalidate(row.id);
      throw revokedError();
    }
    ctx.metrics.budgetRefused.inc();
    throw new GatewayError(402, "Budget exhausted: this request's worst-case cost is more than the key has left.", "budget_exceeded");
  }
  return { key, usageId: requestId, reserved: amount, estimatedTokens: promptTokens };
}

/** Close the row with its real cost (the reservation released in the same transaction), then metrics and tpm. */
export async function finishRow(ctx: GatewayContext, a: Admission, row: RowUpdate, costUsd: number, model: string): Promise<void> {
  await ctx.hot.settle({ usageId: a.usageId, keyId: a.key.row.id, reservedUsd: a.reserved, costUsd, row });
  ctx.metrics.observe(model, row.status ?? 0, row.latency_ms ?? 0, costUsd, row.prompt_tokens ?? 0, row.completion_tokens ?? 0);
  const used = (row.prompt_tokens ?? 0) + (row.completion_tokens ?? 0);
  const tpm = a.key.row.tpm;
  if (tpm !== null && used > a.estimatedTokens) void ctx.limits.charge(a.key.row.id, tpm, used - a.estimatedTokens);
}

/** Token columns of a `usage` object (a JSON completion's, or a stream's last chunk). */
export function usageColumns(usage: Record<string, unknown> | undefined): Pick<UsageTable, "prompt_tokens" | "completion_tokens" | "reasoning_tokens"> {
  const details = usage?.["completion_tokens_details"] as Record<string, unknown> | undefined;
  const num = (v: unknown) => (typeof v === "number" ? v : null);
  return { prompt_tokens: num(usage?.["prompt_tokens"]), completion_tokens: num(usage?.["completion_tokens"]), reasoning_tokens: num(details?.["reasoning_tokens"]) };
}

/** The row columns of a client result (a JSON completion, or the partial one an error carries). */
export function resultColumns(result: ChatResult | undefined): RowUpdate {
  return {
    ...usageColumns(result?.usage as Record<string, unknown> | undefined),
    provider: result?.provider ?? null,
    generation_id: result?.generationId ?? null,
  };
}

/** Settles an open row from OpenRouter's generation stats; falls back to the reservation when they cannot be had. */
export async function settleFromGeneration(ctx: GatewayContext, usageId: string, keyId: string, reserved: number, generationId: string, recovered: boolean): Promise<void> {
  let cost = reserved;
  const row: RowUpdate = {};
  try {
    const g = await ctx.client.generation(generationId);
    cost = g.totalCost;
    if (g.provider) row.provider = g.provider;
    // The provider's own counts are what was billed; OpenRouter's normalised ones when those are absent.
    const prompt = g.nativeTokens.prompt ?? g.tokens.prompt;
    const completion = g.nativeTokens.completion ?? g.tokens.completion;
    if (prompt !== undefined) row.prompt_tokens = prompt;
    if (completion !== undefined) row.completion_tokens = completion;
    if (g.nativeTokens.reasoning !== undefined) row.reasoning_tokens = g.nativeTokens.reasoning;
  } catch (e) {
    ctx.logger?.warn({ usageId, err: String(e) }, "generation lookup failed; charging the reservation");
    row.error_type = "cost_unverified";
  }
  if (recovered) row.stream_outcome = "interrupted";
  await ctx.hot.settle({ usageId, keyId, reservedUsd: reserved, costUsd: cost, state: recovered ? "recovered" : "done", row });
}

/** Settle the rows an earlier crash left open: this instance's, and anyone's older than an hour. */
export async function recover(ctx: GatewayContext): Promise<{ settled: number }> {
  const open = await ctx.db
    .selectFrom("gateway_usage")
    .select(["id", "key_id", "reserved_usd", "generation_id"])
    .where("state", "=", "open")
    .where((eb) => eb.or([eb("instance_id", "=", ctx.instanceId), eb("started_at", "<", ctx.now() - 3_600_000)]))
    .execute();
  for (const r of open) {
    if (r.generation_id) await settleFromGeneration(ctx, r.id, r.key_id, r.reserved_usd, r.generation_id, true);
    else {
      // The upstream never told us a generation id: charge the reservation (the budget must not be overspent).
      await ctx.hot.settle({ usageId: r.id, keyId: r.key_id, reservedUsd: r.reserved_usd, costUsd: r.reserved_usd, state: "recovered", row: { stream_outcome: "interrupted", error_type: "cost_unverified" } });
    }
  }
  return { settled: open.length };
}

/** The per-request JSON log line: ids, model, status, timings, cost; never a prompt or a key. */
export function logLine(ctx: GatewayContext, fields: Record<string, unknown>): void {
  ctx.logger?.info(fields, "request");
}
