/**
 * The `OpenRouter` class: options are normalised once here; every verb is a thin layer over the transport
 * and the module that owns its job. Code that needs ajv (structured outputs, tools) is loaded with `import()`
 * on first use so it never weighs on the core bundle.
 */
import { type ApiClient, lazyApiClient } from "./core/api.js";
import type { RunToolsParams, RunToolsResult, RunToolsStream } from "./agents/agent.js";
import { type CostEstimate, estimateCost } from "./accounting/cost.js";
import { type GenerationCost, fetchGeneration } from "./accounting/generation.js";
import type { EmbedInput, EmbedOptions, EmbedResult } from "./agents/embeddings.js";
import {
  AuthenticationError,
  ConnectionError,
  InvalidArgumentError,
  InvalidResponseError,
  NotFoundError,
  type OpenRouterError,
  type RequestInfo,
  describe,
  isOpenRouterError,
} from "./core/errors.js";
import { errorFromResponse } from "./core/wire-error.js";
import type { FallbackRecord } from "./core/resilience/hooks.js";
import type { PreSendOptions } from "./accounting/guards.js";
import { lazyIterable } from "./core/final-iterable.js";
import { quote } from "./internal/quote.js";
import { checkBaseUrl, checkCallOptions, checkHeaderValue, checkHeaders, checkMessages, checkModelId, serializeBody } from "./core/validate.js";
import type { FromSchema, JSONSchema } from "./agents/json-schema.js";
import { type Model, ModelRegistry } from "./accounting/models.js";
import { type CallResilienceOptions, type Resilience, type ResilienceConfig, type ResilientResult, createResilience } from "./core/resilience/run.js";
import { type ChatRequest, type ChatResult, type ResultContext, chatResultFromResponse } from "./core/result.js";
import type { RetryOptions } from "./core/retry.js";
import { ChatStream } from "./stream/chat-stream.js";
import type { StructuredParams, StructuredResult, StructuredStream } from "./agents/structured.js";
import { Deadline, LegacyTransport, type LegacyTransportRequest, networkMessage, rawResponseOf, stripCause } from "./core/transport.js";
import { type BudgetReservation, UsageTracker } from "./accounting/usage.js";
import { redact, registerSecret } from "./internal/redact.js";
import { DEFAULT_MAX_RESPONSE_BYTES, checkMaxResponseBytes, detached, excerptOf, readBounded, tooLargeError } from "./core/body.js";
import { DEFAULT_FIRST_EVENT_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_TIMEOUT_MS } from "./core/timeouts.js";

export const DEFAULT_BASE_URL = "https://openrouter.ai/api/v1";

/** Resilience settings taken as they are by the retry/fallback/breaker/limit layer (see `src/core/resilience/run.ts`). */
type ResilienceOptions = Pick<
  ResilienceConfig,
  "retry" | "fallbackModels" | "circuitBreaker" | "rateLimit" | "hooks" | "telemetry" | "onInsufficientCredits" | "now" | "sleep" | "random"
>;

export interface OpenRouterOptions extends ResilienceOptions, Omit<PreSendOptions, "budgetUsd"> {
  /** Defaults to `OPENROUTER_API_KEY` from the environment where one exists. */
  apiKey?: string | undefined;
  /** Defaults to `https://openrouter.ai/api/v1`. Plain `http://` is refused while a key is set, except to loopback. */
  baseUrl?: string | undefined;
  /** Allow a plain `http://` baseUrl to another machine although a key is set (the key then travels unencrypted). */
  allowInsecureHttp?: boolean | undefined;
  /** Your app's URL, sent as `HTTP-Referer` (OpenRouter's app attribution key). */
  appUrl?: string | undefined;
  /** Your app's name, sent as `X-OpenRouter-Title` and its legacy twin `X-Title`. */
  appName?: string | undefined;
  /** App categories, sent as `X-OpenRouter-Categories` (OpenRouter keeps at most 2 per request). */
  categories?: readonly string[] | undefined;
  /** Extra headers on every request. */
  headers?: Record<string, string> | undefined;
  /** Injectable fetch (tests, proxies, edge runtimes). Defaults to the global fetch. */
  fetch?: typeof globalThis.fetch | undefined;
  /**
   * Total time for a call, retries included, and reading a JSON body. For streams: until the response headers
   * arrive. Default 10 minutes (`DEFAULT_TIMEOUT_MS`); `0` for none.
   */
  timeoutMs?: number | undefined;
  /**
   * A stream fails with a timeout if no data event (keep-alive comments do not count) arrives in time.
   * Default 5 minutes (`DEFAULT_FIRST_EVENT_TIMEOUT_MS`); `0` for none.
   */
  firstEventTimeoutMs?: number | undefined;
  /**
   * A stream fails with a timeout after this long without a data event (keep-alive comments do not count).
   * Default 2 minutes (`DEFAULT_IDLE_TIMEOUT_MS`); `0` for none.
   */
  idleTimeoutMs?: number | undefined;
  /**
   * The most a response may weigh: bytes of a JSON body, or characters of text a stream accumulates (content,
   * reasoning, refusal, tool arguments). Past it the call fails with `ResponseTooLargeError` (not retried;
   * a stream's output so far is on `error.partial`). Default 64 MiB (`DEFAULT_MAX_RESPONSE_BYTES`).
   */
  maxResponseBytes?: number | undefined;
  /** Spending limit in USD for this client: once spent, calls fail before sending with `BudgetExceededError`. */
  budgetUsd?: number | undefined;
  /** How long `client.models` keeps the catalogue. Default one hour. */
  modelsTtlMs?: number | undefined;
  /** Look up the real cost of calls that ended without one (aborted or failed streams) in the background. */
  reconcileUsage?: boolean | { delayMs?: number } | undefined;
}

/** Options for one call. */
export interface CallOptions {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  headers?: Record<string, string> | undefined;
  firstEventTimeoutMs?: number | undefined;
  idleTimeoutMs?: number | undefined;
  /** Replaces the client's `maxResponseBytes` for this call. */
  maxResponseBytes?: number | undefined;
  retry?: RetryOptions | false | undefined;
  /** Replaces the client's `fallbackModels` for this call; `false` for none. */
  fallbackModels?: readonly string[] | false | undefined;
  onInsufficientCredits?: "throw" | "reduce-max-tokens" | undefined;
}

/** Chat parameters: the spec's request body, without `stream` (use `chatStream` for that). */
export type ChatParams = Omit<ChatRequest, "stream">;

type ResolvedOptions = Readonly<{
  apiKey: string | undefined;
  baseUrl: string;
  basePath: string;
  timeoutMs: number | undefined;
  firstEventTimeoutMs: number | undefined;
  idleTimeoutMs: number | undefined;
  maxResponseBytes: number;
  preSend: PreSendOptions;
  fallbackModels: readonly string[] | undefined;
}>;

const CHAT_PATH = "/chat/completions";

/** Reads an environment variable where the runtime has one (Node, Bun; Deno only with permission). */
function env(name: string): string | undefined {
  const g = globalThis as { process?: { env?: Record<string, string | undefined> }; Deno?: { env?: { get(n: string): string | undefined } } };
  try {
    return g.process?.env?.[name] ?? g.Deno?.env?.get(name);
  } catch {
    return undefined;
  }
}

function optionalPositive(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

/** A timeout option: a positive number of milliseconds, or `0` to turn the timeout off. */
function optionalTimeout(name: string, value: unknown): number | undefined {
  if (value === 0) return 0;
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`${name} must be a positive number of milliseconds (or 0 for none), got ${String(value)}`);
  }
  return value;
}

/** Configuration mistakes in the resilience layer surface as our own argument error. */
function checkedResilience(config: ResilienceConfig): Resilience {
  try {
    return createResilience(config);
  } catch (e) {
    if (isOpenRouterError(e)) throw e;
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
  }
}

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
  readonly #options: ResolvedOptions;
  readonly #transport: LegacyTransport;
  readonly #resilience: Resilience;

  constructor(options: OpenRouterOptions = {}) {
    if (typeof options !== "object" || options === null) throw new InvalidArgumentError("OpenRouter options must be an object");
    const apiKey = options.apiKey ?? env("OPENROUTER_API_KEY");
    if (apiKey !== undefined && (typeof apiKey !== "string" || apiKey.trim() === "")) {
      throw new InvalidArgumentError("apiKey must be a non-empty string");
    }
    if (apiKey !== undefined) checkHeaderValue("apiKey", apiKey, true);
    const { baseUrl, basePath } = checkBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL, {
      keySet: apiKey !== undefined,
      allowInsecureHttp: options.allowInsecureHttp,
    });
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== "function") throw new InvalidArgumentError("No fetch available: pass options.fetch");
    this.#options = Object.freeze({
      apiKey,
      baseUrl,
      basePath,
      timeoutMs: optionalTimeout("timeoutMs", options.timeoutMs) ?? DEFAULT_TIMEOUT_MS,
      // Stream timeouts stay undefined when not given: their defaults depend on each other (see #streamTimeouts).
      firstEventTimeoutMs: optionalTimeout("firstEventTimeoutMs", options.firstEventTimeoutMs),
      idleTimeoutMs: optionalTimeout("idleTimeoutMs", options.idleTimeoutMs),
      maxResponseBytes: checkMaxResponseBytes(options.maxResponseBytes) ?? DEFAULT_MAX_RESPONSE_BYTES,
      preSend: {
        validateModel: options.validateModel,
        preflight: options.preflight,
        checkContext: options.checkContext,
      },
      fallbackModels: Array.isArray(options.fallbackModels) ? options.fallbackModels : undefined,
    });
    this.#transport = new LegacyTransport({
      apiKey,
      baseUrl,
      headers: defaultHeaders(apiKey, options),
      // Bound so a host's fetch (browsers) is not called with the client as `this`.
      fetch: (input, init) => fetchImpl(input, init),
    });
    this.#resilience = checkedResilience({
      retry: options.retry,
      fallbackModels: options.fallbackModels,
      circuitBreaker: options.circuitBreaker,
      rateLimit: options.rateLimit,
      hooks: options.hooks,
      telemetry: options.telemetry,
      onInsufficientCredits: options.onInsufficientCredits,
      baseUrl,
      now: options.now,
      sleep: options.sleep,
      random: options.random,
    });
    this.api = lazyApiClient(baseUrl, (request: Request) => this.#apiFetch(request));
    const reconcile = options.reconcileUsage;
    this.usage = new UsageTracker({
      budgetUsd: options.budgetUsd,
      ...(reconcile && {
        autoReconcile: { lookup: (id: string) => this.generation(id), ...(typeof reconcile === "object" && { delayMs: reconcile.delayMs }) },
      }),
    });
    this.models = new ModelRegistry({
      fetchModels: (signal) => this.#fetchModels(signal),
      fetchEndpoints: (id, signal) => this.#fetchEndpoints(id, signal),
      ...(options.modelsTtlMs !== undefined && { ttlMs: optionalPositive("modelsTtlMs", options.modelsTtlMs) as number }),
      ...(options.now && { now: options.now }),
    });
    // Every error of this client's calls is scrubbed of its credentials (see internal/redact.ts).
    registerSecret(this, apiKey);
    for (const [name, value] of Object.entries(options.headers ?? {})) if (CREDENTIAL_HEADER.test(name)) registerSecret(this, credentialOf(value));
    // The key lives only in the transport's private header table; keep it out of JSON and inspect output.
    Object.defineProperty(this, "toJSON", { value: () => ({ baseUrl }), enumerable: false });
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
    const body = this.#chatBody(params, "chat", false);
    const req = this.#request(body, false, options, "chat");
    const maxResponseBytes = this.#maxResponseBytes(options);
    // With a budget, the call's worst case is held from here until it is recorded (see UsageTracker.reserve).
    const hold = this.#preSendNeeded() ? await this.#preSend(body, options.signal, options.fallbackModels) : undefined;
    let accepted = false;
    let run: ResilientResult<ChatResult>;
    const deadline = new Deadline(options.signal, options.timeoutMs ?? this.#options.timeoutMs);
    req.signal = deadline.signal;
    try {
      run = await this.#resilience.run(req, this.#callOptions(options, deadline, infoOf(req)), async (attemptReq) => {
        const start = performance.now();
        const response = await this.#transport.sendOnce(attemptReq, deadline);
        accepted = true;
        const ttfbMs = performance.now() - start;
        const text = await readText(response, deadline, attemptReq, this.#options.apiKey, maxResponseBytes);
        const raw = parseJson(text, attemptReq, response.status);
        const ctx: ResultContext = { method: attemptReq.method, path: attemptReq.path, headers: response.headers, timing: { ttfbMs, totalMs: performance.now() - start } };
        if (attemptReq.model !== undefined) ctx.model = attemptReq.model;
        return chatResultFromResponse(raw, ctx);
      });
    } catch (error) {
      this.#recordFailure(error, req.model, hold, accepted);
      throw error;
    } finally {
      deadline.clear();
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
    const body = this.#chatBody(params, "chatStream", true);
    const req = this.#request(body, true, options, "chatStream");
    let run: ResilientResult<Response> | undefined;
    let hold: BudgetReservation | undefined;
    return new ChatStream({
      open: async (signal: AbortSignal) => {
        if (this.#preSendNeeded()) {
          hold = await this.#preSend(body, signal, options.fallbackModels);
          // Settled (aborted, timed out) while the checks ran: nothing will be sent, so nothing is held.
          if (signal.aborted) hold?.release();
        }
        // The total timeout covers the wait for the response headers; the stream's own timeouts take over then.
        const deadline = new Deadline(signal, options.timeoutMs ?? this.#options.timeoutMs);
        try {
          run = await this.#resilience.run({ ...req, signal: deadline.signal }, this.#callOptions(options, deadline, infoOf(req)), (r) =>
            this.#transport.sendOnce(r, deadline),
          );
          return run.value;
        } finally {
          deadline.clear();
        }
      },
      info: infoOf(req),
      ...(options.signal && { signal: options.signal }),
      ...this.#streamTimeouts(options),
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
          this.#recordFailure(error, req.model, hold, run !== undefined);
        } else hold?.release();
      },
    });
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
  generation(id: string, options: { signal?: AbortSignal } = {}): Promise<GenerationCost> {
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
    const body = this.#chatBody(params, "estimateCost", false);
    const id = body["model"];
    if (typeof id !== "string") throw new InvalidArgumentError("estimateCost() needs params.model to look the price up");
    const model = await this.models.get(id, options.signal);
    if (!model) throw new NotFoundError(`Unknown model ${id}: not in the catalogue`, { model: id });
    return estimateCost(body as unknown as ChatRequest, model);
  }

  /**
   * The stream's timeouts: the call's, else the client's, else the defaults. An idle timeout chosen without a
   * first-event one keeps its documented meaning (counted from the response headers, it also bounds the wait
   * for the first event), so the first-event default applies only when neither was chosen.
   */
  #streamTimeouts(options: CallOptions): { firstEventTimeoutMs: number; idleTimeoutMs: number } {
    const first = options.firstEventTimeoutMs ?? this.#options.firstEventTimeoutMs;
    const idle = options.idleTimeoutMs ?? this.#options.idleTimeoutMs;
    return { firstEventTimeoutMs: first ?? (idle === undefined ? DEFAULT_FIRST_EVENT_TIMEOUT_MS : 0), idleTimeoutMs: idle ?? DEFAULT_IDLE_TIMEOUT_MS };
  }

  #maxResponseBytes(options: CallOptions): number {
    return checkMaxResponseBytes(options.maxResponseBytes) ?? this.#options.maxResponseBytes;
  }

  /** Checks the chat parameters a caller gave us before anything is sent. */
  #chatBody(params: ChatParams, verb: string, stream: boolean): Record<string, unknown> {
    if (typeof params !== "object" || params === null || Array.isArray(params)) {
      throw new InvalidArgumentError(`${verb}() needs a parameters object with messages`);
    }
    const p = params as Record<string, unknown>;
    checkMessages(verb, p["messages"]);
    if (p["model"] !== undefined) checkModelId(`${verb}(): params.model`, p["model"]);
    if (!stream && p["stream"] === true) {
      throw new InvalidArgumentError(`${verb}() does not stream: call chatStream() for stream: true`);
    }
    return stream ? { ...p, stream: true } : p;
  }

  /** OpenRouter itself answers a keyless chat with 401; say what to do before spending a round trip. */
  #requireKey(body: Record<string, unknown>): void {
    if (this.#options.apiKey !== undefined || this.#options.baseUrl !== DEFAULT_BASE_URL) return;
    const info = { method: "POST", path: CHAT_PATH, ...(typeof body["model"] === "string" && { model: body["model"] }) };
    throw new AuthenticationError(`No API key: pass { apiKey } to new OpenRouter() or set OPENROUTER_API_KEY${describe(info)}`, info);
  }

  #request(body: Record<string, unknown>, stream: boolean, options: CallOptions, verb: string): LegacyTransportRequest {
    checkCallOptions(verb, options);
    this.#requireKey(body);
    return {
      method: "POST",
      path: CHAT_PATH,
      body,
      // Once per call, before the resilience layer: a body JSON cannot encode is the caller's mistake, and
      // retries resend this text.
      serialized: { body, text: serializeBody(verb, body) },
      model: typeof body["model"] === "string" ? body["model"] : undefined,
      stream,
      signal: options.signal,
      headers: options.headers,
    };
  }

  /**
   * Whether any opt-in check (budget, model id, capabilities, context fit) is on. Checked before calling the
   * async `#preSend`, so a call without checks does not pay a microtask hop for nothing.
   */
  #preSendNeeded(): boolean {
    const o = this.#options.preSend;
    // The same predicate as guards.ts's needsPreSendChecks, inlined: importing it would load that module eagerly.
    return Boolean(o.validateModel || o.preflight || o.checkContext || this.usage.budgetUsd !== undefined);
  }

  /** Runs the opt-in checks; only called when {@link #preSendNeeded}. Returns the budget hold, if any. */
  async #preSend(
    body: Record<string, unknown>,
    signal: AbortSignal | undefined,
    fallbackModels: CallOptions["fallbackModels"],
  ): Promise<BudgetReservation | undefined> {
    const o = this.#options.preSend;
    // Loaded only when a check is on, so the checks (and the token estimator) stay out of the core bundle.
    const { runPreSendChecks } = await import("./accounting/guards.js");
    return runPreSendChecks({
      body: body as unknown as ChatRequest,
      registry: this.models,
      usage: this.usage,
      options: o,
      signal,
      fallbackModels: fallbackModels ?? this.#options.fallbackModels,
    });
  }

  #callOptions(options: CallOptions, deadline: Deadline, info: RequestInfo): CallResilienceOptions {
    return {
      retry: options.retry,
      fallbackModels: options.fallbackModels,
      onInsufficientCredits: options.onInsufficientCredits,
      signal: deadline.signal,
      abortError: (cause) => deadline.abortError(info, cause),
    };
  }

  /**
   * A call that failed after OpenRouter accepted it may still have been billed: record its usage (from the
   * partial output) or leave it pending for `usage.reconcile()` to look up; its budget hold is settled too.
   */
  #recordFailure(error: unknown, model: string | undefined, hold?: BudgetReservation, accepted = false): void {
    this.usage.recordFailure(error, { model, reservation: hold, accepted });
  }

  /** Runs one request of `client.api` through the same transport and resilience as the verbs. */
  async #send(req: LegacyTransportRequest, signal: AbortSignal | undefined): Promise<Response> {
    const deadline = new Deadline(signal, this.#options.timeoutMs);
    try {
      const run = await this.#resilience.run({ ...req, signal: deadline.signal }, this.#callOptions({}, deadline, infoOf(req)), async (r) => {
        const response = await this.#transport.sendOnce(r, deadline);
        if (r.stream) return response;
        // Buffer JSON bodies inside the attempt so a connection dropped mid-body is retried like any other.
        const text = await readText(response, deadline, r, this.#options.apiKey, this.#options.maxResponseBytes);
        return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
      });
      // client.api does not parse bodies; close the call's span and hooks with what the transport knows.
      run.recordResult({ ...(run.model !== undefined && { model: run.model }) });
      return run.value;
    } finally {
      deadline.clear();
    }
  }

  /** openapi-fetch's fetch: our headers, auth, deadline and resilience; HTTP errors handed back as responses. */
  async #apiFetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.slice(this.#options.basePath.length) + url.search;
    const bodyText = request.body ? await request.text() : "";
    let body: Record<string, unknown> | undefined;
    if (bodyText) {
      try {
        body = JSON.parse(bodyText) as Record<string, unknown>;
      } catch {
        throw new InvalidArgumentError(`client.api ${request.method} ${path}: the request body is not JSON`);
      }
    }
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      if (key !== "content-type") headers[key] = value;
    });
    const req: LegacyTransportRequest = {
      method: request.method as LegacyTransportRequest["method"],
      path,
      body,
      ...(body !== undefined && { serialized: { body, text: bodyText } }),
      model: typeof body?.["model"] === "string" ? body["model"] : undefined,
      stream: body?.["stream"] === true,
      headers,
    };
    try {
      return await this.#send(req, request.signal);
    } catch (error) {
      const raw = rawResponseOf(error);
      if (raw) return new Response(raw.bodyText, { status: raw.status, statusText: raw.statusText, headers: raw.headers });
      throw error;
    }
  }

  /** `GET /models?output_modalities=all` as a typed list, or the typed error. */
  async #fetchModels(signal: AbortSignal | undefined): Promise<Model[]> {
    const { data, error, response } = await this.api.GET("/models", {
      params: { query: { output_modalities: "all" } },
      ...(signal && { signal }),
    });
    if (error !== undefined || !data) throw apiError(response, error, { method: "GET", path: "/models" });
    if (!Array.isArray((data as { data?: unknown }).data)) throw shapeError("a data array of models", { method: "GET", path: "/models", status: response.status });
    return data.data;
  }

  async #fetchEndpoints(id: string, signal: AbortSignal | undefined) {
    const [author, ...rest] = id.split("/");
    const slug = rest.join("/").split(":")[0];
    if (!author || !slug) throw new InvalidArgumentError(`models.endpoints(): ${quote(id)} is not an author/slug model id`);
    const { data, error, response } = await this.api.GET("/models/{author}/{slug}/endpoints", {
      params: { path: { author, slug } },
      ...(signal && { signal }),
    });
    const info = { method: "GET", path: `/models/${author}/${slug}/endpoints`, model: id };
    if (error !== undefined || !data) throw apiError(response, error, info);
    const endpoints = (data as { data?: { endpoints?: unknown } }).data?.endpoints;
    if (!Array.isArray(endpoints)) throw shapeError("data.endpoints, an array", { ...info, status: response.status });
    return data.data.endpoints;
  }
}

/** A 2xx body that is JSON but not what the spec promises. */
function shapeError(expected: string, info: RequestInfo & { status: number }): OpenRouterError {
  return new InvalidResponseError(`The response has no ${expected}${describe(info)}`, info);
}

/** The typed error for a `client.api` response that did not succeed. */
function apiError(response: Response, error: unknown, info: RequestInfo): OpenRouterError {
  return errorFromResponse(response.status, response.headers, error === undefined ? "" : JSON.stringify(error), info);
}

/** Extra headers that carry a credential (a proxy's or a gateway's key) are secrets like the API key. */
const CREDENTIAL_HEADER = /authorization|api-key|apikey|token|secret|cookie/i;

/** The secret part of a credential header: the token after a scheme such as "Bearer". */
function credentialOf(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const token = value.trim().replace(/^(Bearer|Basic|Token)\s+/i, "");
  return token === "" ? undefined : token;
}

/** Every value is checked here, at construction: fetch would refuse it on each call, as a network error. */
function defaultHeaders(apiKey: string | undefined, options: OpenRouterOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const extra = checkHeaders("headers", options.headers);
  if (extra) for (const key of Object.keys(extra)) headers[key.toLowerCase()] = extra[key] as string;
  if (apiKey !== undefined) headers["authorization"] = `Bearer ${apiKey}`;
  if (options.appUrl) headers["http-referer"] = checkHeaderValue("appUrl", options.appUrl);
  if (options.appName) {
    headers["x-openrouter-title"] = checkHeaderValue("appName", options.appName);
    // The legacy name is still what some proxies forward.
    headers["x-title"] = options.appName;
  }
  if (options.categories && options.categories.length > 0) {
    options.categories.forEach((c, i) => checkHeaderValue(`categories[${i}]`, c));
    headers["x-openrouter-categories"] = options.categories.join(",");
  }
  return headers;
}

function infoOf(req: LegacyTransportRequest): RequestInfo {
  return { method: req.method, path: req.path, ...(req.model !== undefined && { model: req.model }) };
}

/**
 * Reads a JSON body, at most `limit` bytes of it (counted as they arrive, so an oversized body is never
 * buffered whole); a connection that drops mid-body is a (retryable) network error, not a parse error.
 */
async function readText(response: Response, deadline: Deadline, req: LegacyTransportRequest, apiKey: string | undefined, limit: number): Promise<string> {
  let read: { text: string; cut: boolean };
  try {
    read = await readBounded(response, limit);
  } catch (cause) {
    const info = infoOf(req);
    if (deadline.signal?.aborted) throw deadline.abortError(info, cause);
    throw new ConnectionError(`Connection dropped while reading the response body: ${networkMessage(cause, apiKey)}${describe(info)}`, {
      ...info,
      cause: stripCause(cause, apiKey),
      status: response.status,
    });
  }
  if (read.cut) {
    const info = infoOf(req);
    throw tooLargeError(limit, "The response body", describe({ ...info, status: response.status }), { ...info, status: response.status });
  }
  return read.text;
}

/** `JSON.parse` accepts the whitespace OpenRouter pads bodies with while a model works; a BOM it does not. */
function parseJson(text: string, req: LegacyTransportRequest, status: number): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (cause) {
    const info = infoOf(req);
    const trimmed = body.trim();
    // A body that starts like JSON but does not parse was cut short: worth another attempt.
    const truncated = trimmed.startsWith("{") || trimmed.startsWith("[");
    throw new InvalidResponseError(
      // Scrubbed before it is cut, so the cut cannot leave the start of a key behind.
      `${trimmed === "" ? "Empty response body" : truncated ? "Truncated JSON response body" : `Response is not JSON: ${excerptOf(redact(trimmed.slice(0, 4096)), 120)}`}${describe({ ...info, status })}`,
      // A copy of the SyntaxError: V8's own keeps the whole text it failed on alive.
      { ...info, status, retryable: truncated || trimmed === "", cause: copiedError(cause) },
    );
  }
}

/** A plain copy of an error's name and message, holding nothing else. */
function copiedError(error: unknown): Error {
  const copy = new Error(detached(error instanceof Error ? error.message : String(error)));
  copy.name = error instanceof Error ? detached(error.name) : "Error";
  return copy;
}

export type { FallbackRecord };
