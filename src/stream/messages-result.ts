/**
 * The Messages API's (Anthropic's format) result: a `Message` object (from `POST /messages`, or assembled from
 * its stream) becomes a `MessagesResult`, the same for a plain and a streamed call of one generation. Also the
 * types of its stream events.
 */
import type { components } from "../generated/openrouter.js";
import type { RequestInfo } from "../core/errors.js";
import { InvalidResponseError } from "../core/call-errors.js";
import { errorFromWire, type WireError } from "../core/wire-error.js";
import type { ChatResult, ResultContext, Usage } from "../core/result.js";
import { type Json, isObject } from "../internal/json.js";
import { type TextResultBase, baseFields, chatView, count } from "./text-results.js";
import type { OtherStreamEvent } from "./event-types.js";

type Schemas = components["schemas"];
/** The request body of `client.messages.create` / `.stream`; `stream` is the verb's to set (`Omit` would lose the typed fields of this open type). */
export type MessagesParams = Schemas["MessagesRequest"] & { stream?: never };
export type MessagesResponse = Schemas["MessagesResponse"];

/** A content block of a message: `text`, `thinking`, `redacted_thinking`, `tool_use`, server tool blocks, … */
export interface ContentBlock {
  type: string;
  text?: string;
  thinking?: string;
  signature?: string;
  id?: string;
  name?: string;
  input?: unknown;
  [key: string]: unknown;
}

/** Token counts and OpenRouter's cost (USD) of a message. */
export interface MessagesUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cost?: number | null;
  is_byok?: boolean;
  [key: string]: unknown;
}

/** A `tool_use` block: the tool the model calls and its input. */
export interface ToolUse {
  id: string;
  name: string;
  input: unknown;
}

/** One Messages API call's outcome. `raw` is the `Message` object as sent (for a stream: as assembled). */
export interface MessagesResult extends TextResultBase {
  provider: string | undefined;
  /** The thinking blocks' text joined; undefined when there was none. */
  thinking: string | undefined;
  toolUses: ToolUse[];
  /** The content blocks as sent (text, thinking with signatures, tool_use, …). */
  content: ContentBlock[];
  /** `end_turn`, `max_tokens`, `stop_sequence`, `tool_use`, … */
  stopReason: string | null;
  stopSequence: string | null;
  usage: MessagesUsage | undefined;
  raw: MessagesResponse;
}

/** Blocks of `type`'s `field`, joined. */
function joined(content: readonly ContentBlock[], type: string, field: "text" | "thinking"): string {
  let text = "";
  for (const block of content) if (block.type === type && typeof block[field] === "string") text += block[field];
  return text;
}

/** The usage in chat's field names, for the usage tracker: Anthropic's input count excludes the cached tokens. */
export function messagesChatUsage(usage: MessagesUsage | undefined): Usage | undefined {
  if (!isObject(usage)) return undefined;
  const cacheRead = count(usage.cache_read_input_tokens);
  const cacheWrite = count(usage.cache_creation_input_tokens);
  const prompt = count(usage.input_tokens) + cacheRead + cacheWrite;
  const completion = count(usage.output_tokens);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead, cache_write_tokens: cacheWrite },
    ...(usage.cost !== undefined && { cost: usage.cost }),
    ...(typeof usage.is_byok === "boolean" && { is_byok: usage.is_byok }),
  };
}

function infoOf(ctx: ResultContext): RequestInfo {
  return { ...(ctx.method && { method: ctx.method }), ...(ctx.path && { path: ctx.path }), ...(ctx.model && { model: ctx.model }) };
}

/** The result of a `Message` object, without checks (a stream's partial output uses this too). */
export function messagesResultOf(raw: Json, ctx: ResultContext): MessagesResult {
  const content = Array.isArray(raw["content"]) ? (raw["content"] as unknown[]).filter(isObject) as ContentBlock[] : [];
  const usage = isObject(raw["usage"]) ? (raw["usage"] as MessagesUsage) : undefined;
  const thinking = joined(content, "thinking", "thinking");
  return {
    ...baseFields(raw["id"], raw["model"], usage?.cost, ctx),
    text: joined(content, "text", "text"),
    provider: typeof raw["provider"] === "string" ? raw["provider"] : (ctx.headers.get("x-provider-name") ?? undefined),
    thinking: thinking === "" ? undefined : thinking,
    toolUses: content
      .filter((block) => block.type === "tool_use")
      .map((block) => ({ id: typeof block.id === "string" ? block.id : "", name: typeof block.name === "string" ? block.name : "", input: block.input ?? {} })),
    content,
    stopReason: typeof raw["stop_reason"] === "string" ? raw["stop_reason"] : null,
    stopSequence: typeof raw["stop_sequence"] === "string" ? raw["stop_sequence"] : null,
    usage,
    raw: raw as MessagesResponse,
  };
}

/** A `Message` object as a `MessagesResult`; an error envelope sent as a 200 is the typed error. */
export function messagesResult(raw: unknown, ctx: ResultContext): MessagesResult {
  if (!isObject(raw)) throw new InvalidResponseError(`Expected a Message object, got ${raw === null ? "null" : typeof raw}`, infoOf(ctx));
  if (raw["type"] === "error" || (isObject(raw["error"]) && !Array.isArray(raw["content"]))) {
    const wire = (isObject(raw["error"]) ? raw["error"] : { message: "The message failed" }) as WireError;
    throw errorFromWire(wire, { ...infoOf(ctx), inBand: true, headers: ctx.headers });
  }
  return messagesResultOf(raw, ctx);
}

/** The result as a `ChatResult` (usage tracker, `error.partial`); `raw` stays the `Message` object. */
export function messagesChatView(result: MessagesResult): ChatResult {
  return chatView(result, {
    provider: result.provider,
    reasoning: result.thinking,
    toolCalls: result.toolUses.map((use, index) => ({ index, id: use.id, name: use.name, arguments: JSON.stringify(use.input ?? {}), args: use.input })),
    finishReason: result.stopReason,
    usage: messagesChatUsage(result.usage),
    raw: result.raw,
  });
}

// ---- Stream events: Anthropic's `event:` + `data:` pairs (the `data.type` names the event).

export interface MessageStartEvent {
  type: "message_start";
  message: MessagesResponse;
}
export interface ContentBlockStartEvent {
  type: "content_block_start";
  index: number;
  content_block: ContentBlock;
}
export type ContentBlockDelta =
  | { type: "text_delta"; text: string }
  | { type: "thinking_delta"; thinking: string }
  | { type: "signature_delta"; signature: string }
  | { type: "input_json_delta"; partial_json: string }
  | { type: "citations_delta"; citation: Json };
export interface ContentBlockDeltaEvent {
  type: "content_block_delta";
  index: number;
  delta: ContentBlockDelta;
}
export interface ContentBlockStopEvent {
  type: "content_block_stop";
  index: number;
}
/** The stop reason and the final usage (with OpenRouter's cost). */
export interface MessageDeltaEvent {
  type: "message_delta";
  delta: { stop_reason?: string | null; stop_sequence?: string | null };
  usage?: MessagesUsage;
}
export interface MessageStopEvent {
  type: "message_stop";
}
/** Sent while the model works; it does not count as progress for the stream's timeouts. */
export interface PingEvent {
  type: "ping";
}
/** The in-band error event (the stream then fails with the typed error). */
export interface MessagesErrorEvent {
  type: "error";
  error: { type?: string; message: string; error_type?: string };
}
/** Any other event type, passed on untouched as `event`. */
export type MessagesOtherEvent = OtherStreamEvent;

/**
 * One event of a Messages stream, discriminated on `type`.
 *
 * @example
 * for await (const e of client.messages.stream(params)) if (e.type === "content_block_delta" && e.delta.type === "text_delta") process.stdout.write(e.delta.text);
 */
export type MessagesStreamEvent =
  | MessageStartEvent
  | ContentBlockStartEvent
  | ContentBlockDeltaEvent
  | ContentBlockStopEvent
  | MessageDeltaEvent
  | MessageStopEvent
  | PingEvent
  | MessagesErrorEvent
  | MessagesOtherEvent;
