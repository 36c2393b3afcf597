/**
 * Smoke test of the built package under Bun and Deno (installed from the npm registry as devDependencies:
 * the `bun` and `deno` packages ship their binaries). Each runtime runs one ESM script that imports the
 * package from a scratch project's node_modules and calls a stand-in started by this test process on
 * 127.0.0.1: a plain chat, a streamed chat and a typed error. A runtime whose binary is missing or does not
 * start is skipped, with the reason printed.
 */
import { execFile, execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockOpenRouter, type MockOpenRouter } from "../src/testing/index.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const KEY = "sk-or-v1-runtime-test-key-0123456789";

interface Runtime {
  name: "bun" | "deno";
  /** The binary, or why it is unavailable. */
  bin: string | undefined;
  reason: string | undefined;
  args: (script: string) => string[];
}

/** The first candidate binary that runs `--version`; npm's .bin link first, then the platform package. */
function findRuntime(name: "bun" | "deno", candidates: string[]): { bin: string | undefined; reason: string | undefined } {
  const tried: string[] = [];
  for (const rel of candidates) {
    const bin = join(ROOT, rel);
    if (!existsSync(bin)) {
      tried.push(`${rel}: missing`);
      continue;
    }
    try {
      execFileSync(bin, ["--version"], { stdio: "pipe", timeout: 20_000, env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" } });
      return { bin, reason: undefined };
    } catch (error) {
      tried.push(`${rel}: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  return { bin: undefined, reason: `${name} is not installed or does not run here (${tried.join("; ")}); install it with npm ci` };
}

const bun = findRuntime("bun", ["node_modules/.bin/bun", "node_modules/bun/bin/bun.exe", "node_modules/@oven/bun-linux-x64/bin/bun"]);
const deno = findRuntime("deno", ["node_modules/.bin/deno", "node_modules/deno/deno", "node_modules/@deno/linux-x64-glibc/deno"]);

const RUNTIMES: Runtime[] = [
  { name: "bun", ...bun, args: (script) => ["run", script] },
  {
    name: "deno",
    ...deno,
    // Loopback only, env for the base URL, read for node_modules; nothing else (no remote imports, no prompts).
    args: (script) => ["run", "--allow-net=127.0.0.1", "--allow-env", "--allow-read", "--no-prompt", "--node-modules-dir=manual", script],
  },
];

for (const r of RUNTIMES) {
  if (r.reason) console.warn(`[runtimes.test] skipping ${r.name}: ${r.reason}`);
}

const SCRIPT = `
import { OpenRouter, isOpenRouterError } from "openrouter-fetch";
const env = (name) => (globalThis.Deno ? Deno.env.get(name) : process.env[name]);
const client = new OpenRouter({ apiKey: env("TEST_KEY"), baseUrl: env("TEST_BASE_URL") });
const messages = [{ role: "user", content: "Hi" }];
const result = await client.chat({ model: "openai/gpt-4o-mini", messages });
const stream = client.chatStream({ model: "openai/gpt-4o-mini", messages });
let streamed = "";
let events = 0;
for await (const event of stream) {
  events++;
  if (event.type === "content") streamed += event.text;
}
const final = await stream.final();
let error;
try { await client.chat({ model: "nobody/nothing", messages }); } catch (e) { error = e; }
console.log(JSON.stringify({
  runtime: globalThis.Deno ? "deno" : globalThis.Bun ? "bun" : "other",
  text: result.text, cost: result.cost, generationId: result.generationId,
  streamed, events, finalCost: final.cost,
  errorName: error?.name, isOpenRouterError: isOpenRouterError(error), errorStatus: error?.status,
}));
`;

let scratch: string;
let mock: MockOpenRouter;
let baseUrl: string;
const anyRuntime = RUNTIMES.some((r) => r.bin !== undefined);

beforeAll(async () => {
  if (!anyRuntime) return;
  await run(process.execPath, ["--import", "tsx", "scripts/build.ts", "--if-stale"], { cwd: ROOT });
  // A scratch project inside the repo: the package is a copy of what `files` publishes, its dependencies
  // resolve from the repo's node_modules, and its own package.json stops Node/Bun/Deno from treating
  // "openrouter-fetch" as the repo's self-reference.
  mkdirSync(join(ROOT, ".tmp"), { recursive: true });
  scratch = mkdtempSync(join(ROOT, ".tmp", "runtimes-"));
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "runtime-consumer", private: true, type: "module" }));
  const installed = join(scratch, "node_modules", "openrouter-fetch");
  for (const entry of ["dist", "spec", "package.json"]) cpSync(join(ROOT, entry), join(installed, entry), { recursive: true });
  writeFileSync(join(scratch, "smoke.mjs"), SCRIPT);
  mock = createMockOpenRouter({ apiKey: KEY, scenarios: [{ model: "openai/gpt-4o-mini", reply: "Hello from the stand-in" }] });
  baseUrl = (await mock.listen()).baseUrl;
}, 240_000);

afterAll(async () => {
  await mock?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe.each(RUNTIMES)("built package under $name", (runtime) => {
  it.skipIf(runtime.bin === undefined)(`imports, chats, streams and throws typed errors (${runtime.reason ?? "available"})`, async () => {
    const before = mock.requests.length;
    const { stdout } = await run(runtime.bin!, runtime.args("smoke.mjs"), {
      cwd: scratch,
      env: {
        PATH: process.env["PATH"] ?? "",
        HOME: scratch,
        TEST_KEY: KEY,
        TEST_BASE_URL: baseUrl,
        NO_COLOR: "1",
        DENO_DIR: join(scratch, ".deno"),
        DENO_NO_UPDATE_CHECK: "1",
        BUN_INSTALL_CACHE_DIR: join(scratch, ".bun"),
      },
      timeout: 60_000,
    });
    const out = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
    expect(out["runtime"]).toBe(runtime.name);
    expect(out["text"]).toBe("Hello from the stand-in");
    expect(out["streamed"]).toBe("Hello from the stand-in");
    expect(out["events"] as number).toBeGreaterThan(2);
    expect(out["cost"] as number).toBeGreaterThan(0);
    expect(out["finalCost"]).toBe(out["cost"]);
    expect(out["generationId"]).toMatch(/^gen-/);
    expect(out["errorName"]).toBe("BadRequestError");
    expect(out["isOpenRouterError"]).toBe(true);
    expect(out["errorStatus"]).toBe(400);
    // Three requests reached the stand-in, each with the key (it answers 401 otherwise).
    const served = mock.requests.slice(before);
    expect(served.map((r) => r.status)).toEqual([200, 200, 400]);
  }, 90_000);
});
