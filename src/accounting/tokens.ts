/**
 * Fast token estimates and context-window checks, with no tokenizer download.
 *
 * OpenRouter counts tokens with each model's native tokenizer, which this module cannot reproduce. The
 * estimate is a character heuristic (about four characters per token for Latin text, one token per CJK
 * character) plus a fixed overhead per message, per tool definition and per image. Its measured error
 * against the recorded `usage.prompt_tokens` is in docs/money-and-routing.md ("Token estimates") (test/tokens.test.ts
 * prints it), so callers can decide how much head-room to leave.
 */
import { InvalidArgumentError } from "../core/errors.js";
import type { components } from "../generated/openrouter.js";
import { quote } from "../internal/quote.js";

type Model = components["schemas"]["Model"];
type ChatMessage = components["schemas"]["ChatMessage"];
type Tool = components["schemas"]["Tool"];

/** What {@link estimateTokens} accepts: text, one message, messages, or a request-like object. */
export type TokenInput =
  | string
  | ChatMessage
  | readonly ChatMessage[]
  | { messages: readonly ChatMessage[]; tools?: readonly Tool[] | null | undefined; response_format?: unknown };

/** Tuning knobs for {@link estimateTokens}; the defaults were fitted to the recorded fixtures. */
export interface EstimateOptions {
  /**
   * The model's `architecture.tokenizer` ("GPT", "Claude", "Gemini", …). Anthropic models add a long hidden
   * system prompt when tools are sent, which the estimate accounts for when this is "Claude".
   */
  tokenizer?: string | null | undefined;
  /** Characters per token for Latin-script text. Default 4. */
  charsPerToken?: number;
}

// Constants fitted against test/fixtures/recorded (see the report test in test/tokens.test.ts). Providers wrap
// prompts differently, so a few overheads depend on the tokenizer family named in the catalogue.
interface Profile {
  perRequest: number; // priming/separator tokens once per prompt
  perMessage: number; // role markers per message
  perTool: number; // wrapper around each function definition
  toolPreamble: number; // hidden system prompt added when tools are sent
  schemaPreamble: number; // hidden instructions added for response_format json_schema
  reasoningPreamble: number; // hidden instructions added when reasoning/thinking is on
  toolScale: number; // how densely the provider encodes tool schemas relative to plain text
}
const DEFAULT_PROFILE: Profile = {
  perRequest: 3, perMessage: 4, perTool: 8, toolPreamble: 8, schemaPreamble: 30, reasoningPreamble: 0, toolScale: 1,
};
const PROFILES: Record<string, Profile> = {
  claude: { ...DEFAULT_PROFILE, perRequest: 8, toolPreamble: 560, schemaPreamble: 150, reasoningPreamble: 30 },
  // Gemini bills function declarations far below their text size (see the gemini tool-call fixtures).
  gemini: { ...DEFAULT_PROFILE, perRequest: 1, toolPreamble: 0, perTool: 4, toolScale: 0.7 },
};
function profileFor(tokenizer: string | null | undefined): Profile {
  const t = (tokenizer ?? "").toLowerCase();
  if (t.includes("claude") || t.includes("anthropic")) return PROFILES["claude"]!;
  if (t.includes("gemini") || t.includes("gemma")) return PROFILES["gemini"]!;
  return DEFAULT_PROFILE;
}
const CHARS_PER_TOKEN = 4;
const IMAGE_TOKENS = 765; // a mid-size image on OpenAI's tiling scheme; other providers are similar in magnitude
const FILE_TOKENS = 1000; // PDFs and other files: unknown until parsed, so a round placeholder
const AUDIO_TOKENS = 500;

// CJK, kana and hangul are usually one token per character (or more); counting them at 4 chars/token would
// under-estimate those prompts by 4x.
const WIDE = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/g;

function textTokens(text: string, charsPerToken: number): number {
  if (text.length === 0) return 0;
  const wide = text.match(WIDE)?.length ?? 0;
  return Math.ceil((text.length - wide) / charsPerToken) + wide;
}

function partTokens(part: unknown, cpt: number): number {
  if (typeof part === "string") return textTokens(part, cpt);
  if (part === null || typeof part !== "object") return 0;
  const p = part as { type?: unknown; text?: unknown };
  switch (p.type) {
    case "text":
      return typeof p.text === "string" ? textTokens(p.text, cpt) : 0;
    case "image_url":
      return IMAGE_TOKENS;
    case "input_audio":
      return AUDIO_TOKENS;
    case "file":
    case "video_url":
    case "input_video":
      return FILE_TOKENS;
    default:
      return textTokens(JSON.stringify(part), cpt);
  }
}

function contentTokens(content: unknown, cpt: number): number {
  if (content === null || content === undefined) return 0;
  if (typeof content === "string") return textTokens(content, cpt);
  if (Array.isArray(content)) return content.reduce((n: number, part) => n + partTokens(part, cpt), 0);
  return textTokens(JSON.stringify(content), cpt);
}

function messageTokens(message: unknown, cpt: number, profile: Profile): number {
  if (message === null || typeof message !== "object") {
    throw new InvalidArgumentError(`estimateTokens(): each message must be an object with a role; got ${quote(message)}.`);
  }
  const m = message as { content?: unknown; name?: unknown; tool_calls?: unknown };
  let n = profile.perMessage + contentTokens(m.content, cpt);
  if (typeof m.name === "string") n += textTokens(m.name, cpt);
  if (Array.isArray(m.tool_calls)) {
    for (const call of m.tool_calls as Array<{ function?: { name?: unknown; arguments?: unknown } }>) {
      n += profile.perMessage;
      if (typeof call.function?.name === "string") n += textTokens(call.function.name, cpt);
      if (typeof call.function?.arguments === "string") n += textTokens(call.function.arguments, cpt);
    }
  }
  return n;
}

// Providers render tool schemas compactly (OpenAI as TypeScript-like signatures), not as raw JSON, so
// count the words a schema carries (names, descriptions, types, enum values) instead of its JSON text.
const SCHEMA_NOISE = new Set(["additionalProperties", "properties", "required", "items", "strict", "$schema"]);
function schemaWords(value: unknown, out: string[]): void {
  if (typeof value === "string") out.push(value);
  else if (typeof value === "number" || typeof value === "boolean") out.push(String(value));
  else if (Array.isArray(value)) for (const v of value) schemaWords(v, out);
  else if (value !== null && typeof value === "object") {
    for (const [key, v] of Object.entries(value)) {
      if (!SCHEMA_NOISE.has(key) && key !== "type" && key !== "description") out.push(key);
      if (key === "type" && v === "object") continue;
      schemaWords(v, out);
    }
  }
}

function toolsTokens(tools: readonly unknown[], cpt: number, profile: Profile): number {
  if (tools.length === 0) return 0;
  let n = profile.toolPreamble;
  for (const tool of tools) {
    const words: string[] = [];
    schemaWords((tool as { function?: unknown }).function ?? tool, words);
    n += profile.perTool + Math.ceil(textTokens(words.join(" "), cpt) * profile.toolScale);
  }
  return n;
}

function reasoningOn(req: { reasoning?: unknown; reasoning_effort?: unknown; model?: unknown }): boolean {
  if (typeof req.model === "string" && req.model.endsWith(":thinking")) return true;
  const r = req.reasoning as { effort?: unknown; enabled?: unknown; max_tokens?: unknown } | null | undefined;
  if (r && typeof r === "object") return r.enabled !== false && r.effort !== "none";
  return typeof req.reasoning_effort === "string" && req.reasoning_effort !== "none";
}

/**
 * Approximates the prompt tokens of text, a message, a message list or a request (`{messages, tools?,
 * response_format?, reasoning?}`). Cheap enough to call before every request; never exact (see the module
 * comment). Pass the model's `architecture.tokenizer` for provider-specific overheads.
 *
 * @throws InvalidArgumentError for input that is none of the accepted shapes.
 * @example
 * estimateTokens("Hello, world");                              // 3
 * estimateTokens([{ role: "user", content: "What's 2 + 2?" }]); // 11
 * estimateTokens({ messages, tools }, { tokenizer: "Claude" });
 */
export function estimateTokens(input: TokenInput, options: EstimateOptions = {}): number {
  const cpt = options.charsPerToken ?? CHARS_PER_TOKEN;
  if (!(cpt > 0) || !Number.isFinite(cpt)) {
    throw new InvalidArgumentError(`estimateTokens(): charsPerToken must be a positive number; got ${String(options.charsPerToken)}.`);
  }
  const profile = profileFor(options.tokenizer);
  if (typeof input === "string") return textTokens(input, cpt);
  if (Array.isArray(input)) {
    return profile.perRequest + (input as readonly unknown[]).reduce((n: number, m) => n + messageTokens(m, cpt, profile), 0);
  }
  if (input === null || typeof input !== "object") {
    throw new InvalidArgumentError(`estimateTokens() expects text, a message, messages or {messages}; got ${input === null ? "null" : typeof input}.`);
  }
  if ("messages" in input && Array.isArray(input.messages)) {
    const req = input as { messages: readonly unknown[]; tools?: unknown; response_format?: unknown };
    let n = estimateTokens(req.messages as readonly ChatMessage[], options);
    if (Array.isArray(req.tools)) n += toolsTokens(req.tools, cpt, profile);
    const rf = req.response_format as { type?: unknown; json_schema?: { schema?: unknown; name?: unknown } } | null | undefined;
    // Structured-output schemas are injected into the prompt by most providers.
    if (rf && rf.type === "json_schema" && rf.json_schema) {
      const words: string[] = [];
      schemaWords(rf.json_schema.schema, words);
      n += profile.schemaPreamble + textTokens(words.join(" "), cpt);
    }
    if (reasoningOn(input as { reasoning?: unknown })) n += profile.reasoningPreamble;
    return n;
  }
  if ("role" in input) return messageTokens(input, cpt, profile);
  throw new InvalidArgumentError("estimateTokens() expects text, a message ({role, content}), messages, or {messages}.");
}

/** The verdict of {@link fitsContext}. */
export interface ContextFit {
  /** False when the estimated prompt plus the requested completion cannot fit. */
  fits: boolean;
  /** Estimated prompt tokens. */
  promptTokens: number;
  /** The context window (tokens) used for the check. */
  limit: number | undefined;
  /** The completion budget the check assumed (`maxTokens`, else 0). */
  maxTokens: number;
  /** The largest completion the top provider allows, when known. */
  maxCompletionTokens: number | undefined;
  /** Why it does not fit (or `undefined` when it fits). */
  reason: string | undefined;
}

type ModelLimits = Pick<Model, "id" | "context_length" | "top_provider">;

/**
 * Checks, before sending, whether a prompt plus `maxTokens` of completion fits the model's context window
 * (`context_length`, or the top provider's smaller window) and whether `maxTokens` exceeds
 * `top_provider.max_completion_tokens`. Uses {@link estimateTokens}, so borderline prompts can go either way;
 * `safetyFactor` < 1 leaves head-room (0.9 = reject above 90% of the window).
 *
 * @example
 * const model = await client.models.get("openai/gpt-4o-mini");
 * const fit = fitsContext(model!, messages, 1000);
 * if (!fit.fits) console.warn(fit.reason);
 */
export function fitsContext(
  model: ModelLimits,
  messages: TokenInput,
  maxTokens?: number | null,
  options: EstimateOptions & { safetyFactor?: number } = {},
): ContextFit {
  if (model === null || typeof model !== "object") throw new InvalidArgumentError("fitsContext(): model must be a catalogue Model.");
  if (maxTokens !== undefined && maxTokens !== null && (!Number.isInteger(maxTokens) || maxTokens < 0)) {
    throw new InvalidArgumentError(`fitsContext(): maxTokens must be a non-negative integer; got ${String(maxTokens)}.`);
  }
  const safety = options.safetyFactor ?? 1;
  if (!(safety > 0 && safety <= 1)) throw new InvalidArgumentError(`fitsContext(): safetyFactor must be in (0, 1]; got ${safety}.`);
  const promptTokens = estimateTokens(messages, options);
  const completion = maxTokens ?? 0;
  const top = model.top_provider ?? undefined;
  const windows = [model.context_length, top?.context_length].filter(
    (n): n is number => typeof n === "number" && Number.isFinite(n) && n > 0,
  );
  const limit = windows.length > 0 ? Math.min(...windows) : undefined;
  const maxCompletion = typeof top?.max_completion_tokens === "number" && top.max_completion_tokens > 0
    ? top.max_completion_tokens
    : undefined;
  const base = { promptTokens, limit, maxTokens: completion, maxCompletionTokens: maxCompletion };
  if (maxCompletion !== undefined && completion > maxCompletion) {
    return {
      ...base,
      fits: false,
      reason: `max_tokens ${completion} exceeds ${model.id}'s largest completion of ${maxCompletion} tokens.`,
    };
  }
  if (limit !== undefined && promptTokens + completion > Math.floor(limit * safety)) {
    const room = safety < 1 ? ` (${Math.round(safety * 100)}% of ${limit})` : "";
    return {
      ...base,
      fits: false,
      reason:
        `about ${promptTokens} prompt tokens + ${completion} completion tokens exceed ${model.id}'s context window ` +
        `of ${Math.floor(limit * safety)} tokens${room}.`,
    };
  }
  return { ...base, fits: true, reason: undefined };
}
