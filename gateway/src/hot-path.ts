/**
 * The per-request statements: key lookup, reservation, settlement.
 *
 * Money rule: a request first *reserves* its worst-case cost with one conditional UPDATE (the budget check
 * and the increment are the same statement, so concurrent requests on any number of instances cannot pass
 * the check together), and later *settles*: the reservation is released and the real cost added, in the
 * same transaction that closes the usage row.
 */
import { sql, type Kysely } from "kysely";
import type { Database, Db, UsageTable } from "./store.js";

/** The budget window a time falls in: `2026-12-05` for day, `2026-12` for month, `total` otherwise. */
export function periodKey(period: string, now: number): string {
  if (period !== "day" && period !== "month") return "total";
  const iso = new Date(now).toISOString();
  if (period === "day") return iso.slice(0, 10);
  if (period === "month") return iso.slice(0, 7);
  return "total";
}

export interface ReserveInput {
  keyId: string;
  amountUsd: number;
  periodKey: string;
}

/**
 * Reserve `amountUsd` against the key's budget in one statement. Returns false when the key is revoked or
 * the budget (spent in the current window + everything reserved + this amount) would be exceeded.
 */
export async function reserve(db: Db | Kysely<Database>, input: ReserveInput): Promise<boolean> {
  const { keyId, amountUsd, periodKey: pk } = input;
  const spentNow = sql<number>`(CASE WHEN period_key = ${pk} THEN spent_usd ELSE 0 END)`;
  const result = await db
    .updateTable("gateway_keys")
    .set({
      spent_usd: spentNow,
      period_key: pk,
      reserved_usd: sql<number>`reserved_usd + ${amountUsd}`,
    })
    .where("id", "=", keyId)
    .where("revoked_at", "is", null)
    .where(sql<boolean>`(budget_usd IS NULL OR ${spentNow} + reserved_usd + ${amountUsd} <= budget_usd)`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** What the key may still spend in its current window (Infinity without a budget). */
export async function remainingBudget(db: Db, keyId: string, now: number): Promise<number> {
  const row = await db.selectFrom("gateway_keys").select(["budget_usd", "budget_period", "period_key", "spent_usd", "reserved_usd"]).where("id", "=", keyId).executeTakeFirst();
  if (!row || row.budget_usd === null) return Infinity;
  const spent = row.period_key === periodKey(row.budget_period, now) ? row.spent_usd : 0;
  return row.budget_usd - spent - row.reserved_usd;
}

export interface Settlement {
  usageId: string;
  keyId: string;
  reservedUsd: number;
  costUsd: number;
  state?: "done" | "recovered";
  row: Partial<Omit<UsageTable, "id" | "key_id" | "state" | "reserved_usd" | "instance_id" | "started_at" | "endpoint">>;
}

/** Close a usage row and move its reservation to spent, atomically. Idempotent: a row already closed is left alone. */
export async function settle(db: Db, s: Settlement): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const closed = await trx
      .updateTable("gateway_usage")
      .set({ ...s.row, cost_usd: s.costUsd, state: s.state ?? "done" })
      .where("id", "=", s.usageId)
      .where("state", "=", "open")
      .executeTakeFirst();
    if (Number(closed.numUpdatedRows) !== 1) return;
    await trx
      .updateTable("gateway_keys")
      .set({
        reserved_usd: sql<number>`CASE WHEN reserved_usd - ${s.reservedUsd} < 0 THEN 0 ELSE reserved_usd - ${s.reservedUsd} END`,
        spent_usd: sql<number>`spent_usd + ${s.costUsd}`,
      })
      .where("id", "=", s.keyId)
      .execute();
  });
}

/** The key columns a request needs. */
export interface KeyRow {
  id: string;
  name: string;
  budget_usd: number | null;
  budget_period: string;
  rpm: number | null;
  tpm: number | null;
  models: string | null;
  revoked_at: number | null;
}

export interface AdmitInput extends ReserveInput {
  /** The usage row opened in the same transaction as the reservation. */
  row: UsageTable;
}

/**
 * What every proxied request does to the store. On SQLite these are better-sqlite3 statements prepared once
 * and run synchronously: Kysely's SQLite driver prepares every statement again and holds one process-wide
 * connection mutex across each transaction's awaits, which serialised all requests. On PostgreSQL the Kysely
 * queries stay (a pool, real concurrency).
 */
export interface HotPath {
  findKey(keyHash: string): Promise<KeyRow | undefined>;
  /** Reserve and open the usage row atomically; false when the reservation is refused (nothing written). */
  admit(input: AdmitInput): Promise<boolean>;
  settle(s: Settlement): Promise<void>;
  remainingBudget(keyId: string, now: number): Promise<number>;
  setGenerationId(usageId: string, generationId: string): Promise<void>;
  /** Update an open row's columns without settling it. */
  updateRow(usageId: string, row: Settlement["row"]): Promise<void>;
  isRevoked(keyId: string): Promise<boolean>;
}

/** A usage row as it is opened with its reservation: who, what, when and how much is held; the rest unknown. */
export function openUsageRow(row: Pick<UsageTable, "id" | "key_id" | "started_at" | "endpoint" | "model" | "reserved_usd" | "instance_id">): UsageTable {
  // Written out field by field, not spread: this runs for every request.
  return {
    id: row.id,
    key_id: row.key_id,
    started_at: row.started_at,
    endpoint: row.endpoint,
    model: row.model,
    reserved_usd: row.reserved_usd,
    instance_id: row.instance_id,
    provider: null,
    prompt_tokens: null,
    completion_tokens: null,
    reasoning_tokens: null,
    cost_usd: null,
    latency_ms: null,
    ttft_ms: null,
    status: null,
    generation_id: null,
    stream_outcome: null,
    error_type: null,
    state: "open",
  };
}

const KEY_COLUMNS = ["id", "name", "budget_usd", "budget_period", "rpm", "tpm", "models", "revoked_at"] as const;
const USAGE_COLUMNS = [
  "id",
  "key_id",
  "started_at",
  "endpoint",
  "model",
  "provider",
  "prompt_tokens",
  "completion_tokens",
  "reasoning_tokens",
  "cost_usd",
  "reserved_usd",
  "latency_ms",
  "ttft_ms",
  "status",
  "generation_id",
  "stream_outcome",
  "error_type",
  "state",
  "instance_id",
] as const satisfies ReadonlyArray<keyof UsageTable>;
const USAGE_COLUMN_SET: ReadonlySet<string> = new Set(USAGE_COLUMNS);

export function kyselyHotPath(db: Db): HotPath {
  return {
    findKey: (keyHash) => db.selectFrom("gateway_keys").select([...KEY_COLUMNS]).where("key_hash", "=", keyHash).executeTakeFirst(),
    admit: (input) =>
      db.transaction().execute(async (trx) => {
        if (!(await reserve(trx, input))) return false;
        await trx.insertInto("gateway_usage").values(input.row).execute();
        return true;
      }),
    settle: (s) => settle(db, s),
    remainingBudget: (keyId, now) => remainingBudget(db, keyId, now),
    setGenerationId: async (usageId, generationId) => {
      await db.updateTable("gateway_usage").set({ generation_id: generationId }).where("id", "=", usageId).execute();
    },
    updateRow: async (usageId, row) => {
      await db.updateTable("gateway_usage").set(row).where("id", "=", usageId).execute();
    },
    isRevoked: async (keyId) => {
      const fresh = await db.selectFrom("gateway_keys").select("revoked_at").where("id", "=", keyId).executeTakeFirst();
      return !fresh || fresh.revoked_at !== null;
    },
  };
}

export function sqliteHotPath(file: import("better-sqlite3").Database, db: Db): HotPath {
  // Same SQL as `reserve` and `settle` above: the budget check and the increment are one statement.
  const findKey = file.prepare<[string], KeyRow>(`SELECT ${KEY_COLUMNS.join(", ")} FROM gateway_keys WHERE key_hash = ?`);
  const spentNow = "(CASE WHEN period_key = @pk THEN spent_usd ELSE 0 END)";
  const reserveStmt = file.prepare(
    `UPDATE gateway_keys SET spent_usd = ${spentNow}, period_key = @pk, reserved_usd = reserved_usd + @amount ` +
      `WHERE id = @keyId AND revoked_at IS NULL AND (budget_usd IS NULL OR ${spentNow} + reserved_usd + @amount <= budget_usd)`,
  );
  // Positional parameters: binding 19 named ones looks each name up again on every insert (twice the time).
  const insertUsage = file.prepare(`INSERT INTO gateway_usage (${USAGE_COLUMNS.join(", ")}) VALUES (${USAGE_COLUMNS.map(() => "?").join(", ")})`);
  const insertArgs = (row: UsageTable): unknown[] => {
    const args = new Array<unknown>(USAGE_COLUMNS.length);
    for (let i = 0; i < USAGE_COLUMNS.length; i++) args[i] = row[USAGE_COLUMNS[i] as keyof UsageTable];
    return args;
  };
  const releaseStmt = file.prepare(
    "UPDATE gateway_keys SET reserved_usd = CASE WHEN reserved_usd - @reserved < 0 THEN 0 ELSE reserved_usd - @reserved END, spent_usd = spent_usd + @cost WHERE id = @keyId",
  );
  const remainingStmt = file.prepare<[string], { budget_usd: number | null; budget_period: string; period_key: string; spent_usd: number; reserved_usd: number }>(
    "SELECT budget_usd, budget_period, period_key, spent_usd, reserved_usd FROM gateway_keys WHERE id = ?",
  );
  const generationStmt = file.prepare("UPDATE gateway_usage SET generation_id = ? WHERE id = ?");
  const revokedStmt = file.prepare<[string], { revoked_at: number | null }>("SELECT revoked_at FROM gateway_keys WHERE id = ?");
  // A settlement or row update sets the columns it was given; one statement per column set, prepared on first use.
  const updates = new Map<string, import("better-sqlite3").Statement>();
  const updateFor = (columns: string[], openOnly: boolean) => {
    const id = `${openOnly ? "open" : "any"}:${columns.join(",")}`;
    let stmt = updates.get(id);
    if (!stmt) {
      for (const c of columns) if (!USAGE_COLUMN_SET.has(c)) throw new Error(`Not a usage column: ${c}`);
      stmt = file.prepare(`UPDATE gateway_usage SET ${columns.map((c) => `${c} = @${c}`).join(", ")} WHERE id = @__id${openOnly ? " AND state = 'open'" : ""}`);
      updates.set(id, stmt);
    }
    return stmt;
  };
  const definedColumns = (row: Record<string, unknown>) => Object.keys(row).filter((k) => row[k] !== undefined);
  const admitTx = file.transaction((input: AdmitInput): boolean => {
    const reserved = reserveStmt.run({ keyId: input.keyId, amount: input.amountUsd, pk: input.periodKey });
    if (reserved.changes !== 1) return false;
    insertUsage.run(insertArgs(input.row));
    return true;
  });
  const settleTx = file.transaction((s: Settlement): void => {
    const values: Record<string, unknown> = { ...s.row, cost_usd: s.costUsd, state: s.state ?? "done" };
    const columns = definedColumns(values);
    const params: Record<string, unknown> = { __id: s.usageId };
    for (const c of columns) params[c] = values[c];
    if (updateFor(columns, true).run(params).changes !== 1) return;
    releaseStmt.run({ reserved: s.reservedUsd, cost: s.costUsd, keyId: s.keyId });
  });
  // Kysely (admin routes, recovery) may hold a transaction open on this same connection across awaits; a
  // statement run now would join it, so then the Kysely path queues behind its mutex instead.
  const fallback = kyselyHotPath(db);
  const busy = () => file.inTransaction;

  // Group commit: the reservations and settlements that arrive in one turn of the event loop are committed
  // together at the end of it. Each keeps its own atomicity (a nested better-sqlite3 transaction is a
  // SAVEPOINT, so a failing one rolls back alone), and each promise resolves only after the shared COMMIT:
  // a row is still durable before its response goes out, with one WAL commit for many requests.
  type Pending = { run: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void };
  let pending: Pending[] = [];
  let scheduled = false;
  const commitBatch = file.transaction((batch: Pending[]) => {
    const results: Array<{ ok: boolean; value: unknown }> = [];
    for (const p of batch) {
      try {
        results.push({ ok: true, value: p.run() });
      } catch (e) {
        results.push({ ok: false, value: e });
      }
    }
    return results;
  });
  const flush = () => {
    scheduled = false;
    if (busy()) return schedule();
    const batch = pending;
    pending = [];
    let results: Array<{ ok: boolean; value: unknown }>;
    try {
      results = commitBatch(batch);
    } catch (e) {
      for (const p of batch) p.reject(e);
      return;
    }
    batch.forEach((p, i) => {
      const r = results[i] as { ok: boolean; value: unknown };
      if (r.ok) p.resolve(r.value);
      else p.reject(r.value);
    });
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };
  const inBatch = <T>(run: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      pending.push({ run, resolve: resolve as (v: unknown) => void, reject });
      schedule();
    });

  return {
    findKey: async (keyHash) => (busy() ? fallback.findKey(keyHash) : findKey.get(keyHash)),
    admit: (input) => inBatch(() => admitTx(input)),
    settle: (s) => inBatch(() => settleTx(s)),
    remainingBudget: async (keyId, now) => {
      if (busy()) return fallback.remainingBudget(keyId, now);
      const row = remainingStmt.get(keyId);
      if (!row || row.budget_usd === null) return Infinity;
      const spent = row.period_key === periodKey(row.budget_period, now) ? row.spent_usd : 0;
      return row.budget_usd - spent - row.reserved_usd;
    },
    setGenerationId: async (usageId, generationId) => {
      await inBatch(() => generationStmt.run(generationId, usageId));
    },
    updateRow: async (usageId, row) => {
      if (busy()) return fallback.updateRow(usageId, row);
      const columns = definedColumns(row);
      if (columns.length === 0) return;
      const params: Record<string, unknown> = { __id: usageId };
      for (const c of columns) params[c] = (row as Record<string, unknown>)[c];
      updateFor(columns, false).run(params);
    },
    isRevoked: async (keyId) => {
      if (busy()) return fallback.isRevoked(keyId);
      const fresh = revokedStmt.get(keyId);
      return !fresh || fresh.revoked_at !== null;
    },
  };
}
