/**
 * The README says the core runs in browsers: this proves it with the built ESM entry in headless Chromium.
 * The test builds dist/ (or reuses a fresh one), serves dist/ and the two runtime dependencies the core
 * imports from a 127.0.0.1 static server, and opens a tiny page whose import map resolves the bare
 * specifiers ("openrouter-fetch", "openapi-fetch", "eventsource-parser") to those files, the way a
 * no-bundler web app would. The page then makes a chat and a stream against the stand-in on another
 * 127.0.0.1 port, so every call is cross-origin and goes through CORS (preflight included).
 *
 * Chromium is Debian's `/usr/bin/chromium` (`.ci/run` installs it), driven by `playwright-core`; no browser is
 * ever downloaded. Without it, a local run skips with the reason; under `CI=true` the test fails instead.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockOpenRouter, type MockOpenRouter } from "../src/testing/index.js";
import { CHROMIUM, CHROMIUM_FLAGS } from "./helpers/chromium.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const KEY = "sk-or-v1-browser-test-key-0123456789";
const REPLY = "Hello from the stand-in, in a browser";

const inCi = process.env["CI"] === "true";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !inCi) {
  console.warn(`[browser.test] skipping: ${CHROMIUM} is missing (install Debian's chromium, as .ci/run does); under CI=true this fails`);
}

/** The files a bare import of each runtime dependency resolves to in an ESM-aware resolver (their `import` export). */
const IMPORT_MAP = {
  imports: {
    "openrouter-fetch": "/dist/index.js",
    "openapi-fetch": "/node_modules/openapi-fetch/dist/index.mjs",
    "eventsource-parser": "/node_modules/eventsource-parser/dist/index.js",
  },
};

/**
 * The page imports the built client as a no-bundler web app would and exposes one function the test calls.
 * Plain JavaScript in the page itself, so nothing of the test runner's module transform reaches the browser.
 */
const PAGE_SCRIPT = `
import { OpenRouter, isOpenRouterError } from "openrouter-fetch";
window.runScenario = async (baseUrl, key) => {
  const client = new OpenRouter({ apiKey: key, baseUrl, appName: "browser test" });
  const messages = [{ role: "user", content: "Hi from a page" }];
  const chat = await client.chat({ model: "openai/gpt-4o-mini", messages });
  const stream = client.chatStream({ model: "openai/gpt-4o-mini", messages });
  const events = [];
  let streamed = "";
  for await (const event of stream) {
    if (event.type === "content") streamed += event.text;
    events.push({
      type: event.type,
      ...(event.type === "content" ? { text: event.text } : {}),
      ...(event.type === "finish" ? { finishReason: event.finishReason } : {}),
    });
  }
  const final = await stream.final();
  let error;
  try {
    await client.chat({ model: "nobody/nothing", messages });
  } catch (e) {
    error = e;
  }
  return {
    chat: { text: chat.text, model: chat.model, generationId: chat.generationId, usage: chat.usage, cost: chat.cost },
    events,
    streamed,
    final: { text: final.text, usage: final.usage, cost: final.cost, finishReason: final.finishReason },
    error: { name: error?.name, status: error?.status, isOpenRouterError: isOpenRouterError(error) },
  };
};
window.clientLoaded = true;
`;

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>openrouter-fetch in a browser</title>
<script type="importmap">${JSON.stringify(IMPORT_MAP)}</script>
<script type="module">${PAGE_SCRIPT}</script>
</head><body></body></html>`;

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json" };

/** Serves the page, dist/ and node_modules/ read-only from the repo; remembers every path asked for. */
function staticServer(requested: string[]): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    requested.push(path);
    if (path === "/favicon.ico") {
      res.writeHead(204).end();
      return;
    }
    if (path === "/" || path === "/index.html") {
      res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
      return;
    }
    const file = normalize(join(ROOT, path));
    const allowed = [join(ROOT, "dist") + sep, join(ROOT, "node_modules") + sep].some((dir) => file.startsWith(dir));
    if (!allowed || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`not served: ${path}`);
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    const address = server.address() as { port: number };
    resolve({ server, origin: `http://127.0.0.1:${address.port}` });
  }));
}

/** What the page sends back from inside the browser. */
interface PageResult {
  chat: { text: string; model: string; generationId: string | undefined; usage: unknown; cost: number | undefined };
  events: Array<{ type: string; text?: string; finishReason?: string }>;
  streamed: string;
  final: { text: string; usage: unknown; cost: number | undefined; finishReason: string | null | undefined };
  error: { name: string; status: number | undefined; isOpenRouterError: boolean };
}

describe.skipIf(!haveChromium && !inCi)("the built ESM entry in headless Chromium", () => {
  let mock: MockOpenRouter;
  let baseUrl: string;
  let pageServer: Server | undefined;
  let origin: string;
  let profile: string | undefined;
  const requested: string[] = [];

  beforeAll(async () => {
    // The same build the package tests use: rebuilds only when a source is newer than dist/.
    await run(process.execPath, ["--import", "tsx", "scripts/build.ts", "--if-stale"], { cwd: ROOT });
    ({ server: pageServer, origin } = await staticServer(requested));
    mock = createMockOpenRouter({ apiKey: KEY, scenarios: [{ model: "openai/gpt-4o-mini", reply: REPLY }] });
    baseUrl = (await mock.listen()).baseUrl;
  }, 240_000);

  afterAll(async () => {
    await mock?.close();
    await new Promise((resolve) => (pageServer ? pageServer.close(resolve) : resolve(undefined)));
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("imports the client, chats and streams cross-origin against the stand-in", async () => {
    if (!haveChromium) throw new Error(`CI=true but ${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
    const { chromium } = await import("playwright-core");
    profile = mkdtempSync(join(tmpdir(), "openrouter-fetch-chromium-"));
    // A fresh, empty profile per run (Playwright passes it as --user-data-dir).
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      timeout: 60_000,
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const browserRequests: string[] = [];
      const problems: string[] = [];
      page.on("request", (r) => browserRequests.push(r.url()));
      page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      // An HTTP error status is logged by the browser as a console error too: those are checked by URL below.
      const httpErrors: string[] = [];
      page.on("response", (r) => {
        if (r.status() >= 400) httpErrors.push(`${r.status()} ${new URL(r.url()).pathname}`);
      });
      page.on("console", (m) => {
        if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(`console error: ${m.text()}`);
      });
      await page.goto(`${origin}/`);

      // The module script loaded only if every import in the built graph resolved in the browser.
      await page.waitForFunction("window.clientLoaded === true", undefined, { timeout: 30_000 }).catch((error: Error) => {
        throw new Error(`the page did not load the client: ${[...problems, error.message].join("; ")}`);
      });
      const result = (await page.evaluate(`window.runScenario(${JSON.stringify(baseUrl)}, ${JSON.stringify(KEY)})`)) as PageResult;

      expect(problems).toEqual([]);
      // Only the deliberately bad model id failed.
      expect(httpErrors).toEqual(["400 /api/v1/chat/completions"]);
      expect(result.chat.text).toBe(REPLY);
      expect(result.chat.model).toBe("openai/gpt-4o-mini");
      // X-Generation-Id is readable cross-origin only because the stand-in exposes it, like the real service.
      expect(result.chat.generationId).toMatch(/^gen-/);
      expect(result.chat.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
      expect((result.chat.usage as { completion_tokens: number }).completion_tokens).toBeGreaterThan(0);
      expect(result.chat.cost).toBeGreaterThan(0);

      expect(result.streamed).toBe(REPLY);
      const types = result.events.map((e) => e.type);
      expect(types.filter((t) => t === "content").length).toBeGreaterThan(1);
      expect(types).toContain("finish");
      expect(types).toContain("usage");
      expect(types.at(-1)).toBe("done");
      expect(result.events.find((e) => e.type === "finish")?.finishReason).toBe("stop");
      expect(result.final.text).toBe(REPLY);
      expect(result.final.finishReason).toBe("stop");
      expect(result.final.usage).toEqual(result.chat.usage);
      expect(result.final.cost).toBe(result.chat.cost);

      expect(result.error).toEqual({ name: "BadRequestError", status: 400, isOpenRouterError: true });

      // The stand-in saw the three calls with the key (it answers 401 without it), after CORS preflights.
      const calls = mock.requests.filter((r) => r.method === "POST");
      expect(calls.map((r) => r.status)).toEqual([200, 200, 400]);
      expect(mock.requests.some((r) => r.method === "OPTIONS")).toBe(true);

      // The real built entry ran: dist/index.js and its chunks came from the static server, no Node module did.
      expect(requested).toContain("/dist/index.js");
      expect(requested.some((p) => /^\/dist\/chunk-[\w-]+\.js$/.test(p))).toBe(true);
      expect(requested.filter((p) => p.startsWith("/node_modules/")).every((p) => /^\/node_modules\/(openapi-fetch|eventsource-parser)\//.test(p))).toBe(true);
      expect(requested.filter((p) => /node:|\/(testing|cli)\//.test(p))).toEqual([]);
      expect(browserRequests.filter((u) => u.startsWith("node:") || u.includes("/node:"))).toEqual([]);
      // Loopback only: the page and the stand-in, nothing else.
      const origins = new Set(browserRequests.map((u) => new URL(u).origin));
      expect([...origins].sort()).toEqual([origin, new URL(baseUrl).origin].sort());
    } finally {
      await context.close();
    }
  }, 120_000);
});
