/**
 * Measurements that need no server: import time of each client's entry, installed size and dependency count,
 * and the minified+gzipped bundle of each entry (ours must not contain ajv).
 *
 * @example
 * ```ts
 * const sizes = await bundleSizes();
 * console.log(sizes.ours.gzipBytes);
 * ```
 */
import { build, type Metafile } from "esbuild";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { ADAPTERS, adapterSpec, type AdapterName } from "./adapters.js";
import { median } from "./config.js";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OURS_SRC = join(ROOT, "src", "index.ts");

/** The clients measured from an installed package (ours is built from src first), from their adapter specs. */
function packageClients(): { name: AdapterName; package: string; bundleEntry?: string }[] {
  return ADAPTERS.flatMap((name) => {
    const s = adapterSpec(name).static;
    return s === undefined || s === "ours" ? [] : [{ name, ...s }];
  });
}

// ---------------------------------------------------------------------------------------------- import time

/** The temp-dir prefix of our built entry, so profiles can tell our code from the rest. */
export const OURS_BUILD_DIR_MARK = "bench-ours-";

/**
 * Compiles our core entry to plain JS the way a published build would be (dependencies left as imports,
 * lazy `import()`s split into their own chunks), so import time and the runtime workloads are measured
 * without the TypeScript loader (tsx wraps every function in a name-keeping helper call that costs per call).
 */
export async function buildOursForImport(): Promise<string | undefined> {
  if (!existsSync(OURS_SRC)) return undefined;
  // Built outside the repo; a node_modules link next to it lets the external dependencies resolve.
  // Inside a node_modules folder, like an installed package: the workers run under tsx, which rewrites every
  // JS file outside node_modules (wrapping each function in a name-keeping helper that costs on every call).
  const outdir = join(mkdtempSync(join(tmpdir(), OURS_BUILD_DIR_MARK)), "node_modules", "openrouter-fetch");
  mkdirSync(outdir, { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(outdir, "node_modules"), "dir");
  try {
    await build({
      // The core entry and the Node transport's entry, sharing their chunks as in the published build:
      // index.js and node/index.js (the "ours-node" adapter loads the latter beside the former).
      entryPoints: { index: OURS_SRC, "node/index": join(ROOT, "src", "node", "index.ts") },
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node20",
      packages: "external",
      outdir,
      logLevel: "silent",
    });
  } catch {
    return undefined;
  }
  return join(outdir, "index.js");
}

/** Deletes what {@link buildOursForImport} wrote (its temp folder, three levels above the entry file). */
export function removeOursBuild(entry: string): void {
  rmSync(dirname(dirname(dirname(entry))), { recursive: true, force: true });
}

export interface ImportTiming {
  medianMs: number;
  /** user + system CPU of the whole process (hyperfine only): less sensitive to other load than wall time. */
  cpuMs: number;
  overBareMs: number;
  /** The same difference in process CPU time (hyperfine only). */
  cpuOverBareMs: number;
  runs: number;
  tool: "hyperfine" | "process timing";
}

function hasHyperfine(): boolean {
  return spawnSync("hyperfine", ["--version"], { stdio: "ignore" }).status === 0;
}

function pin(cmd: string[]): string[] {
  return spawnSync("taskset", ["-c", "0", "true"], { stdio: "ignore" }).status === 0 ? ["taskset", "-c", "0", ...cmd] : cmd;
}

/**
 * Median wall (and CPU) time of `runs` runs of cmd; a slow entry (the SDK's import takes seconds) is cut down
 * to 2 runs once it has used up about 2 s, so one entry cannot blow the bench's time budget.
 */
function timeOnce(cmd: string[], runs: number, warmup: number, useHyperfine: boolean): { median: number; cpu: number } {
  if (useHyperfine) {
    const dir = mkdtempSync(join(tmpdir(), "bench-hf-"));
    const out = join(dir, "hf.json");
    const quoted = cmd.map((c) => `'${c.replaceAll("'", "'\\''")}'`).join(" ");
    const args = ["-N", "--warmup", String(warmup), "--min-runs", "2", "--max-runs", String(runs), "--export-json", out, quoted];
    const r = spawnSync("hyperfine", args, {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe"],
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`hyperfine failed: ${r.stderr}`);
    const res = (JSON.parse(readFileSync(out, "utf8")) as { results: { median: number; user: number; system: number }[] })
      .results[0]!;
    rmSync(dir, { recursive: true, force: true });
    return { median: res.median * 1000, cpu: (res.user + res.system) * 1000 };
  }
  const times: number[] = [];
  let spent = 0;
  for (let i = 0; i < runs + warmup && !(times.length >= 2 && spent > 2000); i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd[0]!, cmd.slice(1), { cwd: ROOT, stdio: "ignore" });
    const dt = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${cmd.join(" ")} failed`);
    if (i < warmup) continue; // warm-up: file cache
    times.push(dt);
    spent += dt;
  }
  // spawnSync reports no child CPU time; the fallback has wall time only.
  return { median: median(times), cpu: NaN };
}

/**
 * Times `node -e "await import(spec)"` against bare `node -e ""` with hyperfine when installed, else by timing
 * spawned processes. Entries are measured in several rounds in rotated order and each is compared with the bare
 * run of the same round, so a burst of load from elsewhere on the machine does not land on one entry only.
 */
export function importTimes(specs: Record<string, string>, runs: number, rounds: number): Record<string, ImportTiming> {
  const scripts: [string, string][] = [["bare", ""]];
  for (const [k, spec] of Object.entries(specs)) scripts.push([k, `await import(${JSON.stringify(spec)})`]);
  const useHyperfine = hasHyperfine();
  const perRound: Record<string, { median: number; over: number; cpu: number; cpuOver: number }[]> = {};
  for (let round = 0; round < rounds; round++) {
    const order = [...scripts.slice(round % scripts.length), ...scripts.slice(0, round % scripts.length)];
    const got: Record<string, { median: number; cpu: number }> = {};
    // Warm the file cache in the first round only.
    for (const [k, script] of order) got[k] = timeOnce(pin([process.execPath, "--input-type=module", "-e", script]), runs, round === 0 ? 1 : 0, useHyperfine);
    const bare = got["bare"]!;
    for (const [k, v] of Object.entries(got)) (perRound[k] ??= []).push({ ...v, over: v.median - bare.median, cpuOver: v.cpu - bare.cpu });
  }
  const out: Record<string, ImportTiming> = {};
  for (const [k, rs] of Object.entries(perRound)) {
    out[k] = {
      medianMs: median(rs.map((r) => r.median)),
      overBareMs: median(rs.map((r) => r.over)),
      cpuMs: median(rs.map((r) => r.cpu)),
      cpuOverBareMs: median(rs.map((r) => r.cpuOver)),
      runs: runs * rounds,
      tool: useHyperfine ? "hyperfine" : "process timing",
    };
  }
  return out;
}

// ------------------------------------------------------------------------------------ installed size / deps

function dirBytes(dir: string, skipNodeModules = true): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" && skipNodeModules) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) total += dirBytes(p, skipNodeModules);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

/** Finds `name` the way Node does: nearest node_modules upwards from `fromDir`. */
function findPackageDir(name: string, fromDir: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export interface InstallSize {
  bytes: number;
  deps: number;
  packages: string[];
}

/** Apparent size of a set of packages plus their transitive runtime dependencies, each counted once. */
export function installSize(roots: string[], extraBytes = 0): InstallSize {
  const seen = new Map<string, number>();
  const queue = roots.map((name) => ({ name, from: ROOT }));
  while (queue.length > 0) {
    const { name, from } = queue.shift()!;
    const dir = findPackageDir(name, from);
    if (dir === undefined || seen.has(dir)) continue;
    seen.set(dir, dirBytes(dir));
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) queue.push({ name: dep, from: dir });
  }
  let bytes = extraBytes;
  for (const b of seen.values()) bytes += b;
  const packages = [...seen.keys()].map((d) => relative(join(ROOT, "node_modules"), d));
  return { bytes, deps: packages.length - roots.length, packages };
}

/** Installed size of each client. Ours: its runtime dependencies plus the files under src/. */
export function installSizes(): Partial<Record<AdapterName, InstallSize>> {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
  const runtimeDeps = Object.keys(pkg.dependencies ?? {});
  const srcBytes = existsSync(join(ROOT, "src")) ? dirBytes(join(ROOT, "src")) : 0;
  const ours = installSize(runtimeDeps, srcBytes);
  // Our own package is not in node_modules: its direct dependencies are dependencies, not roots.
  ours.deps = ours.packages.length;
  const sizes: Partial<Record<AdapterName, InstallSize>> = { ours };
  for (const c of packageClients()) sizes[c.name] = installSize([c.package]);
  return sizes;
}

// ------------------------------------------------------------------------------------------------- bundles

export interface BundleSize {
  /** Minified bytes of the entry and every chunk it imports statically (what loading the entry loads). */
  minBytes: number;
  gzipBytes: number;
  /** All chunks, lazy ones included (ours only: the dynamic imports land in separate chunks). */
  allChunksMinBytes?: number;
  containsAjv?: boolean;
  /** The biggest contributors to the statically loaded code (minified bytes before gzip), biggest first. */
  topInputs?: { input: string; bytes: number }[];
  error?: string;
}

/** The entry's output and every output it reaches through static imports (lazy `import()` chunks excluded). */
function staticOutputs(outputs: Metafile["outputs"], entry: string): string[] {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const i of outputs[file]?.imports ?? []) if (i.kind === "import-statement" && outputs[i.path] !== undefined) stack.push(i.path);
  }
  return [...seen];
}

/**
 * Bundles `contents` (a one-line module re-exporting what a user imports) for a neutral platform, minified,
 * with code splitting so lazy `import()`s stay out, and measures what loading it loads: the entry chunk plus
 * the chunks it imports statically.
 */
export async function bundleOne(contents: string): Promise<BundleSize> {
  const outdir = mkdtempSync(join(tmpdir(), "bench-bundle-"));
  try {
    const result = await build({
      stdin: { contents, resolveDir: ROOT, loader: "js", sourcefile: "bench-entry.js" },
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "neutral",
      mainFields: ["module", "main"],
      conditions: ["import", "default"],
      minify: true,
      target: "es2022",
      outdir,
      entryNames: "index",
      metafile: true,
      write: true,
      logLevel: "silent",
    });
    const outputs = result.metafile.outputs;
    // Dynamic-import targets are entry points too; ours is the stdin module.
    const entry = Object.keys(outputs).find((f) => outputs[f]!.entryPoint === "bench-entry.js");
    if (entry === undefined) throw new Error("no entry output");
    const loaded = staticOutputs(outputs, entry);
    const code = Buffer.concat(loaded.map((f) => readFileSync(resolve(f))));
    const all = Object.values(outputs).reduce((a, o) => a + o.bytes, 0);
    const inputs = new Map<string, number>();
    for (const f of loaded) for (const [i, v] of Object.entries(outputs[f]!.inputs)) inputs.set(i, (inputs.get(i) ?? 0) + v.bytesInOutput);
    const containsAjv = [...inputs.keys()].some((i) => /node_modules\/ajv(-formats)?\//.test(i));
    const topInputs = [...inputs]
      .map(([input, bytes]) => ({ input, bytes }))
      .filter((x) => x.bytes > 0)
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 12);
    return { minBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, allChunksMinBytes: all, containsAjv, topInputs };
  } catch (err) {
    return { minBytes: NaN, gzipBytes: NaN, error: String(err instanceof Error ? err.message : err).split("\n")[0]! };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Minified + gzipped size of what each client's main import loads. Every client is measured the same way: a
 * module re-exporting its main client (`OpenRouter` for ours), tree-shaken. For ours, also everything the
 * root entry exports (`coreEntry`), the strictest reading of "the core entry".
 */
export async function bundleSizes(): Promise<Partial<Record<AdapterName, BundleSize>> & { oursWholeEntry?: BundleSize }> {
  const oursSrc = OURS_SRC.split("\\").join("/");
  const hasOurs = existsSync(OURS_SRC);
  const sizes: Partial<Record<AdapterName, BundleSize>> & { oursWholeEntry?: BundleSize } = {};
  for (const c of packageClients()) if (c.bundleEntry !== undefined) sizes[c.name] = await bundleOne(c.bundleEntry);
  if (hasOurs) {
    sizes.ours = await bundleOne(`export { OpenRouter } from ${JSON.stringify(oursSrc)};`);
    sizes.oursWholeEntry = await bundleOne(`export * from ${JSON.stringify(oursSrc)};`);
  }
  return sizes;
}

/** Import specifiers per client for {@link importTimes}; ours is the file {@link buildOursForImport} wrote. */
export function importSpecs(oursBuilt: string | undefined): Partial<Record<AdapterName, string>> {
  const specs: Partial<Record<AdapterName, string>> = {};
  for (const c of packageClients()) specs[c.name] = c.package;
  if (oursBuilt !== undefined) specs.ours = oursBuilt;
  return specs;
}

/** Writes a file, creating its folder. */
export function writeFileEnsured(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
