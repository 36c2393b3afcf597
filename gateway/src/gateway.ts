/**
 * `createGateway()`: the OpenAI-compatible front door. Apps call it with a gateway key; it checks the key,
 * its model list, rate limits and budget (reserving the worst case in the database first), forwards the call
 * through this library's client (retries, timeouts, circuit breaker, stream parsing and cost are the
 * client's), and records one usage row per request before the response completes.
 */
import { hostname } from "node:os";
import { performance } from "node:perf_hooks";
import { serve, type ServerType } from "@hono/node-server";
import { Hono, type Context } from "hono";
import { cors } from "hono/cors";
import { ChatStream, OpenRouter, estimateCost, estimateTokens, type ChatResult, type ChatStreamSettled } from "openrouter-fetch";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { adminRoutes } from "./admin.js";
import { dashboardRoutes } from "./dashboard.js";
import { GatewayError, errorBody, toErrorResponse, upstreamErrorBody } from "./errors.js";
import { bearer, hashKey, newId } from "./keys.js";
import { KeyLimits } from "./limits.js";
import { GatewayMetrics } from "./metrics.js";
import { forwardSse, type SseOutcome } from "./sse.js";
import { keepAliveFetch } from "./upstream-fetch.js";
import type { IncomingMessage, ServerResponse } from "node:http";
import { openStore, periodKey, type KeyRow, type KeysTable, type Store, type UsageTable } from "./store.js";

export interface GatewayOptions {
  /** SQLite file path (default `gateway.sqlite`), `:memory:`, or a `postgres://` URL. */
  db?: string | undefined;
  /** PostgreSQL schema for the gateway's tables (default: the connection's search_path). */
  pgSchema?: string | undefined;
  /** The upstream OpenRouter key. Without one, the library's embedded OpenRouter stand-in answers. */
  upstreamApiKey?: string | undefined;
  upstreamBaseUrl?: string | undefined;
  /** Injected upstream fetch (tests). */
  upstreamFetch?: typeof globalThis.fetch | undefined;
  /** Bearer token for `/admin/*`, `/metrics` and the dashboard's API calls. Without it those routes answer 401. */
  adminToken?: string | undefined;
  /** `redis://` URL: rate-limit counters shared by every instance using it. */
  redisUrl?: string | undefined;
  /** Prefix of this gateway's Redis keys (default `orgw`). */
  redisPrefix?: string | undefined;
  /** Model aliases, e.g. `{ "gpt-4o-mini": "openai/gpt-4o-mini" }`. */
  aliases?: Record<string, string> | undefined;
  /** Largest accepted request body in bytes (default 10 MB). */
  maxBodyBytes?: number | undefined;
  /** Origins allowed to call from browsers (default none). */
  corsOrigins?: string[] | undefined;
  /** Names this process's open usage rows; a restart with the same id settles the ones a crash left open. */
  instanceId?: string | undefined;
  /** pino logger for the per-request JSON line (default: no request log). */
  logger?: Logger | undefined;
  /** Refuse budgeted requests that could afford fewer completion tokens than this (default 16). */
  minUsefulTokens?: number | undefined;
  /** Settle rows left open by a crash when the gateway starts (default true). */
  recoverOnStart?: boolean | undefined;
  /** Options passed to the upstream client (timeouts, retry, breaker). */
  client?: Partial<ConstructorParameters<typeof OpenRouter>[0]> | undefined;
}

export interface Gateway {
  fetch(request: Request): Promise<Response>;
  listen(options?: { port?: number; host?: string }): Promise<{ url: string }>;
  close(): Promise<void>;
  /** True when no upstream key was given and the embedded stand-in answers. */
  readonly standIn: boolean;
  readonly store: Store;
  /** Settle rows left open by an earlier crash of this instance (run at start unless disabled). */
  recover(): Promise<{ settled: number }>;
}


const DEFAULT_MAX_BODY = 10 * 1024 * 1024;
const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

/** Creates the gateway: opens and migrates the store, connects Redis when configured, settles crash leftovers. */
export async function createGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const store = await openStore({ db: options.db ?? "gateway.sqlite", pgSchema: options.pgSchema });
  const db = store.db;
  const hot = store.hot;
  const now = () => Date.now();
  const instanceId = options.instanceId ?? `${hostname()}:${store.kind}`;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const minUseful = options.minUsefulTokens ?? 16;
  const aliases = options.aliases ?? {};
  const logger = options.logger;

  let standIn = false;
  let upstreamFetch = options.upstreamFetch;
  let upstreamKey = options.upstreamApiKey;
  if (!upstreamKey && !upstreamFetch) {
    const { createMockOpenRouter } = await import("openrouter-fetch/testing");
    const mock = createMockOpenRouter();
    upstreamFetch = mock.fetch;
    upstreamKey = "stand-in";
    standIn = true;
  }
  const client = new OpenRouter({
    apiKey: upstreamKey ?? "unset",
    baseUrl: options.upstreamBaseUrl ?? "https://openrouter.ai/api/v1",
    fetch: upstreamFetch ?? keepAliveFetch(),
    // A 429 asking for a long wait is the app's to handle (it gets the Retry-After), not held in the gateway.
    retry: { maxRetries: 2, maxDelayMs: 2_000 },
    appName: "openrouter-fetch-gateway",
    ...options.client,
  });

  let redis: Redis | undefined;
  if (options.redisUrl) {
    const { Redis: RedisClient } = await import("ioredis");
    redis = new RedisClient(options.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
  }
  const limits = new KeyLimits({ redis, prefix: options.redisPrefix });
  const metrics = new GatewayMetrics();
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const pendingSettles = new Set<Promise<unknown>>();

  const track = <T>(p: Promise<T>): Promise<T> => {
    pendingSettles.add(p);
    p.finally(() => pendingSettles.delete(p)).catch(() => undefined);
    return p;
  };

  // ---------- helpers ----------

  const baseHeaders = (requestId: string, startedAt: number, costUsd: number, generationId?: string): Record<string, string> => {
    const h: Record<string, string> = {
      "x-request-id": requestId,
      "x-gateway-cost-usd": costUsd.toFixed(8),
      "x-gateway-latency-ms": (performance.now() - startedAt).toFixed(2),
    };
    if (generationId) h["x-openrouter-generation-id"] = generationId;
    return h;
  };

  const errorResponse = (error: unknown, requestId: string, startedAt: number): Response => {
    const { status, body, headers } = toErrorResponse(error);
    return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...baseHeaders(requestId, startedAt, 0), ...headers } });
  };

  const authenticate = async (c: Context): Promise<KeyRow> => {
    const token = bearer(c.req.header("authorization"));
    if (!token) throw new GatewayError(401, "Missing gateway key: send Authorization: Bearer sk-gw-…", "missing_api_key");
    const row = await hot.findKey(hashKey(token));
    if (!row) throw new GatewayError(401, "Unknown gateway key.", "invalid_api_key");
    if (row.revoked_at !== null) throw new GatewayError(401, "This gateway key has been revoked.", "revoked_api_key");
    return row;
  };

  const readJsonBody = async (c: Context): Promise<Record<string, unknown>> => {
    const type = c.req.header("content-type") ?? "";
    if (!/^application\/json\b/i.test(type.trim())) {
      throw new GatewayError(415, "Send the request body as JSON with Content-Type: application/json.", "unsupported_media_type");
    }
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > maxBody) throw new GatewayError(413, `The request body is larger than the gateway's limit of ${maxBody} bytes.`, "request_too_large");
    const text = await readBodyText(c, maxBody);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new GatewayError(400, "The request body is not valid JSON.", "invalid_json");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new GatewayError(400, "The request body must be a JSON object.", "invalid_request");
    return parsed as Record<string, unknown>;
  };

  const resolveModel = (key: KeyRow, body: Record<string, unknown>): string => {
    const model = body["model"];
    if (typeof model !== "string" || model.trim() === "") throw new GatewayError(400, "`model` is required and must be a string.", "missing_field", "model");
    const resolved = aliases[model] ?? model;
    if (key.models) {
      const allowed = JSON.parse(key.models) as string[];
      const base = resolved.split(":")[0] as string;
      if (!allowed.includes(resolved) && !allowed.includes(base) && !allowed.includes(model)) {
        throw new GatewayError(404, `The model ${model} is not allowed for this key.`, "model_not_allowed", "model");
      }
    }
    body["model"] = resolved;
    return resolved;
  };

  /** The worst-case cost to reserve; may set `max_tokens` to what the budget affords. */
  const worstCase = async (key: KeyRow, body: Record<string, unknown>, model: string): Promise<{ amount: number; promptTokens: number }> => {
    if (key.budget_usd === null) {
      const promptTokens = key.tpm !== null ? estimateTokens(body as Parameters<typeof estimateTokens>[0]) : 0;
      const requested = typeof body["max_tokens"] === "number" ? body["max_tokens"] : 0;
      return { amount: 0, promptTokens: promptTokens + requested };
    }
    const entry = await client.models.get(model);
    if (!entry) throw new GatewayError(404, `Unknown model ${model}.`, "model_not_found", "model");
    const params = body as unknown as Parameters<typeof estimateCost>[0];
    let base: ReturnType<typeof estimateCost>;
    try {
      base = estimateCost({ ...params, max_tokens: 0 }, entry);
    } catch (e) {
      throw new GatewayError(400, `Cannot price this request for a budgeted key: ${(e as Error).message}`, "unpriced_model", "model");
    }
    const requested = body["max_tokens"] ?? body["max_completion_tokens"];
    if (requested !== undefined && requested !== null) {
      if (typeof requested !== "number" || !Number.isInteger(requested) || requested < 1) {
        throw new GatewayError(400, "`max_tokens` must be a positive integer.", "invalid_type", "max_tokens");
      }
      const e = estimateCost(params, entry);
      return { amount: e.worstCaseUsd, promptTokens: e.promptTokens + requested };
    }
    const full = estimateCost(params, entry);
    const remaining = await hot.remainingBudget(key.id, now());
    if (full.worstCaseUsd <= remaining) return { amount: full.worstCaseUsd, promptTokens: full.promptTokens + full.maxTokens };
    const per1k = estimateCost({ ...params, max_tokens: 1000 }, entry).worstCaseUsd - base.worstCaseUsd;
    const affordable = per1k > 0 ? Math.floor(((remaining - base.worstCaseUsd) / per1k) * 1000) : full.maxTokens;
    if (affordable < minUseful) {
      throw new GatewayError(402, `Budget exhausted: this key can afford fewer than ${minUseful} completion tokens for ${model}.`, "budget_exceeded");
    }
    body["max_tokens"] = affordable;
    return { amount: base.worstCaseUsd + (per1k * affordable) / 1000, promptTokens: base.promptTokens + affordable };
  };

  interface Admission {
    key: KeyRow;
    usageId: string;
    reserved: number;
    estimatedTokens: number;
  }

  /** Limits, then the atomic reservation together with the open usage row. */
  const admit = async (key: KeyRow, body: Record<string, unknown>, model: string | null, endpoint: string, requestId: string): Promise<Admission> => {
    const { amount, promptTokens } = model !== null && endpoint === "chat" ? await worstCase(key, body, model) : { amount: 0, promptTokens: 0 };
    if (key.rpm !== null || key.tpm !== null) {
      const check = await limits.take(key.id, key.rpm, key.tpm, promptTokens);
      if (!check.ok) {
        metrics.rateLimited.inc({ limit: check.which ?? "rpm" });
        throw new GatewayError(429, `Rate limit reached (${check.which}) for this key; retry after ${check.retryAfterSeconds} s.`, "rate_limit_exceeded", undefined, {
          "retry-after": String(check.retryAfterSeconds),
        });
      }
    }
    const pk = periodKey(key.budget_period, now());
    const ok = await hot.admit({
      keyId: key.id,
      amountUsd: amount,
      periodKey: pk,
      row: {
          id: requestId,
          key_id: key.id,
          started_at: now(),
          endpoint,
          model,
          provider: null,
          prompt_tokens: null,
          completion_tokens: null,
          reasoning_tokens: null,
          cost_usd: null,
          reserved_usd: amount,
          latency_ms: null,
          ttft_ms: null,
          status: null,
          generation_id: null,
          stream_outcome: null,
          error_type: null,
          state: "open",
          instance_id: instanceId,
      },
    });
    if (!ok) {
      if (await hot.isRevoked(key.id)) throw new GatewayError(401, "This gateway key has been revoked.", "revoked_api_key");
      metrics.budgetRefused.inc();
      throw new GatewayError(402, "Budget exhausted: this request's worst-case cost is more than the key has left.", "budget_exceeded");
    }
    return { key, usageId: requestId, reserved: amount, estimatedTokens: promptTokens };
  };

  const finishRow = async (a: Admission, row: Partial<UsageTable>, costUsd: number, model: string | null): Promise<void> => {
    await hot.settle({ usageId: a.usageId, keyId: a.key.id, reservedUsd: a.reserved, costUsd, row });
    const status = row.status ?? 0;
    metrics.observe(model ?? "none", status, row.latency_ms ?? 0, costUsd, row.prompt_tokens ?? 0, row.completion_tokens ?? 0);
    const used = (row.prompt_tokens ?? 0) + (row.completion_tokens ?? 0);
    if (a.key.tpm !== null && used > a.estimatedTokens) void limits.charge(a.key.id, a.key.tpm, used - a.estimatedTokens);
  };

  const logLine = (fields: Record<string, unknown>) => {
    logger?.info(fields, "request");
  };

  const usageFields = (result: ChatResult | undefined): Partial<UsageTable> => {
    const u = result?.usage as Record<string, unknown> | undefined;
    const details = u?.["completion_tokens_details"] as Record<string, unknown> | undefined;
    return {
      provider: result?.provider ?? null,
      prompt_tokens: typeof u?.["prompt_tokens"] === "number" ? u["prompt_tokens"] : null,
      completion_tokens: typeof u?.["completion_tokens"] === "number" ? u["completion_tokens"] : null,
      reasoning_tokens: typeof details?.["reasoning_tokens"] === "number" ? details["reasoning_tokens"] : null,
      generation_id: result?.generationId ?? null,
    };
  };

  // ---------- handlers ----------

  const chatCompletions = async (c: Context): Promise<Response> => {
    const startedAt = performance.now();
    const requestId = newId("req_");
    let admission: Admission | undefined;
    let model: string | null = null;
    try {
      const key = await authenticate(c);
      const body = await readJsonBody(c);
      model = resolveModel(key, body);
      if (!Array.isArray(body["messages"]) || body["messages"].length === 0) {
        throw new GatewayError(400, "`messages` is required and must be a non-empty array.", "missing_field", "messages");
      }
      if (body["stream"] !== undefined && typeof body["stream"] !== "boolean") throw new GatewayError(400, "`stream` must be a boolean.", "invalid_type", "stream");
      const stream = body["stream"] === true;
      admission = await admit(key, body, model, "chat", requestId);
      if (stream) return await streamChat(c, body, admission, model, requestId, startedAt);
      delete body["stream"];
      const ac = new AbortController();
      onClientGone(c, () => ac.abort());
      const result = await client.chat(body as Parameters<OpenRouter["chat"]>[0], { signal: ac.signal });
      const cost = result.cost ?? 0;
      const latency = performance.now() - startedAt;
      await finishRow(admission, { ...usageFields(result), status: 200, latency_ms: latency, stream_outcome: null }, cost, model);
      logLine({ requestId, key: key.id, model, status: 200, latencyMs: Math.round(latency), costUsd: cost, stream: false });
      return new Response(JSON.stringify(result.raw), {
        status: 200,
        headers: { ...JSON_HEADERS, ...baseHeaders(requestId, startedAt, cost, result.generationId) },
      });
    } catch (error) {
      return failed(error, admission, model, requestId, startedAt);
    }
  };

  const failed = async (error: unknown, admission: Admission | undefined, model: string | null, requestId: string, startedAt: number): Promise<Response> => {
    const response = errorResponse(error, requestId, startedAt);
    const latency = performance.now() - startedAt;
    if (admission) {
      const partial = (error as { partial?: ChatResult }).partial;
      const cost = partial?.cost ?? 0;
      await finishRow(admission, { ...usageFields(partial), status: response.status, latency_ms: latency, error_type: String((error as { kind?: string }).kind ?? "gateway") }, cost, model).catch(
        (e: unknown) => logger?.error({ requestId, err: String(e) }, "settle failed"),
      );
      metrics.upstreamErrors.inc({ kind: String((error as { kind?: string }).kind ?? "unknown") });
    } else {
      metrics.rejected.inc({ status: String(response.status) });
    }
    logLine({ requestId, key: admission?.key.id, model, status: response.status, latencyMs: Math.round(latency), error: (error as { code?: unknown }).code ?? "error" });
    return response;
  };

  const streamChat = async (c: Context, body: Record<string, unknown>, a: Admission, model: string, requestId: string, startedAt: number): Promise<Response> => {
    const ac = new AbortController();
    const { data, error, response } = await client.api.POST("/chat/completions", {
      body: body as never,
      parseAs: "stream",
      signal: ac.signal,
    });
    if (!response.ok || !data) {
      const status = response.status >= 400 ? response.status : 502;
      const text = typeof error === "string" ? error : JSON.stringify(error ?? {});
      const errBody = upstreamErrorBody(status, text);
      const retryAfter = response.headers.get("retry-after");
      await finishRow(a, { status, latency_ms: performance.now() - startedAt, error_type: "upstream_status" }, 0, model);
      metrics.upstreamErrors.inc({ kind: `status_${status}` });
      logLine({ requestId, key: a.key.id, model, status, stream: true });
      return new Response(JSON.stringify(errBody), {
        status,
        headers: { ...JSON_HEADERS, ...baseHeaders(requestId, startedAt, 0), ...(retryAfter && { "retry-after": retryAfter }) },
      });
    }
    const headerGenerationId = response.headers.get("x-generation-id") ?? undefined;
    const [wire, parse] = (data as ReadableStream<Uint8Array>).tee();
    let settledInfo: ChatStreamSettled | undefined;
    const parsed = new ChatStream({
      open: async () => new Response(parse, { status: 200, headers: response.headers }),
      info: { method: "POST", path: "/chat/completions", model },
      onSettled: (s) => {
        settledInfo = s;
      },
    });
    const parsedFinal = parsed.final().then(
      () => undefined,
      () => undefined,
    );
    let generationWrite: Promise<unknown> | undefined;
    const recordGenerationId = (id: string | undefined) => {
      const gen = headerGenerationId ?? id;
      if (!gen) return;
      generationWrite = track(hot.setGenerationId(a.usageId, gen));
    };
    if (headerGenerationId) recordGenerationId(headerGenerationId);
    let finished = false;
    inFlight++;
    const finish = async (o: SseOutcome): Promise<string | undefined> => {
      if (finished) return undefined;
      finished = true;
      try {
        return await finishStream(o);
      } finally {
        inFlight--;
        if (inFlight === 0) drained?.();
      }
    };
    const finishStream = async (o: SseOutcome): Promise<string | undefined> => {
      if (o.cancelled) parsed.abort();
      await parsedFinal;
      await generationWrite?.catch(() => undefined);
      const result = settledInfo?.result ?? settledInfo?.error?.partial;
      const cost = result?.cost;
      const outcome = o.cancelled ? "cancelled" : o.completed ? "completed" : o.inBandError ? "error" : o.readFailed ? "failed" : "truncated";
      const latency = performance.now() - startedAt;
      const row: Partial<UsageTable> = {
        ...usageFields(result),
        generation_id: result?.generationId ?? headerGenerationId ?? o.firstChunkId ?? null,
        status: o.completed ? 200 : o.cancelled ? 499 : 502,
        latency_ms: latency,
        ttft_ms: o.ttftMs ?? null,
        stream_outcome: outcome,
      };
      if (!o.completed) row.error_type = outcome;
      if (cost === undefined && row.generation_id) {
        // No usage chunk (cancelled or broken): the real cost comes from GET /generation, later.
        await hot.updateRow(a.usageId, row);
        track(settleFromGeneration(a.usageId, a.key.id, a.reserved, row.generation_id, false));
      } else {
        await finishRow(a, row, cost ?? 0, model);
      }
      if (!o.completed) metrics.upstreamErrors.inc({ kind: `stream_${outcome}` });
      logLine({ requestId, key: a.key.id, model, status: row.status, latencyMs: Math.round(latency), ttftMs: o.ttftMs, costUsd: cost, stream: true, outcome });
      return cost !== undefined ? `: x-gateway-cost-usd ${cost.toFixed(8)}\n\n` : undefined;
    };
    const out = forwardSse(wire, {
      now: () => performance.now(),
      startedAt,
      onFirstChunk: headerGenerationId ? undefined : recordGenerationId,
      finish: (o) => track(finish(o)),
      cancelUpstream: () => ac.abort(),
    });
    onClientGone(c, () => ac.abort());
    return new Response(out, {
      status: 200,
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
        connection: "keep-alive",
        "x-accel-buffering": "no",
        ...baseHeaders(requestId, startedAt, a.reserved, headerGenerationId),
        "x-gateway-cost-usd": "pending",
      },
    });
  };

  /** Settles an open row from OpenRouter's generation stats; falls back to the reservation when they cannot be had. */
  const settleFromGeneration = async (usageId: string, keyId: string, reserved: number, generationId: string, recovered: boolean): Promise<void> => {
    let cost = reserved;
    const row: Partial<UsageTable> = {};
    try {
      const g = await client.generation(generationId);
      cost = g.totalCost;
      if (g.provider) row.provider = g.provider;
      const raw = g as unknown as Record<string, unknown>;
      if (typeof raw["promptTokens"] === "number") row.prompt_tokens = raw["promptTokens"];
      if (typeof raw["completionTokens"] === "number") row.completion_tokens = raw["completionTokens"];
    } catch (e) {
      logger?.warn({ usageId, err: String(e) }, "generation lookup failed; charging the reservation");
      row.error_type = "cost_unverified";
    }
    if (recovered) row.stream_outcome = "interrupted";
    await hot.settle({ usageId, keyId, reservedUsd: reserved, costUsd: cost, state: recovered ? "recovered" : "done", row });
  };

  const recover = async (): Promise<{ settled: number }> => {
    const open = await db
      .selectFrom("gateway_usage")
      .select(["id", "key_id", "reserved_usd", "generation_id"])
      .where("state", "=", "open")
      .where((eb) => eb.or([eb("instance_id", "=", instanceId), eb("started_at", "<", now() - 3_600_000)]))
      .execute();
    for (const r of open) {
      if (r.generation_id) await settleFromGeneration(r.id, r.key_id, r.reserved_usd, r.generation_id, true);
      else {
        // The upstream never told us a generation id: charge the reservation (the budget must not be overspent).
        await hot.settle({ usageId: r.id, keyId: r.key_id, reservedUsd: r.reserved_usd, costUsd: r.reserved_usd, state: "recovered", row: { stream_outcome: "interrupted", error_type: "cost_unverified" } });
      }
    }
    return { settled: open.length };
  };

  const embeddings = async (c: Context): Promise<Response> => {
    const startedAt = performance.now();
    const requestId = newId("req_");
    let admission: Admission | undefined;
    let model: string | null = null;
    try {
      const key = await authenticate(c);
      const body = await readJsonBody(c);
      model = resolveModel(key, body);
      const input = body["input"];
      if (input === undefined || input === null || (typeof input !== "string" && !Array.isArray(input))) {
        throw new GatewayError(400, "`input` is required: a string or an array.", "missing_field", "input");
      }
      admission = await admit(key, body, model, "embeddings", requestId);
      const ac = new AbortController();
      onClientGone(c, () => ac.abort());
      const { data, error, response } = await client.api.POST("/embeddings", { body: body as never, parseAs: "text", signal: ac.signal });
      const latency = performance.now() - startedAt;
      if (!response.ok) {
        const text = typeof error === "string" ? error : JSON.stringify(error ?? {});
        await finishRow(admission, { status: response.status, latency_ms: latency, error_type: "upstream_status" }, 0, model);
        return new Response(JSON.stringify(upstreamErrorBody(response.status, text)), { status: response.status, headers: { ...JSON_HEADERS, ...baseHeaders(requestId, startedAt, 0) } });
      }
      const raw = parseLoose(typeof data === "string" ? data : "") as { usage?: { prompt_tokens?: number; cost?: number }; id?: string; provider?: string };
      const cost = typeof raw.usage?.cost === "number" ? raw.usage.cost : 0;
      await finishRow(
        admission,
        { status: 200, latency_ms: latency, prompt_tokens: raw.usage?.prompt_tokens ?? null, generation_id: raw.id ?? null, provider: raw.provider ?? null },
        cost,
        model,
      );
      logLine({ requestId, key: key.id, model, status: 200, latencyMs: Math.round(latency), costUsd: cost, endpoint: "embeddings" });
      return new Response(JSON.stringify(raw), { status: 200, headers: { ...JSON_HEADERS, ...baseHeaders(requestId, startedAt, cost, raw.id) } });
    } catch (error) {
      return failed(error, admission, model, requestId, startedAt);
    }
  };

  const models = async (c: Context): Promise<Response> => {
    const startedAt = performance.now();
    const requestId = newId("req_");
    try {
      const key = await authenticate(c);
      const { data, error, response } = await client.api.GET("/models", {});
      if (!response.ok || !data) {
        return new Response(JSON.stringify(upstreamErrorBody(response.status, JSON.stringify(error ?? {}))), { status: response.status, headers: { ...JSON_HEADERS, ...baseHeaders(requestId, startedAt, 0) } });
      }
      let list = (data as { data: Array<{ id: string }> }).data;
      if (key.models) {
        const allowed = new Set(JSON.parse(key.models) as string[]);
        list = list.filter((m) => allowed.has(m.id));
      }
      const body = { object: "list", data: list.map((m) => ({ object: "model", owned_by: m.id.split("/")[0], created: 0, ...m })) };
      return new Response(JSON.stringify(body), { status: 200, headers: { ...JSON_HEADERS, ...baseHeaders(requestId, startedAt, 0) } });
    } catch (error) {
      return errorResponse(error, requestId, startedAt);
    }
  };

  // ---------- app ----------

  const app = new Hono();
  if (options.corsOrigins && options.corsOrigins.length > 0) {
    app.use("/v1/*", cors({ origin: options.corsOrigins, allowHeaders: ["authorization", "content-type"], exposeHeaders: ["x-request-id", "x-gateway-cost-usd", "x-gateway-latency-ms", "x-openrouter-generation-id"] }));
  }
  app.use("*", async (c, next) => {
    inFlight++;
    const startedAt = performance.now();
    try {
      await next();
      // Admin, health and static answers carry the same headers as the proxied ones.
      const h = c.res.headers;
      if (!h.has("x-request-id")) h.set("x-request-id", newId("req_"));
      if (!h.has("x-gateway-cost-usd")) h.set("x-gateway-cost-usd", "0");
      if (!h.has("x-gateway-latency-ms")) h.set("x-gateway-latency-ms", (performance.now() - startedAt).toFixed(2));
    } finally {
      inFlight--;
      if (inFlight === 0) drained?.();
    }
  });
  app.get("/healthz", (c) => c.json({ status: "ok", store: store.kind, standIn, sharedLimits: limits.shared }));
  app.post("/v1/chat/completions", chatCompletions);
  app.post("/v1/embeddings", embeddings);
  app.get("/v1/models", models);
  adminRoutes(app, { db, adminToken: options.adminToken, now, metrics, storeKind: store.kind });
  dashboardRoutes(app);
  app.notFound((c) => {
    const h = { ...JSON_HEADERS, ...baseHeaders(newId("req_"), performance.now(), 0) };
    return new Response(JSON.stringify(errorBody(404, `Unknown route: ${c.req.method} ${new URL(c.req.url).pathname}`, "unknown_route")), { status: 404, headers: h });
  });
  app.onError((err, c) => {
    logger?.error({ err: String(err) }, "unhandled");
    const { status, body, headers } = toErrorResponse(err);
    return c.newResponse(JSON.stringify(body), status as 500, { ...JSON_HEADERS, ...headers });
  });

  if (options.recoverOnStart !== false) await recover();

  let server: ServerType | undefined;
  let closed = false;
  return {
    standIn,
    store,
    recover,
    fetch: (request: Request) => Promise.resolve(app.fetch(request)),
    listen({ port = 8787, host = "127.0.0.1" } = {}) {
      return new Promise((resolve, reject) => {
        const s = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
          const shownHost = host.includes(":") ? `[${host}]` : host;
          resolve({ url: `http://${shownHost}:${info.port}` });
        });
        s.once("error", reject);
        server = s;
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      if (server) {
        const s = server;
        // Stop accepting; let in-flight requests (streams included) finish.
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          (s as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        });
      }
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      while (pendingSettles.size > 0) await Promise.allSettled([...pendingSettles]);
      await redis?.quit().catch(() => undefined);
      await store.close();
    },
  };
}

/** The Node request and response under @hono/node-server (absent when the gateway is called as `fetch`). */
function nodePair(c: Context): { incoming: IncomingMessage; outgoing: ServerResponse } | undefined {
  const env = c.env as { incoming?: IncomingMessage; outgoing?: ServerResponse } | undefined;
  return env?.incoming && env.outgoing ? { incoming: env.incoming, outgoing: env.outgoing } : undefined;
}

/**
 * Runs `fn` when the client goes away before its response is complete. Under Node this watches the socket:
 * touching `c.req.raw.signal` (or `.body`) makes @hono/node-server build a full undici Request per request.
 */
function onClientGone(c: Context, fn: () => void): void {
  const node = nodePair(c);
  if (!node) {
    c.req.raw.signal?.addEventListener("abort", fn, { once: true });
    return;
  }
  const { incoming, outgoing } = node;
  if (outgoing.writableFinished) return;
  if (incoming.destroyed && !incoming.complete) return fn();
  outgoing.once("close", () => {
    if (!outgoing.writableFinished) fn();
  });
}

/** The request body as text, refused with 413 past `maxBody` bytes. */
async function readBodyText(c: Context, maxBody: number): Promise<string> {
  const tooLarge = () => new GatewayError(413, `The request body is larger than the gateway's limit of ${maxBody} bytes.`, "request_too_large");
  const parts: Uint8Array[] = [];
  let size = 0;
  const node = nodePair(c);
  if (node) {
    const { incoming } = node;
    return new Promise<string>((resolve, reject) => {
      const onData = (value: Buffer) => {
        size += value.byteLength;
        if (size <= maxBody) return void parts.push(value);
        // Drain the rest unread so the 413 can still be answered on this connection.
        incoming.off("data", onData);
        incoming.resume();
        reject(tooLarge());
      };
      incoming.on("data", onData);
      incoming.once("end", () => resolve(Buffer.concat(parts).toString("utf8")));
      incoming.once("error", reject);
    });
  }
  const body = c.req.raw.body;
  if (!body) throw new GatewayError(400, "The request has no body.", "invalid_json");
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBody) {
      reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString("utf8");
}

function parseLoose(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new GatewayError(502, "The upstream answered with a body that is not JSON.", "invalid_upstream_response");
  }
}

export type { KeysTable };
