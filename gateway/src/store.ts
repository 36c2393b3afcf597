/**
 * The gateway's durable state: keys with their budget counters, and one usage row per request. One Kysely
 * schema and one migration list serve SQLite (better-sqlite3, WAL) and PostgreSQL (pg).
 *
 * The per-request statements (the money rule: reserve, then settle) are in hot-path.ts.
 */
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration, type MigrationProvider, type Generated } from "kysely";
import { startCheckpointer, type Checkpointer } from "./checkpointer.js";
import { kyselyHotPath, sqliteHotPath, type HotPath } from "./hot-path.js";

export { openUsageRow, periodKey, remainingBudget, reserve, settle } from "./hot-path.js";
export type { AdmitInput, HotPath, KeyRow, ReserveInput, Settlement } from "./hot-path.js";

export interface KeysTable {
  id: string;
  name: string;
  key_hash: string;
  key_prefix: string;
  budget_usd: number | null;
  budget_period: string;
  period_key: string;
  spent_usd: Generated<number>;
  reserved_usd: Generated<number>;
  rpm: number | null;
  tpm: number | null;
  models: string | null;
  created_at: number;
  revoked_at: number | null;
}

export interface UsageTable {
  id: string;
  key_id: string;
  started_at: number;
  endpoint: string;
  model: string | null;
  provider: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  reasoning_tokens: number | null;
  cost_usd: number | null;
  reserved_usd: number;
  latency_ms: number | null;
  ttft_ms: number | null;
  status: number | null;
  generation_id: string | null;
  stream_outcome: string | null;
  error_type: string | null;
  /** "open" while the request runs, "done" once settled, "recovered" when settled after a crash. */
  state: string;
  instance_id: string;
}

export interface Database {
  gateway_keys: KeysTable;
  gateway_usage: UsageTable;
}

export type Db = Kysely<Database>;

const migrations: Record<string, Migration> = {
  "0001_keys_and_usage": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("gateway_keys")
        .addColumn("id", "varchar(64)", (c) => c.primaryKey())
        .addColumn("name", "varchar(200)", (c) => c.notNull())
        .addColumn("key_hash", "varchar(128)", (c) => c.notNull().unique())
        .addColumn("key_prefix", "varchar(32)", (c) => c.notNull())
        .addColumn("budget_usd", "double precision")
        .addColumn("budget_period", "varchar(16)", (c) => c.notNull().defaultTo("total"))
        .addColumn("period_key", "varchar(16)", (c) => c.notNull().defaultTo("total"))
        .addColumn("spent_usd", "double precision", (c) => c.notNull().defaultTo(0))
        .addColumn("reserved_usd", "double precision", (c) => c.notNull().defaultTo(0))
        .addColumn("rpm", "integer")
        .addColumn("tpm", "integer")
        .addColumn("models", "text")
        .addColumn("created_at", "double precision", (c) => c.notNull())
        .addColumn("revoked_at", "double precision")
        .execute();
      await db.schema
        .createTable("gateway_usage")
        .addColumn("id", "varchar(64)", (c) => c.primaryKey())
        .addColumn("key_id", "varchar(64)", (c) => c.notNull())
        .addColumn("started_at", "double precision", (c) => c.notNull())
        .addColumn("endpoint", "varchar(64)", (c) => c.notNull())
        .addColumn("model", "varchar(200)")
        .addColumn("provider", "varchar(200)")
        .addColumn("prompt_tokens", "integer")
        .addColumn("completion_tokens", "integer")
        .addColumn("reasoning_tokens", "integer")
        .addColumn("cost_usd", "double precision")
        .addColumn("reserved_usd", "double precision", (c) => c.notNull().defaultTo(0))
        .addColumn("latency_ms", "double precision")
        .addColumn("ttft_ms", "double precision")
        .addColumn("status", "integer")
        .addColumn("generation_id", "varchar(200)")
        .addColumn("stream_outcome", "varchar(32)")
        .addColumn("error_type", "varchar(64)")
        .addColumn("state", "varchar(16)", (c) => c.notNull())
        .addColumn("instance_id", "varchar(200)", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("gateway_usage_started").on("gateway_usage").column("started_at").execute();
      await db.schema.createIndex("gateway_usage_state").on("gateway_usage").columns(["state", "instance_id"]).execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export interface OpenStoreOptions {
  /** A file path (SQLite, `:memory:` allowed) or a `postgres://` / `postgresql://` URL. */
  db: string;
  /** PostgreSQL schema to use (created when missing). Lets several gateways or test runs share one database. */
  pgSchema?: string | undefined;
}

export interface Store {
  db: Db;
  kind: "sqlite" | "postgres";
  /** The per-request statements (key lookup, reservation, settlement), prepared once. */
  hot: HotPath;
  close(): Promise<void>;
}

export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

/** Opens (and migrates) the store. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  let db: Db;
  let kind: Store["kind"];
  let sqliteFile: import("better-sqlite3").Database | undefined;
  let checkpointer: Checkpointer | undefined;
  if (isPostgresUrl(options.db)) {
    const { default: pg } = await import("pg");
    // Doubles come back as JS numbers already; counts (bigint) as numbers too, for the usage report.
    pg.types.setTypeParser(20, (v: string) => Number(v));
    pg.types.setTypeParser(1700, (v: string) => Number(v));
    const schema = options.pgSchema;
    const pool = new pg.Pool({
      connectionString: options.db,
      max: 10,
      ...(schema && { options: `-c search_path=${quoteIdent(schema)}` }),
    });
    if (schema) {
      const client = await pool.connect();
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      } finally {
        client.release();
      }
    }
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    kind = "postgres";
  } else {
    const { default: SQLite } = await import("better-sqlite3");
    const file = new SQLite(options.db);
    file.pragma("journal_mode = WAL");
    // NORMAL in WAL mode: a commit survives the process being killed (what the durability rule is about);
    // FULL would add an fsync per request for power-loss safety. Several processes may share the file.
    file.pragma("synchronous = NORMAL");
    file.pragma("busy_timeout = 5000");
    if (options.db !== ":memory:" && options.db !== "") {
      // Checkpoints run in a worker (checkpointer.ts), never inside a request's commit.
      file.pragma("wal_autocheckpoint = 0");
      checkpointer = startCheckpointer(options.db);
    }
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: file }) });
    kind = "sqlite";
    sqliteFile = file;
  }
  const migrator = new Migrator({ db, provider, migrationTableName: "gateway_migrations", migrationLockTableName: "gateway_migrations_lock" });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await checkpointer?.close();
    await db.destroy();
    throw error instanceof Error ? error : new Error(String(error));
  }
  const hot = sqliteFile ? sqliteHotPath(sqliteFile, db) : kyselyHotPath(db);
  return {
    db,
    kind,
    hot,
    close: async () => {
      await checkpointer?.close();
      await db.destroy();
    },
  };
}

function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`Not a valid schema name: ${name}`);
  return `"${name}"`;
}
