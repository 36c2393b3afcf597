/**
 * The stand-in's chat completions on the wire: a reply becomes a generation (content, tool calls,
 * reasoning, deterministic usage and cost), then a JSON completion or an SSE stream shaped like
 * OpenRouter's (keep-alive comment, role/content deltas, tool-call deltas with id and name first, a
 * finish chunk, a usage chunk with `choices: []`, `data: [DONE]`), with the stream and status faults
 * applied.
 */
import { providerFor, type MockModel } from "./catalogue.js";
import type { FaultName, FaultOptions } from "./faults.js";
import type { ReplyObject } from "./replies.js";
import { costOf, countTokens, promptTokens } from "./usage.js";
import { errorBody, errorPlan, json, type WirePlan } from "./wire.js";

/** One answered chat request, before it is written out. */
export interface BuiltGeneration {
  id: string;
  created: number;
  model: string;
  provider: string;
  content: string | null;
  reasoning: string | undefined;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finishReason: string;
  usage: Record<string, unknown> & { prompt_tokens: number; completion_tokens: number; completion_tokens_details: { reasoning_tokens: number } };
  cost: number;
}

/** What the generation builder needs from the mock. */
export interface GenerationContext {
  /** The catalogue entry billing this model (undefined: unknown model accepted, billed as the default). */
  catalogue: MockModel | undefined;
  newGenerationId: () => string;
  newToolCallId: () => string;
  now: () => number;
}

/** Split text into word-sized pieces (each keeps its trailing space) so streams arrive visibly. */
function pieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** Split a string into about `n` fragments (tool-call arguments arrive in fragments). */
function fragments(text: string, n: number): string[] {
  if (text.length === 0) return [""];
  const size = Math.max(1, Math.ceil(text.length / n));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/**
 * The provider's own finish reason for a normalised one (Anthropic says `end_turn`, Google `STOP`).
 *
 * @example
 * nativeFinish("anthropic/claude-haiku-4.5", "tool_calls") // "tool_use"
 */
export function nativeFinish(model: string, finish: string): string {
  const author = model.split("/")[0];
  if (author === "anthropic") return { stop: "end_turn", tool_calls: "tool_use", length: "max_tokens" }[finish] ?? finish;
  if (author === "google") return { stop: "STOP", tool_calls: "STOP", length: "MAX_TOKENS" }[finish] ?? finish;
  return finish;
}

/**
 * Build the generation for a reply: text past `max_tokens` is cut (finish `length`); usage counts the
 * prompt, content, reasoning and tool calls; cost comes from the catalogue prices.
 *
 * @example
 * buildGeneration(body, "openai/gpt-4o-mini", { text: "Hi" }, ctx).usage.completion_tokens // 1
 */
export function buildGeneration(body: Record<string, unknown>, model: string, reply: ReplyObject, ctx: GenerationContext): BuiltGeneration {
  let content: string | null =
    reply.json !== undefined ? JSON.stringify(reply.json) : reply.text !== undefined ? reply.text : reply.toolCalls ? null : "";
  const toolCalls = (reply.toolCalls ?? []).map((c) => ({
    id: c.id ?? ctx.newToolCallId(),
    name: c.name,
    arguments: typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments ?? {}),
  }));
  let finishReason = reply.finishReason ?? (toolCalls.length > 0 ? "tool_calls" : "stop");
  const maxTokens = Number(body["max_completion_tokens"] ?? body["max_tokens"] ?? Infinity);
  const reasoningTokens = reply.reasoning ? countTokens(reply.reasoning) : 0;
  // Past max_tokens the text is cut, like a real model, and the finish becomes "length".
  if (content && Number.isFinite(maxTokens) && countTokens(content) + reasoningTokens > maxTokens) {
    const keep = Math.max(0, maxTokens - reasoningTokens);
    const tokens = content.match(/[\p{L}\p{N}_]+\s*|[^\s\p{L}\p{N}_]\s*|\s+/gu) ?? [];
    let kept = "";
    let n = 0;
    for (const t of tokens) {
      const c = countTokens(t);
      if (n + c > keep) break;
      kept += t;
      n += c;
    }
    content = kept.trimEnd();
    finishReason = "length";
  }
  const completion =
    countTokens(content ?? "") + reasoningTokens + toolCalls.reduce((s, c) => s + countTokens(c.name) + countTokens(c.arguments), 0);
  const prompt = promptTokens(body as { messages?: unknown; tools?: unknown });
  const { cost, promptCost, completionCost } = costOf(ctx.catalogue, prompt, completion);
  const usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    cost,
    is_byok: false,
    prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0, audio_tokens: 0, video_tokens: 0 },
    cost_details: {
      upstream_inference_cost: null,
      upstream_inference_prompt_cost: promptCost,
      upstream_inference_completions_cost: completionCost,
    },
    completion_tokens_details: { reasoning_tokens: reasoningTokens, image_tokens: 0, audio_tokens: 0 },
  };
  return {
    id: ctx.newGenerationId(),
    created: Math.floor(ctx.now() / 1000),
    model: ctx.catalogue?.id ?? model,
    provider: reply.provider ?? providerFor(model),
    content,
    reasoning: reply.reasoning,
    toolCalls,
    finishReason,
    usage,
    cost,
  };
}

/**
 * The `GET /generation` record of a generation.
 *
 * @example
 * generationRecord(g, true, "stop").total_cost === g.cost // true
 */
export function generationRecord(g: BuiltGeneration, streamed: boolean, finishReason: string, cancelled = false) {
  return {
    id: g.id,
    upstream_id: null,
    total_cost: g.cost,
    cache_discount: null,
    upstream_inference_cost: null,
    provider_name: g.provider,
    created_at: new Date(g.created * 1000).toISOString(),
    model: g.model,
    app_id: null,
    streamed,
    cancelled,
    // Fixed numbers: tests of latency reporting should not depend on the machine.
    latency: 120,
    moderation_latency: null,
    generation_time: 480,
    finish_reason: finishReason,
    native_finish_reason: nativeFinish(g.model, finishReason),
    tokens_prompt: g.usage.prompt_tokens,
    tokens_completion: g.usage.completion_tokens,
    native_tokens_prompt: g.usage.prompt_tokens,
    native_tokens_completion: g.usage.completion_tokens,
    native_tokens_reasoning: g.usage.completion_tokens_details.reasoning_tokens,
    native_tokens_cached: 0,
    num_media_prompt: null,
    num_media_completion: null,
    num_search_results: null,
    origin: "",
    usage: g.cost,
    is_byok: false,
    api_type: "completions",
  };
}

/**
 * The JSON body of a non-streamed completion.
 *
 * @example
 * json(200, completionJson(g)) // {"id":"gen-…","object":"chat.completion",…}
 */
export function completionJson(g: BuiltGeneration) {
  const message: Record<string, unknown> = {
    role: "assistant",
    content: g.content,
    refusal: null,
    reasoning: g.reasoning ?? null,
  };
  if (g.reasoning) message["reasoning_details"] = [{ type: "reasoning.text", text: g.reasoning, format: "unknown", index: 0 }];
  if (g.toolCalls.length > 0) {
    message["tool_calls"] = g.toolCalls.map((c, index) => ({
      id: c.id,
      type: "function",
      index,
      function: { name: c.name, arguments: c.arguments },
    }));
  }
  return {
    id: g.id,
    object: "chat.completion",
    created: g.created,
    model: g.model,
    provider: g.provider,
    system_fingerprint: null,
    choices: [
      { index: 0, logprobs: null, finish_reason: g.finishReason, native_finish_reason: nativeFinish(g.model, g.finishReason), message },
    ],
    usage: g.usage,
  };
}

/**
 * Response headers of a completion (JSON or SSE).
 *
 * @example
 * completionHeaders("gen-1-x", true)["content-type"] // "text/event-stream"
 */
export function completionHeaders(id: string, stream: boolean): Record<string, string> {
  return {
    ...(stream ? { "content-type": "text/event-stream", "cache-control": "no-cache" } : { "content-type": "application/json" }),
    "x-generation-id": id,
    "access-control-expose-headers": "X-Generation-Id",
  };
}

/** How a stream ended, for the generation record. */
export type StreamOutcome = { finishReason: string; cancelled: boolean };

/**
 * The SSE plan of a generation with the stream faults (`keepalive-comments`, `midstream-error`,
 * `truncate`) applied, and how it ends.
 *
 * @example
 * const { plan, outcome } = streamPlan(g, [], { sseComments: 1, chunkDelayMs: 0 });
 */
export function streamPlan(
  g: BuiltGeneration,
  faults: readonly FaultOptions[],
  options: { sseComments: number; chunkDelayMs: number },
): { plan: WirePlan; outcome: StreamOutcome } {
  const find = (name: FaultName) => faults.find((f) => f.fault === name);
  const keepalive = find("keepalive-comments");
  const midstream = find("midstream-error");
  const truncate = find("truncate");
  const base = { id: g.id, object: "chat.completion.chunk", created: g.created, model: g.model, provider: g.provider };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    ...base,
    choices: [
      {
        index: 0,
        delta: { role: "assistant", ...delta },
        finish_reason: finish,
        native_finish_reason: finish ? nativeFinish(g.model, finish) : null,
        logprobs: null,
      },
    ],
  });

  const events: unknown[] = [chunk({ content: "" })];
  if (g.reasoning) {
    for (const piece of pieces(g.reasoning)) {
      events.push(chunk({ content: "", reasoning: piece, reasoning_details: [{ type: "reasoning.text", text: piece, format: "unknown", index: 0 }] }));
    }
  }
  for (const piece of pieces(g.content ?? "")) events.push(chunk({ content: piece }));
  g.toolCalls.forEach((c, index) => {
    // By OpenAI convention, which OpenRouter passes on: id and name first, then argument fragments.
    events.push(chunk({ content: null, tool_calls: [{ index, id: c.id, type: "function", function: { name: c.name, arguments: "" } }] }));
    for (const frag of fragments(c.arguments, 3)) {
      events.push(chunk({ content: null, tool_calls: [{ index, function: { arguments: frag } }] }));
    }
  });

  const out: WirePlan["chunks"] = [];
  const delay = options.chunkDelayMs > 0 ? { delayMs: options.chunkDelayMs } : {};
  const comments = (n: number) => {
    for (let i = 0; i < n; i++) out.push({ text: ": OPENROUTER PROCESSING\n\n" });
  };
  const data = (value: unknown) => out.push({ text: `data: ${JSON.stringify(value)}\n\n`, ...delay });

  comments(options.sseComments + (keepalive ? (keepalive.count ?? 2) : 0));
  const cutAfter = midstream ?? truncate;
  const limit = cutAfter ? Math.min(events.length, 1 + (cutAfter.afterChunks ?? 2)) : events.length;
  for (let i = 0; i < limit; i++) {
    data(events[i]);
    if (keepalive && i < limit - 1) comments(keepalive.count ?? 2);
  }

  const headers = completionHeaders(g.id, true);
  if (truncate && !midstream) {
    return { plan: { status: 200, headers, chunks: out, end: truncate.mode ?? "close" }, outcome: { finishReason: "error", cancelled: true } };
  }
  if (midstream) {
    data({
      ...base,
      error: { code: 502, message: "Provider returned error", metadata: { error_type: "provider_unavailable", provider_name: g.provider } },
      choices: [{ index: 0, delta: { content: "" }, finish_reason: "error", native_finish_reason: "error", logprobs: null }],
    });
    out.push({ text: "data: [DONE]\n\n" });
    return { plan: { status: 200, headers, chunks: out, end: "close" }, outcome: { finishReason: "error", cancelled: false } };
  }
  data(chunk({ content: "" }, g.finishReason));
  if (keepalive) comments(1);
  data({ ...base, choices: [], usage: g.usage });
  out.push({ text: "data: [DONE]\n\n" });
  return { plan: { status: 200, headers, chunks: out, end: "close" }, outcome: { finishReason: g.finishReason, cancelled: false } };
}

/**
 * The plan of a status-level fault (429, 402, 524, 529, 200-with-error, reset before headers), or
 * undefined for faults that shape a stream or timing instead.
 *
 * @example
 * statusFault({ fault: "rate-limit-429", retryAfterSeconds: 2 }, {}, "openai/gpt-4o-mini", Date.now)?.status // 429
 */
export function statusFault(
  f: FaultOptions,
  body: Record<string, unknown> | undefined,
  model: string | undefined,
  now: () => number,
): WirePlan | undefined {
  const provider = model ? providerFor(model) : null;
  switch (f.fault) {
    case "reset-before-headers":
      return { status: 0, headers: {}, chunks: [], end: "reset", resetBeforeHeaders: true };
    case "rate-limit-429": {
      const seconds = f.retryAfterSeconds ?? 1;
      const reset = String(now() + seconds * 1000);
      const rl = { "X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset };
      return errorPlan(
        429,
        "Rate limit exceeded: free-models-per-min. ",
        { headers: rl, provider_name: null, error_type: "rate_limit_exceeded" },
        { "retry-after": String(seconds), "x-ratelimit-limit": "20", "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset },
      );
    }
    case "insufficient-credits-402": {
      const requested = Number(body?.["max_tokens"] ?? body?.["max_completion_tokens"] ?? 16384);
      const afford = f.affordableTokens ?? 100;
      return errorPlan(
        402,
        `This request requires more credits, or fewer max_tokens. You requested up to ${requested} tokens, but can only afford ${afford}. To increase, visit https://openrouter.ai/settings/credits and add more credits`,
        { error_type: "payment_required" },
      );
    }
    case "timeout-524":
      return errorPlan(524, "Provider timed out before responding", { error_type: "timeout", provider_name: provider });
    case "overloaded-529":
      return errorPlan(529, "Provider returned error", {
        error_type: "provider_overloaded",
        provider_name: provider,
        raw: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
      });
    case "error-200":
      return json(
        200,
        errorBody(502, "Provider returned error", {
          error_type: "provider_unavailable",
          provider_name: provider,
          raw: "upstream connection closed before a response was complete",
        }),
      );
    default:
      return undefined;
  }
}
