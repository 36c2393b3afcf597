/**
 * The benchmark driver: `tsx bench/run.ts [--quick] [--reps N] [--adapters floor,ours,...] [--no-static]`.
 *
 * Starts the fake OpenRouter server in its own process (pinned to core 1 when `taskset` exists), then runs every
 * metric group for every client in a fresh worker process (pinned to core 0), rotating the client order on each
 * repetition. Prints one table of each client against the floor of the same run, and writes bench/results.json.
 * `--quick` is a smoke test: small sizes, one repetition, every group of a client in one process; it writes its
 * results to the OS temp dir (not bench/results.json) unless `--out` says otherwise.
 *
 * @example
 * ```sh
 * npx tsx bench/run.ts --quick   # smoke test, < 60 s
 * npx tsx bench/run.ts           # full run, 3 repetitions, < 5 min
 * ```
 */
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { ADAPTERS, ADAPTER_LABEL, type AdapterName } from "./adapters.js";
import { HAS_TASKSET, runWorker, startServer } from "./procs.js";
import { median, sizes, type Group, type WorkerOutput } from "./config.js";
import { ROOT, buildOursForImport, bundleSizes, importSpecs, removeOursBuild, importTimes, installSizes, writeFileEnsured, type BundleSize, type ImportTiming, type InstallSize } from "./static.js";

// ---------------------------------------------------------------------------------------------------- args

interface Options {
  quick: boolean;
  reps: number;
  adapters: AdapterName[];
  static: boolean;
  out: string;
}

function parseArgs(argv: string[]): Options {
  const quick = argv.includes("--quick");
  // A smoke test must not overwrite the committed full-run results: --quick writes to the temp dir.
  const out = quick ? join(tmpdir(), "openrouter-fetch-bench-quick.json") : join(ROOT, "bench", "results.json");
  const opts: Options = { quick, reps: quick ? 1 : 3, adapters: [...ADAPTERS], static: !argv.includes("--no-static"), out };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--reps") opts.reps = Math.max(1, Number(argv[++i]));
    else if (a === "--adapters") {
      const names = (argv[++i] ?? "").split(",");
      for (const n of names) if (!(ADAPTERS as readonly string[]).includes(n)) throw new Error(`unknown adapter ${n}; known: ${ADAPTERS.join(", ")}`);
      opts.adapters = names as AdapterName[];
      if (!opts.adapters.includes("floor")) opts.adapters.unshift("floor"); // ratios need the floor
    } else if (a === "--out") opts.out = argv[++i] ?? opts.out;
    else if (a !== "--quick" && a !== "--no-static") throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

// ------------------------------------------------------------------------------------------------ processes

function rotate<T>(xs: readonly T[], by: number): T[] {
  const k = by % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
}

// --------------------------------------------------------------------------------------------------- report

type Metrics = Record<string, number>;

interface Row {
  label: string;
  /** Absolute value per client, already in display units. */
  value: (a: AdapterName) => number | undefined;
  unit: string;
  digits: number;
  /** How the cell shows the client relative to the floor. */
  compare: "ratio" | "diff" | "none";
  /** Target for our client, judged on its value and the floor's. */
  target?: { text: string; met: (ours: number, floor: number | undefined) => boolean };
}

/** Which worker group produced a row, so a failed group shows as "unavailable"/"error" rather than a blank. */
function groupOfRow(label: string): Group | undefined {
  if (/^(cross-check: )?chat/.test(label)) return "chat";
  if (/^(cross-check: )?stream/.test(label)) return "stream";
  if (label.startsWith("time to first token")) return "ttft";
  if (/per open stream/.test(label)) return "memory";
  if (label.startsWith("structured")) return "structured";
  return undefined;
}

function fmt(x: number, digits: number): string {
  if (!Number.isFinite(x)) return "n/a";
  return x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export interface Results {
  date: string;
  mode: "quick" | "full";
  machine: Record<string, unknown>;
  sizes: ReturnType<typeof sizes>;
  medians: Partial<Record<AdapterName, Metrics>>;
  /** Smallest and largest of the repetitions behind each median: how much the machine moved during the run. */
  spread: Partial<Record<AdapterName, Record<string, { min: number; max: number; n: number }>>>;
  status: Partial<Record<AdapterName, Record<string, string>>>;
  imports?: Record<string, ImportTiming>;
  install?: Record<string, InstallSize | undefined>;
  bundles?: Record<string, BundleSize | undefined>;
  targets: { target: string; value: string; met: boolean | null }[];
  raw: { rep: number; adapter: AdapterName; group: Group; out: WorkerOutput }[];
  table: string;
  durationS: number;
}

function buildTable(r: Omit<Results, "table" | "targets" | "durationS">, adapters: AdapterName[]): { table: string; targets: Results["targets"] } {
  const m = (a: AdapterName, k: string) => r.medians[a]?.[k];
  const rows: Row[] = [
    { label: "chat req/s, concurrency 1", value: (a) => m(a, "chatRpsC1"), unit: "", digits: 0, compare: "ratio" },
    {
      label: "chat req/s, concurrency 64",
      value: (a) => m(a, "chatRpsC64"),
      unit: "",
      digits: 0,
      compare: "ratio",
      target: { text: "≥ 0.90× floor", met: (o, f) => f !== undefined && o / f >= 0.9 },
    },
    {
      label: `stream chunks/s, ${sizes(r.mode === "quick").streamN} chunks, 1 event/write`,
      value: (a) => m(a, "streamChunksPerS"),
      unit: "",
      digits: 0,
      compare: "ratio",
      target: { text: "≥ 0.85× floor", met: (o, f) => f !== undefined && o / f >= 0.85 },
    },
    { label: "stream MB/s, 1 event/write", value: (a) => m(a, "streamMBPerS"), unit: "", digits: 1, compare: "ratio" },
    {
      label: "stream chunks/s, 64 events/write",
      value: (a) => m(a, "streamChunksPerSBatch64"),
      unit: "",
      digits: 0,
      compare: "ratio",
      target: { text: "≥ 0.85× floor", met: (o, f) => f !== undefined && o / f >= 0.85 },
    },
    { label: "stream MB/s, 64 events/write", value: (a) => m(a, "streamMBPerSBatch64"), unit: "", digits: 1, compare: "ratio" },
    {
      label: "cross-check: chat c64 req per client CPU-second",
      value: (a) => 1e6 / (m(a, "chatCpuUsPerReqC64") ?? NaN),
      unit: "",
      digits: 0,
      compare: "ratio",
    },
    {
      label: "cross-check: stream chunks per client CPU-second, 1 event/write",
      value: (a) => sizes(r.mode === "quick").streamN / ((m(a, "streamClientCpuMs") ?? NaN) / 1000),
      unit: "",
      digits: 0,
      compare: "ratio",
    },
    {
      label: "cross-check: stream chunks per client CPU-second, 64 events/write",
      value: (a) => sizes(r.mode === "quick").streamN / ((m(a, "streamClientCpuMsBatch64") ?? NaN) / 1000),
      unit: "",
      digits: 0,
      compare: "ratio",
    },
    {
      label: "time to first token over server delay",
      value: (a) => m(a, "ttftOverDelayMs"),
      unit: " ms",
      digits: 2,
      compare: "diff",
      target: { text: "≤ floor + 0.3 ms", met: (o, f) => f !== undefined && o - f <= 0.3 },
    },
    {
      label: `heap per open stream (${sizes(r.mode === "quick").openStreams} open)`,
      value: (a) => (m(a, "heapPerStreamBytes") ?? NaN) / 1024,
      unit: " KB",
      digits: 1,
      compare: "ratio",
      target: { text: "≤ 1.10× floor", met: (o, f) => f !== undefined && o / f <= 1.1 },
    },
    { label: "RSS per open stream", value: (a) => (m(a, "rssPerStreamBytes") ?? NaN) / 1024, unit: " KB", digits: 1, compare: "ratio" },
    {
      label: "import time over bare node",
      value: (a) => r.imports?.[a]?.overBareMs,
      unit: " ms",
      digits: 1,
      compare: "none",
      target: { text: "≤ 30 ms", met: (o) => o <= 30 },
    },
    {
      label: "cross-check: import CPU time over bare node",
      value: (a) => r.imports?.[a]?.cpuOverBareMs,
      unit: " ms",
      digits: 1,
      compare: "none",
    },
    {
      label: "bundle of the main client import (entry + static chunks), min+gzip",
      value: (a) => (r.bundles?.[a]?.gzipBytes ?? NaN) / 1024,
      unit: " KB",
      digits: 1,
      compare: "none",
      target: { text: "≤ 12 KB, no ajv", met: (o) => o <= 12 && r.bundles?.ours?.containsAjv === false },
    },
    {
      label: "cross-check: everything the root entry exports, min+gzip",
      value: (a) => (a === "ours" ? (r.bundles?.["oursWholeEntry"]?.gzipBytes ?? NaN) / 1024 : undefined),
      unit: " KB",
      digits: 1,
      compare: "none",
    },
    { label: "installed size", value: (a) => (r.install?.[a]?.bytes ?? NaN) / 1e6, unit: " MB", digits: 2, compare: "none" },
    { label: "runtime dependencies (transitive)", value: (a) => r.install?.[a]?.deps, unit: "", digits: 0, compare: "none" },
  ];
  if (adapters.includes("ours")) {
    rows.push(
      { label: "structured(): first call", value: (a) => m(a, "structuredFirstMs"), unit: " ms", digits: 2, compare: "none" },
      {
        label: "structured(): later call, same schema, over plain chat",
        value: (a) => (a === "ours" ? (m(a, "structuredLaterMs") ?? NaN) - (m(a, "plainChatMs") ?? NaN) : undefined),
        unit: " ms",
        digits: 2,
        compare: "none",
      },
      {
        label: `structured(): ajv compiles in ${sizes(r.mode === "quick").structuredCalls} later calls`,
        value: (a) => (a === "ours" ? m(a, "ajvCompilesLaterCalls") : undefined),
        unit: "",
        digits: 0,
        compare: "none",
        target: { text: "0 (schema seen before: no compile)", met: (o) => o === 0 },
      },
    );
  }

  const header = ["metric", ...adapters.map((a) => ADAPTER_LABEL[a]), "target (ours)", "met"];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`];
  const targets: Results["targets"] = [];
  for (const row of rows) {
    const floor = row.value("floor");
    const cells = adapters.map((a) => {
      const v = row.value(a);
      if (v === undefined || !Number.isFinite(v)) {
        const g = groupOfRow(row.label);
        return (g !== undefined && r.status[a]?.[`${g}:why`]) || "—";
      }
      const abs = `${fmt(v, row.digits)}${row.unit}`;
      if (a === "floor" || floor === undefined || !Number.isFinite(floor)) return abs;
      if (row.compare === "ratio") return `${abs} (${fmt(v / floor, 2)}×)`;
      if (row.compare === "diff") return `${abs} (${v - floor >= 0 ? "+" : "−"}${fmt(Math.abs(v - floor), 2)})`;
      return abs;
    });
    let met = "";
    if (row.target) {
      const ours = row.value("ours");
      const ok = ours === undefined || !Number.isFinite(ours) ? null : row.target.met(ours, floor);
      met = ok === null ? "n/a" : ok ? "met" : "**unmet**";
      targets.push({ target: `${row.label} ${row.target.text}`, value: ours === undefined ? "n/a" : fmt(ours, row.digits), met: ok });
    }
    lines.push(`| ${[row.label, ...cells, row.target?.text ?? "", met].join(" | ")} |`);
  }
  return { table: lines.join("\n"), targets };
}

// ------------------------------------------------------------------------------------------------------ main


async function main(): Promise<void> {
  const t0 = Date.now();
  const opts = parseArgs(process.argv.slice(2));
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const load0 = loadavg();
  log(`bench: ${opts.quick ? "quick" : "full"} run, ${opts.reps} repetition(s), clients: ${opts.adapters.join(", ")}; taskset ${HAS_TASKSET ? "on" : "off"}`);

  const partial: Omit<Results, "table" | "targets" | "durationS"> = {
    date: new Date().toISOString(),
    mode: opts.quick ? "quick" : "full",
    machine: {},
    sizes: sizes(opts.quick),
    medians: {},
    spread: {},
    status: {},
    raw: [],
  };

  // Our library as built (what users import), not src/ through the TypeScript loader: the import-time
  // measurement and the workers both load this one build.
  const oursBuilt = opts.adapters.includes("ours") ? await buildOursForImport() : undefined;
  if (oursBuilt !== undefined) process.on("exit", () => removeOursBuild(oursBuilt));

  if (opts.static) {
    log("static: bundle sizes, installed sizes, import times ...");
    const staticStart = Date.now();
    partial.bundles = await bundleSizes();
    partial.install = installSizes();
    const specs = importSpecs(oursBuilt);
    const chosen = Object.fromEntries(Object.entries(specs).filter(([k]) => opts.adapters.includes(k as AdapterName)));
    partial.imports = importTimes(chosen, opts.quick ? 2 : 5, opts.quick ? 1 : 3);
    log(`static: done in ${((Date.now() - staticStart) / 1000).toFixed(1)} s`);
  }

  const workerEnv: Record<string, string> = oursBuilt === undefined ? {} : { BENCH_OURS_ENTRY: oursBuilt };
  const { origin, proc: server } = await startServer();
  const cleanup = () => server.kill();
  process.on("exit", cleanup);
  try {
    const groups: Group[] = ["chat", "stream", "ttft", "memory"];
    const collected: Partial<Record<AdapterName, Record<string, number[]>>> = {};
    const record = (rep: number, adapter: AdapterName, group: Group, out: WorkerOutput, seconds: number) => {
      partial.raw.push({ rep, adapter, group, out });
      const status = (partial.status[adapter] ??= {});
      if (out.ok) {
        const bucket = (collected[adapter] ??= {});
        for (const [k, v] of Object.entries(out.metrics)) (bucket[k] ??= []).push(v);
      } else {
        const why = "unavailable" in out ? `unavailable` : `error`;
        status[group] = "unavailable" in out ? out.unavailable : out.error;
        status[`${group}:why`] = why;
      }
      const summary = out.ok
        ? Object.entries(out.metrics)
            .filter(([k]) => !k.includes("Cpu") && !k.includes("Wall") && k !== "opsTotal")
            .map(([k, v]) => `${k}=${fmt(v, v < 10 ? 2 : 0)}`)
            .join(" ")
        : "unavailable" in out
          ? `unavailable: ${out.unavailable}`
          : `ERROR: ${out.error}`;
      log(`  rep ${rep + 1} ${group.padEnd(10)} ${adapter.padEnd(15)} ${(Number.isNaN(seconds) ? "" : `${seconds.toFixed(1)} s`).padStart(7)}  ${summary}`);
    };
    const measure = async (rep: number, adapter: AdapterName, groups: Group[]) => {
      const started = Date.now();
      const report = await runWorker(adapter, groups, origin, opts.quick, workerEnv);
      const seconds = (Date.now() - started) / 1000;
      // The process's wall time goes on its first line only (the groups shared one process).
      groups.forEach((g, i) => record(rep, adapter, g, report[g]!, i === 0 ? seconds : NaN));
    };
    for (let rep = 0; rep < opts.reps; rep++) {
      if (opts.quick) {
        // Smoke test: one process per client; memory last, since it leaves its streams open.
        for (const adapter of rotate(opts.adapters, rep)) {
          await measure(rep, adapter, adapter === "ours" ? ["chat", "stream", "ttft", "structured", "memory"] : groups);
        }
        continue;
      }
      for (const group of groups) {
        for (const adapter of rotate(opts.adapters, rep)) await measure(rep, adapter, [group]);
      }
      if (opts.adapters.includes("ours")) await measure(rep, "ours", ["structured"]);
    }
    for (const [a, bucket] of Object.entries(collected)) {
      partial.medians[a as AdapterName] = Object.fromEntries(Object.entries(bucket).map(([k, vs]) => [k, median(vs)]));
      partial.spread[a as AdapterName] = Object.fromEntries(
        Object.entries(bucket).map(([k, vs]) => [k, { min: Math.min(...vs), max: Math.max(...vs), n: vs.length }]),
      );
    }
  } finally {
    server.stdin?.end();
    server.kill();
  }

  partial.machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    taskset: HAS_TASKSET,
    hyperfine: partial.imports?.["bare"]?.tool === "hyperfine",
    loadavgStart: load0.map((x) => Number(x.toFixed(2))),
    loadavgEnd: loadavg().map((x) => Number(x.toFixed(2))),
  };
  const { table, targets } = buildTable(partial, opts.adapters);
  const results: Results = { ...partial, table, targets, durationS: (Date.now() - t0) / 1000 };
  writeFileEnsured(opts.out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${table}\n\n`);
  const la = results.machine;
  process.stdout.write(
    `${opts.quick ? "quick run (smoke test: one process per client, small sizes)" : "full run"}, ${opts.reps} fresh-process repetition(s), medians; ${String(la["node"])}, ${String(la["cpus"])} cores, ` +
      `load average ${String(la["loadavgStart"])} → ${String(la["loadavgEnd"])}; ${results.durationS.toFixed(0)} s. Results: ${opts.out}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
