/**
 * The import graph of src/ and the layering rules it must follow (docs/ARCHITECTURE.md). Pure functions over
 * a graph, so test/architecture.test.ts can check the real tree and a synthetic one with the same code.
 */
import { readdirSync, readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { posix } from "node:path";
import ts from "typescript";

/** Handwritten files longer than this are split. */
export const MAX_LINES = 400;

/** One file of src/, paths relative to src/ ("core/errors.ts"). */
export interface SourceNode {
  lines: number;
  /** Files of src/ it imports: static, type-only, re-exports and `import()`. */
  internal: string[];
  /** Everything else it imports (packages, `node:` modules), as written. */
  external: string[];
}
export type ImportGraph = Map<string, SourceNode>;

/**
 * Known violations, each with the task that removes it. Keys: an edge "from -> to" (to = a file of src/ or
 * an external specifier) or a file (too long). An allowlisted edge is exempt from every edge rule and is left
 * out of the cycle check.
 */
export interface Allowlist {
  edges: Record<string, string>;
  files: Record<string, string>;
}

export interface CheckResult {
  /** Rule breaks the allowlist does not cover. */
  violations: string[];
  /** Allowlist entries that no longer break anything: remove them (the list only shrinks). */
  stale: string[];
}

/**
 * Layer rank of a file: a file imports only its own rank or lower. `undefined` for a file outside the layout.
 */
export function rankOf(file: string): number | undefined {
  const top = file.split("/")[0];
  if (top === "internal" || top === "generated") return 0;
  if (top === "core") return 1;
  if (top === "stream") return 2;
  if (top === "accounting") return 3;
  if (top === "agents") return 4;
  // verbs/: the API areas beyond chat (responses, messages, media, files, keys, presets), over the pipeline.
  if (file === "options.ts" || file === "client.ts" || top === "verbs") return 5;
  if (file === "index.ts") return 6;
  // The gateway is a Node server over the public entry, like the CLI.
  // node/: the opt-in Node transport (undici), its own subpath entry; Node modules allowed, never in the core.
  if (top === "testing" || top === "cli" || top === "gateway" || top === "node") return 7;
  return undefined;
}

/** Where Node modules are allowed: the testing tools, the CLI and the gateway; never the client's core. */
export function nodeAllowed(file: string): boolean {
  return rankOf(file) === 7;
}

/** What core/errors.ts may import: the error tree sits below everything that throws. */
export function errorsMayImport(target: string): boolean {
  return target === "core/types.ts" || target === "core/retry.ts" || target === "core/rate-limit-headers.ts" || target.startsWith("internal/");
}

/** Reads every handwritten .ts file under `srcDir` (generated code excluded) into an import graph. */
export function readImportGraph(srcDir: string): ImportGraph {
  const graph: ImportGraph = new Map();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(posix.join(srcDir, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (rel !== "generated") walk(rel);
      } else if (entry.name.endsWith(".ts")) {
        graph.set(rel, nodeOf(rel, readFileSync(posix.join(srcDir, rel), "utf8")));
      }
    }
  };
  walk("");
  return graph;
}

/** The imports of one file's text (`file` relative to src/). */
export function nodeOf(file: string, text: string): SourceNode {
  const internal: string[] = [];
  const external: string[] = [];
  for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
    if (fileName.startsWith("./") || fileName.startsWith("../")) {
      internal.push(posix.normalize(posix.join(posix.dirname(file), fileName)).replace(/\.js$/, ".ts"));
    } else {
      external.push(fileName);
    }
  }
  const lines = text.endsWith("\n") ? text.split("\n").length - 1 : text.split("\n").length;
  return { lines, internal: [...new Set(internal)], external: [...new Set(external)] };
}

/** Strongly connected components (Tarjan) with more than one file, or a file importing itself. */
export function cycles(graph: ImportGraph, skip: (from: string, to: string) => boolean = () => false): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.internal ?? []) {
      if (!graph.has(w) || skip(v, w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfLoop = component.length === 1 && (graph.get(v)?.internal ?? []).some((t) => t === v && !skip(v, t));
      if (component.length > 1 || selfLoop) found.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

/** Why an edge breaks the layering (empty when it does not), cycles aside. */
function edgeProblems(from: string, to: string): string[] {
  const problems: string[] = [];
  const fromRank = rankOf(from);
  const toRank = rankOf(to);
  if (fromRank !== undefined && toRank !== undefined && toRank > fromRank) problems.push(`imports a higher layer (${fromRank} -> ${toRank})`);
  if (from === "core/errors.ts" && !errorsMayImport(to)) problems.push("errors.ts imports only core/types, core/retry, core/rate-limit-headers, internal/*");
  if (to.startsWith("cli/") && !from.startsWith("cli/")) problems.push("only the CLI imports the CLI");
  return problems;
}

function isNodeModule(specifier: string): boolean {
  return specifier.startsWith("node:") || isBuiltin(specifier);
}

export function checkArchitecture(graph: ImportGraph, allowlist: Allowlist): CheckResult {
  const violations: string[] = [];
  const stale: string[] = [];
  const allowed = (from: string, to: string) => Object.hasOwn(allowlist.edges, `${from} -> ${to}`);
  /** Edges that break a rule today, allowlisted or not: an allowlisted edge must be one of them. */
  const breaking = new Set<string>();

  for (const [file, node] of graph) {
    if (rankOf(file) === undefined) violations.push(`${file}: outside the layer folders`);
    for (const to of node.internal) {
      if (!graph.has(to)) continue; // generated/ (rank 0, reads nothing of ours) or a file tsc reports missing
      const problems = edgeProblems(file, to);
      if (problems.length === 0) continue;
      breaking.add(`${file} -> ${to}`);
      if (!allowed(file, to)) violations.push(`${file} -> ${to}: ${problems.join("; ")}`);
    }
    for (const spec of node.external) {
      if (!isNodeModule(spec) || nodeAllowed(file)) continue;
      breaking.add(`${file} -> ${spec}`);
      if (!allowed(file, spec)) violations.push(`${file} -> ${spec}: Node module outside testing/ and cli/`);
    }
    if (node.lines > MAX_LINES && !Object.hasOwn(allowlist.files, file)) violations.push(`${file}: ${node.lines} lines (max ${MAX_LINES})`);
  }

  for (const component of cycles(graph, allowed)) violations.push(`cycle: ${component.join(", ")}`);

  // An allowlisted edge that breaks no rule still counts while it closes a cycle of the full graph.
  const componentOf = new Map<string, number>();
  cycles(graph).forEach((component, i) => component.forEach((file) => componentOf.set(file, i)));
  for (const key of Object.keys(allowlist.edges)) {
    const [from = "", to = ""] = key.split(" -> ");
    const present = graph.get(from)?.internal.includes(to) || graph.get(from)?.external.includes(to);
    const inCycle = componentOf.has(from) && componentOf.get(from) === componentOf.get(to);
    if (!present || (!breaking.has(key) && !inCycle)) stale.push(`${key} (${allowlist.edges[key]})`);
  }
  for (const file of Object.keys(allowlist.files)) {
    if ((graph.get(file)?.lines ?? 0) <= MAX_LINES) stale.push(`${file} (${allowlist.files[file]})`);
  }
  return { violations, stale };
}
