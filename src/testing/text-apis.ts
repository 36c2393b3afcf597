/**
 * The Responses (`POST /responses`) and Anthropic Messages (`POST /messages`) APIs in the stand-in. Their
 * requests are read as the equivalent chat request, so scripted replies, the default reply, usage and cost
 * work exactly as for chat; the generation is then written in each API's own JSON and event-stream shapes
 * (Responses: `data:`-only typed events ending in `response.completed` and `[DONE]`, as the recordings show;
 * Messages: Anthropic's `event:` + `data:` pairs with `ping`, ending in `message_stop` and OpenRouter's
 * `event: data` / `data: [DONE]`).
 */
import type { BuiltGeneration } from "./chat.js";
import type { MockStreamEvent } from "./sse-events.js";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The text APIs the stand-in answers with generated content. */
export type TextApi = "chat" | "responses" | "messages";

function textOfParts(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((p) => (isObject(p) ? (typeof p["text"] === "string" ? p["text"] : typeof p["content"] === "string" ? p["content"] : "") : ""))
    .filter(Boolean)
    .join("\n");
}

/**
 * The chat request equivalent to a Responses or Messages request (messages, tools, tool choice, limits,
 * reasoning, structured output), so the chat machinery can answer it.
 *
 * @example
 * chatBodyOf("responses", { model: "m", input: "Hi" }).messages // [{ role: "user", content: "Hi" }]
 */
export function chatBodyOf(api: TextApi, body: Json): Json {
  if (api === "chat") return body;
  const messages: Json[] = [];
  const out: Json = { model: body["model"], models: body["models"] };
  if (api === "responses") {
    if (typeof body["instructions"] === "string") messages.push({ role: "system", content: body["instructions"] });
    const input = body["input"];
    if (typeof input === "string") messages.push({ role: "user", content: input });
    for (const item of Array.isArray(input) ? input : []) {
      if (!isObject(item)) continue;
      if (item["type"] === "function_call_output") messages.push({ role: "tool", content: textOfParts(item["output"]), tool_call_id: String(item["call_id"] ?? "") });
      else if (typeof item["role"] === "string") messages.push({ role: item["role"], content: textOfParts(item["content"]) });
    }
    out["tools"] = (Array.isArray(body["tools"]) ? body["tools"] : [])
      .filter((t): t is Json => isObject(t) && t["type"] === "function")
      .map((t) => ({ type: "function", function: { name: t["name"], description: t["description"], parameters: t["parameters"] } }));
    const choice = body["tool_choice"];
    out["tool_choice"] = isObject(choice) && typeof choice["name"] === "string" ? { type: "function", function: { name: choice["name"] } } : choice;
    out["max_tokens"] = body["max_output_tokens"] ?? undefined;
    out["reasoning"] = body["reasoning"];
    const format = isObject(body["text"]) && isObject(body["text"]["format"]) ? body["text"]["format"] : undefined;
    if (format?.["type"] === "json_schema") out["response_format"] = { type: "json_schema", json_schema: { name: format["name"], schema: format["schema"] } };
    else if (format?.["type"] === "json_object") out["response_format"] = { type: "json_object" };
  } else {
    const system = body["system"];
    if (system !== undefined) messages.push({ role: "system", content: textOfParts(system) });
    for (const m of Array.isArray(body["messages"]) ? body["messages"] : []) {
      if (!isObject(m)) continue;
      const blocks = Array.isArray(m["content"]) ? (m["content"] as unknown[]).filter(isObject) : [];
      const results = blocks.filter((b) => b["type"] === "tool_result");
      if (results.length > 0) {
        for (const r of results) messages.push({ role: "tool", content: textOfParts(r["content"]), tool_call_id: String(r["tool_use_id"] ?? "") });
      } else messages.push({ role: m["role"], content: textOfParts(m["content"]) });
    }
    out["tools"] = (Array.isArray(body["tools"]) ? body["tools"] : [])
      .filter((t): t is Json => isObject(t) && typeof t["name"] === "string")
      .map((t) => ({ type: "function", function: { name: t["name"], description: t["description"], parameters: t["input_schema"] } }));
    const choice = body["tool_choice"];
    if (isObject(choice)) {
      out["tool_choice"] = choice["type"] === "tool" ? { type: "function", function: { name: choice["name"] } } : choice["type"] === "none" ? "none" : "auto";
    }
    out["max_tokens"] = body["max_tokens"];
    if (isObject(body["thinking"]) && body["thinking"]["type"] === "enabled") out["reasoning"] = {};
  }
  out["messages"] = messages;
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}

/** Split text into word-sized deltas (each keeps its trailing space), like the chat stream. */
function pieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function fragments(text: string, n: number): string[] {
  if (text.length === 0) return [];
  const size = Math.max(1, Math.ceil(text.length / n));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function idTail(g: BuiltGeneration, index: number): string {
  return `${g.id.replace(/^gen-/, "").replace(/[^A-Za-z0-9]/g, "")}${index}`;
}

function responsesUsage(g: BuiltGeneration) {
  const details = g.usage["cost_details"] as Json;
  return {
    input_tokens: g.usage.prompt_tokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: g.usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: g.usage.completion_tokens_details.reasoning_tokens },
    total_tokens: g.usage.prompt_tokens + g.usage.completion_tokens,
    cost: g.cost,
    is_byok: false,
    cost_details: {
      upstream_inference_cost: null,
      upstream_inference_input_cost: details["upstream_inference_prompt_cost"],
      upstream_inference_output_cost: details["upstream_inference_completions_cost"],
    },
  };
}

function responsesOutput(g: BuiltGeneration): Json[] {
  const output: Json[] = [];
  if (g.reasoning) output.push({ type: "reasoning", id: `rs_${idTail(g, 0)}`, summary: [], content: [{ type: "reasoning_text", text: g.reasoning }] });
  if (g.content !== null && (g.content !== "" || g.toolCalls.length === 0)) {
    output.push({ type: "message", id: `msg_${idTail(g, 1)}`, role: "assistant", status: "completed", content: [{ type: "output_text", text: g.content, annotations: [] }] });
  }
  g.toolCalls.forEach((c, i) => {
    output.push({ type: "function_call", id: `fc_${idTail(g, 2 + i)}`, call_id: c.id, name: c.name, arguments: c.arguments, status: "completed" });
  });
  return output;
}

/**
 * The Responses object of a generation (`status` `completed`, or `incomplete` when cut at `max_output_tokens`).
 *
 * @example
 * responsesJson(g, body).output_text // "Hi"
 */
export function responsesJson(g: BuiltGeneration, body: Json, status?: string): Json {
  const incomplete = g.finishReason === "length";
  return {
    object: "response",
    id: g.id,
    created_at: g.created,
    completed_at: status === "in_progress" ? null : g.created,
    model: g.model,
    status: status ?? (incomplete ? "incomplete" : "completed"),
    output: status === "in_progress" ? [] : responsesOutput(g),
    output_text: status === "in_progress" ? "" : (g.content ?? ""),
    error: null,
    incomplete_details: incomplete && status !== "in_progress" ? { reason: "max_output_tokens" } : null,
    max_output_tokens: typeof body["max_output_tokens"] === "number" ? body["max_output_tokens"] : null,
    temperature: typeof body["temperature"] === "number" ? body["temperature"] : null,
    tools: Array.isArray(body["tools"]) ? body["tools"] : [],
    tool_choice: body["tool_choice"] ?? "auto",
    parallel_tool_calls: true,
    store: false,
    background: false,
    previous_response_id: null,
    metadata: isObject(body["metadata"]) ? body["metadata"] : {},
    ...(status === "in_progress" ? {} : { usage: responsesUsage(g) }),
  };
}

/**
 * The Responses stream of a generation, as events: `response.created`, `response.in_progress`, then per
 * output item `output_item.added`, its deltas (`reasoning_text.delta`, `output_text.delta`,
 * `function_call_arguments.delta`) and `.done` events, then `response.completed` and `[DONE]`.
 * `trailing` counts the ending events a truncation drops.
 *
 * @example
 * responsesEvents(g, body).events[0] // { data: { type: "response.created", … } }
 */
export function responsesEvents(g: BuiltGeneration, body: Json): { events: MockStreamEvent[]; trailing: number } {
  const events: MockStreamEvent[] = [];
  let seq = 0;
  const emit = (type: string, fields: Json) => events.push({ data: { type, ...fields, sequence_number: seq++ } });
  emit("response.created", { response: responsesJson(g, body, "in_progress") });
  emit("response.in_progress", { response: responsesJson(g, body, "in_progress") });
  responsesOutput(g).forEach((item, output_index) => {
    const item_id = String(item["id"]);
    if (item["type"] === "reasoning") {
      emit("response.output_item.added", { output_index, item: { type: "reasoning", id: item_id, summary: [] } });
      emit("response.content_part.added", { item_id, output_index, content_index: 0, part: { type: "reasoning_text", text: "" } });
      for (const delta of pieces(g.reasoning ?? "")) emit("response.reasoning_text.delta", { output_index, item_id, content_index: 0, delta });
      emit("response.reasoning_text.done", { output_index, item_id, content_index: 0, text: g.reasoning });
      emit("response.content_part.done", { item_id, output_index, content_index: 0, part: { type: "reasoning_text", text: g.reasoning } });
    } else if (item["type"] === "message") {
      emit("response.output_item.added", { output_index, item: { type: "message", id: item_id, role: "assistant", status: "in_progress", content: [] } });
      emit("response.content_part.added", { item_id, output_index, content_index: 0, part: { type: "output_text", annotations: [], text: "" } });
      for (const delta of pieces(g.content ?? "")) emit("response.output_text.delta", { logprobs: [], output_index, item_id, content_index: 0, delta });
      emit("response.output_text.done", { item_id, output_index, content_index: 0, text: g.content, logprobs: [] });
      emit("response.content_part.done", { item_id, output_index, content_index: 0, part: { type: "output_text", annotations: [], text: g.content } });
    } else {
      emit("response.output_item.added", { output_index, item: { ...item, arguments: "", status: "in_progress" } });
      for (const delta of fragments(String(item["arguments"]), 3)) emit("response.function_call_arguments.delta", { item_id, output_index, delta });
      emit("response.function_call_arguments.done", { item_id, output_index, name: item["name"], arguments: item["arguments"] });
    }
    emit("response.output_item.done", { output_index, item });
  });
  emit(g.finishReason === "length" ? "response.incomplete" : "response.completed", { response: responsesJson(g, body) });
  events.push({ raw: "data: [DONE]\n\n" });
  return { events, trailing: 2 };
}

const STOP_REASONS: Record<string, string> = { stop: "end_turn", tool_calls: "tool_use", length: "max_tokens" };

function messagesUsage(g: BuiltGeneration) {
  return {
    input_tokens: g.usage.prompt_tokens,
    output_tokens: g.usage.completion_tokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cost: g.cost,
    is_byok: false,
    cost_details: g.usage["cost_details"],
  };
}

function messagesContent(g: BuiltGeneration): Json[] {
  const content: Json[] = [];
  if (g.reasoning) content.push({ type: "thinking", thinking: g.reasoning, signature: `sig_${idTail(g, 0)}` });
  if (g.content !== null && (g.content !== "" || g.toolCalls.length === 0)) content.push({ type: "text", text: g.content });
  g.toolCalls.forEach((c, i) => {
    let input: unknown = {};
    try {
      input = JSON.parse(c.arguments);
    } catch {
      input = {};
    }
    content.push({ type: "tool_use", id: `toolu_${idTail(g, 2 + i)}`, name: c.name, input });
  });
  return content;
}

/**
 * The Anthropic Messages object of a generation.
 *
 * @example
 * messagesJson(g).stop_reason // "end_turn"
 */
export function messagesJson(g: BuiltGeneration): Json {
  return {
    id: g.id,
    type: "message",
    role: "assistant",
    model: g.model,
    provider: g.provider,
    content: messagesContent(g),
    stop_reason: STOP_REASONS[g.finishReason] ?? g.finishReason,
    stop_sequence: null,
    usage: messagesUsage(g),
  };
}

/**
 * The Messages stream of a generation: `message_start`, `ping`, per content block `content_block_start`,
 * its deltas (`thinking_delta` + `signature_delta`, `text_delta`, `input_json_delta`) and
 * `content_block_stop`, then `message_delta` (stop reason and usage with cost), `message_stop` and
 * OpenRouter's closing `event: data` / `data: [DONE]`.
 *
 * @example
 * messagesEvents(g).events[0] // { event: "message_start", data: { type: "message_start", … } }
 */
export function messagesEvents(g: BuiltGeneration): { events: MockStreamEvent[]; trailing: number } {
  const events: MockStreamEvent[] = [];
  const emit = (type: string, fields: Json) => events.push({ event: type, data: { type, ...fields } });
  const start = { ...messagesJson(g), content: [], stop_reason: null, usage: { input_tokens: g.usage.prompt_tokens, output_tokens: 0 } };
  emit("message_start", { message: start });
  emit("ping", {});
  messagesContent(g).forEach((block, index) => {
    if (block["type"] === "thinking") {
      emit("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } });
      for (const thinking of pieces(String(block["thinking"]))) emit("content_block_delta", { index, delta: { type: "thinking_delta", thinking } });
      emit("content_block_delta", { index, delta: { type: "signature_delta", signature: block["signature"] } });
    } else if (block["type"] === "text") {
      emit("content_block_start", { index, content_block: { type: "text", text: "" } });
      for (const text of pieces(String(block["text"]))) emit("content_block_delta", { index, delta: { type: "text_delta", text } });
    } else {
      emit("content_block_start", { index, content_block: { ...block, input: {} } });
      for (const partial_json of fragments(JSON.stringify(block["input"]), 3)) {
        emit("content_block_delta", { index, delta: { type: "input_json_delta", partial_json } });
      }
    }
    emit("content_block_stop", { index });
  });
  emit("message_delta", { delta: { stop_reason: messagesJson(g)["stop_reason"], stop_sequence: null }, usage: messagesUsage(g) });
  emit("message_stop", {});
  events.push({ raw: "event: data\ndata: [DONE]\n\n" });
  return { events, trailing: 3 };
}
