/**
 * The benchmark driver: `tsx bench/run.ts [--quick] [--reps N] [--adapters floor,ours,...] [--no-static] [--write-quiet-reference]`.
 *
 * Starts the fake OpenRouter server in its own process (pinned to core 1 when `taskset` exists), then runs every
 * metric group for every client in a fresh worker process (pinned to core 0), rotating the client order on each
 * repetition. Prints one table of each client against the floor and the limit of the same run, with the spread
 * of the repetitions, and a verdict line saying whether the machine was quiet enough to judge (bench/noise.ts);
 * writes bench/results.json. `--write-quiet-reference` (full runs only) stores the floor's medians in
 * bench/quiet-reference.json when the run's load, CPU pressure and run-queue waits say the machine was quiet.
 * `--quick` is a smoke test: small sizes, one repetition, every group of a client in one process; it writes its
 * results to the OS temp dir (not bench/results.json) unless `--out` says otherwise.
 *
 * @example
 * ```sh
 * npx tsx bench/run.ts --quick   # smoke test, < 60 s
 * npx tsx bench/run.ts           # full run, 3 repetitions, < 5 min
 * ```
 */
import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { ADAPTERS, ADAPTER_LABEL, adapterSpec, oursAdapters, type AdapterName } from "./adapters.js";
import { REFERENCE_METRICS, judgeNoise, referenceFor, withReference, type NoiseSamples, type QuietReference, type Verdict } from "./noise.js";
import { cpuPressure } from "./sched.js";
import { compareReps, formatCompared } from "./spread.js";
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
  writeQuietReference: boolean;
}

function parseArgs(argv: string[]): Options {
  const quick = argv.includes("--quick");
  // A smoke test must not overwrite the committed full-run results: --quick writes to the temp dir.
  const out = quick ? join(tmpdir(), "openrouter-fetch-bench-quick.json") : join(ROOT, "bench", "results.json");
  const opts: Options = { quick, reps: quick ? 1 : 3, adapters: [...ADAPTERS], static: !argv.includes("--no-static"), out, writeQuietReference: argv.includes("--write-quiet-reference") };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--reps") opts.reps = Math.max(1, Number(argv[++i]));
    else if (a === "--adapters") {
      const names = (argv[++i] ?? "").split(",");
      for (const n of names) if (!(ADAPTERS as readonly string[]).includes(n)) throw new Error(`unknown adapter ${n}; known: ${ADAPTERS.join(", ")}`);
      opts.adapters = names as AdapterName[];
      // Ratios need the floor and the limit.
      for (const ref of ["limit", "floor"] as const) if (!opts.adapters.includes(ref)) opts.adapters.unshift(ref);
    } else if (a === "--out") opts.out = argv[++i] ?? opts.out;
    else if (a !== "--quick" && a !== "--no-static" && a !== "--write-quiet-reference") throw new Error(`unknown argument ${a}`);
  }
  if (opts.writeQuietReference && opts.quick) throw new Error("--write-quiet-reference needs a full run");
  return opts;
}

const QUIET_REFERENCE = join(ROOT, "bench", "quiet-reference.json");

/** Every stored reference: a list, one per machine (an older file held a single one). */
function readQuietReferences(): QuietReference | QuietReference[] | undefined {
  return existsSync(QUIET_REFERENCE) ? (JSON.parse(readFileSync(QUIET_REFERENCE, "utf8")) as QuietReference | QuietReference[]) : undefined;
}

// ------------------------------------------------------------------------------------------------ processes

function rotate<T>(xs: readonly T[], by: number): T[] {
  const k = by % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
}

// --------------------------------------------------------------------------------------------------- report

type Metrics = Record<string, number>;
/** One client's metric by name, from the medians or from one repetition. */
type Get = (key: string) => number | undefined;

interface Row {
  label: string;
  /** Absolute value of one client, already in display units, from its medians or one repetition's figures. */
  value: (get: Get, a: AdapterName) => number | undefined;
  unit: string;
  digits: number;
  /** How the cell shows the client relative to the floor and the limit. */
  compare: "ratio" | "diff" | "none";
  /**
   * Target for our client(s), judged on what the cell shows first: the median ratio to the floor (`ratio`), the
   * median difference from it (`diff`), or the value itself (`none`).
   */
  target?: { text: string; met: (x: number) => boolean };
}

/** The clients every figure is compared with, and the tag that marks each in a cell. */
const REFERENCES = [
  { name: "floor", tag: "F" },
  { name: "limit", tag: "L" },
] as const satisfies readonly { name: AdapterName; tag: string }[];

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
  /** Whether the machine was quiet enough to judge, and the samples that decided it. */
  noise?: { verdict: Verdict; samples: Omit<NoiseSamples, "reference">; reference: QuietReference | undefined };
  targets: { target: string; client: AdapterName; value: string; met: boolean | null; spread?: string }[];
  raw: { rep: number; adapter: AdapterName; group: Group; out: WorkerOutput }[];
  table: string;
  durationS: number;
}

/** Each client's metrics per repetition (the groups of one repetition merged), from the raw worker outputs. */
function metricsPerRep(raw: Results["raw"]): Partial<Record<AdapterName, Metrics[]>> {
  const per: Partial<Record<AdapterName, Metrics[]>> = {};
  for (const { rep, adapter, out } of raw) {
    if (!out.ok) continue;
    const reps = (per[adapter] ??= []);
    reps[rep] = { ...reps[rep], ...out.metrics };
  }
  return per;
}

function buildTable(r: Omit<Results, "table" | "targets" | "durationS">, adapters: AdapterName[]): { table: string; targets: Results["targets"]; reps: number } {
  // A noisy run's target verdicts are printed, but marked so nobody quotes them.
  const metHeading = r.noise?.verdict.judgeable === false ? "met (too noisy to judge)" : "met";
  const quick = r.mode === "quick";
  const rows: Row[] = [
    {
      label: "chat req/s, concurrency 1",
      value: (m) => m("chatRpsC1"),
      unit: "",
      digits: 0,
      compare: "ratio",
      target: { text: "≥ 0.95× floor", met: (x) => x >= 0.95 },
    },
    {
      label: "chat req/s, concurrency 64",
      value: (m) => m("chatRpsC64"),
      unit: "",
      digits: 0,
      compare: "ratio",
      target: { text: "≥ 0.95× floor", met: (x) => x >= 0.95 },
    },
    {
      label: `stream chunks/s, ${sizes(quick).streamN} chunks, 1 event/write`,
      value: (m) => m("streamChunksPerS"),
      unit: "",
      digits: 0,
      compare: "ratio",
      target: { text: "≥ 0.90× floor", met: (x) => x >= 0.9 },
    },
    { label: "stream MB/s, 1 event/write", value: (m) => m("streamMBPerS"), unit: "", digits: 1, compare: "ratio" },
    {
      label: "stream chunks/s, 64 events/write",
      value: (m) => m("streamChunksPerSBatch64"),
      unit: "",
      digits: 0,
      compare: "ratio",
      target: { text: "≥ 0.90× floor", met: (x) => x >= 0.9 },
    },
    { label: "stream MB/s, 64 events/write", value: (m) => m("streamMBPerSBatch64"), unit: "", digits: 1, compare: "ratio" },
    {
      label: "cross-check: chat c64 req per client CPU-second",
      value: (m) => 1e6 / (m("chatCpuUsPerReqC64") ?? NaN),
      unit: "",
      digits: 0,
      compare: "ratio",
    },
    {
      label: "cross-check: stream chunks per client CPU-second, 1 event/write",
      value: (m) => sizes(quick).streamN / ((m("streamClientCpuMs") ?? NaN) / 1000),
      unit: "",
      digits: 0,
      compare: "ratio",
    },
    {
      label: "cross-check: stream chunks per client CPU-second, 64 events/write",
      value: (m) => sizes(quick).streamN / ((m("streamClientCpuMsBatch64") ?? NaN) / 1000),
      unit: "",
      digits: 0,
      compare: "ratio",
    },
    {
      label: "time to first token over server delay",
      value: (m) => m("ttftOverDelayMs"),
      unit: " ms",
      digits: 2,
      compare: "diff",
      target: { text: "≤ floor + 0.3 ms", met: (x) => x <= 0.3 },
    },
    {
      label: `heap per open stream (${sizes(quick).openStreams} open)`,
      value: (m) => (m("heapPerStreamBytes") ?? NaN) / 1024,
      unit: " KB",
      digits: 1,
      compare: "ratio",
      target: { text: "≤ 1.10× floor", met: (x) => x <= 1.1 },
    },
    { label: "RSS per open stream", value: (m) => (m("rssPerStreamBytes") ?? NaN) / 1024, unit: " KB", digits: 1, compare: "ratio" },
    {
      label: "import time over bare node",
      value: (_, a) => r.imports?.[a]?.overBareMs,
      unit: " ms",
      digits: 1,
      compare: "none",
      target: { text: "≤ 30 ms", met: (x) => x <= 30 },
    },
    {
      label: "cross-check: import CPU time over bare node",
      value: (_, a) => r.imports?.[a]?.cpuOverBareMs,
      unit: " ms",
      digits: 1,
      compare: "none",
    },
    {
      label: "bundle of the main client import (entry + static chunks), min+gzip",
      value: (_, a) => (r.bundles?.[a]?.gzipBytes ?? NaN) / 1024,
      unit: " KB",
      digits: 1,
      compare: "none",
      target: { text: "≤ 12 KB, no ajv", met: (x) => x <= 12 && r.bundles?.["ours"]?.containsAjv === false },
    },
    {
      label: "cross-check: everything the root entry exports, min+gzip",
      value: (_, a) => (a === "ours" ? (r.bundles?.["oursWholeEntry"]?.gzipBytes ?? NaN) / 1024 : undefined),
      unit: " KB",
      digits: 1,
      compare: "none",
    },
    { label: "installed size", value: (_, a) => (r.install?.[a]?.bytes ?? NaN) / 1e6, unit: " MB", digits: 2, compare: "none" },
    { label: "runtime dependencies (transitive)", value: (_, a) => r.install?.[a]?.deps, unit: "", digits: 0, compare: "none" },
  ];
  const ours = oursAdapters(adapters);
  if (ours.length > 0) {
    rows.push(
      { label: "structured(): first call", value: (m) => m("structuredFirstMs"), unit: " ms", digits: 2, compare: "none" },
      {
        label: "structured(): later call, same schema, over plain chat",
        value: (m) => (m("structuredLaterMs") ?? NaN) - (m("plainChatMs") ?? NaN),
        unit: " ms",
        digits: 2,
        compare: "none",
      },
      {
        label: `structured(): ajv compiles in ${sizes(quick).structuredCalls} later calls`,
        value: (m) => m("ajvCompilesLaterCalls"),
        unit: "",
        digits: 0,
        compare: "none",
        target: { text: "0 (schema seen before: no compile)", met: (x) => x === 0 },
      },
    );
  }

  const perRep = metricsPerRep(r.raw);
  const reps = Math.max(0, ...Object.values(perRep).map((xs) => xs?.length ?? 0));
  const medianGet = (a: AdapterName): Get => (k) => r.medians[a]?.[k];
  const repGet = (a: AdapterName, rep: number): Get => (k) => perRep[a]?.[rep]?.[k];
  const repValues = (row: Row, a: AdapterName) => Array.from({ length: reps }, (_, i) => row.value(repGet(a, i), a));
  const refs = REFERENCES.filter((ref) => adapters.includes(ref.name));

  const header = ["metric", ...adapters.map((a) => ADAPTER_LABEL[a]), "target (ours)", metHeading];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`];
  const targets: Results["targets"] = [];
  for (const row of rows) {
    const kind = row.compare;
    /** The client against one reference client, repetition by repetition. */
    const against = (a: AdapterName, ref: AdapterName) =>
      kind === "none" || a === ref ? undefined : compareReps(repValues(row, a), repValues(row, ref), kind);
    const cells = adapters.map((a) => {
      const v = row.value(medianGet(a), a);
      if (v === undefined || !Number.isFinite(v)) {
        const g = groupOfRow(row.label);
        return (g !== undefined && r.status[a]?.[`${g}:why`]) || "—";
      }
      const parts = [`${fmt(v, row.digits)}${row.unit}`];
      if (kind !== "none") {
        for (const ref of refs) {
          const c = against(a, ref.name);
          if (c !== undefined) parts.push(formatCompared(c, kind, ref.tag, 2, kind === "diff" ? row.unit : ""));
        }
      }
      return parts.join(" · ");
    });
    const verdicts: string[] = [];
    if (row.target) {
      for (const o of ours) {
        let x: number | undefined;
        let spread: string | undefined;
        if (kind === "none") x = row.value(medianGet(o), o);
        else {
          const c = against(o, "floor");
          x = c?.mid;
          if (c !== undefined) spread = formatCompared(c, kind, "F", 2, kind === "diff" ? row.unit : "");
        }
        const ok = x === undefined || !Number.isFinite(x) ? null : row.target.met(x);
        verdicts.push(`${ours.length > 1 ? `${o}: ` : ""}${ok === null ? "n/a" : ok ? "met" : "**unmet**"}`);
        targets.push({
          target: `${row.label} ${row.target.text}`,
          client: o,
          value: x === undefined ? "n/a" : fmt(x, kind === "ratio" ? 2 : row.digits),
          met: ok,
          ...(spread !== undefined && { spread }),
        });
      }
    }
    lines.push(`| ${[row.label, ...cells, row.target?.text ?? "", verdicts.join(", ")].join(" | ")} |`);
  }
  return { table: lines.join("\n"), targets, reps };
}

/** The noise samples of a run: load and pressure from the driver, contention and throughput from the floor's windows. */
function noiseSamples(
  r: Omit<Results, "table" | "targets" | "durationS">,
  monitor: { loadBefore: number; loadDuring: number[]; cpuPressure: number[] },
): Omit<NoiseSamples, "reference"> {
  const floorReps = metricsPerRep(r.raw)["floor"] ?? [];
  const all = (pattern: RegExp) => floorReps.flatMap((m) => Object.entries(m ?? {}).filter(([k]) => pattern.test(k)).map(([, v]) => v));
  const floor: NoiseSamples["floor"] = {};
  for (const k of REFERENCE_METRICS) {
    const xs = floorReps.map((m) => m?.[k]).filter((x): x is number => x !== undefined);
    if (xs.length > 0) floor[k] = xs;
  }
  return {
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown" },
    mode: r.mode,
    ...monitor,
    serverCpuShare: all(/ServerCpuShare/),
    serverWaitShare: all(/ServerWaitShare/),
    clientWaitShare: all(/ClientWaitShare/),
    serverForeignShare: all(/ServerForeignShare/),
    clientForeignShare: all(/ClientForeignShare/),
    floor,
  };
}

// ------------------------------------------------------------------------------------------------------ main


async function main(): Promise<void> {
  const t0 = Date.now();
  const opts = parseArgs(process.argv.slice(2));
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const load0 = loadavg();
  // Load and CPU pressure, sampled from before the first measurement to the last; the load average is a
  // 1-minute moving average, so once a second is plenty.
  const monitor = { loadBefore: load0[0]!, loadDuring: [] as number[], cpuPressure: [] as number[] };
  const sample = () => {
    monitor.loadDuring.push(Number(loadavg()[0]!.toFixed(2)));
    const p = cpuPressure();
    if (p !== undefined) monitor.cpuPressure.push(p);
  };
  sample();
  const sampler = setInterval(sample, 1000);
  sampler.unref();
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
  const oursBuilt = oursAdapters(opts.adapters).length > 0 ? await buildOursForImport() : undefined;
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
            .filter(([k]) => !k.includes("Cpu") && !k.includes("Wall") && !k.includes("Share") && k !== "opsTotal")
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
          await measure(rep, adapter, adapterSpec(adapter).ours ? ["chat", "stream", "ttft", "structured", "memory"] : groups);
        }
        continue;
      }
      for (const group of groups) {
        for (const adapter of rotate(opts.adapters, rep)) await measure(rep, adapter, [group]);
      }
      for (const o of oursAdapters(opts.adapters)) await measure(rep, o, ["structured"]);
    }
    for (const [a, bucket] of Object.entries(collected)) {
      partial.medians[a as AdapterName] = Object.fromEntries(Object.entries(bucket).map(([k, vs]) => [k, median(vs)]));
      partial.spread[a as AdapterName] = Object.fromEntries(
        Object.entries(bucket).map(([k, vs]) => [k, { min: Math.min(...vs), max: Math.max(...vs), n: vs.length }]),
      );
    }
  } finally {
    clearInterval(sampler);
    sample();
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
  const samples = noiseSamples(partial, monitor);
  const reference = referenceFor(readQuietReferences(), samples.machine);
  const verdict = judgeNoise({ ...samples, reference });
  partial.noise = { verdict, samples, reference };
  const { table, targets, reps } = buildTable(partial, opts.adapters);
  const results: Results = { ...partial, table, targets, durationS: (Date.now() - t0) / 1000 };
  writeFileEnsured(opts.out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${table}\n\n`);
  process.stdout.write(
    `Each cell: the median over the repetitions, then the client against the floor (F) and the limit (L): the median of the ` +
      `per-repetition ratios (differences for times)${reps > 1 ? `, [lowest–highest] over the ${reps} repetitions` : " (one repetition: no spread)"}. ` +
      `Targets are judged on the median ratio to the floor.\n`,
  );
  const la = results.machine;
  process.stdout.write(
    `${opts.quick ? "quick run (smoke test: one process per client, small sizes)" : "full run"}, ${opts.reps} fresh-process repetition(s), medians; ${String(la["node"])}, ${String(la["cpus"])} cores, ` +
      `load average ${String(la["loadavgStart"])} → ${String(la["loadavgEnd"])}; ${results.durationS.toFixed(0)} s. Results: ${opts.out}\n`,
  );
  for (const note of verdict.notes) process.stdout.write(`note: ${note}\n`);
  process.stdout.write(`${verdict.line}\n`);
  if (opts.writeQuietReference) writeQuietReference(samples, results);
}

/**
 * Stores this run's floor medians as this machine's quiet reference (other machines' stay), when the run's own signals (load, CPU pressure,
 * run-queue waits, server saturation) say nothing else competed; the old reference is not consulted.
 */
function writeQuietReference(samples: Omit<NoiseSamples, "reference">, results: Results): void {
  const own = judgeNoise({ ...samples, reference: undefined });
  if (!own.judgeable) {
    process.stdout.write(`quiet reference not written: ${own.reasons.join("; ")}\n`);
    return;
  }
  const floor: QuietReference["floor"] = {};
  for (const k of REFERENCE_METRICS) {
    const v = results.medians.floor?.[k];
    if (v !== undefined) floor[k] = Math.round(v);
  }
  const ref: QuietReference = {
    date: results.date.slice(0, 10),
    machine: { ...samples.machine, node: process.version },
    mode: results.mode,
    how:
      `The floor's medians of a full run of this bench (${results.raw.filter((x) => x.adapter === "floor" && x.group === "chat").length} repetitions), ` +
      `written by --write-quiet-reference after the run's load (up to ${Math.max(...samples.loadDuring).toFixed(1)}) and the other programs' share of the bench's cores said nothing else competed.`,
    floor,
  };
  // The references of other machines stay: each machine is judged against its own.
  writeFileEnsured(QUIET_REFERENCE, `${JSON.stringify(withReference(readQuietReferences(), ref), null, 2)}\n`);
  process.stdout.write(`quiet reference written: ${QUIET_REFERENCE}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
