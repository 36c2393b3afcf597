/**
 * The one place a completion becomes a `ChatResult`. The stream assembles a `ChatResponse`-shaped object from
 * its chunks and calls `chatResultFromResponse` too, so a streamed and a plain call of the same generation give
 * the same result.
 */
import type { components } from "../generated/openrouter.js";
import type { RequestInfo } from "./errors.js";
import { InvalidResponseError } from "./call-errors.js";
import { errorFromWire, wireErrorOf } from "./wire-error.js";
import type { FallbackRecord } from "./resilience/hooks.js";
import { type Json, isObject } from "../internal/json.js";
import { type RateLimitInfo, rateLimitFromHeaders } from "./rate-limit-headers.js";
import { type CostAnomaly, costAnomalyOf } from "./reported-cost.js";
import { plausibleCost } from "./plausible-cost.js";

type Schemas = components["schemas"];
export type ChatRequest = Schemas["ChatRequest"];
export type ChatMessage = Schemas["ChatMessage"];
export type ChatResponse = Schemas["ChatResponse"];
export type ChatStreamChunk = Schemas["ChatStreamChunk"];
export type Usage = Schemas["Usage"];
export type ToolCall = Schemas["ToolCall"];
export type ReasoningDetail = Schemas["ReasoningDetail"];
export type Annotation = Schemas["Annotation"];
export type AssistantMessage = Schemas["AssistantMessage"];

/** A tool call with its arguments joined and parsed. */
export interface ToolCallResult {
  index: number;
  id: string;
  name: string;
  /** The arguments exactly as the model wrote them. */
  arguments: string;
  /** `JSON.parse(arguments)` (`{}` for an empty string), or `undefined` when that failed. */
  args: unknown;
  /** Why `args` is undefined: the JSON parse error. */
  parseError?: string;
}

/** Where `cost` came from: OpenRouter's `usage.cost`, a cost response header, or our own estimate. */
export type CostSource = "usage" | "header" | "estimate";

export interface ChatTiming {
  /** Time to the response headers. */
  ttfbMs?: number;
  /** Time to the first content (or reasoning / tool-call) token of a stream. */
  ttftMs?: number;
  /** Time to the end of the body. */
  totalMs: number;
}

export interface ChatResult {
  id: string;
  /** The model that answered (with `models` fallbacks or `openrouter/auto`, not always the one asked for). */
  model: string;
  provider: string | undefined;
  /** The message content as a string; `""` when the model sent none (e.g. only tool calls). */
  text: string;
  /** The assistant message, ready to append to the history of the next turn. */
  message: AssistantMessage;
  toolCalls: ToolCallResult[];
  reasoning: string | undefined;
  reasoningDetails: ReasoningDetail[];
  annotations: Annotation[];
  refusal: string | undefined;
  finishReason: string | null;
  nativeFinishReason: string | null;
  usage: Usage | undefined;
  /** USD charged, when known. */
  cost: number | undefined;
  costSource: CostSource | undefined;
  /**
   * Present when the server reported a cost that cannot be right (negative, not a number, absurdly large):
   * `cost` is then `undefined`, the figure never reaches `client.usage` or the budget, and the call stays
   * pending there until `/generation` gives its real cost.
   */
  costAnomaly?: CostAnomaly;
  generationId: string | undefined;
  headers: Headers;
  raw: ChatResponse;
  timing?: ChatTiming;
  /** HTTP attempts the call took (retries and client-side fallbacks included). */
  attempts?: number;
  /** Models tried before `model` answered (client-side `fallbackModels`), with why each failed. */
  fallbacks?: readonly FallbackRecord[];
  /** The response's `X-RateLimit-*` headers as numbers; absent when it had none (OpenRouter sends them on its 429s). */
  rateLimit?: RateLimitInfo;
}

/** Header names that might carry a cost; OpenRouter documents none today, so this is defensive. */
const COST_HEADERS = ["x-openrouter-cost", "openrouter-cost"];

export function costFromHeaders(headers: Headers): number | undefined {
  for (const name of COST_HEADERS) {
    const value = headers.get(name);
    // Through the same gate as usage.cost: a negative or absurd header never becomes a cost.
    const usd = value === null || value.trim() === "" ? undefined : plausibleCost(value);
    if (usd !== undefined) return usd;
  }
  return undefined;
}

/** Content may be a string or (rarely, from some upstreams) an array of text parts. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    let text = "";
    for (const part of content) if (isObject(part) && typeof part["text"] === "string") text += part["text"];
    return text;
  }
  return "";
}

/** Joins and parses one tool call; a model's malformed JSON is kept raw rather than thrown. */
export function toolCallResult(call: unknown, position: number): ToolCallResult {
  const c = isObject(call) ? call : {};
  const fn = isObject(c["function"]) ? c["function"] : {};
  const args = typeof fn["arguments"] === "string" ? fn["arguments"] : fn["arguments"] === undefined ? "" : JSON.stringify(fn["arguments"]);
  const result: ToolCallResult = {
    index: typeof c["index"] === "number" ? c["index"] : position,
    id: typeof c["id"] === "string" ? c["id"] : "",
    name: typeof fn["name"] === "string" ? fn["name"] : "",
    arguments: args,
    args: undefined,
  };
  try {
    result.args = args.trim() === "" ? {} : JSON.parse(args);
  } catch (e) {
    result.parseError = e instanceof Error ? e.message : String(e);
  }
  return result;
}

export interface ResultContext extends RequestInfo {
  headers: Headers;
  timing?: ChatTiming;
}

/**
 * Turns a parsed chat completion into a `ChatResult`. Throws a typed error for what OpenRouter sends as a
 * 200 but is a failure: a bare error envelope, `choices` missing or null (a transient upstream failure:
 * retryable), or a choice with `finish_reason: "error"` (with the partial text kept on the error).
 */
export function chatResultFromResponse(raw: unknown, ctx: ResultContext): ChatResult {
  const generationId = (isObject(raw) && typeof raw["id"] === "string" ? raw["id"] : undefined) ?? ctx.headers.get("x-generation-id") ?? undefined;
  if (!isObject(raw)) {
    throw new InvalidResponseError(`Expected a chat completion object, got ${raw === null ? "null" : typeof raw}`, infoOf(ctx));
  }
  const envelopeError = wireErrorOf(raw);
  const choices = raw["choices"];
  if (envelopeError && !(Array.isArray(choices) && choices.length > 0)) {
    throw errorFromWire(envelopeError, { ...infoOf(ctx), inBand: true, ...(generationId && { generationId }), headers: ctx.headers });
  }
  if (!Array.isArray(choices) || choices.length === 0) {
    // Seen from OpenRouter when an upstream fails after the 200 is committed: no error, no choices.
    throw new InvalidResponseError(
      `The completion has no choices (choices: ${choices === null ? "null" : Array.isArray(choices) ? "[]" : "missing"}); the upstream provider probably failed`,
      { ...infoOf(ctx), retryable: true, ...(generationId && { generationId }) },
    );
  }
  const choice = isObject(choices[0]) ? choices[0] : {};
  const message = isObject(choice["message"]) ? choice["message"] : {};
  const toolCallsRaw = Array.isArray(message["tool_calls"]) ? message["tool_calls"] : [];
  const usage = isObject(raw["usage"]) ? (raw["usage"] as Usage) : undefined;
  const usageCost = usage ? plausibleCost(usage.cost) : undefined;
  const costAnomaly = usage && usageCost === undefined ? costAnomalyOf(usage.cost) : undefined;
  const headerCost = usageCost === undefined ? costFromHeaders(ctx.headers) : undefined;
  const cost = usageCost ?? headerCost;
  const reasoning = typeof message["reasoning"] === "string" ? message["reasoning"] : typeof message["reasoning_content"] === "string" ? message["reasoning_content"] : undefined;
  const result: ChatResult = {
    id: typeof raw["id"] === "string" ? raw["id"] : "",
    model: typeof raw["model"] === "string" ? raw["model"] : (ctx.model ?? ""),
    provider: typeof raw["provider"] === "string" ? raw["provider"] : undefined,
    text: contentText(message["content"]),
    message: assistantMessageOf(message),
    toolCalls: toolCallsRaw.length === 0 ? [] : toolCallsRaw.map(toolCallResult),
    reasoning: reasoning === "" ? undefined : reasoning,
    reasoningDetails: Array.isArray(message["reasoning_details"]) ? (message["reasoning_details"] as ReasoningDetail[]) : [],
    annotations: Array.isArray(message["annotations"]) ? (message["annotations"] as Annotation[]) : [],
    refusal: typeof message["refusal"] === "string" ? message["refusal"] : undefined,
    finishReason: typeof choice["finish_reason"] === "string" ? choice["finish_reason"] : null,
    nativeFinishReason: typeof choice["native_finish_reason"] === "string" ? choice["native_finish_reason"] : null,
    usage,
    cost,
    costSource: usageCost !== undefined ? "usage" : headerCost !== undefined ? "header" : undefined,
    generationId,
    headers: ctx.headers,
    raw: raw as ChatResponse,
    ...(ctx.timing && { timing: ctx.timing }),
    ...(costAnomaly && { costAnomaly }),
  };
  const rateLimit = rateLimitFromHeaders(ctx.headers);
  if (rateLimit) result.rateLimit = rateLimit;
  const choiceError = wireErrorOf(choice) ?? (result.finishReason === "error" ? envelopeError ?? { message: "The generation ended with finish_reason \"error\"" } : undefined);
  if (choiceError && (result.finishReason === "error" || envelopeError)) {
    throw errorFromWire(choiceError, { ...infoOf(ctx), inBand: true, ...(generationId && { generationId }), headers: ctx.headers, partial: result });
  }
  return result;
}

/** The request facts an error names; built only when there is an error to throw. */
function infoOf(ctx: ResultContext): RequestInfo {
  return { ...(ctx.method && { method: ctx.method }), ...(ctx.path && { path: ctx.path }), ...(ctx.model && { model: ctx.model }) };
}

/** The assistant message to send back next turn: only the fields OpenRouter accepts on input. */
function assistantMessageOf(message: Json): AssistantMessage {
  const out: Json = { role: "assistant", content: typeof message["content"] === "string" || Array.isArray(message["content"]) ? message["content"] : null };
  if (Array.isArray(message["tool_calls"]) && message["tool_calls"].length > 0) {
    out["tool_calls"] = message["tool_calls"].map((call) => {
      const c = isObject(call) ? call : {};
      const fn = isObject(c["function"]) ? c["function"] : {};
      return { id: c["id"], type: "function", function: { name: fn["name"], arguments: typeof fn["arguments"] === "string" ? fn["arguments"] : "" } };
    });
  }
  if (typeof message["reasoning"] === "string" && message["reasoning"] !== "") out["reasoning"] = message["reasoning"];
  if (Array.isArray(message["reasoning_details"]) && message["reasoning_details"].length > 0) out["reasoning_details"] = message["reasoning_details"];
  if (typeof message["refusal"] === "string") out["refusal"] = message["refusal"];
  return out as AssistantMessage;
}
