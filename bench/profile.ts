/**
 * CPU profiles of the stream and chat workloads:
 * `tsx bench/profile.ts [--adapters ours,floor] [--groups stream,chat] [--stream-modes 1,64] [--cpu-prof]`.
 *
 * Runs the same workers as bench/run.ts with the V8 profiler on around the workload (the moral equivalent of
 * `node --cpu-prof` without the module loading), then prints, per client and workload, where the
 * self time went (our src/, eventsource-parser, Node's fetch/streams internals, GC) and the top functions, so
 * a gap to the floor can be pinned on a file and function. The raw .cpuprofile files are kept (path printed)
 * for Chrome DevTools or speedscope.
 *
 * @example
 * ```sh
 * npx tsx bench/profile.ts --adapters ours,floor --groups stream
 * ```
 */
import { mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADAPTERS, type AdapterName } from "./adapters.js";
import type { Group } from "./config.js";
import { runWorker, startServer } from "./procs.js";
import { OURS_BUILD_DIR_MARK, ROOT, buildOursForImport, removeOursBuild } from "./static.js";

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  where: string;
  selfMs: number;
  pct: number;
}

/** Which part of the stack a frame belongs to. */
function area(url: string, fn: string): string {
  if (fn === "(idle)") return "idle";
  if (fn === "(garbage collector)") return "GC";
  if (fn === "(program)") return "(program)";
  if (url.includes(`${ROOT}src/`) || url.includes(OURS_BUILD_DIR_MARK)) return "ours (src/)";
  // Building the expected payloads happens outside the timed sections; not part of any client's cost.
  if (url.includes(`${ROOT}bench/payload.ts`)) return "idle";
  if (url.includes(`${ROOT}bench/adapters.ts`)) return "bench adapter (for the floor: the client itself)";
  if (url.includes(`${ROOT}bench/`)) return "bench harness";
  if (url.includes("eventsource-parser")) return "eventsource-parser";
  if (url.includes("openapi-fetch")) return "openapi-fetch";
  if (url.includes("node_modules/openai")) return "openai";
  if (url.includes("@openrouter/sdk") || url.includes("node_modules/zod")) return "@openrouter/sdk + zod";
  if (url.includes("node_modules/tsx") || url.includes("esbuild")) return "tsx loader";
  if (url.startsWith("node:")) return "node internals (undici fetch, web streams)";
  if (url === "") return "V8 builtins / native (JSON.parse, TextDecoder, ...)";
  return "other";
}

function shortUrl(url: string): string {
  return url
    .replace(`file://${ROOT}`, "")
    .replace(/^file:\/\/.*node_modules\//, "")
    .replace(new RegExp(`^file://.*/${OURS_BUILD_DIR_MARK}[^/]*/`), "built:");
}

/** Self time per function and per area, idle excluded from the percentages. */
export function summarise(profile: CpuProfile, top = 12): { totalMs: number; areas: HotSpot[]; functions: HotSpot[]; ours: HotSpot[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  const ours = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const a = area(url, functionName);
    if (a === "idle") continue; // idle, and the untimed payload generation

    total += us;
    areas.set(a, (areas.get(a) ?? 0) + us);
    // Lines of tsx-transpiled and bundled files do not match the source; name the file and function only there.
    const line = url.startsWith("node:") || url.includes("node_modules") ? `:${lineNumber + 1}` : "";
    const key = `${shortUrl(url) || "(native)"}:${functionName || "(anonymous)"}${line}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    if (a === "ours (src/)") ours.set(key, (ours.get(key) ?? 0) + us);
  }
  const rank = (m: Map<string, number>, n: number): HotSpot[] =>
    [...m.entries()]
      .sort((x, y) => y[1] - x[1])
      .slice(0, n)
      .map(([where, us]) => ({ where, selfMs: us / 1000, pct: (100 * us) / total }));
  return { totalMs: total / 1000, areas: rank(areas, 20), functions: rank(fns, top), ours: rank(ours, top) };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const get = (flag: string, dflt: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? (argv[i + 1] ?? dflt) : dflt;
  };
  const adapters = get("--adapters", "floor,ours").split(",") as AdapterName[];
  for (const a of adapters) if (!(ADAPTERS as readonly string[]).includes(a)) throw new Error(`unknown adapter ${a}`);
  const groups = get("--groups", "stream,chat").split(",") as Group[];
  const streamModes = get("--stream-modes", "1,64");
  // --cpu-prof: profile the whole worker process with `node --cpu-prof` (module loading included) instead of
  // the workload only.
  const wholeProcess = argv.includes("--cpu-prof");
  const built = await buildOursForImport();
  const { origin, proc } = await startServer();
  const dir = mkdtempSync(join(tmpdir(), "bench-prof-"));
  try {
    for (const group of groups) {
      for (const adapter of adapters) {
        let file = join(dir, `${adapter}-${group}.cpuprofile`);
        const sub = join(dir, `${adapter}-${group}`);
        const env: Record<string, string> = {
          BENCH_STREAM_MODES: streamModes,
          ...(!wholeProcess && { BENCH_CPU_PROFILE: file }),
          ...(built !== undefined && { BENCH_OURS_ENTRY: built }),
        };
        const nodeArgs = wholeProcess ? ["--cpu-prof", `--cpu-prof-dir=${sub}`] : [];
        const out = (await runWorker(adapter, [group], origin, false, env, nodeArgs))[group]!;
        if (wholeProcess && out.ok) {
          // Should tsx's loader thread write a profile of its own, the worker's main thread is the biggest.
          const written = readdirSync(sub).filter((f) => f.endsWith(".cpuprofile"));
          const biggest = written.map((f) => join(sub, f)).sort((x, y) => statSync(y).size - statSync(x).size)[0];
          if (biggest === undefined) throw new Error(`no profile written in ${sub}`);
          file = biggest;
        }
        if (!out.ok) {
          process.stdout.write(`\n## ${adapter} / ${group}: ${"unavailable" in out ? out.unavailable : out.error}\n`);
          continue;
        }
        const s = summarise(JSON.parse(readFileSync(file, "utf8")) as CpuProfile);
        // CPU per operation (request or chunk), so clients that did different amounts of work compare.
        const ops = out.metrics["opsTotal"] ?? NaN;
        const unit = group === "stream" ? "chunk" : "request";
        const per = (ms: number) => ((ms * 1000) / ops).toFixed(group === "stream" ? 3 : 1);
        const lines = [
          `\n## ${adapter} / ${group}: ${per(s.totalMs)} µs CPU per ${unit} (${s.totalMs.toFixed(0)} ms sampled over ${ops} ${unit}s, idle excluded)`,
          `profile: ${file}`,
          "",
          `| area | µs per ${unit} | % |`,
          "|---|---:|---:|",
        ];
        for (const h of s.areas) lines.push(`| ${h.where} | ${per(h.selfMs)} | ${h.pct.toFixed(1)} |`);
        lines.push("", `| top functions (self) | µs per ${unit} | % |`, "|---|---:|---:|");
        for (const h of s.functions) lines.push(`| ${h.where} | ${per(h.selfMs)} | ${h.pct.toFixed(1)} |`);
        if (s.ours.length > 0) {
          lines.push("", `| our code (src/), self | µs per ${unit} | % |`, "|---|---:|---:|");
          for (const h of s.ours) lines.push(`| ${h.where} | ${per(h.selfMs)} | ${h.pct.toFixed(1)} |`);
        }
        process.stdout.write(`${lines.join("\n")}\n`);
      }
    }
  } finally {
    proc.stdin?.end();
    proc.kill();
    if (built !== undefined) removeOursBuild(built);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`profile failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
