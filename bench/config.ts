/**
 * Shared bench settings and message shapes between the driver (run.ts) and the workers (worker.ts).
 *
 * @example
 * ```ts
 * sizes(true).streamN; // 4000 in --quick mode
 * ```
 */
import type { AdapterName } from "./adapters.js";

export type Group = "chat" | "stream" | "ttft" | "memory" | "structured";

export interface WorkerArgs {
  adapter: AdapterName;
  /** Run in this order in one process (the full run uses one group per process; --quick all in one). */
  groups: Group[];
  origin: string;
  quick: boolean;
}

export type WorkerOutput =
  | { ok: true; metrics: Record<string, number> }
  | { ok: false; unavailable: string }
  | { ok: false; error: string };

/** What a worker prints: one output per group it ran. */
export type WorkerReport = Partial<Record<Group, WorkerOutput>>;

/** Workload sizes; --quick keeps the whole run under a minute, the full run under five. */
export function sizes(quick: boolean) {
  return quick
    ? { chatWarmMs: 200, chatC1Ms: 300, chatC64Ms: 500, streamN: 4_000, streamRuns: 1, ttftRuns: 10, ttftDelayMs: 10, openStreams: 100, structuredCalls: 10 }
    : { chatWarmMs: 500, chatC1Ms: 1000, chatC64Ms: 1600, streamN: 20_000, streamRuns: 2, ttftRuns: 40, ttftDelayMs: 10, openStreams: 500, structuredCalls: 100 };
}

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
