/**
 * `openrouter-gateway` as a subprocess: start-up line, the stand-in without a key, the loopback rule,
 * SIGTERM draining an in-flight stream (its log line written before the exit), and `keys create | list | revoke`.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { createMockOpenRouter } from "openrouter-fetch/testing";
import { ADMIN_TOKEN, BIN, UPSTREAM_KEY, exited, startCli, tempDir } from "./helpers.js";

const run = promisify(execFile);
const tmp = tempDir();
afterAll(() => tmp.cleanup());

const cli = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, [BIN, ...args], { env: { ...process.env, DATABASE_URL: "", ...env } }).catch((e: { code: number; stdout: string; stderr: string }) => e);

describe("openrouter-gateway", () => {
  it("without an upstream key it serves the embedded stand-in and says so; a key made by the CLI works", async () => {
    const db = `${tmp.dir}/cli.sqlite`;
    const created = (await cli(["keys", "create", "--name", "cli-app", "--budget", "1", "--period", "day", "--db", db])) as { stdout: string };
    const key = JSON.parse(created.stdout) as { id: string; key: string; budgetPeriod: string };
    expect(key.key).toMatch(/^sk-gw-/);
    expect(key.budgetPeriod).toBe("day");
    const g = await startCli({ DATABASE_URL: db });
    try {
      expect(g.output()).toContain("embedded OpenRouter stand-in");
      expect(g.output()).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/m);
      const res = await fetch(`${g.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key.key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toContain("stand-in");
    } finally {
      g.child.kill("SIGTERM");
      expect(await exited(g.child)).toBe(0);
    }
    const listed = JSON.parse(((await cli(["keys", "list", "--db", db])) as { stdout: string }).stdout) as Array<{ id: string; spentUsd: number; revokedAt: string | null }>;
    expect(listed).toHaveLength(1);
    expect(listed[0]?.spentUsd).toBeGreaterThan(0);
    expect(JSON.stringify(listed)).not.toContain(key.key);
    const revoked = (await cli(["keys", "revoke", key.id, "--db", db])) as { stdout: string };
    expect(revoked.stdout).toContain(`revoked ${key.id}`);
    const again = (await cli(["keys", "revoke", key.id, "--db", db])) as { code: number; stderr: string };
    expect(again.code).toBe(1);
    const bad = (await cli(["keys", "create", "--name", "x", "--budget=-3", "--db", db])) as { code: number; stderr: string };
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("budgetUsd");
  }, 180_000);

  it("refuses a non-loopback host without GATEWAY_ADMIN_TOKEN", async () => {
    const r = (await cli(["serve", "--host", "0.0.0.0", "--port", "0", "--db", ":memory:"], { GATEWAY_ADMIN_TOKEN: "" })) as { code: number; stderr: string };
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("GATEWAY_ADMIN_TOKEN");
  });

  it("SIGTERM lets an in-flight stream finish with [DONE], then exits 0", async () => {
    const mock = createMockOpenRouter({ apiKey: UPSTREAM_KEY, chunkDelayMs: 100 });
    const { baseUrl } = await mock.listen();
    const db = `${tmp.dir}/drain.sqlite`;
    const g = await startCli({ DATABASE_URL: db, OPENROUTER_API_KEY: UPSTREAM_KEY, OPENROUTER_BASE_URL: baseUrl, GATEWAY_ADMIN_TOKEN: ADMIN_TOKEN });
    try {
      const created = await fetch(`${g.url}/admin/keys`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" }, body: '{"name":"d"}' });
      const { key } = (await created.json()) as { key: string };
      const res = await fetch(`${g.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }], stream: true }),
      });
      const reader = res.body!.getReader();
      await reader.read();
      g.child.kill("SIGTERM");
      let text = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
      expect(await exited(g.child)).toBe(0);
      // The stream's log line was written (asynchronously) before the process exited; no key in the log.
      const logged = g.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logged).toContainEqual(expect.objectContaining({ msg: "request", stream: true, outcome: "completed", status: 200 }));
      expect(g.output()).not.toContain(key);
      expect(g.output()).not.toContain(UPSTREAM_KEY);
    } finally {
      g.child.kill("SIGKILL");
      await mock.close();
    }
  }, 180_000);
});
