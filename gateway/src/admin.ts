/**
 * Admin API (Bearer GATEWAY_ADMIN_TOKEN): keys, the usage report and /metrics. Without an admin token
 * configured every admin route answers 401, so a gateway never runs with an open admin API by accident.
 */
import { timingSafeEqual } from "node:crypto";
import type { Hono, Context } from "hono";
import { errorBody } from "./errors.js";
import { bearer, hashKey, newId, newKey } from "./keys.js";
import type { GatewayMetrics } from "./metrics.js";
import { periodKey, type Db } from "./store.js";

export interface AdminDeps {
  db: Db;
  adminToken: string | undefined;
  now: () => number;
  metrics: GatewayMetrics;
  storeKind: string;
  /** Told about every key revoked here (the proxy forgets it at once). */
  onRevoke?: ((id: string) => void) | undefined;
}

const PERIODS = ["day", "month", "total"] as const;

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function fail(c: Context, status: number, message: string, code: string, param?: string): Response {
  return c.newResponse(JSON.stringify(errorBody(status, message, code, param)), status as 400, { "content-type": "application/json; charset=utf-8" });
}

export interface CreateKeyInput {
  name: string;
  budgetUsd?: number | null;
  budgetPeriod?: "day" | "month" | "total";
  rpm?: number | null;
  tpm?: number | null;
  models?: string[] | null;
}

/** Checks a key-creation body; returns an error message or the normalised input. */
export function validateKeyInput(body: unknown): string | CreateKeyInput {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "The body must be a JSON object.";
  const b = body as Record<string, unknown>;
  if (typeof b["name"] !== "string" || b["name"].trim() === "" || b["name"].length > 200) return "`name` is required: a string of 1 to 200 characters.";
  const positive = (k: string, integer: boolean) => {
    const v = b[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) return `\`${k}\` must be a positive ${integer ? "integer" : "number"}.`;
    return undefined;
  };
  for (const [k, integer] of [["budgetUsd", false], ["rpm", true], ["tpm", true]] as const) {
    const err = positive(k, integer);
    if (err) return err;
  }
  if (b["budgetPeriod"] !== undefined && !PERIODS.includes(b["budgetPeriod"] as "day")) return "`budgetPeriod` must be day, month or total.";
  if (b["models"] !== undefined && b["models"] !== null && (!Array.isArray(b["models"]) || !b["models"].every((m) => typeof m === "string" && m !== ""))) {
    return "`models` must be an array of model ids.";
  }
  return b as unknown as CreateKeyInput;
}

export async function createKey(db: Db, input: CreateKeyInput, now: number) {
  const key = newKey();
  const id = newId("key_");
  const period = input.budgetPeriod ?? "total";
  const row = {
    id,
    name: input.name.trim(),
    key_hash: hashKey(key),
    key_prefix: key.slice(0, 10),
    budget_usd: input.budgetUsd ?? null,
    budget_period: period,
    period_key: periodKey(period, now),
    rpm: input.rpm ?? null,
    tpm: input.tpm ?? null,
    models: input.models ? JSON.stringify(input.models) : null,
    created_at: now,
    revoked_at: null,
  };
  await db.insertInto("gateway_keys").values(row).execute();
  return { ...publicKey({ ...row, spent_usd: 0, reserved_usd: 0 }), key };
}

type KeyRecord = {
  id: string;
  name: string;
  key_prefix: string;
  budget_usd: number | null;
  budget_period: string;
  period_key: string;
  spent_usd: number;
  reserved_usd: number;
  rpm: number | null;
  tpm: number | null;
  models: string | null;
  created_at: number;
  revoked_at: number | null;
};

export function publicKey(r: KeyRecord) {
  return {
    id: r.id,
    name: r.name,
    keyPrefix: r.key_prefix,
    budgetUsd: r.budget_usd,
    budgetPeriod: r.budget_period,
    spentUsd: r.spent_usd,
    reservedUsd: r.reserved_usd,
    rpm: r.rpm,
    tpm: r.tpm,
    models: r.models ? (JSON.parse(r.models) as string[]) : null,
    createdAt: new Date(r.created_at).toISOString(),
    revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at).toISOString(),
  };
}

export async function listKeys(db: Db) {
  const rows = await db
    .selectFrom("gateway_keys")
    .select(["id", "name", "key_prefix", "budget_usd", "budget_period", "period_key", "spent_usd", "reserved_usd", "rpm", "tpm", "models", "created_at", "revoked_at"])
    .orderBy("created_at", "asc")
    .execute();
  return rows.map(publicKey);
}

export async function revokeKey(db: Db, id: string, now: number): Promise<boolean> {
  const r = await db.updateTable("gateway_keys").set({ revoked_at: now }).where("id", "=", id).where("revoked_at", "is", null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] as number;
}

function parseTime(v: string | undefined): number | undefined | "bad" {
  if (v === undefined || v === "") return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  return Number.isFinite(n) ? n : "bad";
}

export async function usageReport(db: Db, groupBy: "day" | "key" | "model", from: number | undefined, to: number | undefined) {
  let q = db
    .selectFrom("gateway_usage")
    .select(["key_id", "model", "started_at", "prompt_tokens", "completion_tokens", "reasoning_tokens", "cost_usd", "latency_ms", "status", "state"]);
  if (from !== undefined) q = q.where("started_at", ">=", from);
  if (to !== undefined) q = q.where("started_at", "<", to);
  const rows = await q.execute();
  const groups = new Map<string, { requests: number; promptTokens: number; completionTokens: number; reasoningTokens: number; costUsd: number; errors: number; open: number; latencies: number[] }>();
  for (const r of rows) {
    const name = groupBy === "day" ? new Date(r.started_at).toISOString().slice(0, 10) : groupBy === "key" ? r.key_id : (r.model ?? "(none)");
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { requests: 0, promptTokens: 0, completionTokens: 0, reasoningTokens: 0, costUsd: 0, errors: 0, open: 0, latencies: [] }));
    g.requests++;
    g.promptTokens += r.prompt_tokens ?? 0;
    g.completionTokens += r.completion_tokens ?? 0;
    g.reasoningTokens += r.reasoning_tokens ?? 0;
    g.costUsd += r.cost_usd ?? 0;
    if (r.state === "open") g.open++;
    else if (r.status === null || r.status >= 400) g.errors++;
    if (r.latency_ms !== null) g.latencies.push(r.latency_ms);
  }
  const data = [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, g]) => {
      const sorted = g.latencies.sort((a, b) => a - b);
      return {
        [groupBy]: name,
        requests: g.requests,
        promptTokens: g.promptTokens,
        completionTokens: g.completionTokens,
        reasoningTokens: g.reasoningTokens,
        tokens: g.promptTokens + g.completionTokens,
        costUsd: g.costUsd,
        errors: g.errors,
        open: g.open,
        p50LatencyMs: percentile(sorted, 50),
        p95LatencyMs: percentile(sorted, 95),
      };
    });
  return { data };
}

export function adminRoutes(app: Hono, deps: AdminDeps): void {
  const { db } = deps;
  const guard = async (c: Context, next: () => Promise<void>) => {
    const token = bearer(c.req.header("authorization"));
    if (!deps.adminToken || !token || !sameSecret(token, deps.adminToken)) {
      return fail(c, 401, deps.adminToken ? "Admin routes need Authorization: Bearer <GATEWAY_ADMIN_TOKEN>." : "The admin API is off: start the gateway with GATEWAY_ADMIN_TOKEN.", "invalid_admin_token");
    }
    await next();
    return undefined;
  };
  app.use("/admin/*", guard);
  app.use("/metrics", guard);

  app.post("/admin/keys", async (c) => {
    if (!/^application\/json\b/i.test(c.req.header("content-type") ?? "")) return fail(c, 415, "Send JSON with Content-Type: application/json.", "unsupported_media_type");
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return fail(c, 400, "The request body is not valid JSON.", "invalid_json");
    }
    const input = validateKeyInput(body);
    if (typeof input === "string") return fail(c, 400, input, "invalid_request");
    return c.json(await createKey(db, input, deps.now()), 201);
  });
  app.get("/admin/keys", async (c) => c.json({ data: await listKeys(db) }));
  app.delete("/admin/keys/:id", async (c) => {
    const id = c.req.param("id");
    if (!(await revokeKey(db, id, deps.now()))) return fail(c, 404, `No active key with id ${id}.`, "key_not_found");
    deps.onRevoke?.(id);
    return c.json({ id, revoked: true });
  });
  app.get("/admin/usage", async (c) => {
    const groupBy = c.req.query("groupBy") ?? "day";
    if (groupBy !== "day" && groupBy !== "key" && groupBy !== "model") return fail(c, 400, "groupBy must be day, key or model.", "invalid_request", "groupBy");
    const from = parseTime(c.req.query("from"));
    const to = parseTime(c.req.query("to"));
    if (from === "bad" || to === "bad") return fail(c, 400, "from and to must be ISO dates or epoch milliseconds.", "invalid_request");
    return c.json(await usageReport(db, groupBy, from, to));
  });
  app.get("/admin/recent-errors", async (c) => {
    const rows = await db
      .selectFrom("gateway_usage")
      .select(["id", "key_id", "model", "started_at", "status", "error_type", "stream_outcome"])
      .where((eb) => eb.or([eb("status", ">=", 400), eb("error_type", "is not", null)]))
      .orderBy("started_at", "desc")
      .limit(20)
      .execute();
    return c.json({ data: rows.map((r) => ({ ...r, started_at: new Date(r.started_at).toISOString() })) });
  });
  app.get("/admin/timeseries", async (c) => {
    const by = c.req.query("by") === "key" ? "key_id" : "model";
    const from = parseTime(c.req.query("from")) ;
    const since = typeof from === "number" ? from : deps.now() - 24 * 3_600_000;
    const rows = await db.selectFrom("gateway_usage").select(["started_at", "key_id", "model", "cost_usd"]).where("started_at", ">=", since).execute();
    return c.json({ data: rows.map((r) => ({ t: r.started_at, series: (by === "key_id" ? r.key_id : r.model) ?? "(none)", costUsd: r.cost_usd ?? 0 })) });
  });
  app.get("/metrics", async (c) => c.newResponse(await deps.metrics.registry.metrics(), 200, { "content-type": deps.metrics.registry.contentType }));
}
