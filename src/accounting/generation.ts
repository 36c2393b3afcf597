/**
 * `GET /generation` lookups: the authoritative cost, latency and native token counts of a finished call.
 */
import { InvalidArgumentError } from "../core/errors.js";
import { InvalidResponseError } from "../core/call-errors.js";
import { lazy } from "../core/load.js";
import type { FetchGenerationOptions, FetchLike, GenerationApi } from "./generation-lookup.js";
import type { components, paths } from "../generated/openrouter.js";
import { readReportedCost } from "../core/reported-cost.js";
import { type Json, isObject } from "../internal/json.js";
import { formatAtto, toAtto } from "./money.js";

type GenerationData = components["schemas"]["GenerationData"];

// The lookup's own types live with it (generation-lookup.ts, loaded on first use).
export type { FetchGenerationOptions, FetchLike, GenerationApi };

const lookupCode = /* @__PURE__ */ lazy("the generation lookup", () => import("./generation-lookup.js"));

/**
 * The authoritative accounting of one generation, mapped from `GET /generation`'s `data`. JSON-safe (no
 * `bigint`): `JSON.stringify` works on it as on any API answer.
 */
export interface GenerationCost {
  id: string;
  model: string | undefined;
  provider: string | undefined;
  /** What OpenRouter charged, USD. */
  totalCost: number;
  /** The same amount as an exact decimal string (`toAtto(totalCostExact)` gives integer atto-dollars). */
  totalCostExact: string;
  /** The prompt-cache saving OpenRouter applied, USD (may be negative when a cache write cost more). */
  cacheDiscount: number | undefined;
  /** BYOK: what the upstream charged your key. */
  upstreamInferenceCost: number | undefined;
  isByok: boolean | undefined;
  /** Time to first token, ms. */
  latencyMs: number | undefined;
  /** Time the model spent generating, ms. */
  generationTimeMs: number | undefined;
  moderationLatencyMs: number | undefined;
  streamed: boolean | undefined;
  cancelled: boolean | undefined;
  finishReason: string | undefined;
  nativeFinishReason: string | undefined;
  createdAt: string | undefined;
  /** OpenRouter's normalised counts (`tokens_*`). */
  tokens: { prompt: number | undefined; completion: number | undefined };
  /** The provider's own tokenizer counts (`native_tokens_*`): these are what was billed. */
  nativeTokens: { prompt: number | undefined; completion: number | undefined; reasoning: number | undefined; cached: number | undefined };
  raw: GenerationData;
}

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === "boolean" ? v : undefined);

/**
 * Maps `GET /generation`'s `data` object (any of its historical shapes) into a {@link GenerationCost}.
 *
 * @throws InvalidArgumentError when `data` has no id, or no usable `total_cost` (missing, negative, not a
 *   number or absurdly large: such a figure must never become a cost).
 * @example
 * const { data } = await client.api.GET("/generation", { params: { query: { id } } });
 * const { totalCost, latencyMs, nativeTokens } = generationCost(data!.data);
 */
export function generationCost(data: GenerationData): GenerationCost {
  if (!isObject(data)) throw new InvalidArgumentError("generationCost() expects the `data` object of GET /generation.");
  const d: Json = data;
  const id = str(d["id"]);
  const reported = readReportedCost(d["total_cost"] ?? d["usage"]);
  const total = reported?.usd;
  if (id === undefined || total === undefined) {
    const what = id === undefined ? "an id" : reported?.anomaly ? `a usable total_cost (got ${reported.anomaly.reported}: ${reported.anomaly.reason})` : "total_cost";
    throw new InvalidArgumentError(`generationCost(): the generation data lacks ${what}.`);
  }
  return {
    id,
    model: str(d["model"]),
    provider: str(d["provider_name"]),
    totalCost: total,
    totalCostExact: formatAtto(toAtto(total)),
    cacheDiscount: num(d["cache_discount"]),
    upstreamInferenceCost: num(d["upstream_inference_cost"]),
    isByok: bool(d["is_byok"]),
    latencyMs: num(d["latency"]),
    generationTimeMs: num(d["generation_time"]),
    moderationLatencyMs: num(d["moderation_latency"]),
    streamed: bool(d["streamed"]),
    cancelled: bool(d["cancelled"]),
    finishReason: str(d["finish_reason"]),
    nativeFinishReason: str(d["native_finish_reason"]),
    createdAt: str(d["created_at"]),
    tokens: { prompt: num(d["tokens_prompt"]), completion: num(d["tokens_completion"]) },
    nativeTokens: {
      prompt: num(d["native_tokens_prompt"]),
      completion: num(d["native_tokens_completion"]),
      reasoning: num(d["native_tokens_reasoning"]),
      cached: num(d["native_tokens_cached"]),
    },
    raw: data,
  };
}

/**
 * `GET /generation?id=…`: the authoritative cost, latency and native token counts of a finished call. Stats
 * appear a little after the call ends, so the early 404 is retried with exponential backoff (500 ms, 1 s, 2 s,
 * 4 s by default) that honours `signal`. Works with `client.api` (openapi-fetch) or a plain `fetch`.
 *
 * @throws NotFoundError when the id is still unknown after the retries; the typed error for other statuses;
 *   AbortError when `signal` aborts.
 * @example
 * const cost = await fetchGeneration(client.api, result.generationId!, { signal });
 * console.log(cost.totalCost, cost.latencyMs, cost.nativeTokens);
 */
export async function fetchGeneration(api: GenerationApi | FetchLike, id: string, opts: FetchGenerationOptions = {}): Promise<GenerationCost> {
  if (typeof id !== "string" || id.trim() === "") throw new InvalidArgumentError("fetchGeneration() needs a generation id (gen-…).");
  if (typeof api !== "function" && !(isObject(api) && typeof (api as { GET?: unknown }).GET === "function")) {
    throw new InvalidArgumentError("fetchGeneration() needs client.api (openapi-fetch) or a fetch function.");
  }
  const retries = opts.retries ?? 4;
  if (!Number.isInteger(retries) || retries < 0) throw new InvalidArgumentError(`fetchGeneration(): retries must be a non-negative integer; got ${String(retries)}.`);
  // The lookup (its own pipeline for a plain fetch or a foreign client, the 404 backoff) loads on first use.
  const { lookupGeneration } = lookupCode.value ?? (await lookupCode());
  const { data, info } = await lookupGeneration(api, id, retries, opts);
  try {
    return generationCost(data as GenerationData);
  } catch (e) {
    // What the server sent is at fault here, not the caller's argument.
    throw new InvalidResponseError(`GET /generation answered ${info.status} with ${(e as Error).message.replace(/^generationCost\(\): /, "")}`, info);
  }
}
