/**
 * Process plumbing shared by run.ts and profile.ts: the pinned fake server and the pinned fresh worker processes.
 *
 * @example
 * ```ts
 * const { origin, proc } = await startServer();
 * console.log(await runWorker("floor", ["chat"], origin, true));
 * proc.stdin?.end();
 * ```
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpus } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { AdapterName } from "./adapters.js";
import type { Group, WorkerReport } from "./config.js";
import { ROOT } from "./static.js";

/** Client on core 0, server on core 1, when the machine has two cores and `taskset`. */
export const HAS_TASKSET = spawnSync("taskset", ["-c", "0", "true"], { stdio: "ignore" }).status === 0 && cpus().length >= 2;

function pinned(core: number, args: string[]): [string, string[]] {
  return HAS_TASKSET ? ["taskset", ["-c", String(core), ...args]] : [args[0]!, args.slice(1)];
}

export async function startServer(): Promise<{ origin: string; proc: ChildProcess }> {
  const [cmd, args] = pinned(1, [process.execPath, "--import", "tsx", join(ROOT, "bench", "server.ts")]);
  const proc = spawn(cmd, args, { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] });
  const rl = createInterface({ input: proc.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    proc.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
    rl.once("line", (line) => resolve((JSON.parse(line) as { port: number }).port));
  });
  return { origin: `http://127.0.0.1:${port}`, proc };
}

/** Runs `groups` for one client in one fresh, pinned worker process. */
export function runWorker(
  adapter: AdapterName,
  groups: Group[],
  origin: string,
  quick: boolean,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<WorkerReport> {
  const payload = JSON.stringify({ adapter, groups, origin, quick });
  const [cmd, args] = pinned(0, [process.execPath, "--expose-gc", ...nodeArgs, "--import", "tsx", join(ROOT, "bench", "worker.ts"), payload]);
  return new Promise((resolve) => {
    const proc = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let out = "";
    let err = "";
    proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
    proc.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => proc.kill("SIGKILL"), 150_000);
    proc.on("close", (code) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").pop() ?? "";
      let parsed: WorkerReport & { error?: string } = {};
      try {
        parsed = JSON.parse(last) as WorkerReport & { error?: string };
      } catch {
        parsed = { error: `worker exited ${code}: ${(err || out).trim().split("\n").slice(-3).join(" | ")}` };
      }
      const report: WorkerReport = {};
      for (const g of groups) report[g] = parsed[g] ?? { ok: false, error: parsed.error ?? `worker exited ${code} without a result` };
      resolve(report);
    });
  });
}
