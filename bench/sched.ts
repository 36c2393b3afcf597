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
