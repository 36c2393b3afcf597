/**
 * What the Linux scheduler says about contention, for the noise verdict (bench/noise.ts). Every reader returns
 * `undefined` where the file does not exist (other systems, some containers), so the verdict can say the signal
 * was not available rather than pass it silently.
 *
 * @example
 * ```ts
 * const a = schedTimes(); // ... work ... const b = schedTimes();
 * if (a && b) console.log(waitShare(a, b)); // share of the runnable time spent waiting for a CPU
 * ```
 */
import { readFileSync } from "node:fs";

/** The calling process's main thread: time on a CPU and time runnable but waiting for one, in microseconds. */
export interface SchedTimes {
  runUs: number;
  waitUs: number;
}

export function schedTimes(pid: number | "self" = "self"): SchedTimes | undefined {
  try {
    // "<ns on cpu> <ns waiting on a run queue> <timeslices>"
    const [run, wait] = readFileSync(`/proc/${pid}/schedstat`, "utf8").trim().split(/\s+/).map(Number);
    if (!Number.isFinite(run) || !Number.isFinite(wait)) return undefined;
    return { runUs: run! / 1000, waitUs: wait! / 1000 };
  } catch {
    return undefined;
  }
}

/** Of the time between two readings that the thread was runnable, the share it waited for a CPU. */
export function waitShare(before: SchedTimes, after: SchedTimes): number {
  const run = after.runUs - before.runUs;
  const wait = after.waitUs - before.waitUs;
  return run + wait > 0 ? wait / (run + wait) : 0;
}

/** Linux CPU pressure: percent of the last 10 s in which some runnable task waited for a CPU. */
export function cpuPressure(): number | undefined {
  try {
    const m = /^some avg10=([\d.]+)/m.exec(readFileSync("/proc/pressure/cpu", "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The one core this process is pinned to (`taskset -c N`), from /proc/self/status; `undefined` when it may run
 * on several cores or the file does not exist.
 */
export function pinnedCore(): number | undefined {
  try {
    const m = /^Cpus_allowed_list:\s*(\d+)\s*$/m.exec(readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Time `core` spent running tasks (user, nice and system time; interrupts left out), in microseconds, from
 * /proc/stat. Counted in clock ticks (USER_HZ, 100 per second), so only windows of a second or more are read.
 */
export function coreBusyUs(core: number): number | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n").find((l) => l.startsWith(`cpu${core} `));
    if (line === undefined) return undefined;
    const [user, nice, system] = line.trim().split(/\s+/).slice(1, 4).map(Number);
    if (!Number.isFinite(user) || !Number.isFinite(nice) || !Number.isFinite(system)) return undefined;
    return ((user! + nice! + system!) * 1_000_000) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Of a window's wall time, the share the core a process is pinned to spent on other processes' work: the
 * core's busy time minus the process's own CPU time (all its threads). Why not the run-queue wait: a pinned
 * process's main thread also waits for its own threads (V8's garbage collector, the compiler), which is the
 * process's cost, not another program's; this counts only what others ran on that core.
 */
export function foreignShare(coreBusyDeltaUs: number, processCpuDeltaUs: number, wallUs: number): number {
  return wallUs > 0 ? Math.max(0, coreBusyDeltaUs - processCpuDeltaUs) / wallUs : 0;
}

