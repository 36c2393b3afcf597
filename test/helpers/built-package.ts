/**
 * The built package for tests that use it as a user would: dist/ is (re)built only when a source is newer,
 * under the lock in scripts/build.ts, so test files running in parallel never build at the same time. It runs
 * in a subprocess so tsup and esbuild stay out of the test worker.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export async function ensureDist(): Promise<void> {
  try {
    await run(process.execPath, ["--import", "tsx", "scripts/build.ts", "--if-stale"], { cwd: ROOT, maxBuffer: 32 * 1024 * 1024 });
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`building dist/ failed:\n${e.stdout ?? ""}\n${e.stderr ?? ""}\n${e.message}`);
  }
}
