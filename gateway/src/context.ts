/**
 * What every part of a running gateway shares, built once by `createGateway`: the upstream client, the store,
 * the key cache, limits, metrics, the logger and the bookkeeping `close()` waits on.
 */
import type { OpenRouter } from "openrouter-fetch";
import type { Logger } from "pino";
import type { KeyCache } from "./auth.js";
import type { KeyLimits } from "./limits.js";
import type { GatewayMetrics } from "./metrics.js";
import type { Db, HotPath } from "./store.js";
import type { StreamTimeouts } from "./stream-deadline.js";

export interface GatewayContext {
  client: OpenRouter;
  db: Db;
  hot: HotPath;
  keys: KeyCache;
  limits: KeyLimits;
  metrics: GatewayMetrics;
  logger: Logger | undefined;
  now: () => number;
  requestId: () => string;
  instanceId: string;
  maxBody: number;
  minUseful: number;
  aliases: Readonly<Record<string, string>>;
  /** The forwarded streams' first-event and idle timeouts (from the client options, with the client's defaults). */
  streamTimeouts: StreamTimeouts;
  /** Keeps a background write (a settlement from `/generation`) for `close()` to wait on. */
  track<T>(p: Promise<T>): Promise<T>;
  /** Counts a request or stream as in flight until `end` (so `close()` drains it). */
  begin(): void;
  end(): void;
}
