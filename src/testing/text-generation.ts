/**
 * The stand-in's generating side: scripted scenarios, queued and global faults, model resolution, usage and
 * cost bookkeeping, shared by every API that generates text (chat completions, Responses, Messages) and by
 * embeddings. The request handler (mock-handler.ts) decides which API a request is for; this module answers
 * it and remembers what it served (generations, their content, the total cost).
 */
import { findModel, type MockModel } from "./catalogue.js";
import { buildGeneration, completionHeaders, completionJson, generationRecord, statusFault, streamPlan, type BuiltGeneration } from "./chat.js";
import { normaliseFault, type FaultName, type FaultOptions, type FaultSpec } from "./faults.js";
import { embeddingsBody } from "./endpoints.js";
import { idGenerator } from "./ids.js";
import { defaultReply, normaliseReply, textOf, type MockChatRequest, type MockReply, type MockScenario, type ReplyObject } from "./replies.js";
import { eventStreamPlan, type MockStreamEvent } from "./sse-events.js";
import { chatBodyOf, messagesEvents, messagesJson, responsesEvents, responsesJson, type TextApi } from "./text-apis.js";
import { promptTokens } from "./usage.js";
import { errorBody, errorPlan, json, type WirePlan } from "./wire.js";

/** A generation the mock served, as `GET /generation` reports it. */
export type MockGeneration = Record<string, unknown> & { id: string; total_cost: number };

/** What the engine needs from the mock's options. */
export interface TextEngineConfig {
  scenarios: MockScenario[];
  faults: FaultSpec[];
  models: MockModel[];
  unknownModels: "reject" | "accept" | undefined;
  defaultModel: string;
  sseComments: number;
  chunkDelayMs: number;
  now: () => number;
  seed: number;
  /** The saved settings of a preset (`model: "@preset/<slug>"`), undefined when there is no such preset. */
  presetConfig?: (slug: string) => Record<string, unknown> | undefined;
}

/** The stored prompt and output of a generation (`GET /generation/content`). */
interface StoredContent {
  messages: unknown[];
  completion: string | null;
  reasoning: string | null;
}

/**
 * The engine of one stand-in.
 *
 * @example
 * const engine = createTextEngine({ scenarios: [], faults: [], models: BUILTIN_MODELS, … });
 * await engine.answer("chat", request, body, [], []);
 */
export function createTextEngine(cfg: TextEngineConfig) {
  const { now, models, defaultModel } = cfg;
  const ids = idGenerator(cfg.seed, now);
  const scenarios = cfg.scenarios.map((s, i) => {
    if (!s || typeof s !== "object") throw new TypeError(`createMockOpenRouter: scenarios[${i}] must be an object`);
    if (Array.isArray(s.reply)) s.reply.forEach((r, j) => normaliseReply(r, `scenarios[${i}].reply[${j}]`));
    else if (s.reply !== undefined && typeof s.reply !== "function") normaliseReply(s.reply, `scenarios[${i}].reply`);
    return { scenario: s, used: 0, faults: (s.faults ?? []).map(normaliseFault) };
  });
  const globalFaults: FaultOptions[] = cfg.faults.map(normaliseFault);
  let queuedFaults: FaultOptions[] = [];
  const generations = new Map<string, MockGeneration>();
  const contents = new Map<string, StoredContent>();
  let totalCost = 0;
  let chatCount = 0;
  const modelFor = (id: string) => findModel(models, id);

  function takeFaults(list: FaultOptions[], out: FaultOptions[]) {
    for (const f of list) {
      if (f.times !== undefined && f.times <= 0) continue;
      if (f.times !== undefined) f.times -= 1;
      out.push(f);
    }
  }

  function remember(g: BuiltGeneration, messages: unknown[], streamed: boolean, finishReason: string, cancelled = false) {
    generations.set(g.id, generationRecord(g, streamed, finishReason, cancelled));
    contents.set(g.id, { messages, completion: g.content, reasoning: g.reasoning ?? null });
    totalCost += g.cost;
  }

  /** `chatBody` is the request read as chat, which the default reply understands. */
  async function scenarioReply(req: MockChatRequest, chatBody: Record<string, unknown>): Promise<{ reply: ReplyObject; faults: FaultOptions[] }> {
    for (const entry of scenarios) {
      const s = entry.scenario;
      if (s.api !== undefined && s.api !== req.api) continue;
      if (s.model !== undefined && !(typeof s.model === "string" ? s.model === req.model : s.model.test(req.model))) continue;
      if (s.match && !s.match(req)) continue;
      const faults: FaultOptions[] = [];
      takeFaults(entry.faults, faults);
      let reply: MockReply | undefined;
      if (typeof s.reply === "function") reply = await s.reply(req);
      else if (Array.isArray(s.reply)) reply = s.reply[Math.min(entry.used, s.reply.length - 1)];
      else reply = s.reply;
      entry.used += 1;
      return { reply: reply === undefined ? defaultReply(chatBody, req.model) : normaliseReply(reply, "scenario reply"), faults };
    }
    return { reply: defaultReply(chatBody, req.model), faults: [] };
  }

  function resolveModel(body: Record<string, unknown>): string | { unknown: string } {
    const requested = typeof body["model"] === "string" ? body["model"] : undefined;
    const fallbacks = Array.isArray(body["models"]) ? (body["models"] as unknown[]).filter((m): m is string => typeof m === "string") : [];
    const candidates = [...(requested ? [requested] : []), ...fallbacks];
    if (candidates.length === 0) return defaultModel;
    const scenarioModels = (id: string) =>
      scenarios.some(({ scenario: s }) => s.model !== undefined && (typeof s.model === "string" ? s.model === id : s.model.test(id)));
    for (const id of candidates) {
      // A scenario naming the id itself wins (a test scripting "@preset/x"); otherwise a preset named as the model
      // answers with the preset's model (the account's default when it names none).
      if (scenarioModels(id)) return id;
      const preset = /^@preset\/(.+)$/.exec(id);
      const config = preset ? cfg.presetConfig?.(preset[1]!) : undefined;
      if (config) return typeof config["model"] === "string" ? config["model"] : defaultModel;
      if (modelFor(id) || scenarioModels(id) || cfg.unknownModels === "accept") return id;
    }
    return { unknown: candidates[0]! };
  }

  /** Faults that change timing or framing of any plan: slow first byte and whitespace padding. */
  function withTimingFaults(plan: WirePlan, faults: FaultOptions[]): WirePlan {
    const slow = faults.find((f) => f.fault === "slow-first-byte");
    if (slow) plan.firstByteDelayMs = slow.delayMs ?? 1000;
    const pad = faults.find((f) => f.fault === "whitespace-padding");
    if (pad && plan.headers["content-type"]?.startsWith("application/json")) {
      // OpenRouter writes "\n" plus spaces while the model works, before the JSON itself.
      plan.chunks.unshift({ text: "\n         \n".repeat(pad.count ?? 3) });
    }
    return plan;
  }

  /** An error in the API's own envelope (Messages has Anthropic's; the others OpenRouter's). */
  function apiError(api: TextApi, status: number, message: string, metadata?: Record<string, unknown>, headers?: Record<string, string>): WirePlan {
    if (api !== "messages") return errorPlan(status, message, metadata, headers);
    const type = status === 400 ? "invalid_request_error" : status === 401 ? "authentication_error" : status === 429 ? "rate_limit_error" : "api_error";
    const errorType = typeof metadata?.["error_type"] === "string" ? { error_type: metadata["error_type"] } : {};
    return json(status, { type: "error", error: { type, message, ...errorType }, request_id: null }, headers);
  }

  /**
   * Answer a text-generating request of `api` (its JSON body already validated): resolve the model, pick the
   * scripted or default reply, apply faults, and write the API's JSON or event stream.
   */
  async function answer(api: TextApi, request: Request, body: Record<string, unknown>, headerFaults: FaultOptions[], seen: FaultName[]): Promise<WirePlan> {
    if (api === "responses" && (body["store"] === true || (body["previous_response_id"] ?? null) !== null)) {
      // The Responses endpoint is stateless: nothing is stored, so nothing can be continued.
      return errorPlan(400, "The Responses API is stateless: store and previous_response_id are not supported", { error_type: "invalid_request" });
    }
    const chatBody = chatBodyOf(api, body);
    const resolved = resolveModel(chatBody);
    if (typeof resolved !== "string") {
      return apiError(api, 400, `${resolved.unknown} is not a valid model ID`, { error_type: "invalid_request" });
    }
    const model = resolved;
    const catalogue = modelFor(model);
    const prompt = promptTokens(chatBody as { messages?: unknown; tools?: unknown });
    if (catalogue && prompt > catalogue.context_length) {
      return apiError(
        api,
        400,
        `This endpoint's maximum context length is ${catalogue.context_length} tokens. However, you requested about ${prompt} tokens (${prompt} of text input). Please reduce the length of either one, or use the context-compression plugin to compress your prompt automatically.`,
        { error_type: "context_length_exceeded", provider_name: null },
      );
    }
    chatCount += 1;
    const messages = (Array.isArray(chatBody["messages"]) ? chatBody["messages"] : []) as Array<Record<string, unknown>>;
    const lastUser = [...messages].reverse().find((m) => m["role"] === "user");
    const req: MockChatRequest = { body, model, headers: request.headers, lastUserText: textOf(lastUser?.["content"]), index: chatCount, api };
    const { reply, faults: scenarioFaults } = await scenarioReply(req, chatBody);

    const faults: FaultOptions[] = [];
    takeFaults(globalFaults, faults);
    takeFaults(queuedFaults, faults);
    queuedFaults = queuedFaults.filter((f) => f.times === undefined || f.times > 0);
    faults.push(...scenarioFaults, ...headerFaults);
    seen.push(...faults.map((f) => f.fault));

    for (const f of faults) {
      const plan = statusFault(f, chatBody, model, now);
      if (plan) return withTimingFaults(api === "messages" && plan.status >= 400 ? messagesStatusFault(plan) : plan, faults);
    }
    if (reply.error) {
      const e = reply.error;
      const plan = api === "messages" ? apiError(api, e.status, e.message, e.metadata, e.headers) : json(e.status, errorBody(e.code ?? e.status, e.message, e.metadata), e.headers ?? {});
      return withTimingFaults(plan, faults);
    }
    const g = buildGeneration(chatBody, model, reply, {
      catalogue: modelFor(model) ?? modelFor(defaultModel),
      newGenerationId: () => ids.generation(),
      newToolCallId: () => ids.toolCall(),
      now,
    });
    if (body["stream"] === true) {
      if (api === "chat") {
        const { plan, outcome } = streamPlan(g, faults, { sseComments: cfg.sseComments, chunkDelayMs: cfg.chunkDelayMs });
        stallChat(plan, faults);
        remember(g, messages, true, outcome.finishReason, outcome.cancelled);
        return withTimingFaults(plan, faults);
      }
      const generated = api === "responses" ? responsesEvents(g, body) : messagesEvents(g);
      const scripted = reply.events !== undefined;
      const events: MockStreamEvent[] = reply.events ?? generated.events;
      const { plan, cut } = eventStreamPlan(events, faults, {
        api,
        headers: completionHeaders(g.id, true),
        sseComments: cfg.sseComments,
        chunkDelayMs: cfg.chunkDelayMs,
        trailingEvents: scripted ? 0 : generated.trailing,
        scripted,
      });
      remember(g, messages, true, cut ? "error" : g.finishReason, cut);
      return withTimingFaults(plan, faults);
    }
    remember(g, messages, false, g.finishReason);
    const out = api === "chat" ? completionJson(g) : api === "responses" ? responsesJson(g, body) : messagesJson(g);
    return withTimingFaults(json(200, out, completionHeaders(g.id, false)), faults);
  }

  /** `stall` on a chat stream: the pause goes before the content chunk after `afterChunks` of them. */
  function stallChat(plan: WirePlan, faults: FaultOptions[]) {
    const stall = faults.find((f) => f.fault === "stall");
    if (!stall) return;
    // Data chunk 0 is the role chunk; content chunks follow it.
    const target = 1 + (stall.afterChunks ?? 2);
    const chunk = plan.chunks.filter((c) => c.text.startsWith("data: "))[target];
    if (chunk) chunk.delayMs = (chunk.delayMs ?? 0) + (stall.delayMs ?? 30_000);
  }

  /** A status fault's OpenRouter envelope rewritten into Messages' envelope (same status and headers). */
  function messagesStatusFault(plan: WirePlan): WirePlan {
    let message = "Provider returned error";
    let metadata: Record<string, unknown> | undefined;
    try {
      const parsed = JSON.parse(plan.chunks[0]?.text ?? "{}") as { error?: { message?: string; metadata?: Record<string, unknown> } };
      message = parsed.error?.message ?? message;
      metadata = parsed.error?.metadata;
    } catch {
      // Not JSON: keep the generic message.
    }
    const rewritten = apiError("messages", plan.status, message, metadata);
    return { ...plan, chunks: rewritten.chunks };
  }

  function embeddings(b: Record<string, unknown>): WirePlan {
    const model = String(b["model"]);
    const entry = modelFor(model);
    if (!entry || !entry.architecture.output_modalities.includes("embeddings")) {
      return errorPlan(400, `Model ${model} does not exist`, { error_type: "invalid_request" });
    }
    const { cost, body: out } = embeddingsBody(entry, b, ids.generation("gen-emb"));
    totalCost += cost;
    return json(200, out);
  }

  return {
    ids,
    answer,
    embeddings,
    withTimingFaults,
    apiError,
    generations,
    contents,
    modelFor,
    get totalCost() {
      return totalCost;
    },
    injectFaults(faults: FaultSpec[]) {
      queuedFaults.push(
        ...faults.map((f) => {
          const n = normaliseFault(f);
          n.times ??= 1;
          return n;
        }),
      );
    },
    reset() {
      generations.clear();
      contents.clear();
      queuedFaults = [];
      totalCost = 0;
      chatCount = 0;
      for (const s of scenarios) s.used = 0;
    },
  };
}

/** The engine of one stand-in. */
export type TextEngine = ReturnType<typeof createTextEngine>;
