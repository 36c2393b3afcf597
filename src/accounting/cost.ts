/**
 * Money: the cost of a call and worst-case estimates before a call (`GET /generation` lookups: generation.ts).
 *
 * Amounts are added up as integer **atto-dollars** (1e-18 USD, `bigint`), never as floats. OpenRouter's costs
 * are not whole micro- or even nano-dollars (`0.0004688775`, `6e-7`), and catalogue prices go to 22 decimals
 * (`"0.0000000208333333333333"` per token), so a coarser integer unit would round on every call and a float
 * sum would drift (0.1 + 0.2). Converting to a `number` happens once, at the end.
 */
import { InvalidArgumentError, NotFoundError } from "../core/errors.js";
import { chatBody } from "../core/validate.js";
import type { components } from "../generated/openrouter.js";
import { costFromHeaders } from "../core/result.js";
import { estimateTokens } from "./tokens.js";
import { plausibleCost } from "../core/plausible-cost.js";
import { type Json, isObject } from "../internal/json.js";
import { quote } from "../internal/quote.js";
import { ATTO_DIGITS, attoToMicros, attoToUsd, formatAtto, toAtto } from "./money.js";
import { type TokenCounts, int, tokenCounts } from "./usage-totals.js";

// The money arithmetic lives in money.ts; re-exported for the modules that took it from here.
export { ATTO_DIGITS, attoToMicros, attoToUsd, formatAtto, toAtto };

type Schemas = components["schemas"];
type Usage = Schemas["Usage"];
type Model = Schemas["Model"];
type ModelPricing = Schemas["ModelPricing"];

// ---------------------------------------------------------------------------------------------------------
// Per-call cost

/** The token counts and OpenRouter's own figures of one usage object (`CostDetails` without an estimate). */
export interface UsageTokens extends TokenCounts {
  webSearchRequests: number;
  isByok: boolean | undefined;
  /** BYOK: what the upstream provider charged your own key (OpenRouter's `usage.cost` is then its fee only). */
  upstreamInferenceCost: number | undefined;
  /** `usage.cost_details` as sent. */
  costDetails: Usage["cost_details"] | undefined;
}

/**
 * Token counts of a usage object (the ledger's, usage-totals.ts) and OpenRouter's own figures, tolerant of the
 * older shapes (no details, `server_tool_use`, nulls). Here, not with the ledger: only the cost code needs the
 * figures, and the ledger is loaded with every client.
 *
 * @example
 * usageTokens(result.usage); // { promptTokens: 16, completionTokens: 13, reasoningTokens: 0, cachedTokens: 0, … }
 */
export function usageTokens(usage: Usage | undefined | null): UsageTokens {
  const u: Json = isObject(usage) ? usage : {};
  const tools = isObject(u["server_tool_use_details"]) ? u["server_tool_use_details"] : isObject(u["server_tool_use"]) ? u["server_tool_use"] : {};
  const details = isObject(u["cost_details"]) ? u["cost_details"] : undefined;
  const upstream = details?.["upstream_inference_cost"];
  return {
    ...tokenCounts(usage),
    webSearchRequests: int(tools["web_search_requests"]),
    isByok: typeof u["is_byok"] === "boolean" ? u["is_byok"] : undefined,
    upstreamInferenceCost: typeof upstream === "number" ? upstream : undefined,
    costDetails: details as Usage["cost_details"] | undefined,
  };
}

/** Token counts and OpenRouter's own cost breakdown, kept alongside every cost. */
export interface CostDetails extends UsageTokens {
  /** For estimates only: how the estimate was built, in USD. */
  breakdown?: CostBreakdown;
}

/** The parts of an estimated cost, in USD. */
export interface CostBreakdown {
  prompt: number;
  cacheRead: number;
  cacheWrite: number;
  completion: number;
  reasoning: number;
  request: number;
  webSearch: number;
}

/** The answer of {@link costOf}. JSON-safe: amounts are numbers and decimal strings, never `bigint`. */
export interface CallCost {
  /** USD, or `undefined` when neither usage, a header nor pricing could tell. */
  usd: number | undefined;
  /** The same amount as an exact decimal string (`toAtto(exact)` gives integer atto-dollars). */
  exact: string | undefined;
  source: "usage" | "header" | "estimate" | undefined;
  /** True when `usd` is our estimate rather than OpenRouter's figure. */
  estimated: boolean;
  details: CostDetails;
}

/** A per-token price from the catalogue; `undefined` when absent, empty or negative ("-1" = variable). */
function price(pricing: Json, key: string): bigint | undefined {
  const v = pricing[key];
  if (v === undefined || v === null || v === "") return undefined;
  let atto: bigint;
  try {
    atto = toAtto(v as string | number);
  } catch {
    return undefined;
  }
  return atto < 0n ? undefined : atto;
}

/** Tiered pricing (`pricing.overrides[]` with `min_prompt_tokens`): the tier a prompt of this size pays. */
function tierFor(pricing: Json, promptTokens: number): Json {
  const overrides = Array.isArray(pricing["overrides"]) ? pricing["overrides"] : [];
  let best: Json | undefined;
  for (const o of overrides) {
    if (!isObject(o)) continue;
    const min = typeof o["min_prompt_tokens"] === "number" ? o["min_prompt_tokens"] : Number.POSITIVE_INFINITY;
    if (promptTokens >= min && (!best || min > (best["min_prompt_tokens"] as number))) best = o;
  }
  return best ? { ...pricing, ...best } : pricing;
}

/**
 * True when the model has fixed catalogue prices; routers (`openrouter/auto`) list `"-1"`: the price is
 * whatever the routed model charges.
 *
 * @example
 * hasFixedPricing({ pricing: { prompt: "-1", completion: "-1" } }); // false
 */
export function hasFixedPricing(model: { pricing?: ModelPricing | null | undefined }): boolean {
  const p: Json = isObject(model?.pricing) ? model.pricing : {};
  return price(p, "prompt") !== undefined && price(p, "completion") !== undefined;
}

function estimateFromPricing(usage: Omit<CostDetails, "breakdown">, pricingIn: ModelPricing): { atto: bigint; breakdown: CostBreakdown } | undefined {
  const pricing = tierFor(pricingIn as Json, usage.promptTokens);
  const prompt = price(pricing, "prompt");
  const completion = price(pricing, "completion");
  if (prompt === undefined || completion === undefined) return undefined;
  const cacheReadPrice = price(pricing, "input_cache_read") ?? prompt;
  const cacheWritePrice = price(pricing, "input_cache_write") ?? prompt;
  // "0" here means "not priced separately": reasoning is billed as output (OpenRouter docs).
  const reasoningPrice = price(pricing, "internal_reasoning") || completion;
  const cached = BigInt(Math.min(usage.cachedTokens, usage.promptTokens));
  const written = BigInt(Math.min(usage.cacheWriteTokens, usage.promptTokens - Number(cached)));
  const uncached = BigInt(usage.promptTokens) - cached - written;
  const reasoning = BigInt(Math.min(usage.reasoningTokens, usage.completionTokens));
  const output = BigInt(usage.completionTokens) - reasoning;
  const parts = {
    prompt: uncached * prompt,
    cacheRead: cached * cacheReadPrice,
    cacheWrite: written * cacheWritePrice,
    completion: output * completion,
    reasoning: reasoning * reasoningPrice,
    request: price(pricing, "request") ?? 0n,
    webSearch: BigInt(usage.webSearchRequests) * (price(pricing, "web_search") ?? 0n),
  };
  const atto = Object.values(parts).reduce((a, b) => a + b, 0n);
  const breakdown = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, attoToUsd(v)])) as unknown as CostBreakdown;
  return { atto, breakdown };
}

/**
 * The cost of one call, from the best source available: `usage.cost` (what OpenRouter charged), else a cost
 * response header (`x-openrouter-cost` / `openrouter-cost`; none is documented today, they are read
 * defensively in case one appears), else an estimate from the model's catalogue `pricing` (prompt, cache
 * read/write, completion, internal reasoning, per-request and web-search prices, tiered overrides), marked
 * `estimated: true`.
 *
 * @example
 * const result = await client.chat({ model: "openai/gpt-4o-mini", messages });
 * const { usd, source, details } = costOf(result);
 * // offline or aborted calls without usage.cost:
 * costOf({ usage }, (await client.models.get("openai/gpt-4o-mini"))?.pricing);
 */
export function costOf(
  result: { usage?: Usage | null | undefined; headers?: Headers | undefined; model?: string | undefined },
  pricing?: ModelPricing | null,
): CallCost {
  if (!isObject(result)) throw new InvalidArgumentError("costOf() expects a ChatResult-like object ({ usage?, headers? }).");
  const usage = isObject(result.usage) ? result.usage : undefined;
  const details: CostDetails = usageTokens(usage);
  // A negative, non-numeric or absurd usage.cost is no cost at all (see reported-cost.ts).
  const fromUsage = plausibleCost(usage?.cost);
  if (fromUsage !== undefined) {
    return { usd: fromUsage, exact: formatAtto(toAtto(fromUsage)), source: "usage", estimated: false, details };
  }
  // Duck-typed: a Headers from another realm or fetch implementation fails `instanceof`.
  const fromHeader = typeof result.headers?.get === "function" ? costFromHeaders(result.headers) : undefined;
  if (fromHeader !== undefined) {
    return { usd: fromHeader, exact: formatAtto(toAtto(fromHeader)), source: "header", estimated: false, details };
  }
  if (usage && isObject(pricing)) {
    const est = estimateFromPricing(details, pricing);
    if (est) {
      return { usd: attoToUsd(est.atto), exact: formatAtto(est.atto), source: "estimate", estimated: true, details: { ...details, breakdown: est.breakdown } };
    }
  }
  return { usd: undefined, exact: undefined, source: undefined, estimated: false, details };
}

// ---------------------------------------------------------------------------------------------------------
// Worst-case estimate before sending

/** The request fields {@link estimateCost} reads. */
export interface EstimateParams {
  messages: readonly unknown[];
  tools?: readonly unknown[] | null | undefined;
  response_format?: unknown;
  reasoning?: unknown;
  max_tokens?: number | null | undefined;
  max_completion_tokens?: number | null | undefined;
  provider?: { max_price?: Record<string, unknown> | null | undefined } | null | undefined;
  model?: string | undefined;
}

/** The answer of {@link estimateCost}. JSON-safe: amounts are numbers and decimal strings, never `bigint`. */
export interface CostEstimate {
  /** Upper bound in USD: estimated prompt + the whole completion budget, at the highest applicable prices. */
  worstCaseUsd: number;
  /** The same bound as an exact decimal string (`toAtto(worstCaseExact)` gives integer atto-dollars). */
  worstCaseExact: string;
  /** Estimated prompt tokens ({@link estimateTokens}). */
  promptTokens: number;
  /** Completion tokens assumed: `max_tokens`, else the model's largest completion, else what the window leaves. */
  maxTokens: number;
  promptUsd: number;
  completionUsd: number;
  requestUsd: number;
  /** True when `provider.max_price` lowered a price below the catalogue's. */
  cappedByMaxPrice: boolean;
}

/** `provider.max_price` values are USD per **million** tokens (numbers or numeric strings); per-token atto here. */
function maxPricePerToken(maxPrice: Record<string, unknown> | null | undefined, key: string, perMillion: boolean): bigint | undefined {
  const v = maxPrice?.[key];
  if (v === undefined || v === null || v === "") return undefined;
  const atto = toAtto(v as number | string);
  if (atto < 0n) throw new InvalidArgumentError(`provider.max_price.${key} must not be negative; got ${quote(v)}.`);
  return perMillion ? atto / 1_000_000n : atto;
}

function capped(price: bigint, cap: bigint | undefined): [bigint, boolean] {
  return cap !== undefined && cap < price ? [cap, true] : [price, false];
}

/**
 * Worst-case spend of a request on a model, from live catalogue pricing: estimated prompt tokens × prompt
 * price + the completion budget × the higher of the completion and internal-reasoning prices + the per-request
 * price. `provider.max_price` (a hard cap, USD per million tokens) lowers a price when it is below the
 * catalogue's. `:nitro` endpoints may bill priority rates above the catalogue price; that cannot be known here.
 *
 * @throws InvalidArgumentError for a model without fixed prices (routers such as `openrouter/auto`).
 * @example
 * const model = await client.models.get("openai/gpt-4o-mini");
 * const { worstCaseUsd } = estimateCost({ messages, max_tokens: 500 }, model!);
 */
export function estimateCost(params: EstimateParams, model: PricedModel): CostEstimate {
  if (!isObject(params) || !Array.isArray(params.messages)) {
    throw new InvalidArgumentError("estimateCost() needs request parameters with messages.");
  }
  if (!isObject(model) || !isObject(model.pricing)) throw new InvalidArgumentError("estimateCost() needs a catalogue Model with pricing.");
  if (!hasFixedPricing(model)) {
    throw new InvalidArgumentError(
      `estimateCost(): ${model.id} has no fixed price (routers bill the model they pick); estimate against a concrete model instead.`,
    );
  }
  const arch = isObject(model.architecture) ? model.architecture : {};
  const tokenizer = typeof arch["tokenizer"] === "string" ? arch["tokenizer"] : undefined;
  const promptTokens = estimateTokens(params as Parameters<typeof estimateTokens>[0], { tokenizer });
  const top = isObject(model.top_provider) ? model.top_provider : {};
  const requested = params.max_tokens ?? params.max_completion_tokens ?? undefined;
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 0)) {
    throw new InvalidArgumentError(`estimateCost(): max_tokens must be a non-negative integer; got ${String(requested)}.`);
  }
  const topMax = typeof top["max_completion_tokens"] === "number" && top["max_completion_tokens"] > 0 ? top["max_completion_tokens"] : undefined;
  const window = typeof model.context_length === "number" && model.context_length > 0 ? model.context_length : undefined;
  const maxTokens = requested ?? topMax ?? (window !== undefined ? Math.max(0, window - promptTokens) : 0);

  const pricing = tierFor(model.pricing as Json, promptTokens);
  const maxPrice = isObject(params.provider) && isObject(params.provider.max_price) ? params.provider.max_price : undefined;
  const [promptPrice, c1] = capped(price(pricing, "prompt") ?? 0n, maxPricePerToken(maxPrice, "prompt", true));
  const catalogueCompletion = price(pricing, "completion") ?? 0n;
  const reasoningPrice = price(pricing, "internal_reasoning") ?? 0n;
  const [completionPrice, c2] = capped(
    reasoningPrice > catalogueCompletion ? reasoningPrice : catalogueCompletion,
    maxPricePerToken(maxPrice, "completion", true),
  );
  const [requestPrice, c3] = capped(price(pricing, "request") ?? 0n, maxPricePerToken(maxPrice, "request", false));
  const promptAtto = BigInt(promptTokens) * promptPrice;
  const completionAtto = BigInt(maxTokens) * completionPrice;
  const total = promptAtto + completionAtto + requestPrice;
  return {
    worstCaseUsd: attoToUsd(total),
    worstCaseExact: formatAtto(total),
    promptTokens,
    maxTokens,
    promptUsd: attoToUsd(promptAtto),
    completionUsd: attoToUsd(completionAtto),
    requestUsd: attoToUsd(requestPrice),
    cappedByMaxPrice: c1 || c2 || c3,
  };
}

/** What {@link estimateCost} reads of a catalogue model (a `ModelRegistry` lookup gives it). */
export type PricedModel = Pick<Model, "id" | "pricing" | "context_length" | "top_provider"> & { architecture?: unknown };

/**
 * `client.estimateCost`: the chat parameters checked as `chat` checks them, the model looked up in the client's
 * catalogue, then {@link estimateCost}. Here rather than in the client, so the client loads it with the pricing
 * code on first use.
 *
 * @example
 * await estimateCallCost({ model: "openai/gpt-4o-mini", messages, max_tokens: 500 }, client.models);
 */
export async function estimateCallCost(params: unknown, registry: { get(id: string, signal?: AbortSignal): Promise<PricedModel | undefined> }, signal?: AbortSignal): Promise<CostEstimate> {
  const body = chatBody(params, "estimateCost", false);
  const id = body["model"];
  if (typeof id !== "string") throw new InvalidArgumentError("estimateCost() needs params.model to look the price up");
  const model = await registry.get(id, signal);
  if (!model) throw new NotFoundError(`Unknown model ${id}: not in the catalogue`, { model: id });
  return estimateCost(body as unknown as EstimateParams, model);
}
