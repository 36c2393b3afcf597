/**
 * `createMockOpenRouter()`: a faithful local stand-in for the OpenRouter HTTP API, served both as a
 * loopback `node:http` server on 127.0.0.1 and as an in-process `fetch`. Both paths share one handler
 * that produces a "wire plan" (status, headers, body chunks, how the connection ends), so faults like
 * "reset before headers" or "truncate" behave the same way over a socket and in process.
 */
import { BUILTIN_MODELS, findModel, type MockModel } from "./catalogue.js";
import { buildGeneration, completionHeaders, completionJson, generationRecord, statusFault, streamPlan, type BuiltGeneration } from "./chat.js";
import { normaliseFault, parseFaultHeader, type FaultName, type FaultOptions, type FaultSpec } from "./faults.js";
import {
  keyOfRecording,
  loadRecordings,
  normaliseBody,
  normalisePath,
  responseOfRecording,
  type LoadedRecording,
  type RecordedExchange,
  type RequestKey,
} from "./fixtures.js";
import { embeddingsBody, endpointsOf, keyBody, listModels } from "./endpoints.js";
import { idGenerator } from "./ids.js";
import { defaultReply, normaliseReply, textOf, type MockChatRequest, type MockReply, type MockScenario, type ReplyObject } from "./replies.js";
import { promptTokens } from "./usage.js";
import { loadRequestValidators, type RequestIssue, type RequestValidators } from "./validate.js";
import { defaultSleep, errorBody, errorPlan, json, playInProcess, serveLoopback, type LoopbackServer, type WirePlan } from "./wire.js";

/** Options of {@link createMockOpenRouter}. Every field is optional. */
export interface MockOpenRouterOptions {
  /** Scripted behaviours, tried in order; the first match answers. Unmatched requests get the default reply. */
  scenarios?: MockScenario[];
  /**
   * Recorded exchanges to answer from (a directory, a list of files, or exchanges), matched by method,
   * path and normalised body (see `fixtures.ts`). Requests no recording matches fall through to the
   * scenarios and the default reply.
   */
  recordings?: string | string[] | RecordedExchange[];
  /** When set, every request except `GET /models*` needs `Authorization: Bearer <apiKey>` (else 401). */
  apiKey?: string;
  /** Faults injected on every chat request (each honouring its `times`). */
  faults?: FaultSpec[];
  /** Extra catalogue entries, or a replacement catalogue with `replaceModels: true`. */
  models?: MockModel[];
  replaceModels?: boolean;
  /** `"reject"` (default): unknown model ids get OpenRouter's 400; `"accept"`: they answer like gpt-4o-mini. */
  unknownModels?: "reject" | "accept";
  /** Model used when a request has no `model` (default `openai/gpt-4o-mini`). */
  defaultModel?: string;
  /** Validate request bodies against the spec (default true). */
  validate?: boolean;
  /** The OpenAPI document (object or file path) to validate against; default: the checkout's spec. */
  spec?: string | object;
  /** `: OPENROUTER PROCESSING` comments at the start of every stream (default 1). */
  sseComments?: number;
  /** Delay between SSE chunks in ms (default 0), so streamed output visibly arrives piece by piece. */
  chunkDelayMs?: number;
  /** Credits for `GET /credits` and `GET /key` (default 10 USD). */
  credits?: number;
  /** Clock (ms) for `created` fields and ids (default `Date.now`). */
  now?: () => number;
  /** Seed for ids (default 1). */
  seed?: number;
  /** Sleep used for delays and `slow-first-byte` (inject a fake to test without waiting). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** One request the mock received (the `authorization` header is never kept). */
export interface MockRequestLog {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  status: number;
  faults: FaultName[];
}

/** A generation the mock served, as `GET /generation` reports it. */
export type MockGeneration = Record<string, unknown> & { id: string; total_cost: number };

/** The running server's addresses. */
export interface MockListening {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `http://127.0.0.1:<port>/api/v1`: pass as the client's `baseUrl`. */
  baseUrl: string;
  close(): Promise<void>;
}

/** The stand-in. */
export interface MockOpenRouter {
  /** In-process fetch: answers any URL (host ignored) exactly like the server would. */
  fetch: typeof globalThis.fetch;
  /** Start the loopback server on 127.0.0.1 (random port unless given). */
  listen(port?: number): Promise<MockListening>;
  /** Alias of `listen()`. */
  start(port?: number): Promise<MockListening>;
  /** Stop the server if it is running. */
  close(): Promise<void>;
  /** Set after `listen()`. */
  readonly url: string | undefined;
  readonly baseUrl: string | undefined;
  /** Every request received, in order. */
  readonly requests: readonly MockRequestLog[];
  /** Generations served, by id. */
  readonly generations: ReadonlyMap<string, MockGeneration>;
  /** Sum of `usage.cost` over everything served. */
  readonly totalCost: number;
  /** Queue faults for the next chat requests (each honouring its `times`, default once). */
  injectFaults(...faults: FaultSpec[]): void;
  /** The catalogue the mock serves. */
  readonly models: readonly MockModel[];
  /** Forget requests, generations and queued faults. */
  reset(): void;
}

const DEFAULT_MODEL = "openai/gpt-4o-mini";

function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = /^(authorization|cookie|x-api-key)$/i.test(name) ? "REDACTED" : value;
  });
  return out;
}

function describeIssues(issues: RequestIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join("; ");
}

/**
 * Create the OpenRouter stand-in. With no options it answers every chat with a deterministic echo,
 * lists a small realistic catalogue, serves generations, key, credits and embeddings, and validates
 * requests like the real service.
 *
 * @example
 * const mock = createMockOpenRouter({ scenarios: [{ model: "openai/gpt-4o-mini", reply: "Hello!" }] });
 * const { baseUrl } = await mock.listen();
 * const client = new OpenRouter({ apiKey: "test", baseUrl });
 * (await client.chat({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] })).text; // "Hello!"
 * await mock.close();
 */
export function createMockOpenRouter(options: MockOpenRouterOptions = {}): MockOpenRouter {
  if (options === null || typeof options !== "object") {
    throw new TypeError("createMockOpenRouter(options): options must be an object");
  }
  for (const key of ["chunkDelayMs", "sseComments", "credits", "seed"] as const) {
    const v = options[key];
    if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || v < 0)) {
      throw new TypeError(`createMockOpenRouter: ${key} must be a non-negative number, got ${String(v)}`);
    }
  }
  for (const key of ["now", "sleep"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "function") {
      throw new TypeError(`createMockOpenRouter: ${key} must be a function`);
    }
  }
  if (options.unknownModels !== undefined && options.unknownModels !== "reject" && options.unknownModels !== "accept") {
    throw new TypeError(`createMockOpenRouter: unknownModels must be "reject" or "accept"`);
  }
  if (options.scenarios !== undefined && !Array.isArray(options.scenarios)) {
    throw new TypeError("createMockOpenRouter: scenarios must be an array");
  }
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const ids = idGenerator(options.seed ?? 1, now);
  const defaultModel = options.defaultModel ?? DEFAULT_MODEL;
  const chunkDelayMs = options.chunkDelayMs ?? 0;
  const sseComments = options.sseComments ?? 1;
  const credits = options.credits ?? 10;
  const models: MockModel[] = options.replaceModels ? [...(options.models ?? [])] : [...BUILTIN_MODELS, ...(options.models ?? [])];

  const scenarios = (options.scenarios ?? []).map((s, i) => {
    if (!s || typeof s !== "object") throw new TypeError(`createMockOpenRouter: scenarios[${i}] must be an object`);
    if (Array.isArray(s.reply)) s.reply.forEach((r, j) => normaliseReply(r, `scenarios[${i}].reply[${j}]`));
    else if (s.reply !== undefined && typeof s.reply !== "function") normaliseReply(s.reply, `scenarios[${i}].reply`);
    return { scenario: s, used: 0, faults: (s.faults ?? []).map(normaliseFault) };
  });
  const globalFaults: FaultOptions[] = (options.faults ?? []).map(normaliseFault);
  let queuedFaults: FaultOptions[] = [];

  let recordings: LoadedRecording[] = [];
  if (options.recordings !== undefined) {
    const r = options.recordings;
    recordings =
      typeof r === "string" ? loadRecordings({ dir: r }) :
      r.every((x) => typeof x === "string") ? loadRecordings({ files: r as string[] }) :
      loadRecordings({ exchanges: r as RecordedExchange[] });
  }
  const recordingUses = new Map<LoadedRecording, number>();

  let validators: Promise<RequestValidators> | undefined;
  // Loaded on first use; a broken explicit `spec` surfaces at the first request it would validate.
  const getValidators = () => (validators ??= loadRequestValidators(options.spec));

  const requests: MockRequestLog[] = [];
  const generations = new Map<string, MockGeneration>();
  let totalCost = 0;
  let chatCount = 0;

  const modelFor = (id: string) => findModel(models, id);

  // ---------------------------------------------------------------- faults

  function takeFaults(list: FaultOptions[], out: FaultOptions[]) {
    for (const f of list) {
      if (f.times !== undefined && f.times <= 0) continue;
      if (f.times !== undefined) f.times -= 1;
      out.push(f);
    }
  }

  // ---------------------------------------------------------------- chat

  function remember(g: BuiltGeneration, streamed: boolean, finishReason: string, cancelled = false) {
    generations.set(g.id, generationRecord(g, streamed, finishReason, cancelled));
    totalCost += g.cost;
  }

  async function scenarioReply(req: MockChatRequest): Promise<{ reply: ReplyObject; faults: FaultOptions[] }> {
    for (const entry of scenarios) {
      const s = entry.scenario;
      if (s.model !== undefined && !(typeof s.model === "string" ? s.model === req.model : s.model.test(req.model))) continue;
      if (s.match && !s.match(req)) continue;
      const faults: FaultOptions[] = [];
      takeFaults(entry.faults, faults);
      let reply: MockReply | undefined;
      if (typeof s.reply === "function") reply = await s.reply(req);
      else if (Array.isArray(s.reply)) reply = s.reply[Math.min(entry.used, s.reply.length - 1)];
      else reply = s.reply;
      entry.used += 1;
      return { reply: reply === undefined ? defaultReply(req.body, req.model) : normaliseReply(reply, "scenario reply"), faults };
    }
    return { reply: defaultReply(req.body, req.model), faults: [] };
  }

  function resolveModel(body: Record<string, unknown>): string | { unknown: string } {
    const requested = typeof body["model"] === "string" ? body["model"] : undefined;
    const fallbacks = Array.isArray(body["models"]) ? (body["models"] as unknown[]).filter((m): m is string => typeof m === "string") : [];
    const candidates = [...(requested ? [requested] : []), ...fallbacks];
    if (candidates.length === 0) return defaultModel;
    const scenarioModels = (id: string) =>
      scenarios.some(({ scenario: s }) => s.model !== undefined && (typeof s.model === "string" ? s.model === id : s.model.test(id)));
    for (const id of candidates) {
      if (modelFor(id) || scenarioModels(id) || options.unknownModels === "accept") return id;
    }
    return { unknown: candidates[0]! };
  }

  async function chat(request: Request, body: Record<string, unknown>, headerFaults: FaultOptions[], seen: FaultName[]): Promise<WirePlan> {
    const resolved = resolveModel(body);
    if (typeof resolved !== "string") {
      return errorPlan(400, `${resolved.unknown} is not a valid model ID`, {
        error_type: "invalid_request",
      });
    }
    const model = resolved;
    const catalogue = modelFor(model);
    const prompt = promptTokens(body as { messages?: unknown; tools?: unknown });
    if (catalogue && prompt > catalogue.context_length) {
      return errorPlan(
        400,
        `This endpoint's maximum context length is ${catalogue.context_length} tokens. However, you requested about ${prompt} tokens (${prompt} of text input). Please reduce the length of either one, or use the context-compression plugin to compress your prompt automatically.`,
        { error_type: "context_length_exceeded", provider_name: null },
      );
    }
    chatCount += 1;
    const messages = (Array.isArray(body["messages"]) ? body["messages"] : []) as Array<Record<string, unknown>>;
    const lastUser = [...messages].reverse().find((m) => m["role"] === "user");
    const req: MockChatRequest = { body, model, headers: request.headers, lastUserText: textOf(lastUser?.["content"]), index: chatCount };
    const { reply, faults: scenarioFaults } = await scenarioReply(req);

    const faults: FaultOptions[] = [];
    takeFaults(globalFaults, faults);
    takeFaults(queuedFaults, faults);
    queuedFaults = queuedFaults.filter((f) => f.times === undefined || f.times > 0);
    faults.push(...scenarioFaults, ...headerFaults);
    seen.push(...faults.map((f) => f.fault));

    for (const f of faults) {
      const plan = statusFault(f, body, model, now);
      if (plan) return withTimingFaults(plan, faults);
    }
    if (reply.error) {
      const e = reply.error;
      return withTimingFaults(json(e.status, errorBody(e.code ?? e.status, e.message, e.metadata), e.headers ?? {}), faults);
    }
    const g = buildGeneration(body, model, reply, {
      catalogue: modelFor(model) ?? modelFor(defaultModel),
      newGenerationId: () => ids.generation(),
      newToolCallId: () => ids.toolCall(),
      now,
    });
    if (body["stream"] === true) {
      const { plan, outcome } = streamPlan(g, faults, { sseComments, chunkDelayMs });
      remember(g, true, outcome.finishReason, outcome.cancelled);
      return withTimingFaults(plan, faults);
    }
    remember(g, false, g.finishReason);
    return withTimingFaults(json(200, completionJson(g), completionHeaders(g.id, false)), faults);
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

  // ---------------------------------------------------------------- embeddings

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

  // ---------------------------------------------------------------- dispatch

  function matchRecording(key: RequestKey): LoadedRecording | undefined {
    const matches = recordings.filter((r) => {
      const k = keyOfRecording(r.exchange);
      return k.method === key.method && k.path === key.path && k.body === key.body;
    });
    if (matches.length === 0) return undefined;
    // Identical requests consume identical recordings in file order; the last one then repeats.
    const next = matches.find((r) => !recordingUses.has(r)) ?? matches[matches.length - 1]!;
    recordingUses.set(next, (recordingUses.get(next) ?? 0) + 1);
    return next;
  }

  /** `seen` collects the faults applied to this request, for the request log. */
  async function handle(request: Request, seen: FaultName[]): Promise<WirePlan> {
    const url = new URL(request.url);
    const path = normalisePath(url.pathname);
    const method = request.method.toUpperCase();
    const bodyText = method === "GET" || method === "HEAD" ? "" : await request.text();
    let headerFaults: FaultOptions[] = [];
    const faultHeader = request.headers.get("x-mock-fault");
    if (faultHeader) {
      try {
        headerFaults = parseFaultHeader(faultHeader);
      } catch (e) {
        return errorPlan(400, `x-mock-fault: ${(e as Error).message}`);
      }
    }

    const publicRoute = method === "GET" && /^\/models?(\/|$|\?)/.test(path);
    if (options.apiKey !== undefined && !publicRoute) {
      const auth = request.headers.get("authorization");
      if (!auth) return errorPlan(401, "Missing Authentication header");
      if (auth !== `Bearer ${options.apiKey}`) return errorPlan(401, "User not found.");
    }

    if (recordings.length > 0) {
      const rec = matchRecording({ method, path: normalisePath(url.pathname + url.search), body: normaliseBody(bodyText) });
      if (rec) {
        const r = responseOfRecording(rec.exchange);
        return withTimingFaults({ status: r.status, headers: r.headers, chunks: r.chunks.map((text) => ({ text })), end: "close" }, headerFaults);
      }
    }

    // Faults given by header apply to every endpoint; chat also honours scenario and global faults.
    const isChat = method === "POST" && path === "/chat/completions";
    if (!isChat) {
      seen.push(...headerFaults.map((f) => f.fault));
      for (const f of headerFaults) {
        const plan = statusFault(f, undefined, undefined, now);
        if (plan) return withTimingFaults(plan, headerFaults);
      }
    }

    let body: Record<string, unknown> = {};
    if (method === "POST") {
      try {
        const parsed: unknown = JSON.parse(bodyText);
        if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
        body = parsed as Record<string, unknown>;
      } catch {
        return errorPlan(400, "Invalid JSON body: expected a JSON object", { error_type: "invalid_request" });
      }
    }

    if (isChat || (method === "POST" && path === "/embeddings")) {
      if (options.validate !== false) {
        const v = await getValidators();
        const issues = isChat ? v.chat(body) : v.embeddings(body);
        if (issues.length > 0) {
          return errorPlan(400, `Invalid request: ${describeIssues(issues)}`, { error_type: "invalid_request", issues, schema: v.source });
        }
      }
      if (isChat) return chat(request, body, headerFaults, seen);
      return withTimingFaults(embeddings(body), headerFaults);
    }


    if (method === "GET") {
      const pathname = path.split("?")[0]!;
      let m: RegExpExecArray | null;
      if (pathname === "/models") {
        const list = listModels(models, url.searchParams);
        return withTimingFaults(json(200, { data: list, total_count: list.length, links: { next: null } }), headerFaults);
      }
      if (pathname === "/models/count") return json(200, { data: { count: listModels(models, url.searchParams).length } });
      if (pathname === "/embeddings/models") {
        const list = models.filter((x) => x.architecture.output_modalities.includes("embeddings"));
        return json(200, { data: list, total_count: list.length, links: { next: null } });
      }
      if ((m = /^\/model\/([^/]+\/[^/]+)$/.exec(pathname))) {
        const entry = modelFor(decodeURIComponent(m[1]!));
        return entry ? json(200, { data: entry }) : errorPlan(404, `Model ${decodeURIComponent(m[1]!)} not found`, { error_type: "not_found" });
      }
      if ((m = /^\/models\/([^/]+\/[^/]+)\/endpoints$/.exec(pathname))) {
        const entry = modelFor(decodeURIComponent(m[1]!));
        return entry ? json(200, { data: endpointsOf(entry) }) : errorPlan(404, `Model ${decodeURIComponent(m[1]!)} not found`, { error_type: "not_found" });
      }
      if (pathname === "/generation") {
        const id = url.searchParams.get("id");
        if (!id) return errorPlan(400, "Missing required query parameter: id", { error_type: "invalid_request" });
        const g = generations.get(id);
        return g ? json(200, { data: g }) : errorPlan(404, `Generation ${id} not found`, { error_type: "not_found" });
      }
      if (pathname === "/key") return json(200, keyBody(totalCost));
      if (pathname === "/credits") return json(200, { data: { total_credits: credits, total_usage: totalCost } });
    }
    return errorPlan(404, `Not Found: ${method} ${url.pathname} is not served by the OpenRouter stand-in`, { error_type: "not_found" });
  }

  async function handleAndLog(request: Request): Promise<WirePlan> {
    const logged = request.clone();
    const seen: FaultName[] = [];
    const plan: WirePlan =
      logged.method === "OPTIONS"
        ? {
            status: 204,
            headers: {
              "access-control-allow-methods": "GET, POST, OPTIONS",
              "access-control-allow-headers": request.headers.get("access-control-request-headers") ?? "*",
            },
            chunks: [],
            end: "close",
          }
        : await handle(request, seen);
    // Like the real service, answers are readable from browser pages (tests driving a web app).
    if (!plan.resetBeforeHeaders) plan.headers["access-control-allow-origin"] ??= "*";
    const text = logged.method === "GET" || logged.method === "OPTIONS" ? "" : await logged.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    requests.push({
      method: logged.method,
      path: normalisePath(new URL(logged.url).pathname + new URL(logged.url).search),
      headers: redactHeaders(logged.headers),
      body,
      status: plan.status,
      faults: seen,
    });
    return plan;
  }

  // ---------------------------------------------------------------- transports

  const mockFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    return playInProcess(await handleAndLog(request), request.signal, sleep);
  }) as typeof globalThis.fetch;

  let server: LoopbackServer | undefined;
  let listening: MockListening | undefined;

  async function listen(port = 0): Promise<MockListening> {
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new TypeError(`mock.listen(port): port must be an integer 0-65535 (0 = random), got ${String(port)}`);
    }
    if (listening) return listening;
    server = await serveLoopback(handleAndLog, port, sleep);
    // A served mock is about to get requests: compile the validators now, not on the first request.
    if (options.validate !== false) getValidators().catch(() => {});
    listening = { url: server.url, baseUrl: `${server.url}/api/v1`, close };
    return listening;
  }

  async function close(): Promise<void> {
    const s = server;
    server = undefined;
    listening = undefined;
    await s?.close();
  }

  return {
    fetch: mockFetch,
    listen,
    start: listen,
    close,
    get url() {
      return listening?.url;
    },
    get baseUrl() {
      return listening?.baseUrl;
    },
    requests,
    generations,
    get totalCost() {
      return totalCost;
    },
    injectFaults(...faults: FaultSpec[]) {
      queuedFaults.push(...faults.map((f) => {
        const n = normaliseFault(f);
        n.times ??= 1;
        return n;
      }));
    },
    models,
    reset() {
      requests.length = 0;
      generations.clear();
      queuedFaults = [];
      totalCost = 0;
      chatCount = 0;
      recordingUses.clear();
      for (const s of scenarios) s.used = 0;
    },
  };
}
