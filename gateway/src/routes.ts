/**
 * The gateway's HTTP surface as a Hono app: the OpenAI-compatible routes (each checks the key and its input,
 * admits the request, then hands it to the proxy), health, admin, metrics, dashboard, and the OpenAI-shaped
 * answers for unknown routes and unexpected errors.
 */
import { performance } from "node:perf_hooks";
import { Hono, type Context } from "hono";
import { cors } from "hono/cors";
import { admit, type Admission } from "./accounting.js";
import { adminRoutes } from "./admin.js";
import { authenticate, resolveModel } from "./auth.js";
import type { GatewayContext } from "./context.js";
import { dashboardRoutes } from "./dashboard.js";
import { GatewayError, errorBody, toErrorResponse } from "./errors.js";
import { JSON_HEADERS, baseHeaders, errorResponse, hasGatewayHeaders, jsonResponse, readJsonBody } from "./http.js";
import { failed, forwardChat, forwardEmbeddings, forwardStream, listModels } from "./proxy.js";

export interface RouteOptions {
  adminToken: string | undefined;
  corsOrigins: string[] | undefined;
  storeKind: "sqlite" | "postgres";
  standIn: boolean;
}

const EXPOSED = ["x-request-id", "x-gateway-cost-usd", "x-gateway-latency-ms", "x-openrouter-generation-id"];

/** `POST /v1/chat/completions` and `POST /v1/embeddings`: the checks every proxied call shares, then `forward`. */
function proxied(ctx: GatewayContext, endpoint: "chat" | "embeddings") {
  return async (c: Context): Promise<Response> => {
    const startedAt = performance.now();
    const requestId = ctx.requestId();
    let admission: Admission | undefined;
    let model: string | null = null;
    try {
      const key = await authenticate(c, ctx.keys);
      const body = await readJsonBody(c, ctx.maxBody);
      model = resolveModel(key, body, ctx.aliases);
      let stream = false;
      if (endpoint === "chat") {
        if (!Array.isArray(body["messages"]) || body["messages"].length === 0) {
          throw new GatewayError(400, "`messages` is required and must be a non-empty array.", "missing_field", "messages");
        }
        if (body["stream"] !== undefined && typeof body["stream"] !== "boolean") throw new GatewayError(400, "`stream` must be a boolean.", "invalid_type", "stream");
        stream = body["stream"] === true;
      } else {
        const input = body["input"];
        if (input === undefined || input === null || (typeof input !== "string" && !Array.isArray(input))) {
          throw new GatewayError(400, "`input` is required: a string or an array.", "missing_field", "input");
        }
      }
      admission = await admit(ctx, key, body, model, endpoint, requestId);
      const x = { c, requestId, startedAt, model, admission };
      if (endpoint === "embeddings") return await forwardEmbeddings(ctx, x, body);
      return await (stream ? forwardStream(ctx, x, body) : forwardChat(ctx, x, body));
    } catch (error) {
      return failed(ctx, error, { requestId, startedAt, model, admission });
    }
  };
}

export function buildApp(ctx: GatewayContext, options: RouteOptions): Hono {
  const app = new Hono();
  if (options.corsOrigins && options.corsOrigins.length > 0) {
    app.use("/v1/*", cors({ origin: options.corsOrigins, allowHeaders: ["authorization", "content-type"], exposeHeaders: EXPOSED }));
  }
  app.use("*", async (c, next) => {
    ctx.begin();
    const startedAt = performance.now();
    try {
      await next();
      if (hasGatewayHeaders(c.res)) return;
      // Admin, health and static answers carry the same headers as the proxied ones.
      const h = c.res.headers;
      if (!h.has("x-request-id")) h.set("x-request-id", ctx.requestId());
      if (!h.has("x-gateway-cost-usd")) h.set("x-gateway-cost-usd", "0");
      if (!h.has("x-gateway-latency-ms")) h.set("x-gateway-latency-ms", (performance.now() - startedAt).toFixed(2));
    } finally {
      ctx.end();
    }
  });
  app.get("/healthz", (c) => c.json({ status: "ok", store: options.storeKind, standIn: options.standIn, sharedLimits: ctx.limits.shared }));
  app.post("/v1/chat/completions", proxied(ctx, "chat"));
  app.post("/v1/embeddings", proxied(ctx, "embeddings"));
  app.get("/v1/models", async (c) => {
    const startedAt = performance.now();
    const requestId = ctx.requestId();
    try {
      // Nothing is reserved here, so nothing else would notice a revoke made elsewhere: look the key up fresh.
      const key = await authenticate(c, ctx.keys, true);
      return await listModels(ctx, key, requestId, startedAt);
    } catch (error) {
      return errorResponse(error, requestId, startedAt);
    }
  });
  adminRoutes(app, { db: ctx.db, adminToken: options.adminToken, now: ctx.now, metrics: ctx.metrics, storeKind: options.storeKind, onRevoke: (id) => ctx.keys.invalidate(id) });
  dashboardRoutes(app);
  app.notFound((c) =>
    jsonResponse(errorBody(404, `Unknown route: ${c.req.method} ${new URL(c.req.url).pathname}`, "unknown_route"), 404, baseHeaders(ctx.requestId(), performance.now(), 0)),
  );
  app.onError((err, c) => {
    ctx.logger?.error({ err: String(err) }, "unhandled");
    const { status, body, headers } = toErrorResponse(err);
    return c.newResponse(JSON.stringify(body), status as 500, { ...JSON_HEADERS, ...headers });
  });
  return app;
}
