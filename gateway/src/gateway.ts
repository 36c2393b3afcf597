/**
 * `createGateway()`: the OpenAI-compatible front door and its lifecycle. It opens and migrates the store,
 * builds the upstream client (upstream.ts), connects Redis when configured, settles what a crash left open,
 * serves the routes (routes.ts), and on `close()` stops accepting, drains in-flight requests and streams,
 * waits for background settlements and closes the store.
 */
import { hostname } from "node:os";
import { serve, type ServerType } from "@hono/node-server";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { recover as recoverRows } from "./accounting.js";
import { KeyCache } from "./auth.js";
import type { GatewayContext } from "./context.js";
import { requestIdSource } from "./keys.js";
import { KeyLimits } from "./limits.js";
import { GatewayMetrics } from "./metrics.js";
import { buildApp } from "./routes.js";
import { openStore, type KeysTable, type Store } from "./store.js";
import { streamTimeouts } from "./stream-deadline.js";
import { upstreamClient, type ClientOptions } from "./upstream.js";

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
  /** How long a key looked up by its hash is reused in memory, in ms (default 30 000; 0 looks it up every time). */
  keyCacheTtlMs?: number | undefined;
  /**
   * Options passed to the upstream client (timeouts, retry, breaker). Its `firstEventTimeoutMs` and
   * `idleTimeoutMs` also bound the streams the gateway forwards (defaults 5 and 2 minutes).
   */
  client?: Partial<ClientOptions> | undefined;
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

/** Creates the gateway: opens and migrates the store, connects Redis when configured, settles crash leftovers. */
export async function createGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const store = await openStore({ db: options.db ?? "gateway.sqlite", pgSchema: options.pgSchema });
  const { client, standIn } = await upstreamClient({ apiKey: options.upstreamApiKey, baseUrl: options.upstreamBaseUrl, fetch: options.upstreamFetch, client: options.client });
  let redis: Redis | undefined;
  if (options.redisUrl) {
    const { Redis: RedisClient } = await import("ioredis");
    redis = new RedisClient(options.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
  }

  let inFlight = 0;
  let drained: (() => void) | undefined;
  const pendingSettles = new Set<Promise<unknown>>();
  const now = () => Date.now();
  const ctx: GatewayContext = {
    client,
    db: store.db,
    hot: store.hot,
    keys: new KeyCache(store.hot, { ttlMs: options.keyCacheTtlMs, now }),
    limits: new KeyLimits({ redis, prefix: options.redisPrefix }),
    metrics: new GatewayMetrics(),
    logger: options.logger,
    now,
    requestId: requestIdSource(),
    instanceId: options.instanceId ?? `${hostname()}:${store.kind}`,
    maxBody: options.maxBodyBytes ?? DEFAULT_MAX_BODY,
    minUseful: options.minUsefulTokens ?? 16,
    aliases: options.aliases ?? {},
    streamTimeouts: streamTimeouts(options.client),
    track(p) {
      pendingSettles.add(p);
      p.finally(() => pendingSettles.delete(p)).catch(() => undefined);
      return p;
    },
    begin() {
      inFlight++;
    },
    end() {
      inFlight--;
      if (inFlight === 0) drained?.();
    },
  };
  const app = buildApp(ctx, { adminToken: options.adminToken, corsOrigins: options.corsOrigins, storeKind: store.kind, standIn });
  const recover = () => recoverRows(ctx);
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

export type { KeysTable };
