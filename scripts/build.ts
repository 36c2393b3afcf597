/**
 * `npm run build`: the publishable dist/ tree.
 *
 *   dist/index.js  + index.d.ts       ESM core entry ("."), shared code and lazy modules in dist/chunk-*.js
 *   dist/index.cjs + index.d.cts      CommonJS core entry (one file; lazy modules stay lazy inside it)
 *   dist/testing/index.{js,cjs,d.ts,d.cts}   "./testing"
 *   dist/node/index.{js,cjs,d.ts,d.cts}      "./node" (the undici transport; never reached from ".")
 *   dist/cli/main.js                  the `openrouter` bin (ESM, Node only, self-contained)
 *
 * Every bare import (ajv, eventsource-parser, openapi-fetch, node: modules, optional peers) stays external:
 * a library must not inline its dependencies, and `node:` prefixes are kept because Deno needs them.
 * `src/testing/validate.ts` finds the spec at `../../spec/` from its own file, so the testing entry must
 * stay at dist/testing/ (and its code must not move into a shared chunk; see `assertLayout`).
 *
 * Usage: `tsx scripts/build.ts [--quiet]`, or `tsx scripts/build.ts --if-stale` to build only when a source is
 * newer than dist/ (what the package tests run; see `ensureBuilt`).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "esbuild";
import type { Options } from "tsup";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");

/** Files and folders whose change makes dist/ stale (used by the package test to skip a rebuild). */
export const BUILD_INPUTS = ["src", "spec", "package.json", "tsconfig.base.json", "tsconfig.build.json", "scripts/build.ts"] as const;

/** Everything that is not a relative path is a dependency, a Node built-in or an optional peer. */
const EXTERNAL = [/^[^./]/];

/**
 * CommonJS output only: keeps every bare import external, but routes static imports of dependencies through
 * a tiny ESM re-export module. Why: our sources are ESM in a `"type": "module"` package, so esbuild applies
 * Node's ESM-imports-CJS rule (default = `module.exports`) when it compiles them to `require()`. That is
 * right for Node running ESM, and wrong for a CJS bundle requiring a dual package's CJS build:
 * `openapi-fetch`'s CJS file sets `exports.default = createClient` with `__esModule`, so `import createClient
 * from "openapi-fetch"` would get the exports object, not the function. The re-export module is not in
 * "node mode", so its `require()` honours `__esModule`, like TypeScript's `esModuleInterop`.
 */
const cjsInterop: Plugin = {
  name: "cjs-interop",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (isBuiltin(args.path) || args.namespace === "cjs-interop" || args.kind !== "import-statement") {
        return { path: args.path, external: true };
      }
      return { path: args.path, namespace: "cjs-interop" };
    });
    b.onLoad({ filter: /.*/, namespace: "cjs-interop" }, (args) => ({
      contents: `export * from ${JSON.stringify(args.path)};\nexport { default } from ${JSON.stringify(args.path)};\n`,
      loader: "js",
      resolveDir: root,
    }));
  },
};

/**
 * ajv's standalone validators (src/generated/validators/) run code at module level (`new RegExp(…)`,
 * `validateN.evaluated = …`), so a bundler must keep them even where nothing calls them. In dist/ they sit in
 * the entry file (Conversation is exported from the root), so every `import { OpenRouter }` carried the
 * conversation-snapshot validator (about 1.3 KB min+gzip). Wrapped in an IIFE marked pure, they are dropped
 * by a user's bundler when unused, and run once on first import otherwise, exactly as before.
 */
const pureValidators: Plugin = {
  name: "pure-validators",
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]generated[\\/]validators[\\/][^\\/]+\.ts$/ }, (args) => {
      if (/[\\/]index\.ts$/.test(args.path)) return undefined; // re-exports only
      return { contents: pureValidatorModule(readFileSync(args.path, "utf8"), args.path), loader: "ts" };
    });
  },
};

/**
 * One generated validator module (its single `export const name = validateN;`) as the same code inside a pure
 * IIFE; its one-line `export type`s stay outside. Fails the build on any other shape, so a generator change cannot silently break the output.
 *
 * @example
 * pureValidatorModule('export const v = validate1;\nfunction validate1(d) { return true; }', "v.ts");
 * // 'export const v = /* @__PURE__ *\/ (() => {\n\nfunction validate1(d) { return true; }\nreturn validate1;\n})();\n'
 */
export function pureValidatorModule(source: string, where: string): string {
  const found: { name: string; value: string }[] = [];
  const types: string[] = [];
  const body = source
    .replace(/^export const (\w+) = (\w+);$/gm, (_line, name: string, value: string) => {
      found.push({ name, value });
      return "";
    })
    // Type-only exports (one line each) stay at module level; they emit no code.
    .replace(/^export type [^\n]*;$/gm, (line) => {
      types.push(line);
      return "";
    });
  if (found.length !== 1 || /^\s*(export|import)\b/m.test(body)) {
    throw new Error(`build: ${where} is not one ajv standalone validator with a single \`export const\``);
  }
  const [{ name, value }] = found as [{ name: string; value: string }];
  return `export const ${name} = /* @__PURE__ */ (() => {\n${body}\nreturn ${value};\n})();\n${types.join("\n")}\n`;
}

/**
 * ESM only: keeps the entry's imports of a layer's public face (`src/<layer>/public.ts`) as imports of a file of
 * its own, `dist/<layer>/public.js`, built as an entry of the same build, so it shares the build's chunks (one
 * copy of every module, as before). CommonJS keeps one self-contained file per entry.
 *
 * Why: a user's bundler that splits code (esbuild) loads, for `import { OpenRouter }`, every file the entry file
 * imports that some chunk of theirs uses, whether or not that import is used. Bundled into dist/index.js, a
 * face's code would sit in the entry file, and its imports of shared chunks (the token estimator, routing and
 * cost, which the lazily loaded code uses too) would be the entry's: loaded by every program. As a file of its
 * own the face is dead code for a program that imports none of its names, and so are its imports.
 * src/accounting/public.ts tells the other half of the rule.
 */
const publicFaces: Plugin = {
  name: "public-faces",
  setup(b) {
    const index = join(root, "src/index.ts");
    b.onResolve({ filter: PUBLIC_FACE }, (args) => (args.importer === index ? { path: args.path, external: true } : undefined));
  },
};

/** How src/index.ts imports a public face: `./<layer>/public.js`, the same path from dist/index.js. */
const PUBLIC_FACE = /^\.\/[a-z]+\/public\.js$/;

/**
 * The public faces src/index.ts imports, as entries: `accounting/public` -> src/accounting/public.ts.
 *
 * @example
 * publicFaceEntries('export { costOf } from "./accounting/public.js";\nexport { OpenRouter } from "./client.js";\n');
 * // { "accounting/public": "<root>/src/accounting/public.ts" }
 */
export function publicFaceEntries(indexSource: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const m of indexSource.matchAll(/ from "(\.\/[a-z]+\/public\.js)";/g)) {
    if (!PUBLIC_FACE.test(m[1]!)) continue;
    const name = m[1]!.slice(2, -".js".length);
    entries[name] = join(root, "src", `${name}.ts`);
  }
  return entries;
}

function common(quiet: boolean): Options {
  return {
    config: false,
    outDir: dist,
    tsconfig: join(root, "tsconfig.build.json"),
    target: "es2022",
    platform: "node",
    external: EXTERNAL,
    removeNodeProtocol: false,
    // Provides `import.meta.url` in the CommonJS output (validate.ts locates the spec with it).
    shims: true,
    sourcemap: false,
    silent: quiet,
    treeshake: false,
    esbuildOptions(options, { format }) {
      // In CommonJS, `import()` of a dependency becomes a deferred `require()`: Jest and other CJS hosts
      // without ESM support cannot run a native `import()`, and every dependency we load lazily ships CJS.
      // esbuild wraps that `require()` in Node's ESM-imports-CJS rule (`default` = the whole `exports`), so
      // code that loads a dependency lazily unwraps `default` itself (api-request.ts `createClientOf`, validator.ts
      // `defaultOf`); the package test calls every lazily loaded verb through `require`.
      if (format === "cjs") options.supported = { ...options.supported, "dynamic-import": false };
    },
  };
}

/**
 * Builds dist/. Returns the files written (relative to the repo root).
 *
 * @example
 * await buildPackage({ quiet: true }); // ["dist/index.js", "dist/index.cjs", ...]
 */
export async function buildPackage({ quiet = false }: { quiet?: boolean } = {}): Promise<string[]> {
  // Loaded here, not at the top, so importing this module for `distIsFresh` stays cheap.
  const { build } = await import("tsup");
  rmSync(dist, { recursive: true, force: true });
  const libraryEntries = {
    index: join(root, "src/index.ts"),
    "testing/index": join(root, "src/testing/index.ts"),
    "node/index": join(root, "src/node/index.ts"),
  };
  await Promise.all([
    // ESM: shared code and lazy modules (structured, validator, tools) become chunks loaded by `import()`, so
    // the core entry's static graph stays small.
    // The public faces are entries of their own, imported by dist/index.js (see `publicFaces`).
    build({
      ...common(quiet),
      entry: { ...libraryEntries, ...publicFaceEntries(readFileSync(libraryEntries.index, "utf8")) },
      format: ["esm"],
      splitting: true,
      dts: false,
      esbuildPlugins: [publicFaces, pureValidators],
    }),
    // CommonJS: one self-contained file per entry; esbuild turns each `import()` of bundled code into a lazily
    // initialised module inside that file, and `import()` of a dependency into a deferred `require()`.
    build({
      ...common(quiet),
      entry: libraryEntries,
      format: ["cjs"],
      splitting: false,
      dts: false,
      // tsup's own external handling would claim the dependencies first; `cjsInterop` externalises them.
      noExternal: EXTERNAL,
      esbuildPlugins: [cjsInterop, pureValidators],
    }),
    // Declarations for both: index.d.ts (ESM) and index.d.cts (CJS), so `import` and `require` consumers under
    // node16 resolution each get types of their own module kind.
    build({ ...common(quiet), entry: libraryEntries, format: ["esm", "cjs"], dts: { entry: libraryEntries, only: true } }),
  ]);
  await build({
    ...common(quiet),
    entry: { "cli/main": join(root, "src/cli/main.ts") },
    format: ["esm"],
    // One self-contained file: its lazy modules stay inside it instead of adding a second set of chunks.
    splitting: false,
    dts: false,
  });
  await writeSpecJson();
  assertLayout();
  return listFiles(dist).map((f) => relative(root, f));
}

/**
 * The testing stand-in validates requests against the spec. An installed package has no YAML parser, so the
 * build ships the spec as JSON beside the testing entry, where `src/testing/validate.ts` looks first.
 */
async function writeSpecJson(): Promise<void> {
  const { parseYaml } = await import("@redocly/openapi-core");
  const { assembleSpec } = await import("../src/testing/spec-files.js");
  // The spec is split by area; the stand-in needs it as one document.
  const spec = assembleSpec(join(root, "spec/openrouter.yaml"), {
    readText: (path) => readFileSync(path, "utf8"),
    parse: (text) => parseYaml(text),
  });
  writeFileSync(join(dist, "testing/openrouter-spec.json"), `${JSON.stringify(spec)}\n`);
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** Fails the build when an output the exports map or the bin names is missing. */
function assertLayout(): void {
  const expected = [
    "index.js",
    "index.cjs",
    "index.d.ts",
    "index.d.cts",
    "testing/index.js",
    "testing/index.cjs",
    "testing/index.d.ts",
    "testing/index.d.cts",
    "node/index.js",
    "node/index.cjs",
    "node/index.d.ts",
    "node/index.d.cts",
    "cli/main.js",
    "testing/openrouter-spec.json",
  ];
  const missing = expected.filter((f) => !existsSync(join(dist, f)));
  if (missing.length > 0) throw new Error(`build: missing outputs in dist/: ${missing.join(", ")}`);
  const bin = readFileSync(join(dist, "cli/main.js"), "utf8");
  if (!bin.startsWith("#!/usr/bin/env node")) throw new Error("build: dist/cli/main.js lacks its #! line");
  // The spec lookup is relative to the testing entry's own file; a shared chunk would break it.
  if (!readFileSync(join(dist, "testing/index.js"), "utf8").includes("spec/openrouter.yaml")) {
    throw new Error("build: the testing tools' spec lookup moved out of dist/testing/index.js");
  }
}

/** Newest modification time (ms) among the build inputs. */
export function newestInputMtime(): number {
  let newest = 0;
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const st = statSync(path);
    if (st.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const input of BUILD_INPUTS) visit(join(root, input));
  return newest;
}

/** True when dist/ exists and is newer than every build input. */
export function distIsFresh(): boolean {
  const marker = join(dist, "index.js");
  if (!existsSync(marker)) return false;
  try {
    assertLayout();
  } catch {
    return false;
  }
  return statSync(marker).mtimeMs >= newestInputMtime();
}

/**
 * Builds dist/ unless it is fresh, holding a lock directory so test files running in parallel never build
 * (and delete dist/) at the same time; a waiting caller then finds the other's fresh build and skips.
 *
 * @example
 * await ensureBuilt(); // "built" or "fresh"
 */
export async function ensureBuilt({ staleLockMs = 5 * 60_000 } = {}): Promise<"built" | "fresh"> {
  const lock = join(root, ".tmp", "build.lock");
  mkdirSync(dirname(lock), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Held by another build; take it over only if its holder died long ago.
      try {
        if (Date.now() - statSync(lock).mtimeMs > staleLockMs) rmSync(lock, { recursive: true, force: true });
      } catch {
        // Released between the two calls: try again.
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    if (distIsFresh()) return "fresh";
    await buildPackage({ quiet: true });
    return "built";
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes("--if-stale")) {
    ensureBuilt()
      // On stderr: as `prepack`, stdout is `npm pack --json`'s, and must stay pure JSON.
      .then((state) => console.error(`build: dist/ ${state === "fresh" ? "is up to date" : "rebuilt"}`))
      .catch((error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exitCode = 1;
      });
  } else {
    const quiet = process.argv.includes("--quiet");
    const started = performance.now();
    buildPackage({ quiet })
      .then((files) => {
        if (!quiet) console.log(`build: ${files.length} files in dist/ (${Math.round(performance.now() - started)} ms)`);
      })
      .catch((error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exitCode = 1;
      });
  }
}
