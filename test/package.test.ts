/**
 * The published package, as a user gets it: build (or reuse a fresh dist/), `npm pack`, lint the tarball
 * with publint and @arethetypeswrong/cli, install it into a scratch project, then `import` and `require` it
 * from plain Node scripts that start the built stand-in (`openrouter-fetch/testing`) on 127.0.0.1 and make
 * real calls through the built client. Also checks that the core entry's static import graph reaches no
 * Node built-in, no ajv and none of the testing tools or the CLI, and how much code `import { OpenRouter }` loads.
 */
import { execFile, spawn } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build as esbuild, type Metafile } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleOne } from "../bench/static.js";
import { createMockOpenRouter, type MockOpenRouter } from "../src/testing/index.js";
import { ensureDist } from "./helpers/built-package.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "node_modules/.bin");
const KEY = "sk-or-v1-package-test-key-0123456789";
/**
 * What `import { OpenRouter }` may load, min+gzip bytes: a ratchet at today's measured size (13.7 KB, about 13,990 bytes,
 * with the pipeline behind first use, the public faces, the lazy verbs' `deferred` and the stream's open
 * adapters in modules of their own, and the errors, waits and settings only a running call needs split from
 * what the constructor and the sync verbs need), rounded up to the next half KiB, never to be raised.
 * The target is 12 * 1024; the remaining weight is listed in docs/ARCHITECTURE.md ("Not in place yet").
 */
const SIZE_CEILING_BYTES = 14 * 1024;

let scratch: string;
let tarball: string;
/** The installed copy of the package inside the scratch project. */
let installed: string;

/** Runs a command; on failure the error carries stdout and stderr so the test output shows why. */
async function sh(file: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  try {
    return await run(file, args, {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...opts.env },
      maxBuffer: 32 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(" ")} failed:\n${e.stdout ?? ""}\n${e.stderr ?? ""}\n${e.message}`);
  }
}

beforeAll(async () => {
  // Rebuilds only when a source is newer than dist/ (under a lock shared with the other package tests).
  await ensureDist();
  // Inside the repo (git-ignored .tmp/), so the installed package resolves its dependencies (ajv,
  // openapi-fetch, eventsource-parser) from the repo's node_modules, as it would from a user's: no network.
  mkdirSync(join(ROOT, ".tmp"), { recursive: true });
  scratch = mkdtempSync(join(ROOT, ".tmp", "package-"));
  // Its own package.json, or Node would resolve "openrouter-fetch" as the repo's self-reference (src of truth
  // would then be the repo's dist/, not the installed tarball).
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "commonjs" }));
  const { stdout } = await sh("npm", ["pack", "--json", "--pack-destination", scratch]);
  const packed = JSON.parse(stdout) as Array<{ filename: string }>;
  tarball = join(scratch, packed[0]!.filename);
  await sh("tar", ["-xzf", tarball, "-C", scratch]);
  mkdirSync(join(scratch, "node_modules"), { recursive: true });
  installed = join(scratch, "node_modules", "openrouter-fetch");
  renameSync(join(scratch, "package"), installed);
}, 240_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("package contents", () => {
  it("ships dist, spec and package.json only, with the bin executable", () => {
    const files = listFiles(installed).map((f) => relative(installed, f)).sort();
    expect(files).toContain("dist/index.js");
    expect(files).toContain("dist/index.cjs");
    expect(files).toContain("dist/index.d.ts");
    expect(files).toContain("dist/index.d.cts");
    expect(files).toContain("dist/testing/index.js");
    expect(files).toContain("dist/testing/index.cjs");
    expect(files).toContain("dist/cli/main.js");
    expect(files).toContain("spec/openrouter.yaml");
    const unexpected = files.filter((f) => !/^(dist\/|spec\/|package\.json$|README\.md$|LICENSE)/.test(f));
    expect(unexpected).toEqual([]);
    expect(files.some((f) => f.startsWith("src/") || f.startsWith("test/"))).toBe(false);
    const pkg = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as { bin: Record<string, string> };
    const bin = join(installed, pkg.bin["openrouter"]!);
    expect(readFileSync(bin, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(statSync(bin).mode & 0o111).not.toBe(0);
  });

  it("passes publint --strict", async () => {
    const { stdout } = await sh(join(BIN, "publint"), ["run", tarball, "--strict"]);
    expect(stdout).toMatch(/All good/);
  }, 60_000);

  it("passes @arethetypeswrong/cli for every entry (node10, node16 from CJS and ESM, bundler)", async () => {
    const { stdout } = await sh(join(BIN, "attw"), [tarball, "--format", "json"]);
    const report = JSON.parse(stdout) as { analysis: { problems: unknown[]; entrypoints: Record<string, unknown> } };
    expect(report.analysis.problems).toEqual([]);
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual([".", "./node", "./package.json", "./testing"]);
  }, 90_000);
});

describe("core entry's static import graph", () => {
  it("reaches no node: module, no ajv, no testing tools or CLI", async () => {
    const entry = join(installed, "dist/index.js");
    const result = await esbuild({
      entryPoints: [entry],
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "neutral",
      // Resolve the dependencies like a bundler would; nothing is written.
      mainFields: ["module", "main"],
      outdir: join(scratch, "bundle"),
      write: false,
      metafile: true,
      logLevel: "silent",
      // node: modules must not be reachable at all; if one were, esbuild would fail to resolve it here.
      external: ["node:*"],
    });
    const meta = result.metafile;
    const start = relative(process.cwd(), entry).split("\\").join("/");
    const staticGraph = staticClosure(meta, start);
    expect(staticGraph.has(start)).toBe(true);
    const offenders = [...staticGraph].filter(
      (p) => p.startsWith("node:") || /node_modules\/(ajv|ajv-formats|fast-deep-equal|json-schema-traverse)\//.test(p) || /dist\/(testing|cli)\//.test(p),
    );
    expect(offenders).toEqual([]);
    // What the core entry does load statically: our code only. The stream reader (with its own SSE parser: no
    // third-party one) loads when the first stream opens; openapi-fetch (client.api) on the first client.api request.
    const packages = new Set([...staticGraph].map((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(p)?.[1]).filter(Boolean));
    expect([...packages].sort()).toEqual(["openrouter-fetch"]);
    expect(Object.keys(meta.inputs).some((p) => /node_modules\/openapi-fetch\//.test(p))).toBe(true);
    expect(Object.keys(meta.inputs).some((p) => /node_modules\/eventsource-parser\//.test(p))).toBe(false);
    // Lazily loaded code (structured output, validator) must be behind import(), never a static edge.
    const dynamicTargets = Object.values(meta.inputs).flatMap((i) => i.imports.filter((x) => x.kind === "dynamic-import").map((x) => x.path));
    for (const target of dynamicTargets) {
      if (/ajv/.test(target)) expect(staticGraph.has(target)).toBe(false);
    }
  });

  it("loads at most the size budget for `import { OpenRouter }` (min+gzip, lazy chunks excluded)", async () => {
    // Measured as the bench measures it (bench/static.ts): a bundler user's build of `import { OpenRouter }`
    // from the installed package, code-split and minified; counted are the entry chunk and every chunk it
    // imports statically, i.e. what a page or function loads before the first call.
    const entry = join(installed, "dist/index.js").split("\\").join("/");
    const size = await bundleOne(`export { OpenRouter } from ${JSON.stringify(entry)};`);
    expect(size.error).toBeUndefined();
    expect(size.containsAjv).toBe(false);
    // The built entry's inputs are chunks; the same import from src/ names the modules behind them.
    const bySource = await bundleOne(`export { OpenRouter } from ${JSON.stringify(join(ROOT, "src/index.ts").split("\\").join("/"))};`);
    const lines = (s: typeof size) => (s.topInputs ?? []).map((t) => `  ${String(t.bytes).padStart(7)}  ${t.input.replace(/^.*node_modules\//, "")}`).join("\n");
    console.log(
      `import { OpenRouter }: ${size.gzipBytes} bytes min+gzip (${size.minBytes} min) from the built package; top inputs (min bytes):\n${lines(size)}\n` +
        `from src/: ${bySource.gzipBytes} bytes min+gzip; top modules (min bytes):\n${lines(bySource)}`,
    );
    // The goal is 12 KiB (12,288 bytes). Until the lazy-loading changes of the restructure have landed this is
    // the ceiling measured on the current tree, rounded up to the next half KiB, so the size can only shrink.
    expect(size.gzipBytes).toBeLessThanOrEqual(SIZE_CEILING_BYTES);
  }, 60_000);

  it("`import { OpenRouter }` leaves the request pipeline and the lazily used public modules in their lazy chunks", async () => {
    // What the size budget rests on, named: a bundler user's code-split build of `import { OpenRouter }` from
    // src/ (as bench/static.ts builds it). The pipeline loads on a client's first request (core/runtime.ts);
    // the accounting functions and the agents' and videos' classes reach the entry through the public faces
    // (accounting/public.ts says why), so the lazy code that uses them does not pull them into the entry.
    const outdir = mkdtempSync(join(ROOT, ".tmp", "split-"));
    try {
      const entry = join(ROOT, "src/index.ts").split("\\").join("/");
      const result = await esbuild({
        stdin: { contents: `export { OpenRouter } from ${JSON.stringify(entry)};`, resolveDir: ROOT, loader: "js", sourcefile: "user-entry.js" },
        bundle: true,
        splitting: true,
        format: "esm",
        platform: "neutral",
        mainFields: ["module", "main"],
        outdir,
        metafile: true,
        write: false,
        logLevel: "silent",
      });
      const outputs = result.metafile.outputs;
      const start = Object.keys(outputs).find((f) => outputs[f]!.entryPoint === "user-entry.js")!;
      const loaded = new Set<string>();
      const stack = [start];
      while (stack.length > 0) {
        const file = stack.pop()!;
        if (loaded.has(file)) continue;
        loaded.add(file);
        for (const i of outputs[file]!.imports) if (i.kind === "import-statement" && outputs[i.path] !== undefined) stack.push(i.path);
      }
      const modules = new Set([...loaded].flatMap((f) => Object.entries(outputs[f]!.inputs).filter(([, v]) => v.bytesInOutput > 0).map(([k]) => k.replace(/^.*?src\//, ""))));
      expect(modules.has("client.ts")).toBe(true);
      const lazy = ["core/pipeline.ts", "core/request.ts", "core/read.ts", "core/result.ts", "core/wire-error.ts", "core/deadline.ts", "core/api-request.ts", "core/call-errors.ts", "core/body.ts", "core/retry-timing.ts", "core/reported-cost.ts", "core/resilience/hooks.ts"];
      const behindFaces = ["accounting/cost.ts", "accounting/tokens.ts", "accounting/routing.ts", "accounting/generation.ts", "agents/tools.ts", "agents/errors.ts", "verbs/videos-errors.ts"];
      expect([...lazy, ...behindFaces, "accounting/model-source.ts"].filter((m) => modules.has(m))).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 60_000);

  it("the CommonJS core entry requires no node: module and loads ajv only lazily", () => {
    const cjs = readFileSync(join(installed, "dist/index.cjs"), "utf8");
    expect(cjs).not.toMatch(/require\(["']node:/);
    for (const m of cjs.matchAll(/require\(["']ajv[^"']*["']\)/g)) {
      // esbuild's form of a deferred import(): Promise.resolve().then(() => __toESM(require("ajv/…")))
      const before = cjs.slice(Math.max(0, m.index - 60), m.index);
      expect(before).toMatch(/Promise\.resolve\(\)\.then\(\(\) => (__toESM\()?$/);
    }
  });
});

describe("installed package against the built stand-in", () => {
  // Both scripts do the same, once through `import` and once through `require`: start the built stand-in,
  // make a plain and a streamed call through the built client, hit a typed error, and (where the client
  // has it) run structured output, whose code is loaded by a dynamic import() inside the package.
  const body = (load: string) => `
${load}
const mock = createMockOpenRouter({ apiKey: process.env.TEST_KEY, scenarios: [{ model: "openai/gpt-4o-mini", reply: "Hello from the stand-in" }] });
const { baseUrl } = await mock.listen();
try {
  const client = new OpenRouter({ apiKey: process.env.TEST_KEY, baseUrl });
  const messages = [{ role: "user", content: "Hi" }];
  const result = await client.chat({ model: "openai/gpt-4o-mini", messages });
  const stream = client.chatStream({ model: "openai/gpt-4o-mini", messages });
  let streamed = "";
  for await (const event of stream) if (event.type === "content") streamed += event.text;
  const final = await stream.final();
  let error;
  try { await client.chat({ model: "nobody/nothing", messages }); } catch (e) { error = e; }
  let structured = "unavailable";
  if (typeof client.structured === "function") {
    const schema = { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"], additionalProperties: false };
    // Another model: the scenario above scripts plain text for gpt-4o-mini; this one gets schema-shaped JSON.
    const s = await client.structured({ model: "anthropic/claude-haiku-4.5", messages, schema });
    structured = typeof s.data.ok;
  }
  // Every other verb, each reduced to a small witness value, or "threw Name: message" (what the CJS build
  // once did for everything behind the lazily loaded openapi-fetch).
  const verbs = {};
  const verb = async (name, fn) => {
    try { verbs[name] = await fn(); } catch (e) { verbs[name] = "threw " + (e && e.name) + ": " + (e && e.message); }
  };
  const model = "openai/gpt-4o-mini";
  await verb("api.GET", async () => typeof (await client.api.GET("/key")).data.data.label);
  await verb("models.list", async () => (await client.models.list()).some((m) => m.id === model));
  await verb("models.get", async () => (await client.models.get(model)).id);
  await verb("models.endpoints", async () => Array.isArray(await client.models.endpoints(model)));
  await verb("estimateCost", async () => typeof (await client.estimateCost({ model, messages, max_tokens: 10 })).worstCaseUsd);
  await verb("generation", async () => typeof (await client.generation(result.generationId)).totalCost);
  await verb("embed", async () => (await client.embed(["a", "b"], { model: "openai/text-embedding-3-small" })).vectors.length);
  await verb("validateModel", async () => (await new OpenRouter({ apiKey: process.env.TEST_KEY, baseUrl, validateModel: true }).chat({ model, messages })).text);
  await verb("runTools", async () => {
    const echo = { name: "echo", parameters: { type: "object", properties: {} }, execute: () => "ok" };
    return (await client.runTools({ model, messages, tools: [echo] })).text;
  });
  await verb("runTools stream", async () => {
    let n = 0;
    for await (const _ of client.runTools({ model, messages, tools: [], stream: true })) n++;
    return n > 0;
  });
  await verb("structuredStream", async () => {
    const schema = { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"], additionalProperties: false };
    let done;
    for await (const e of client.structuredStream({ model: "anthropic/claude-haiku-4.5", messages, schema })) if (e.type === "done") done = e.result;
    return typeof done.data.ok;
  });
  await verb("responses", async () => (await client.responses.create({ model, input: "Hi" })).text + " / " + (await client.responses.stream({ model, input: "Hi" }).final()).text);
  await verb("messages", async () => (await client.messages.create({ model, max_tokens: 50, messages })).text + " / " + (await client.messages.stream({ model, max_tokens: 50, messages }).final()).text);
  await verb("Conversation.fromJSON", async () => {
    const restored = Conversation.fromJSON(client, { version: 1, model, messages: [{ role: "user", content: "Hi" }] });
    let rejected = "accepted";
    try { Conversation.fromJSON(client, { version: 2, model, messages: [] }); } catch (e) { rejected = e.name + ": " + e.message; }
    return restored.toJSON().model + " / " + rejected;
  });
  await verb("typed error on a 200 HTML page", async () => {
    const html = new OpenRouter({ apiKey: process.env.TEST_KEY, baseUrl, fetch: async () => new Response("<html>", { status: 200 }) });
    const names = [];
    for (const call of [() => html.models.list(), () => html.api.GET("/key"), () => html.generation("gen-1"), () => html.embed("a", { model })]) {
      try { await call(); names.push("no error"); } catch (e) { names.push(isOpenRouterError(e) ? e.name : "untyped " + e); }
    }
    return names.join(",");
  });
  console.log(JSON.stringify({
    text: result.text, cost: result.cost, tokens: result.usage?.total_tokens, generationId: result.generationId,
    streamed, finalText: final.text, finalCost: final.cost,
    errorName: error?.name, isOpenRouterError: isOpenRouterError(error), errorStatus: error?.status,
    served: mock.requests.length, structured, verbs,
  }));
} finally {
  await mock.close();
}
`;

  async function consumer(name: string, source: string) {
    const file = join(scratch, name);
    writeFileSync(file, source);
    const { stdout } = await sh(process.execPath, [file], { cwd: scratch, env: { TEST_KEY: KEY } });
    return JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
  }

  function expectWorked(out: Record<string, unknown>) {
    expect(out["text"]).toBe("Hello from the stand-in");
    expect(out["streamed"]).toBe("Hello from the stand-in");
    expect(out["finalText"]).toBe("Hello from the stand-in");
    expect(typeof out["cost"]).toBe("number");
    expect(out["cost"] as number).toBeGreaterThan(0);
    expect(out["finalCost"]).toBe(out["cost"]);
    expect(out["tokens"] as number).toBeGreaterThan(0);
    expect(out["generationId"]).toMatch(/^gen-/);
    expect(out["errorName"]).toBe("BadRequestError");
    expect(out["isOpenRouterError"]).toBe(true);
    expect(out["errorStatus"]).toBe(400);
    expect(out["served"]).toBeGreaterThanOrEqual(3);
    if (clientHasStructured()) expect(out["structured"]).toBe("boolean");
    expect(out["verbs"]).toEqual({
      "api.GET": "string",
      "models.list": true,
      "models.get": "openai/gpt-4o-mini",
      "models.endpoints": true,
      estimateCost: "number",
      generation: "number",
      embed: 2,
      validateModel: "Hello from the stand-in",
      runTools: "Hello from the stand-in",
      "runTools stream": true,
      structuredStream: "boolean",
      responses: "Hello from the stand-in / Hello from the stand-in",
      messages: "Hello from the stand-in / Hello from the stand-in",
      "Conversation.fromJSON": "openai/gpt-4o-mini / InvalidArgumentError: Conversation.fromJSON(): not a conversation snapshot: /version must be <= 1",
      "typed error on a 200 HTML page": "InvalidResponseError,InvalidResponseError,InvalidResponseError,InvalidResponseError",
    });
  }

  it("works through import (ESM)", async () => {
    const out = await consumer(
      "consumer.mjs",
      body(`import { OpenRouter, isOpenRouterError, Conversation } from "openrouter-fetch";
import { createMockOpenRouter } from "openrouter-fetch/testing";`),
    );
    expectWorked(out);
  }, 60_000);

  it("works through require (CommonJS)", async () => {
    const out = await consumer(
      "consumer.cjs",
      `const { OpenRouter, isOpenRouterError, Conversation } = require("openrouter-fetch");
const { createMockOpenRouter } = require("openrouter-fetch/testing");
(async () => {${body("")}
})().catch((e) => { console.error(e); process.exit(1); });`,
    );
    expectWorked(out);
  }, 60_000);

  it("exports exactly the public runtime names, the same through import and require", async () => {
    // The public surface is listed on purpose (src/index.ts); internal helpers must not leak into it.
    const expected = [
      "AbortError", "AuthenticationError", "BadRequestError", "BudgetExceededError", "ChatStream", "CircuitOpenError",
      "ConnectionError", "ContextLengthError", "Conversation", "DEFAULT_FIRST_EVENT_TIMEOUT_MS", "DEFAULT_IDLE_TIMEOUT_MS",
      "DEFAULT_MAX_RESPONSE_BYTES", "DEFAULT_TIMEOUT_MS", "InsufficientCreditsError", "InvalidArgumentError",
      "InvalidResponseError", "MaxStepsError", "ModelRegistry", "ModerationError", "NotFoundError", "OpenRouter",
      "OpenRouterError", "PermissionDeniedError", "ProviderUnavailableError", "RateLimitError", "ResponseTooLargeError",
      "ServerError", "StreamError", "StructuredOutputError", "TimeoutError", "ToolError", "UsageTracker", "VideoJobError", "audio",
      "costOf", "dataUrl", "defineTool", "estimateCost", "estimateTokens", "fallbackModels", "fetchGeneration", "file",
      "fitsContext", "generationCost", "hasFixedPricing", "image", "imageUrl", "isOpenRouterError", "isRetryable",
      "isRoutingOnlyVariant", "parseModelId", "providerPreferences", "text", "toBase64", "toolToWire", "video", "withVariant",
    ];
    const file = join(scratch, "surface.mjs");
    writeFileSync(
      file,
      `import { createRequire } from "node:module";
const esm = Object.keys(await import("openrouter-fetch")).filter((k) => k !== "default").sort();
const cjs = Object.keys(createRequire(import.meta.url)("openrouter-fetch")).filter((k) => k !== "__esModule").sort();
console.log(JSON.stringify({ esm, cjs }));`,
    );
    const { stdout } = await sh(process.execPath, [file], { cwd: scratch });
    const out = JSON.parse(stdout) as { esm: string[]; cjs: string[] };
    expect(out.esm).toEqual([...expected].sort());
    expect(out.cjs).toEqual([...expected].sort());
  }, 30_000);

  it("require() and import() resolve to the CJS and ESM builds", async () => {
    const file = join(scratch, "which.cjs");
    writeFileSync(
      file,
      `console.log(JSON.stringify({ cjs: require.resolve("openrouter-fetch"), testing: require.resolve("openrouter-fetch/testing"), node: require.resolve("openrouter-fetch/node"), pkg: require("openrouter-fetch/package.json").name }));`,
    );
    const { stdout } = await sh(process.execPath, [file], { cwd: scratch });
    const out = JSON.parse(stdout) as Record<string, string>;
    expect(out["cjs"]).toMatch(/node_modules[\\/]openrouter-fetch[\\/]dist[\\/]index\.cjs$/);
    expect(out["testing"]).toMatch(/dist[\\/]testing[\\/]index\.cjs$/);
    expect(out["node"]).toMatch(/dist[\\/]node[\\/]index\.cjs$/);
    expect(out["pkg"]).toBe("openrouter-fetch");
  }, 30_000);
});

describe("the node entry (openrouter-fetch/node) against the built stand-in", () => {
  // The same client on the undici transport, through import and through require. The CommonJS entry bundles
  // its own copy of the core modules it uses: the size limit must still be a ResponseTooLargeError to the
  // pipeline, and the stream must still see the core's never-aborting signal.
  const script = `
const mock = createMockOpenRouter({ apiKey: process.env.TEST_KEY, scenarios: [{ model: "openai/gpt-4o-mini", reply: "Hello from the stand-in" }] });
const { baseUrl } = await mock.listen();
const transport = nodeTransport({ connections: 4 });
try {
  const client = new OpenRouter({ apiKey: process.env.TEST_KEY, baseUrl, transport });
  const messages = [{ role: "user", content: "Hi" }];
  const result = await client.chat({ model: "openai/gpt-4o-mini", messages });
  const stream = client.chatStream({ model: "openai/gpt-4o-mini", messages });
  let streamed = "";
  for await (const event of stream) if (event.type === "content") streamed += event.text;
  const small = await client.chat({ model: "openai/gpt-4o-mini", messages }, { maxResponseBytes: 10 }).catch((e) => e);
  let badOption;
  try { nodeTransport({ connections: 0 }); } catch (e) { badOption = e; }
  console.log(JSON.stringify({
    text: result.text, streamed, tooLarge: small.name, tooLargeIsClass: small instanceof ResponseTooLargeError,
    badOption: isOpenRouterError(badOption) && badOption.name,
  }));
} finally {
  await transport.close();
  await mock.close();
}`;
  const run = async (name: string, source: string) => {
    const file = join(scratch, name);
    writeFileSync(file, source);
    const { stdout } = await sh(process.execPath, [file], { cwd: scratch, env: { TEST_KEY: KEY } });
    return JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
  };
  const expected = {
    text: "Hello from the stand-in",
    streamed: "Hello from the stand-in",
    tooLarge: "ResponseTooLargeError",
    tooLargeIsClass: true,
    badOption: "InvalidArgumentError",
  };

  it("works through import (ESM)", async () => {
    const out = await run(
      "node-entry.mjs",
      `import { OpenRouter, ResponseTooLargeError, isOpenRouterError } from "openrouter-fetch";
import { nodeTransport } from "openrouter-fetch/node";
import { createMockOpenRouter } from "openrouter-fetch/testing";
${script}`,
    );
    expect(out).toEqual(expected);
  }, 60_000);

  it("works through require (CommonJS)", async () => {
    const out = await run(
      "node-entry.cjs",
      `const { OpenRouter, ResponseTooLargeError, isOpenRouterError } = require("openrouter-fetch");
const { nodeTransport } = require("openrouter-fetch/node");
const { createMockOpenRouter } = require("openrouter-fetch/testing");
(async () => {${script}
})().catch((e) => { console.error(e); process.exit(1); });`,
    );
    expect(out).toEqual(expected);
  }, 60_000);

  it("the core entry never reaches undici or the node entry", () => {
    for (const file of ["dist/index.js", "dist/index.cjs"]) {
      const code = readFileSync(join(installed, file), "utf8");
      expect(code).not.toMatch(/undici|node\/index/);
    }
  });
});

describe("the built bin", () => {
  let mock: MockOpenRouter;
  let baseUrl: string;
  beforeAll(async () => {
    mock = createMockOpenRouter({ apiKey: KEY, chunkDelayMs: 10 });
    baseUrl = (await mock.listen()).baseUrl;
  });
  afterAll(() => mock?.close());

  it("streams a chat answer from the installed dist/cli/main.js", async () => {
    const bin = join(installed, "dist/cli/main.js");
    chmodSync(bin, 0o755);
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      // Run as an executable (its #! line), from the scratch project, with nothing but PATH inherited.
      const child = spawn(bin, ["chat", "Say something", "--base-url", baseUrl], {
        cwd: scratch,
        env: { PATH: process.env["PATH"] ?? "", OPENROUTER_API_KEY: KEY },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
    expect(out.stderr).not.toMatch(/error/);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("Say something");
    expect(out.stderr).toMatch(/tokens · \$/);
    expect(`${out.stdout}${out.stderr}`).not.toContain(KEY);
    const version = await sh(process.execPath, [bin, "--version"], { cwd: scratch });
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version);
  }, 60_000);
});

describe("npm pack on a fresh clone", () => {
  it("builds dist/ first (prepack), so the tarball is never empty", async () => {
    // A fresh clone: the tracked files only (no dist/), with the repo's installed dependencies.
    const clone = mkdtempSync(join(ROOT, ".tmp", "clone-"));
    try {
      const { stdout: tracked } = await sh("git", ["ls-files", "-z"]);
      for (const path of tracked.split("\0").filter(Boolean)) {
        mkdirSync(dirname(join(clone, path)), { recursive: true });
        copyFileSync(join(ROOT, path), join(clone, path));
      }
      symlinkSync(join(ROOT, "node_modules"), join(clone, "node_modules"), "dir");
      expect(existsSync(join(clone, "dist"))).toBe(false);

      const { stdout } = await sh("npm", ["pack", "--dry-run", "--json"], { cwd: clone });
      const [packed] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
      const files = packed!.files.map((f) => f.path);
      for (const entry of ["dist/index.js", "dist/index.cjs", "dist/index.d.ts", "dist/testing/index.js", "dist/cli/main.js"]) {
        expect(files).toContain(entry);
      }
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  }, 300_000);
});

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** Inputs reachable from `start` through static `import` statements only (not `import()`). */
function staticClosure(meta: Metafile, start: string): Set<string> {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const path = queue.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    for (const edge of meta.inputs[path]?.imports ?? []) {
      if (edge.kind === "import-statement" || edge.kind === "require-call") queue.push(edge.path);
    }
  }
  return seen;
}

/** Whether the client has grown `structured()` yet (wired by the lead through a dynamic import). */
function clientHasStructured(): boolean {
  const source = join(ROOT, "src/client.ts");
  return existsSync(source) && /\n\s*(async\s+)?structured\s*[<(]/.test(readFileSync(source, "utf8"));
}
