/**
 * `createMockOpenRouter()`: a faithful local stand-in for the OpenRouter HTTP API, served both as a
 * loopback `node:http` server on 127.0.0.1 and as an in-process `fetch`. Both paths share one handler
 * that produces a "wire plan" (status, headers, body chunks, how the connection ends), so faults like
 * "reset before headers" or "truncate" behave the same way over a socket and in process.
 */
import { BUILTIN_MODELS, type MockModel } from "./catalogue.js";
import { loadRecordings, type LoadedRecording, type RecordedExchange } from "./fixtures.js";
import type { FaultSpec } from "./faults.js";
import { createRequestHandler, type MockRequestLog } from "./mock-handler.js";
import type { MockScenario } from "./replies.js";
import { createResources, DEFAULT_PRESETS, type MockPreset } from "./resources.js";
import { createTextEngine, type MockGeneration } from "./text-generation.js";
import { loadRequestValidators, loadSpecDocument, type RequestValidators } from "./validate.js";
import { defaultSleep, playInProcess, serveLoopback, type LoopbackServer } from "./wire.js";

export type { MockRequestLog } from "./mock-handler.js";
export type { MockGeneration } from "./text-generation.js";
export type { MockPreset } from "./resources.js";

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
  /**
   * When set, every request needs `Authorization: Bearer <apiKey>` (else 401), except `GET /models*` and the
   * operations the spec lets through without a key (`/providers`, `/endpoints/zdr`, `POST /auth/keys`, …).
   * Keys created through `POST /keys` are accepted too.
   */
  apiKey?: string;
  /**
   * When set, the management operations (keys, guardrails, workspaces, BYOK, credits, … : those the spec
   * marks `managementKey`) need `Authorization: Bearer <managementKey>`: 401 without it, 403 with an
   * ordinary key.
   */
  managementKey?: string;
  /** Presets the stand-in starts with (default: one, `concise`); `POST /presets/{slug}/…` saves more. */
  presets?: MockPreset[];
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

/**
 * Create the OpenRouter stand-in. With no options it answers every chat, Responses and Messages request
 * with a deterministic echo, lists a small realistic catalogue, serves generations, key, credits,
 * embeddings, media, files, video jobs, keys and presets, answers every other operation of the spec from
 * its response schema, and validates requests against their operation like the real service.
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
  const models: MockModel[] = options.replaceModels ? [...(options.models ?? [])] : [...BUILTIN_MODELS, ...(options.models ?? [])];
  if (options.presets !== undefined && (!Array.isArray(options.presets) || options.presets.some((p) => !p || typeof p.slug !== "string" || p.slug === ""))) {
    throw new TypeError("createMockOpenRouter: presets must be an array of { slug, name?, config?, systemPrompt? }");
  }
  const engine = createTextEngine({
    scenarios: options.scenarios ?? [],
    faults: options.faults ?? [],
    models,
    unknownModels: options.unknownModels,
    defaultModel: options.defaultModel ?? DEFAULT_MODEL,
    sseComments: options.sseComments ?? 1,
    chunkDelayMs: options.chunkDelayMs ?? 0,
    now,
    seed: options.seed ?? 1,
    presetConfig: (slug) => resources.presetConfig(slug),
  });
  const resources = createResources({ newId: (prefix) => engine.ids.generation(prefix), now }, options.presets ?? DEFAULT_PRESETS);

  let recordings: LoadedRecording[] = [];
  if (options.recordings !== undefined) {
    const r = options.recordings;
    recordings =
      typeof r === "string" ? loadRecordings({ dir: r }) :
      r.every((x) => typeof x === "string") ? loadRecordings({ files: r as string[] }) :
      loadRecordings({ exchanges: r as RecordedExchange[] });
  }

  let validators: Promise<RequestValidators> | undefined;
  // Loaded on first use; a broken explicit `spec` surfaces at the first request it would validate.
  const getValidators = () => (validators ??= loadRequestValidators(options.spec));
  let specDocument: Promise<object | undefined> | undefined;
  const getSpec = () => (specDocument ??= loadSpecDocument(options.spec));

  const handler = createRequestHandler({
    apiKey: options.apiKey,
    managementKey: options.managementKey,
    validate: options.validate !== false,
    credits: options.credits ?? 10,
    models,
    recordings,
    engine,
    resources,
    getValidators,
    getSpec,
    now,
  });
  const handleAndLog = handler.handleAndLog;

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
    if (options.validate !== false) {
      getValidators().catch(() => {});
      getSpec().catch(() => {});
    }
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
    requests: handler.requests,
    generations: engine.generations,
    get totalCost() {
      return engine.totalCost;
    },
    injectFaults(...faults: FaultSpec[]) {
      engine.injectFaults(faults);
    },
    models,
    reset() {
      handler.reset();
      engine.reset();
      resources.reset();
    },
  };
}
