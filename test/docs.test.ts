/**
 * Every TypeScript example in README.md and docs/ compiles as a user's project would compile it: each block
 * becomes a module of a scratch project whose `node_modules/openrouter-fetch` is this package with its built
 * dist/, so imports resolve through package.json "exports" to the published declarations, and one `tsc`
 * run checks them all under strict, noUncheckedIndexedAccess and exactOptionalPropertyTypes. A failure names
 * the Markdown file and line.
 *
 * The same run compiles a few canary blocks that must fail in known ways, so a check that quietly stopped
 * checking (options dropped, the package not resolved) fails this test too.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CodeBlock, codeBlocks, isTypeScript } from "./helpers/code-blocks.js";
import { ROOT, ensureDist } from "./helpers/built-package.js";

const run = promisify(execFile);

/** The compiler options a careful user's project would have; the point of the test. */
const COMPILER_OPTIONS = {
  target: "ES2022",
  module: "NodeNext",
  moduleResolution: "NodeNext",
  lib: ["ES2022", "DOM", "DOM.Iterable"],
  types: ["node"],
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  // Each example is its own module, so names never clash between blocks and top-level await works.
  moduleDetection: "force",
  noEmit: true,
  // What `tsc --init` writes. The examples are still checked against every declaration they use; checking
  // all of @types/node, vitest and the rest on top would triple the time for nothing the docs control.
  skipLibCheck: true,
};

/**
 * Blocks that must not compile, each with the error it must give. They run in the same tsc process as the
 * docs, so they prove the options above and the package resolution are in effect for the docs too.
 */
const CANARIES = `
\`\`\`ts
const names: string[] = [];
const first: string = names[0];
\`\`\`

\`\`\`ts
const options: { model?: string } = { model: undefined };
\`\`\`

\`\`\`ts
export function untyped(x) { return x; }
\`\`\`

\`\`\`ts
import { OpenRouter } from "openrouter-fetch";
const wrong: number = new OpenRouter({ apiKey: "k" }).chat;
\`\`\`

\`\`\`ts
import { createMockOpenRouter } from "openrouter-fetch/testing";
const wrong: number = createMockOpenRouter;
\`\`\`

\`\`\`ts
import { OpenRouter } from "openrouter-fetch/dist/index.js";
\`\`\`
`;
/** [canary index, first line of the block with the error, TypeScript error code]. */
const CANARY_ERRORS = [
  [0, 2, "TS2322"], // noUncheckedIndexedAccess: names[0] is string | undefined
  [1, 1, "TS2375"], // exactOptionalPropertyTypes: undefined is not a missing property
  [2, 1, "TS7006"], // strict: implicit any
  [3, 2, "TS2322"], // the root entry resolves to the built declarations
  [4, 2, "TS2322"], // so does the testing entry
  [5, 1, "TS2307"], // anything outside "exports" is refused, as for a user
] as const;

interface Source {
  /** Repo-relative path of the Markdown file ("README.md", "docs/errors.md"). */
  doc: string;
  block: CodeBlock;
}

function docFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(`${dir}/${e.name}`) : e.name.endsWith(".md") ? [`${dir}/${e.name}`] : [],
    );
  return ["README.md", ...walk("docs").sort()];
}

const docs = docFiles().flatMap((doc) =>
  codeBlocks(readFileSync(join(ROOT, doc), "utf8")).map((block): Source => ({ doc, block })),
);
const checked = docs.filter((s) => isTypeScript(s.block) && s.block.noCheck === undefined);
const canaries = codeBlocks(CANARIES).map((block): Source => ({ doc: "canary", block }));

let scratch: string;
/** Module file name (relative to the scratch project) -> where its code came from. */
const origin = new Map<string, Source>();
/** tsc's diagnostics, each mapped back to its Markdown source. */
let diagnostics: Array<{ source: Source; line: number; column: number; code: string; text: string }> = [];

beforeAll(async () => {
  await ensureDist();
  // Inside the repo (git-ignored .tmp/), so @types/node and the package's dependencies resolve from the
  // repo's node_modules, with no install and no network.
  mkdirSync(join(ROOT, ".tmp"), { recursive: true });
  scratch = mkdtempSync(join(ROOT, ".tmp", "docs-"));
  // Its own package.json (ESM, like a current Node project), so "openrouter-fetch" is not resolved as the
  // repo's self-reference but through node_modules, as from a user's project.
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "docs-examples", private: true, type: "module" }));
  mkdirSync(join(scratch, "node_modules"));
  symlinkSync(ROOT, join(scratch, "node_modules", "openrouter-fetch"), "dir");
  mkdirSync(join(scratch, "examples"));
  [...checked, ...canaries].forEach((source, i) => {
    const name = `examples/${String(i).padStart(3, "0")}-${source.doc.replace(/[^A-Za-z0-9]+/g, "_")}-L${source.block.fenceLine}.ts`;
    origin.set(name, source);
    writeFileSync(join(scratch, name), `${source.block.code}\n`);
  });
  writeFileSync(join(scratch, "tsconfig.json"), JSON.stringify({ compilerOptions: COMPILER_OPTIONS, include: ["examples/*.ts"] }));
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  let output: string;
  try {
    ({ stdout: output } = await run(process.execPath, [tsc, "-p", scratch, "--pretty", "false"], { cwd: scratch, maxBuffer: 32 * 1024 * 1024 }));
  } catch (error) {
    output = (error as { stdout?: string }).stdout ?? String(error);
  }
  // "examples/003-README_md-L45.ts(3,5): error TS2532: Object is possibly 'undefined'." (continuation lines
  // of a long message are indented and belong to the diagnostic above them).
  diagnostics = [];
  for (const line of output.split("\n")) {
    const m = /^(examples\/[^(]+)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
    if (m) {
      const source = origin.get(m[1] ?? "");
      if (!source) throw new Error(`tsc reported a file the test did not write: ${line}`);
      diagnostics.push({ source, line: Number(m[2]), column: Number(m[3]), code: m[4] ?? "", text: m[5] ?? "" });
    } else if (line.trim() !== "" && diagnostics.length === 0) {
      throw new Error(`tsc failed outside the examples:\n${output}`);
    } else if (line.trim() !== "") {
      const last = diagnostics[diagnostics.length - 1];
      if (last) last.text += `\n${line}`;
    }
  }
}, 240_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("TypeScript examples in README.md and docs/", () => {
  it("finds the examples of every guide", () => {
    const perDoc = new Map<string, number>();
    for (const s of checked) perDoc.set(s.doc, (perDoc.get(s.doc) ?? 0) + 1);
    const guidesWithCode = ["README.md", "docs/cli.md", "docs/errors.md", "docs/money-and-routing.md", "docs/reliability.md", "docs/streaming.md", "docs/structured-and-agents.md", "docs/testing.md"];
    expect([...perDoc.keys()].sort()).toEqual(expect.arrayContaining(guidesWithCode));
    expect(checked.length).toBeGreaterThanOrEqual(30);
  });

  it("every block compiles against the built package under strict, noUncheckedIndexedAccess and exactOptionalPropertyTypes", () => {
    const failures = diagnostics
      .filter((d) => d.source.doc !== "canary")
      // The Markdown line of the error: the block's code starts on the line after its fence.
      .map((d) => `${d.source.doc}:${d.source.block.fenceLine + d.line}:${d.column} ${d.code} ${d.text}`);
    expect(failures, `examples that do not compile:\n${failures.join("\n")}`).toEqual([]);
  });

  it("catches what it is meant to catch: canary blocks fail with the expected errors", () => {
    const got = diagnostics
      .filter((d) => d.source.doc === "canary")
      .map((d) => [canaries.indexOf(d.source), d.line, d.code]);
    // tsc stops before type checking when any file has a syntax error, so a broken example elsewhere also
    // silences the canaries: fix the syntax errors the test above lists first.
    expect(got, "canary errors (none at all means tsc stopped at a syntax error)").toEqual(CANARY_ERRORS.map((e) => [...e]));
  });

  it("every block that opts out of the check says why", () => {
    const optedOut = docs.filter((s) => isTypeScript(s.block) && s.block.noCheck !== undefined);
    const unexplained = optedOut.filter((s) => s.block.noCheck === "").map((s) => `${s.doc}:${s.block.fenceLine}`);
    expect(unexplained).toEqual([]);
    // Opting out is for sketches, not for examples: keep it rare.
    expect(optedOut.length).toBeLessThanOrEqual(3);
  });
});

describe("codeBlocks (the Markdown extractor)", () => {
  it("returns each fence's language, line and code, and the no-check reason before it", () => {
    const md = [
      "# Title", //                                       1
      "```ts", //                                         2
      "const a = 1;", //                                  3
      "```", //                                           4
      "<!-- no-check: a sketch -->", //                   5
      "~~~typescript title=x", //                         6
      "x?, y?", //                                        7
      "~~~", //                                           8
      "````md", //                                        9
      "```ts", //                                         10: inside a longer fence, not a block of its own
      "````", //                                          11
      "   ```sh", //                                      12
      "npm test", //                                      13
      "   ```", //                                        14
    ].join("\n");
    expect(codeBlocks(md)).toEqual([
      { lang: "ts", fenceLine: 2, code: "const a = 1;", noCheck: undefined },
      { lang: "typescript", fenceLine: 6, code: "x?, y?", noCheck: "a sketch" },
      { lang: "md", fenceLine: 9, code: "```ts", noCheck: undefined },
      { lang: "sh", fenceLine: 12, code: "npm test", noCheck: undefined },
    ]);
    expect(codeBlocks(md).filter(isTypeScript).map((b) => b.fenceLine)).toEqual([2, 6]);
  });

  it("keeps a no-check comment without a reason visible as an empty reason", () => {
    expect(codeBlocks("<!-- no-check -->\n```ts\nx\n```")[0]?.noCheck).toBe("");
  });

  it("runs an unclosed fence to the end of the file", () => {
    expect(codeBlocks("```ts\nconst a = 1;\nconst b = 2;")).toEqual([
      { lang: "ts", fenceLine: 1, code: "const a = 1;\nconst b = 2;", noCheck: undefined },
    ]);
  });

  it("ignores inline code spans that look like fences", () => {
    expect(codeBlocks("text ```json … ``` text\n``` not a fence ```")).toEqual([]);
  });
});
