/**
 * The `OpenRouter` class: options are normalised once (options.ts); every verb describes its request as a
 * `Call` and runs it on the one request pipeline (core/pipeline.ts). Code that needs ajv (structured outputs,
 * tools) or the accounting modules is loaded with `import()` on first use so it never weighs on the core bundle.
 */
import { type ApiClient, pipelineApiClient } from "./core/api.js";
import type { RunToolsParams, RunToolsResult, RunToolsStream } from "./agents/agent.js";
import type { CostEstimate } from "./accounting/cost.js";
import type { GenerationCost } from "./accounting/generation.js";
import type { EmbedInput, EmbedOptions, EmbedResult } from "./agents/embeddings.js";
import type { FallbackRecord } from "./core/resilience/hooks.js";
import { lazyIterable } from "./core/deferred.js";
import { chatBody, checkCallOptions, checkKeySet, serializeBody } from "./core/validate.js";
import type { FromSchema, JSONSchema } from "./agents/json-schema.js";
import { ModelRegistry } from "./accounting/models.js";
import { lazy } from "./core/load.js";
import type { ChatRequest, ChatResult } from "./core/result.js";
import { ChatStream } from "./stream/chat-stream.js";
import { type OwnedStreamInit, streamTimeouts } from "./stream/options.js";
import type { StructuredParams, StructuredResult, StructuredStream } from "./agents/structured.js";
import type { Outcome, Pipeline } from "./core/pipeline.js";
import { lazyPipeline, runtime } from "./core/lazy-pipeline.js";
import type { TransportResponse } from "./core/transport.js";
import type { Call } from "./core/types.js";
import { needsPreSendChecks } from "./accounting/guards-rule.js";
import { type BudgetReservation, UsageTracker } from "./accounting/usage.js";
import { registerSecret } from "./internal/redact.js";
import { checkMaxResponseBytes } from "./core/response-limit.js";
import type { VerbContext } from "./verbs/context.js";
import { type Keys, keys } from "./verbs/keys.js";
import { type Presets, presets } from "./verbs/presets.js";
import { type Generations, generations } from "./verbs/generations.js";
import { type Responses, responsesNamespace } from "./verbs/responses.js";
import { type Messages, messagesNamespace } from "./verbs/messages.js";
import { type Images, images } from "./verbs/images.js";
import { type Audio, audio } from "./verbs/audio.js";
import { type Videos, videos } from "./verbs/videos.js";
import { type Files, files } from "./verbs/files.js";
import { type CallOptions, type ChatParams, DEFAULT_BASE_URL, type OpenRouterOptions, type ResolvedOptions, resolveOptions } from "./options.js";

export { DEFAULT_BASE_URL };
export type { CallOptions, ChatParams, OpenRouterOptions };

const CHAT_PATH = "/chat/completions";

const modelSourceCode = /* @__PURE__ */ lazy("the model catalogue", () => import("./accounting/model-source.js"));

/** A streamed attempt ends at its 2xx headers: the body is the stream's to read. */
const openStream = async (res: TransportResponse): Promise<TransportResponse> => res;

/**
 * The OpenRouter client.
 *
 * @example
 * const client = new OpenRouter({ apiKey: process.env.OPENROUTER_API_KEY, appName: "my-app" });
 * const result = await client.chat({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });
 * console.log(result.text, result.cost);
 */
export class OpenRouter {
  /** The path-typed openapi-fetch client over the whole spec. Never throws on HTTP errors. */
  readonly api: ApiClient;
  /** Requests, tokens and cost of every call this client made (plain and streamed), and the budget guard. */
  readonly usage: UsageTracker;
  /** The model catalogue (`GET /models`), cached. */
  readonly models: ModelRegistry;
  /** API key management (list, create, get, update, delete); needs a management key. */
  readonly keys: Keys;
  /** The account's presets and their versions; call through one with `model: "@preset/<slug>"`. */
  readonly presets: Presets;
  /** A finished generation's stored content, and feedback on it. */
  readonly generations: Generations;
  /** The Responses API (`POST /responses`): `create` and `stream`, on the same pipeline as `chat`. */
  readonly responses: Responses;
  /** The Messages API (Anthropic's format, `POST /messages`): `create` and `stream`. */
  readonly messages: Messages;
  /** Image generation (`generate`, streamed partial images too) and the image models. */
  declare readonly images: Images;
  /** Text to speech (`speech`) and speech to text (`transcribe`, a multipart upload). */
  declare readonly audio: Audio;
  /** Video generation jobs: `create`, `get`, `wait` (polling with backoff), `content`, `models`. */
  declare readonly videos: Videos;
  /** Uploaded files: `upload` (multipart, streamed), `list`, `get`, `content`, `delete`. */
  declare readonly files: Files;
  readonly #options: ResolvedOptions;
  readonly #pipeline: Pipeline;
  /** What the API-area namespaces (verbs/) are built with. */
  readonly #verbs: VerbContext;

  constructor(options: OpenRouterOptions = {}) {
    const o = (this.#options = resolveOptions(options));
    // The pipeline's code loads on the first request (core/lazy-pipeline.ts); the options are checked by now.
    this.#pipeline = lazyPipeline({
      baseUrl: o.baseUrl,
      apiKey: o.apiKey,
      headers: o.headers,
      transport: o.transport,
      fetch: o.fetch,
      timeoutMs: o.timeoutMs,
      maxResponseBytes: o.maxResponseBytes,
      resilience: o.resilience,
    });
    this.api = pipelineApiClient(o.baseUrl, o.basePath, this.#pipeline, o.managementKey);
    const reconcile = options.reconcileUsage;
    this.usage = new UsageTracker({
      budgetUsd: options.budgetUsd,
      ...(reconcile && {
        autoReconcile: { lookup: (id: string) => this.generation(id), ...(typeof reconcile === "object" && { delayMs: reconcile.delayMs }) },
      }),
    });
    const pipeline = this.#pipeline;
    this.models = new ModelRegistry({
      // The catalogue's requests (accounting/model-source.ts) load the first time it is needed.
      fetchModels: async (signal) => (await modelSourceCode()).modelSource(pipeline).fetchModels(signal),
      fetchEndpoints: async (id, signal) => (await modelSourceCode()).modelSource(pipeline).fetchEndpoints(id, signal),
      ...(o.modelsTtlMs !== undefined && { ttlMs: o.modelsTtlMs }),
      ...(options.now && { now: options.now }),
    });
    const usage = this.usage;
    this.#verbs = { pipeline, options: o, get usage() { return usage; }, models: this.models };
    // API-area namespaces (verbs/) go here, each built from this.#verbs.
    this.keys = keys(this.#verbs);
    this.presets = presets(this.#verbs);
    this.generations = generations(this.#verbs);
    this.responses = responsesNamespace(this.#verbs);
    this.messages = messagesNamespace(this.#verbs);
    const verbs = this.#verbs;
    this.images = images(verbs);
    this.audio = audio(verbs);
    this.videos = videos(verbs);
    this.files = files(verbs);

    // Every error of this client's calls is scrubbed of its credentials (see internal/redact.ts).
    registerSecret(this, o.apiKey);
    registerSecret(this, o.managementKey);
    for (const secret of o.headerSecrets) registerSecret(this, secret);
    // The key lives only in the pipeline's private header tables; keep it out of JSON and inspect output.
    Object.defineProperty(this, "toJSON", { value: () => ({ baseUrl: o.baseUrl }), enumerable: false });
  }

  /** Where requests go. */
  get baseUrl(): string {
    return this.#options.baseUrl;
  }

  /**
   * One chat completion (non-streaming). Throws a typed `OpenRouterError` on failure, including failures that
   * OpenRouter reports inside a 200 (with the partial output on `error.partial`).
   *
   * @example
   * const { text, usage, cost } = await client.chat({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "2+2?" }] });
   */
  async chat(params: ChatParams, options: CallOptions = {}): Promise<ChatResult> {
    const body = chatBody(params, "chat", false);
    const call = this.#chatCall(body, false, options, "chat");
    const maxResponseBytes = this.#maxResponseBytes(options);
    // With a budget, the call's worst case is held from here until it is recorded (see UsageTracker.reserve).
    const hold = this.#preSendNeeded() ? await this.#preSend(body, options.signal, options.fallbackModels) : undefined;
    let run: Outcome<ChatResult>;
    try {
      // The per-call options and the reader are the runtime's (core/runtime.ts): loaded by the first request,
      // read at once afterwards.
      const code = runtime.value ?? (await runtime());
      run = await this.#pipeline.call(code.callOf(call, options), code.readChat, maxResponseBytes);
    } catch (error) {
      // A failure after OpenRouter accepted the call may still have been billed: the tracker records its usage
      // (from the partial output) or leaves it pending for `usage.reconcile()`. Had the runtime not loaded,
      // nothing was sent.
      this.usage.recordFailure(error, { model: call.model, reservation: hold, accepted: runtime.value?.wasAccepted(error) ?? false });
      throw error;
    }
    const result = run.value;
    result.attempts = run.attempts;
    result.fallbacks = run.fallbacks;
    this.usage.record(result, hold);
    return result;
  }

  /**
   * A streamed chat completion: iterate typed events, or `await stream.final()` for the assembled result.
   * Retries and fallbacks happen only before the first event; once one has arrived, nothing is re-sent.
   *
   * @example
   * const stream = client.chatStream({ model, messages });
   * for await (const event of stream) if (event.type === "content") process.stdout.write(event.text);
   * const { usage, cost } = await stream.final();
   */
  chatStream(params: ChatParams, options: CallOptions = {}): ChatStream {
    // `open` lets go of the call once it is sent: `onSettled` shares this scope and lives as long as the stream,
    // and the call holds the request (its body and serialised JSON).
    let call: Call | undefined = this.#chatCall(chatBody(params, "chatStream", true), true, options, "chatStream");
    const model = call.model;
    let run: Outcome<TransportResponse> | undefined;
    let hold: BudgetReservation | undefined;
    // The stream's request controller, handed to the call's deadline too (`Call.signalController`): the deadline
    // aborts it at the total timeout rather than make a second one for the fetch.
    const controller = new AbortController();
    const init: OwnedStreamInit = {
      controller,
      open: async (signal: AbortSignal) => {
        if (this.#preSendNeeded()) {
          hold = await this.#preSend(call!.body!, signal, options.fallbackModels);
          // Settled (aborted, timed out) while the checks ran: nothing will be sent, so nothing is held.
          if (signal.aborted) hold?.release();
        }
        // The total timeout covers the wait for the response headers; the stream's own timeouts take over then.
        const code = runtime.value ?? (await runtime());
        // `open` runs once per stream, so the call is set in place rather than copied (a copy per stream costs
        // its own object shape); the stream's own signal replaces the caller's (it aborts with it).
        const sent = code.callOf(call!, options, controller);
        call = undefined;
        return (run = await this.#pipeline.call(sent, openStream)).value;
      },
      // The stream copies method, path and model out of it for its messages.
      info: call,
      signal: options.signal,
      ...streamTimeouts(options, this.#options),
      maxResponseBytes: this.#maxResponseBytes(options),
      onSettled: ({ result, error }) => {
        if (result) {
          if (run) {
            result.attempts = run.attempts;
            result.fallbacks = run.fallbacks;
            run.recordResult(result);
          }
          this.usage.record(result, hold);
        } else if (error) {
          run?.recordError(error);
          // `run` is set once a 2xx answer arrived: only then may the call have been billed.
          this.usage.recordFailure(error, { model, reservation: hold, accepted: run !== undefined });
        } else hold?.release();
      },
    };
    return new ChatStream(init);
  }

  /**
   * Typed JSON out of a model: sends `response_format: json_schema`, validates the reply with ajv and repairs
   * it (up to `maxRepairs`, default 2) by telling the model what was wrong.
   *
   * @example
   * const { data } = await client.structured({ model, messages, schema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] } as const });
   */
  async structured<const S extends JSONSchema>(params: StructuredParams<S>, options?: CallOptions): Promise<StructuredResult<FromSchema<S>>> {
    const { structured } = await import("./agents/structured.js");
    return structured(this, params, options);
  }

  /**
   * Like `structured`, streamed: yields best-effort partial objects as the JSON arrives, then validates.
   *
   * @example
   * for await (const e of client.structuredStream({ model, messages, schema })) if (e.type === "partial") render(e.data);
   */
  structuredStream<const S extends JSONSchema>(params: StructuredParams<S>, options?: CallOptions): StructuredStream<FromSchema<S>> {
    return lazyIterable(async () => (await import("./agents/structured.js")).structuredStream(this, params, options));
  }

  /**
   * The tool loop: sends the tools, runs the model's tool calls (in parallel), feeds the results back, and
   * repeats until the model answers without tools or a stop condition fires.
   *
   * @example
   * const run = await client.runTools({ model, messages, tools: [weather], deps: { db } });
   */
  runTools<Deps>(params: RunToolsParams<Deps> & { stream: true }, options?: CallOptions): RunToolsStream;
  runTools<Deps>(params: RunToolsParams<Deps> & { stream?: false | undefined }, options?: CallOptions): Promise<RunToolsResult>;
  runTools<Deps>(params: RunToolsParams<Deps>, options?: CallOptions): Promise<RunToolsResult> | RunToolsStream {
    const load = () => import("./agents/agent.js");
    if (params.stream === true) {
      return lazyIterable(async () => (await load()).runTools(this, params as RunToolsParams<Deps> & { stream: true }, options));
    }
    return load().then(({ runTools }) => runTools(this, params as RunToolsParams<Deps> & { stream?: false }, options));
  }

  /**
   * Embeddings for one or many inputs; large inputs are split into batches and recombined in order.
   *
   * @example
   * const { vectors } = await client.embed(["a", "b"], { model: "openai/text-embedding-3-small" });
   */
  async embed(input: EmbedInput, options: EmbedOptions, callOptions?: CallOptions): Promise<EmbedResult> {
    const { embed } = await import("./agents/embeddings.js");
    return embed(this, input, options, callOptions);
  }

  /**
   * The authoritative stats of one generation (`GET /generation`): cost, latency, native token counts. The
   * early 404 that appears before the stats exist is retried.
   *
   * @example
   * const { totalCost } = await client.generation(result.generationId!);
   */
  async generation(id: string, options: { signal?: AbortSignal } = {}): Promise<GenerationCost> {
    const { fetchGeneration } = await import("./accounting/generation.js");
    return fetchGeneration(this.api, id, { ...(options.signal && { signal: options.signal }) });
  }

  /**
   * The worst-case cost of a chat call before sending it, from live pricing: estimated prompt tokens × prompt
   * price + `max_tokens` × completion price (honouring `provider.max_price`).
   *
   * @example
   * const { worstCaseUsd } = await client.estimateCost({ model: "openai/gpt-4o-mini", messages, max_tokens: 500 });
   */
  async estimateCost(params: ChatParams, options: { signal?: AbortSignal } = {}): Promise<CostEstimate> {
    const { estimateCallCost } = await import("./accounting/cost.js");
    return estimateCallCost(params, this.models, options.signal);
  }

  #maxResponseBytes(options: CallOptions): number {
    return checkMaxResponseBytes(options.maxResponseBytes) ?? this.#options.maxResponseBytes;
  }

  /**
   * The chat `Call` without the per-call options (the runtime's `callOf` adds them when it is sent), built
   * once; the body is serialised here, so a body JSON cannot encode fails before sending, synchronously.
   */
  #chatCall(body: Record<string, unknown>, stream: boolean, options: CallOptions, verb: string): Call {
    checkCallOptions(verb, options);
    const model = typeof body["model"] === "string" ? body["model"] : undefined;
    if (this.#options.apiKey === undefined) checkKeySet(this.#options, { method: "POST", path: CHAT_PATH, ...(model !== undefined && { model }) });
    return { verb, method: "POST", path: CHAT_PATH, body, serialized: serializeBody(verb, body), stream, ...(model !== undefined && { model }) };
  }

  /**
   * Whether any opt-in check (budget, model id, capabilities, context fit) is on. Checked before calling the
   * async `#preSend`, so a call without checks does not pay a microtask hop for nothing.
   */
  #preSendNeeded(): boolean {
    // guards-rule.ts holds only this predicate, so importing it statically keeps the heavy guards.ts lazy.
    return needsPreSendChecks(this.#options.preSend, this.usage);
  }

  /** Runs the opt-in checks; only called when {@link #preSendNeeded}. Returns the budget hold, if any. */
  async #preSend(body: Record<string, unknown>, signal: AbortSignal | undefined, fallbackModels: CallOptions["fallbackModels"]): Promise<BudgetReservation | undefined> {
    // Loaded only when a check is on, so the checks (and the token estimator) stay out of the core bundle.
    const { runPreSendChecks } = await import("./accounting/guards.js");
    return runPreSendChecks({
      body: body as unknown as ChatRequest,
      registry: this.models,
      usage: this.usage,
      options: this.#options.preSend,
      signal,
      fallbackModels: fallbackModels ?? this.#options.fallbackModels,
    });
  }
}

export type { FallbackRecord };
