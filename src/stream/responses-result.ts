/**
 * The Responses API's result: a `Response` object (from `POST /responses`, or assembled from its stream)
 * becomes a `ResponsesResult`, the same for a plain and a streamed call of one generation. Also the types of
 * its stream events.
 */
import type { components } from "../generated/openrouter.js";
import type { RequestInfo } from "../core/errors.js";
import { InvalidResponseError } from "../core/call-errors.js";
import { errorFromWire, type WireError } from "../core/wire-error.js";
import { type ChatResult, type ResultContext, type ToolCallResult, type Usage, toolCallResult } from "../core/result.js";
import { type Json, isObject } from "../internal/json.js";
import { type TextResultBase, baseFields, chatView, count } from "./text-results.js";
import type { OtherStreamEvent } from "./event-types.js";

type Schemas = components["schemas"];
/** The request body of `client.responses.create` / `.stream`; `stream` is the verb's to set (`Omit` would lose the typed fields of this open type). */
export type ResponsesParams = Schemas["ResponsesRequest"] & { stream?: never };
export type ResponsesResponse = Schemas["ResponsesResponse"];
export type ResponsesUsage = Schemas["ResponsesUsage"];
export type ResponsesOutputItem = Schemas["ResponsesOutputItem"];

/**
 * One Responses API call's outcome. `raw` is the `Response` object as OpenRouter sent it (for a stream: the one
 * `response.completed` carried, with the streamed output items filled in when it came without them).
 */
export interface ResponsesResult extends TextResultBase {
  /** `completed`, or `incomplete` when the answer was cut (e.g. at `max_output_tokens`). */
  status: string | undefined;
  /** Reasoning text (the reasoning items' text, else their summaries); undefined when there was none. */
  reasoning: string | undefined;
  /** The model's function calls, arguments joined and parsed (`id` is the `call_id` to answer with). */
  functionCalls: ToolCallResult[];
  /** The output items as sent (messages, reasoning, function calls, server tool calls, …). */
  output: ResponsesOutputItem[];
  usage: ResponsesUsage | undefined;
  raw: ResponsesResponse;
}

/** Parts of an output item of `type`'s content, joined. */
function joined(output: readonly unknown[], itemType: string, field: "content" | "summary", partType: string): string {
  let text = "";
  for (const item of output) {
    if (!isObject(item) || item["type"] !== itemType || !Array.isArray(item[field])) continue;
    for (const part of item[field] as unknown[]) {
      if (isObject(part) && part["type"] === partType && typeof part["text"] === "string") text += part["text"];
    }
  }
  return text;
}

/** The usage in chat's field names, for the usage tracker. */
export function responsesChatUsage(usage: ResponsesUsage | undefined): Usage | undefined {
  if (!isObject(usage)) return undefined;
  const input = isObject(usage.input_tokens_details) ? usage.input_tokens_details : {};
  const output = isObject(usage.output_tokens_details) ? usage.output_tokens_details : {};
  const promptTokens = count(usage.input_tokens);
  const completionTokens = count(usage.output_tokens);
  const details = isObject(usage.cost_details) ? usage.cost_details : undefined;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: count(usage.total_tokens) || promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: count(input.cached_tokens), cache_write_tokens: count(input.cache_write_tokens) },
    completion_tokens_details: { reasoning_tokens: count(output.reasoning_tokens) },
    ...(usage.cost !== undefined && { cost: usage.cost }),
    ...(typeof usage.is_byok === "boolean" && { is_byok: usage.is_byok }),
    ...(details && {
      cost_details: {
        upstream_inference_cost: details.upstream_inference_cost ?? null,
        upstream_inference_prompt_cost: details.upstream_inference_input_cost ?? null,
        upstream_inference_completions_cost: details.upstream_inference_output_cost ?? null,
      },
    }),
  };
}

/** The request facts an error names. */
function infoOf(ctx: ResultContext): RequestInfo {
  return { ...(ctx.method && { method: ctx.method }), ...(ctx.path && { path: ctx.path }), ...(ctx.model && { model: ctx.model }) };
}

/** The result of a `Response` object, without checking its status (a stream's partial output uses this too). */
export function responsesResultOf(raw: Json, ctx: ResultContext): ResponsesResult {
  const output = Array.isArray(raw["output"]) ? (raw["output"] as ResponsesOutputItem[]) : [];
  const usage = isObject(raw["usage"]) ? (raw["usage"] as ResponsesUsage) : undefined;
  const base = baseFields(raw["id"], raw["model"], usage?.cost, ctx);
  // OpenRouter's `output_text` can be "" while the output holds the text (responses-stream-02): read the items.
  const text = joined(output, "message", "content", "output_text");
  const reasoning = joined(output, "reasoning", "content", "reasoning_text") || joined(output, "reasoning", "summary", "summary_text");
  const calls = output.filter((item) => isObject(item) && item.type === "function_call");
  return {
    ...base,
    text: text || (typeof raw["output_text"] === "string" ? raw["output_text"] : ""),
    status: typeof raw["status"] === "string" ? raw["status"] : undefined,
    reasoning: reasoning === "" ? undefined : reasoning,
    functionCalls: calls.map((item, i) => toolCallResult({ index: i, id: item.call_id, function: { name: item.name, arguments: item.arguments ?? "" } }, i)),
    output,
    usage,
    raw: raw as ResponsesResponse,
  };
}

/**
 * A `Response` object as a `ResponsesResult`. Throws the typed error for what OpenRouter sends as a 200 but is
 * a failure: a bare error envelope, or `status: "failed"` (with what was produced on `error.partial`).
 */
export function responsesResult(raw: unknown, ctx: ResultContext): ResponsesResult {
  if (!isObject(raw)) throw new InvalidResponseError(`Expected a Response object, got ${raw === null ? "null" : typeof raw}`, infoOf(ctx));
  const error = isObject(raw["error"]) ? (raw["error"] as WireError) : undefined;
  if (error && !Array.isArray(raw["output"])) {
    throw errorFromWire(error, { ...infoOf(ctx), inBand: true, headers: ctx.headers, ...(typeof raw["id"] === "string" && { generationId: raw["id"] }) });
  }
  const result = responsesResultOf(raw, ctx);
  if (result.status === "failed" || error) throw failedResponse(raw, result, ctx);
  return result;
}

/** The typed error of a `Response` whose status is `failed` (or that carries an `error`). */
export function failedResponse(raw: Json, result: ResponsesResult, ctx: ResultContext): Error {
  const error = isObject(raw["error"]) ? (raw["error"] as WireError) : { message: "The response failed (status: failed)" };
  const wire = typeof raw["error_type"] === "string" && error.error_type === undefined ? { ...error, error_type: raw["error_type"] } : error;
  return errorFromWire(wire, {
    ...infoOf(ctx),
    inBand: true,
    headers: ctx.headers,
    ...(result.generationId !== undefined && { generationId: result.generationId }),
    partial: responsesChatView(result),
  });
}

/** The result as a `ChatResult` (usage tracker, `error.partial`); `raw` stays the `Response` object. */
export function responsesChatView(result: ResponsesResult): ChatResult {
  return chatView(result, {
    reasoning: result.reasoning,
    toolCalls: result.functionCalls,
    finishReason: result.status ?? null,
    usage: responsesChatUsage(result.usage),
    raw: result.raw,
  });
}

// ---- Stream events: the `data:` payloads of a `/responses` stream, discriminated on `type`.

interface Sequenced {
  sequence_number?: number;
}
/** The response's lifecycle: `created` and `in_progress` first, then one of the terminal three. */
export interface ResponseLifecycleEvent extends Sequenced {
  type: "response.created" | "response.in_progress" | "response.queued" | "response.completed" | "response.incomplete" | "response.failed";
  response: ResponsesResponse;
}
export interface OutputItemEvent extends Sequenced {
  type: "response.output_item.added" | "response.output_item.done";
  output_index: number;
  item: ResponsesOutputItem;
}
export interface ContentPartEvent extends Sequenced {
  type: "response.content_part.added" | "response.content_part.done" | "response.reasoning_summary_part.added" | "response.reasoning_summary_part.done";
  item_id: string;
  output_index: number;
  content_index?: number;
  summary_index?: number;
  part: Json;
}
/** A piece of text: the answer, the reasoning, a reasoning summary, or a function call's arguments. */
export interface TextDeltaEvent extends Sequenced {
  type: "response.output_text.delta" | "response.reasoning_text.delta" | "response.reasoning_summary_text.delta" | "response.function_call_arguments.delta" | "response.refusal.delta";
  item_id: string;
  output_index: number;
  content_index?: number;
  summary_index?: number;
  delta: string;
  logprobs?: unknown[];
}
export interface TextDoneEvent extends Sequenced {
  type: "response.output_text.done" | "response.reasoning_text.done" | "response.reasoning_summary_text.done" | "response.refusal.done";
  item_id: string;
  output_index: number;
  content_index?: number;
  summary_index?: number;
  text: string;
}
export interface FunctionCallArgumentsDoneEvent extends Sequenced {
  type: "response.function_call_arguments.done";
  item_id: string;
  output_index: number;
  name?: string;
  arguments: string;
}
/** The in-band error event (the stream then fails with the typed error). */
export interface ResponsesErrorEvent extends Sequenced {
  type: "error";
  code?: unknown;
  message?: string;
  param?: unknown;
}
/** Any other event type (annotations, server tool progress, …), passed on untouched as `event`. */
export type ResponsesOtherEvent = OtherStreamEvent;

/**
 * One event of a Responses stream, discriminated on `type`.
 *
 * @example
 * for await (const e of client.responses.stream(params)) if (e.type === "response.output_text.delta") process.stdout.write(e.delta);
 */
export type ResponsesStreamEvent =
  | ResponseLifecycleEvent
  | OutputItemEvent
  | ContentPartEvent
  | TextDeltaEvent
  | TextDoneEvent
  | FunctionCallArgumentsDoneEvent
  | ResponsesErrorEvent
  | ResponsesOtherEvent;
