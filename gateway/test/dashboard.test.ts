/**
 * The dashboard in headless Chromium: sign in with the admin token, see the charts drawn from usage just
 * recorded, create a key and revoke it. Saves a screenshot next to the test run's temp files.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockOpenRouter, type MockOpenRouter } from "openrouter-fetch/testing";
import { createGateway, type Gateway } from "../src/index.js";
import { ADMIN_TOKEN, UPSTREAM_KEY, adminCreateKey, tempDir } from "./helpers.js";
// The root package's browser-test helper: the same Chromium and flags for both packages' browser tests.
import { CHROMIUM, CHROMIUM_FLAGS } from "../../test/helpers/chromium.js";

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env["CI"] === "true") throw new Error(`${CHROMIUM} is missing and CI=true: the dashboard test must run`);
if (!hasChromium) console.warn(`[gateway tests] ${CHROMIUM} not found: skipping the dashboard browser test (it runs under CI=true)`);

const SCREENSHOT_DIR = fileURLToPath(new URL("../.tmp/", import.meta.url));
const tmp = tempDir();
let mock: MockOpenRouter;
let gateway: Gateway;
let url: string;

beforeAll(async () => {
  mock = createMockOpenRouter({ apiKey: UPSTREAM_KEY });
  const { baseUrl } = await mock.listen();
  gateway = await createGateway({ db: `${tmp.dir}/dash.sqlite`, upstreamApiKey: UPSTREAM_KEY, upstreamBaseUrl: baseUrl, adminToken: ADMIN_TOKEN });
  ({ url } = await gateway.listen({ port: 0 }));
});
afterAll(async () => {
  await gateway?.close();
  await mock?.close();
  tmp.cleanup();
});

describe.runIf(hasChromium)("dashboard", () => {
  it("sign in, charts from recorded usage, create and revoke a key", async () => {
    const app = await adminCreateKey(url, { name: "chart-app" });
    for (const model of ["openai/gpt-4o-mini", "anthropic/claude-haiku-4.5", "openai/gpt-4o-mini"]) {
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${app.key}`, "content-type": "application/json" },
        body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
      });
      expect(res.status).toBe(200);
    }
    const { chromium } = await import("playwright-core");
    // A fresh profile directory per run (playwright passes it as --user-data-dir).
    const browser = await chromium.launchPersistentContext(join(tmp.dir, "chromium-profile"), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1200, height: 1000 },
      args: CHROMIUM_FLAGS,
    });
    try {
      const page = await browser.newPage();
      const external: string[] = [];
      page.on("request", (r) => {
        if (!r.url().startsWith(url)) external.push(r.url());
      });
      await page.goto(`${url}/dashboard`);
      await page.fill("#token", "wrong-token");
      await page.click("#login button");
      await expect.poll(() => page.textContent("#loginError")).toContain("GATEWAY_ADMIN_TOKEN");
      await page.fill("#token", ADMIN_TOKEN);
      await page.click("#login button");
      await page.waitForSelector("#main:not(.hidden)");
      // uPlot drew a canvas for each chart, from the three recorded requests, with one series per model.
      await page.waitForSelector("#chartModel canvas");
      expect(await page.getAttribute("#chartModel", "data-points")).toBe("3");
      expect(await page.getAttribute("#chartKey", "data-points")).toBe("3");
      const legend = await page.textContent("#chartModel");
      expect(legend).toContain("openai/gpt-4o-mini");
      expect(legend).toContain("anthropic/claude-haiku-4.5");
      expect(await page.textContent("#topModels")).toContain("openai/gpt-4o-mini");
      expect(await page.textContent("#topKeys")).toContain(app.id);

      await page.fill("#keyName", "made-in-browser");
      await page.click("#create button");
      await page.waitForSelector("#newKey:not(.hidden)");
      expect(await page.textContent("#newKey")).toMatch(/sk-gw-/);
      const newId = (await page.getAttribute("#newKey", "data-key-id")) as string;
      await page.click(`button[data-revoke="${newId}"]`);
      await page.waitForSelector(`button[data-revoke="${newId}"][disabled]`);
      const keys = await (await fetch(`${url}/admin/keys`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json() as { data: Array<{ id: string; name: string; revokedAt: string | null }> };
      expect(keys.data.find((k) => k.id === newId)?.revokedAt).not.toBeNull();
      // The token is kept for the tab only.
      expect(await page.evaluate(() => sessionStorage.getItem("gateway-admin-token"))).toBe(ADMIN_TOKEN);
      expect(await page.evaluate(() => localStorage.length)).toBe(0);
      expect(external).toEqual([]);
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOT_DIR, "dashboard.png"), fullPage: true });
      expect(existsSync(join(SCREENSHOT_DIR, "dashboard.png"))).toBe(true);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
