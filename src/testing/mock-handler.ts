/**
 * The stand-in's request handler: one function from a fetch `Request` to a wire plan, shared by the loopback
 * server and the in-process fetch. It checks the key the operation needs (inference or management), answers
 * from recordings first, applies header faults, validates the request against its operation in the spec,
 * then answers: text generation (chat, Responses, Messages), the catalogue and account routes,
 * media, the stateful resources (files, video jobs, keys, presets), and every other operation from the
 * spec's success schema.
 */
import { keyBody, endpointsOf, listModels } from "./endpoints.js";
import { parseFaultHeader, type FaultName, type FaultOptions } from "./faults.js";
import { keyOfRecording, normaliseBody, normalisePath, responseOfRecording, type LoadedRecording, type RequestKey } from "./fixtures.js";
import { imagePlan, speechPlan, transcriptionPlan } from "./media.js";
import type { Resources } from "./resources.js";
import { specOperations, type IncomingBody, type MatchedOperation, type SpecOperations } from "./spec-operations.js";
import { exampleBody } from "./synthesize.js";
import type { TextApi } from "./text-apis.js";
import type { TextEngine } from "./text-generation.js";
import type { RequestIssue, RequestValidators } from "./validate.js";
import { errorPlan, json, type WirePlan } from "./wire.js";
import type { MockModel } from "./catalogue.js";
import { statusFault } from "./chat.js";

/** One request the mock received (the `authorization` header is never kept). */
export interface MockRequestLog {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  status: number;
  faults: FaultName[];
}

/** What the handler needs from the mock. */
export interface HandlerConfig {
  apiKey: string | undefined;
  managementKey: string | undefined;
  validate: boolean;
  credits: number;
  models: MockModel[];
  recordings: LoadedRecording[];
  engine: TextEngine;
  resources: Resources;
  getValidators: () => Promise<RequestValidators>;
  getSpec: () => Promise<object | undefined>;
  now: () => number;
}

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

const TEXT_ROUTES: Record<string, TextApi> = {
  "POST /chat/completions": "chat",
  "POST /responses": "responses",
  "POST /messages": "messages",
};

/**
 * The handler of one stand-in, and its request log.
 *
 * @example
 * const { handleAndLog, requests } = createRequestHandler(config);
 * const plan = await handleAndLog(new Request("http://x/api/v1/models"));
 */
export function createRequestHandler(cfg: HandlerConfig) {
  const { engine, resources } = cfg;
  const requests: MockRequestLog[] = [];
  const recordingUses = new Map<LoadedRecording, number>();
  const modelFor = engine.modelFor;

  function matchRecording(key: RequestKey): LoadedRecording | undefined {
    const matches = cfg.recordings.filter((r) => {
      const k = keyOfRecording(r.exchange);
      return k.method === key.method && k.path === key.path && k.body === key.body;
    });
    if (matches.length === 0) return undefined;
    // Identical requests consume identical recordings in file order; the last one then repeats.
    const next = matches.find((r) => !recordingUses.has(r)) ?? matches[matches.length - 1]!;
    recordingUses.set(next, (recordingUses.get(next) ?? 0) + 1);
    return next;
  }

  /** 401/403 when the request lacks the key the operation needs, else undefined. */
  function authProblem(request: Request, method: string, path: string, ops: SpecOperations | undefined): WirePlan | undefined {
    const matched = ops?.match(method, path);
    const operation = matched && "operation" in matched ? matched.operation : undefined;
    const auth = request.headers.get("authorization");
    if (operation?.key === "management" && cfg.managementKey !== undefined) {
      if (!auth) return errorPlan(401, "Missing Authentication header");
      if (auth === `Bearer ${cfg.managementKey}`) return undefined;
      // An ordinary key is known but not allowed here; anything else is not a key at all.
      const inference = auth === `Bearer ${cfg.apiKey}` || resources.isLiveKey(auth.replace(/^Bearer /, ""));
      return inference ? errorPlan(403, "Only management keys can perform this operation") : errorPlan(401, "User not found.");
    }
    const publicRoute = (method === "GET" && /^\/models?(\/|$|\?)/.test(path)) || operation?.key === "public";
    if (cfg.apiKey === undefined || publicRoute) return undefined;
    if (!auth) return errorPlan(401, "Missing Authentication header");
    if (auth === `Bearer ${cfg.apiKey}` || resources.isLiveKey(auth.replace(/^Bearer /, ""))) return undefined;
    if (cfg.managementKey !== undefined && auth === `Bearer ${cfg.managementKey}`) return undefined;
    return errorPlan(401, "User not found.");
  }

  /** Reads the body as the operation will see it: JSON, multipart form data, other bytes, or nothing. */
  async function readBody(request: Request, bytes: Uint8Array<ArrayBuffer>): Promise<IncomingBody | { invalid: string }> {
    if (bytes.byteLength === 0) return { kind: "none" };
    // The boundary is case-sensitive: keep the header as sent.
    const header = request.headers.get("content-type") ?? "";
    const type = header.split(";")[0]!.trim().toLowerCase();
    if (type === "multipart/form-data") {
      try {
        return { kind: "form", form: await new Response(bytes, { headers: { "content-type": header } }).formData() };
      } catch {
        return { invalid: "Invalid multipart/form-data body" };
      }
    }
    try {
      const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
      if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error("not an object");
      return { kind: "json", value };
    } catch {
      // Clients that send JSON without saying so (a string body is text/plain) still get the JSON error.
      if (type === "" || type.includes("json") || type.startsWith("text/")) return { invalid: "Invalid JSON body: expected a JSON object" };
      return { kind: "other", contentType: type };
    }
  }

  /** `seen` collects the faults applied to this request, for the request log. */
  async function handle(request: Request, seen: FaultName[]): Promise<WirePlan> {
    const url = new URL(request.url);
    const path = normalisePath(url.pathname);
    const method = request.method.toUpperCase();
    const bytes: Uint8Array<ArrayBuffer> = method === "GET" || method === "HEAD" ? new Uint8Array() : new Uint8Array(await request.arrayBuffer());
    let headerFaults: FaultOptions[] = [];
    const faultHeader = request.headers.get("x-mock-fault");
    if (faultHeader) {
      try {
        headerFaults = parseFaultHeader(faultHeader);
      } catch (e) {
        return errorPlan(400, `x-mock-fault: ${(e as Error).message}`);
      }
    }
    const spec = await cfg.getSpec().catch(() => undefined);
    const ops = spec ? specOperations(spec) : undefined;
    const denied = authProblem(request, method, path, ops);
    if (denied) return denied;

    if (cfg.recordings.length > 0) {
      const rec = matchRecording({ method, path: normalisePath(url.pathname + url.search), body: normaliseBody(new TextDecoder().decode(bytes)) });
      if (rec) {
        const r = responseOfRecording(rec.exchange);
        return engine.withTimingFaults({ status: r.status, headers: r.headers, chunks: r.chunks.map((text) => ({ text })), end: "close" }, headerFaults);
      }
    }

    const matched = ops?.match(method, path);
    const operation = matched && "operation" in matched ? matched : undefined;
    const routeKey = operation ? `${method} ${operation.operation.path}` : `${method} ${path}`;
    const textApi = TEXT_ROUTES[routeKey];
    // Faults given by header apply to every endpoint; text generation also honours scenario and global faults.
    if (!textApi) {
      seen.push(...headerFaults.map((f) => f.fault));
      for (const f of headerFaults) {
        const plan = statusFault(f, undefined, undefined, cfg.now);
        if (plan) return engine.withTimingFaults(plan, headerFaults);
      }
    }

    const read = method === "POST" || method === "PUT" || method === "PATCH" ? await readBody(request, bytes) : ({ kind: "none" } as IncomingBody);
    if ("invalid" in read) return errorPlan(400, read.invalid, { error_type: "invalid_request" });
    if (method === "POST" && read.kind === "none" && (routeKey === "POST /chat/completions" || routeKey === "POST /embeddings")) {
      return errorPlan(400, "Invalid JSON body: expected a JSON object", { error_type: "invalid_request" });
    }
    const body = (read.kind === "json" ? read.value : {}) as Record<string, unknown>;

    if (routeKey === "POST /chat/completions" || routeKey === "POST /embeddings") {
      const isChat = routeKey === "POST /chat/completions";
      if (cfg.validate) {
        const v = await cfg.getValidators();
        const issues = isChat ? v.chat(body) : v.embeddings(body);
        if (issues.length > 0) {
          return errorPlan(400, `Invalid request: ${describeIssues(issues)}`, { error_type: "invalid_request", issues, schema: v.source });
        }
      }
      if (isChat) return engine.answer("chat", request, body, headerFaults, seen);
      return engine.withTimingFaults(engine.embeddings(body), headerFaults);
    }

    if (method === "GET") {
      const served = catalogueRoute(path, url);
      if (served) return engine.withTimingFaults(served, headerFaults);
    }

    if (!ops || !matched) {
      return errorPlan(404, `Not Found: ${method} ${url.pathname} is not served by the OpenRouter stand-in`, { error_type: "not_found" });
    }
    if ("methodNotAllowed" in matched) {
      return errorPlan(405, `Method Not Allowed: ${method} ${url.pathname} (allowed: ${matched.methodNotAllowed.join(", ")})`, { error_type: "invalid_request" });
    }
    if (cfg.validate) {
      const issues = ops.check(matched, url.searchParams, request.headers, read);
      if (issues.length > 0) {
        const message = `Invalid request: ${describeIssues(issues)}`;
        const meta = { error_type: "invalid_request", issues, schema: "spec" };
        return textApi === "messages" ? engine.apiError("messages", 400, message, meta) : errorPlan(400, message, meta);
      }
    }
    if (textApi) return engine.answer(textApi, request, body, headerFaults, seen);
    return engine.withTimingFaults(await operationRoute(matched, url, read, body, ops.doc), headerFaults);
  }

  function catalogueRoute(path: string, url: URL): WirePlan | undefined {
    const pathname = path.split("?")[0]!;
    const models = cfg.models;
    let m: RegExpExecArray | null;
    if (pathname === "/models") {
      const list = listModels(models, url.searchParams);
      return json(200, { data: list, total_count: list.length, links: { next: null } });
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
      const g = engine.generations.get(id);
      return g ? json(200, { data: g }) : errorPlan(404, `Generation ${id} not found`, { error_type: "not_found" });
    }
    if (pathname === "/key") return json(200, keyBody(engine.totalCost));
    if (pathname === "/credits") return json(200, { data: { total_credits: cfg.credits, total_usage: engine.totalCost } });
    return undefined;
  }

  async function operationRoute(matched: MatchedOperation, url: URL, read: IncomingBody, body: Record<string, unknown>, doc: object): Promise<WirePlan> {
    const { operation } = matched;
    switch (`${operation.method} ${operation.path}`) {
      case "POST /audio/speech":
        return speechPlan(body, engine.ids.generation("gen-tts"));
      case "POST /audio/transcriptions":
        return transcriptionPlan(read, engine.ids.generation("gen-stt"));
      case "POST /images":
        return imagePlan(body, engine.ids.generation("gen-img"), Math.floor(cfg.now() / 1000));
      case "GET /generation/content": {
        const id = url.searchParams.get("id") ?? "";
        const c = engine.contents.get(id);
        if (!c) return errorPlan(404, `Generation ${id} not found`, { error_type: "not_found" });
        return json(200, { data: { input: { messages: c.messages }, output: { completion: c.completion, reasoning: c.reasoning }, error: null } });
      }
      case "POST /generation/feedback": {
        const id = String(body["generation_id"]);
        if (!engine.generations.has(id)) return errorPlan(404, `Generation ${id} not found`, { error_type: "not_found" });
        return json(200, { data: { success: "true" } });
      }
    }
    const stateful = await resources.answer(matched, url.searchParams, read, url.origin);
    if (stateful) return stateful;
    return synthesized(matched, doc);
  }

  /** The success answer built from the operation's schema (examples first). */
  function synthesized(matched: MatchedOperation, doc: object): WirePlan {
    const { operation } = matched;
    const spec = operation.successMedia;
    const jsonMedia = spec.find(([type]) => type.includes("json"));
    if (jsonMedia) return json(operation.successStatus, exampleBody(doc, jsonMedia[1]));
    const binary = spec.find(([type]) => type !== "text/event-stream");
    if (binary) {
      const type = binary[0].replace("/*", "/mpeg");
      const bytes = new TextEncoder().encode(`stand-in ${operation.method} ${operation.path}`);
      return { status: operation.successStatus, headers: { "content-type": type }, chunks: [{ text: "", bytes }], end: "close" };
    }
    return { status: operation.successStatus, headers: {}, chunks: [], end: "close" };
  }

  async function handleAndLog(request: Request): Promise<WirePlan> {
    const logged = request.clone();
    const seen: FaultName[] = [];
    const plan: WirePlan =
      logged.method === "OPTIONS"
        ? {
            status: 204,
            headers: {
              "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
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

  return {
    handleAndLog,
    requests,
    reset() {
      requests.length = 0;
      recordingUses.clear();
    },
  };
}
