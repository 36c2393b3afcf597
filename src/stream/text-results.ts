/**
 * What the Responses and Messages results share: the fields every text result has (ids, model, cost, timing,
 * attempts), the cost read from OpenRouter's `usage.cost`, and the chat-shaped view of a result that the usage
 * tracker and `error.partial` take (both are typed on `ChatResult`; a small mapping here rather than a second
 * tracker). The view keeps the API's own object as `raw`, so nothing the model produced is lost.
 */
import type { FallbackRecord } from "../core/resilience/hooks.js";
import { type AssistantMessage, type ChatResponse, type ChatResult, type ChatTiming, type CostSource, type ResultContext, type ToolCallResult, type Usage, costFromHeaders } from "../core/result.js";
import { type CostAnomaly, costAnomalyOf } from "../core/reported-cost.js";
import { plausibleCost } from "../core/plausible-cost.js";
import { rateLimitFromHeaders, type RateLimitInfo } from "../core/rate-limit-headers.js";

/** The fields a Responses or Messages result has in common with a `ChatResult`. */
export interface TextResultBase {
  /** The response's (message's) id: OpenRouter's generation id. */
  id: string;
  /** The model that answered. */
  model: string;
  /** The answer's text: every text part of the output joined (`""` when there is none, e.g. only tool calls). */
  text: string;
  /** USD charged, from OpenRouter's `usage.cost` (or a cost header), when known. */
  cost: number | undefined;
  costSource: CostSource | undefined;
  /** Present when the server reported a cost that cannot be right; `cost` is then undefined. */
  costAnomaly?: CostAnomaly;
  /** The generation id for `client.generation(id)`: the object's id, else the `x-generation-id` header. */
  generationId: string | undefined;
  headers: Headers;
  timing?: ChatTiming;
  /** HTTP attempts the call took (retries and client-side fallbacks included). */
  attempts?: number;
  /** Models tried before `model` answered (client-side `fallbackModels`), with why each failed. */
  fallbacks?: readonly FallbackRecord[];
  rateLimit?: RateLimitInfo;
}

/** A result's cost fields from the usage's `cost` (through the plausibility gate), else a cost header. */
export function costFields(reported: unknown, headers: Headers): Pick<TextResultBase, "cost" | "costSource" | "costAnomaly"> {
  const usageCost = plausibleCost(reported);
  const anomaly = usageCost === undefined && reported !== undefined && reported !== null ? costAnomalyOf(reported) : undefined;
  const headerCost = usageCost === undefined ? costFromHeaders(headers) : undefined;
  const cost = usageCost ?? headerCost;
  return {
    cost,
    costSource: usageCost !== undefined ? "usage" : headerCost !== undefined ? "header" : undefined,
    ...(anomaly && { costAnomaly: anomaly }),
  };
}

/** The base fields of a result; `id` and `model` fall back to the header and the requested model. */
export function baseFields(id: unknown, model: unknown, cost: unknown, ctx: ResultContext): TextResultBase {
  const generationId = (typeof id === "string" && id !== "" ? id : undefined) ?? ctx.headers.get("x-generation-id") ?? undefined;
  const base: TextResultBase = {
    id: typeof id === "string" ? id : "",
    model: typeof model === "string" ? model : (ctx.model ?? ""),
    text: "",
    ...costFields(cost, ctx.headers),
    generationId,
    headers: ctx.headers,
    ...(ctx.timing && { timing: ctx.timing }),
  };
  const rateLimit = rateLimitFromHeaders(ctx.headers);
  if (rateLimit) base.rateLimit = rateLimit;
  return base;
}

/** What a result adds to the chat view beyond the base fields. */
export interface ChatViewParts {
  provider?: string | undefined;
  reasoning?: string | undefined;
  toolCalls?: ToolCallResult[];
  finishReason?: string | null;
  /** The usage in chat's field names (prompt_tokens, completion_tokens, …, cost). */
  usage: Usage | undefined;
  /** The API's own object (Response or Message), as assembled. */
  raw: unknown;
}

/**
 * The result as a `ChatResult`: what `client.usage.record` and `error.partial` take. `raw` is the API's own
 * object (a Responses `Response` or a Messages `Message`), not a chat completion.
 */
export function chatView(base: TextResultBase, parts: ChatViewParts): ChatResult {
  const message: AssistantMessage = { role: "assistant", content: base.text } as AssistantMessage;
  return {
    id: base.id,
    model: base.model,
    provider: parts.provider,
    text: base.text,
    message,
    toolCalls: parts.toolCalls ?? [],
    reasoning: parts.reasoning,
    reasoningDetails: [],
    annotations: [],
    refusal: undefined,
    finishReason: parts.finishReason ?? null,
    nativeFinishReason: null,
    usage: parts.usage,
    cost: base.cost,
    costSource: base.costSource,
    ...(base.costAnomaly && { costAnomaly: base.costAnomaly }),
    generationId: base.generationId,
    headers: base.headers,
    raw: parts.raw as ChatResponse,
    ...(base.timing && { timing: base.timing }),
    ...(base.attempts !== undefined && { attempts: base.attempts }),
    ...(base.fallbacks && { fallbacks: base.fallbacks }),
  };
}

/** A non-negative integer count, or 0. */
export function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}
