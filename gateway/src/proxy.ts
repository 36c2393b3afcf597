/**
 * Forwarding an admitted request upstream and answering the app: a chat completion as JSON, a chat stream
 * event by event, embeddings, the model list; and the one failure path that settles the row of a request
 * that was admitted but did not succeed.
 */
import { performance } from "node:perf_hooks";
import type { Context } from "hono";
import type { ChatResult, OpenRouter } from "openrouter-fetch";
import { finishRow, logLine, resultColumns, settleFromGeneration, usageColumns, type Admission, type RowUpdate } from "./accounting.js";
import type { CallerKey } from "./auth.js";
import type { GatewayContext } from "./context.js";
import { GatewayError, upstreamErrorBody, type GatewayErrorBody } from "./errors.js";
import { alreadySent, baseHeaders, errorResponse, jsonResponse, nodePair, onClientGone, parseUpstreamJson } from "./http.js";
import { SseForwarder, type SseOutcome } from "./sse.js";
import { pipeToNode, pipeToWeb, type SsePipe } from "./sse-writer.js";
import { StreamDeadline } from "./stream-deadline.js";
import { postUpstream, type UpstreamAnswer } from "./upstream.js";

/** One request as it goes through the proxy. */
export interface Exchange {
  c: Context;
  requestId: string;
  startedAt: number;
  model: string;
  admission: Admission;
}

/** A chat completion as JSON, through `client.chat` (the client's parsing, cost and typed errors). */
export async function forwardChat(ctx: GatewayContext, x: Exchange, body: Record<string, unknown>): Promise<Response> {
  delete body["stream"];
  const ac = new AbortController();
  onClientGone(x.c, () => ac.abort());
  const result = await ctx.client.chat(body as Parameters<OpenRouter["chat"]>[0], { signal: ac.signal });
  const cost = result.cost ?? 0;
  const latency = performance.now() - x.startedAt;
  await finishRow(ctx, x.admission, { ...resultColumns(result), status: 200, latency_ms: latency, stream_outcome: null }, cost, x.model);
  logLine(ctx, { requestId: x.requestId, key: x.admission.key.row.id, model: x.model, status: 200, latencyMs: Math.round(latency), costUsd: cost, stream: false });
  return jsonResponse(result.raw, 200, baseHeaders(x.requestId, x.startedAt, cost, result.generationId));
}

/** An upstream HTTP error: the row is closed with its status and the app gets it in OpenAI's shape. */
async function upstreamFailed(ctx: GatewayContext, x: Exchange, failure: { status: number; body: GatewayErrorBody; retryAfter: string | undefined }, stream: boolean): Promise<Response> {
  const { status } = failure;
  await finishRow(ctx, x.admission, { status, latency_ms: performance.now() - x.startedAt, error_type: "upstream_status" }, 0, x.model);
  ctx.metrics.upstreamErrors.inc({ kind: `status_${status}` });
  logLine(ctx, { requestId: x.requestId, key: x.admission.key.row.id, model: x.model, status, stream });
  return jsonResponse(failure.body, status, { ...baseHeaders(x.requestId, x.startedAt, 0), ...(failure.retryAfter && { "retry-after": failure.retryAfter }) });
}

/** Embeddings: reserved at admission like chat (their input at the prompt price), then recorded and charged. */
export async function forwardEmbeddings(ctx: GatewayContext, x: Exchange, body: Record<string, unknown>): Promise<Response> {
  const ac = new AbortController();
  onClientGone(x.c, () => ac.abort());
  const answer = await postUpstream(ctx.client, "/embeddings", body, "text", ac.signal);
  if (!answer.ok) return upstreamFailed(ctx, x, answer, false);
  const latency = performance.now() - x.startedAt;
  const raw = parseUpstreamJson(answer.data) as { usage?: { prompt_tokens?: number; cost?: number }; id?: string; provider?: string };
  const cost = typeof raw.usage?.cost === "number" ? raw.usage.cost : 0;
  const row: RowUpdate = { status: 200, latency_ms: latency, prompt_tokens: raw.usage?.prompt_tokens ?? null, generation_id: raw.id ?? null, provider: raw.provider ?? null };
  await finishRow(ctx, x.admission, row, cost, x.model);
  logLine(ctx, { requestId: x.requestId, key: x.admission.key.row.id, model: x.model, status: 200, latencyMs: Math.round(latency), costUsd: cost, endpoint: "embeddings" });
  return jsonResponse(raw, 200, baseHeaders(x.requestId, x.startedAt, cost, raw.id));
}

/**
 * A chat stream: forwarded event by event as it arrives, its usage read on the way (one pass), its row
 * committed before the last event goes out.
 */
export async function forwardStream(ctx: GatewayContext, x: Exchange, body: Record<string, unknown>): Promise<Response> {
  const a = x.admission;
  const ac = new AbortController();
  // From now on: an app gone while the upstream has not answered yet must not leave the call running.
  onClientGone(x.c, () => ac.abort());
  // The first-event window counts from the start of the call, as the client's does (headers included).
  const deadline = new StreamDeadline(ctx.streamTimeouts, () => performance.now());
  deadline.onExpire = () => ac.abort();
  deadline.start();
  let answer: UpstreamAnswer<ReadableStream<Uint8Array>>;
  try {
    answer = await postUpstream(ctx.client, "/chat/completions", body, "stream", ac.signal);
  } catch (error) {
    deadline.stop();
    throw deadline.expired ? timeoutError(deadline) : error;
  }
  if (deadline.expired) {
    // Timed out just as the headers came: nothing was sent yet, so the app gets a plain 504.
    if (answer.ok) answer.data.cancel().catch(() => undefined);
    throw timeoutError(deadline);
  }
  if (!answer.ok) {
    deadline.stop();
    return upstreamFailed(ctx, x, answer, true);
  }
  deadline.onHeaders();
  const headerGenerationId = answer.response.headers.get("x-generation-id") ?? undefined;
  let generationWrite: Promise<unknown> | undefined;
  const recordGenerationId = (id: string | undefined) => {
    const gen = headerGenerationId ?? id;
    // Written while the stream runs, so a crash mid-stream leaves a row recovery can settle from /generation.
    if (gen) generationWrite = ctx.track(ctx.hot.setGenerationId(a.usageId, gen));
  };
  if (headerGenerationId) recordGenerationId(headerGenerationId);
  const forwarder = new SseForwarder({ now: () => performance.now(), startedAt: x.startedAt, onFirstChunk: headerGenerationId ? undefined : recordGenerationId });
  let finished = false;
  ctx.begin();
  const finish = async (o: SseOutcome): Promise<string | undefined> => {
    if (finished) return undefined;
    finished = true;
    deadline.stop();
    try {
      await generationWrite?.catch(() => undefined);
      return await settleStream(ctx, x, o, headerGenerationId);
    } finally {
      ctx.end();
    }
  };
  const pipe: SsePipe = { upstream: answer.data, forwarder, finish: (o) => ctx.track(finish(o)), cancelUpstream: () => ac.abort(), deadline };
  const headers: Record<string, string> = {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-accel-buffering": "no",
    ...baseHeaders(x.requestId, x.startedAt, a.reserved, headerGenerationId),
    "x-gateway-cost-usd": "pending",
  };
  const node = nodePair(x.c);
  if (node) {
    // Headers earlier middleware prepared (CORS) would land on the marker response below, not on the socket.
    x.c.res.headers.forEach((value, name) => {
      if (name !== "content-type") headers[name] = value;
    });
    void pipeToNode(pipe, node.outgoing, headers);
    // The response is being written straight to the socket; @hono/node-server leaves it alone.
    return alreadySent();
  }
  return new Response(pipeToWeb(pipe), { status: 200, headers });
}

/** A stream timeout that passed before the upstream's headers: nothing was sent to the app yet. */
function timeoutError(deadline: StreamDeadline): GatewayError {
  return new GatewayError(504, deadline.message(), "upstream_timeout");
}

/** The stream's row: closed with its usage and outcome; returns the cost comment sent before `[DONE]`. */
async function settleStream(ctx: GatewayContext, x: Exchange, o: SseOutcome, headerGenerationId: string | undefined): Promise<string | undefined> {
  const a = x.admission;
  const cost = o.costUsd;
  const outcome = o.cancelled ? "cancelled" : o.completed ? "completed" : o.inBandError ? "error" : o.timedOut !== undefined ? "timeout" : o.readFailed ? "failed" : "truncated";
  const latency = performance.now() - x.startedAt;
  const row: RowUpdate = {
    ...usageColumns(o.usage),
    provider: o.provider ?? null,
    generation_id: headerGenerationId ?? o.firstChunkId ?? null,
    status: o.completed ? 200 : o.cancelled ? 499 : outcome === "timeout" ? 504 : 502,
    latency_ms: latency,
    ttft_ms: o.ttftMs ?? null,
    stream_outcome: outcome,
  };
  if (!o.completed) row.error_type = outcome;
  if (cost === undefined && row.generation_id) {
    // No usage chunk (cancelled or broken): the real cost comes from GET /generation, later.
    await ctx.hot.updateRow(a.usageId, row);
    ctx.track(settleFromGeneration(ctx, a.usageId, a.key.row.id, a.reserved, row.generation_id, false));
  } else {
    await finishRow(ctx, a, row, cost ?? 0, x.model);
  }
  if (!o.completed) ctx.metrics.upstreamErrors.inc({ kind: `stream_${outcome}` });
  logLine(ctx, { requestId: x.requestId, key: a.key.row.id, model: x.model, status: row.status, latencyMs: Math.round(latency), ttftMs: o.ttftMs, costUsd: cost, stream: true, outcome });
  return cost !== undefined ? `: x-gateway-cost-usd ${cost.toFixed(8)}\n\n` : undefined;
}

/** A failure after admission: the row is closed with what is known (a partial result's usage and cost). */
export async function failed(ctx: GatewayContext, error: unknown, x: { requestId: string; startedAt: number; model: string | null; admission: Admission | undefined }): Promise<Response> {
  const response = errorResponse(error, x.requestId, x.startedAt);
  const latency = performance.now() - x.startedAt;
  const kind = String((error as { kind?: string }).kind ?? "gateway");
  if (x.admission && x.model !== null) {
    const partial = (error as { partial?: ChatResult }).partial;
    const row: RowUpdate = { ...resultColumns(partial), status: response.status, latency_ms: latency, error_type: kind };
    await finishRow(ctx, x.admission, row, partial?.cost ?? 0, x.model).catch((e: unknown) => ctx.logger?.error({ requestId: x.requestId, err: String(e) }, "settle failed"));
    ctx.metrics.upstreamErrors.inc({ kind: String((error as { kind?: string }).kind ?? "unknown") });
  } else {
    ctx.metrics.rejected.inc({ status: String(response.status) });
  }
  logLine(ctx, { requestId: x.requestId, key: x.admission?.key.row.id, model: x.model, status: response.status, latencyMs: Math.round(latency), error: (error as { code?: unknown }).code ?? "error" });
  return response;
}

/** `GET /v1/models`: the upstream list, only the key's models when it has a list. */
export async function listModels(ctx: GatewayContext, key: CallerKey, requestId: string, startedAt: number): Promise<Response> {
  const { data, error, response } = await ctx.client.api.GET("/models", {});
  if (!response.ok || !data) {
    return jsonResponse(JSON.stringify(errorBodyOf(response.status, error)), response.status, baseHeaders(requestId, startedAt, 0));
  }
  let list = (data as { data: Array<{ id: string }> }).data;
  const allowed = key.allowed;
  if (allowed) list = list.filter((m) => allowed.has(m.id));
  const body = { object: "list", data: list.map((m) => ({ object: "model", owned_by: m.id.split("/")[0], created: 0, ...m })) };
  return jsonResponse(body, 200, baseHeaders(requestId, startedAt, 0));
}

function errorBodyOf(status: number, error: unknown): GatewayErrorBody {
  return upstreamErrorBody(status, JSON.stringify(error ?? {}));
}
