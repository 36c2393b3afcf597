/**
 * `npm run demo` (demo/main.ts) as a newcomer runs it: a subprocess with no OPENROUTER_API_KEY, which
 * must start the stand-in, say so first, show a cost and the usage table, and exit 0 — no network.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { OpenRouter } from "../src/index.js";

const ROOT = join(import.meta.dirname, "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

function runDemo(args: string[] = []) {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", OPENROUTER_NO_NETWORK: "1" };
  delete env["OPENROUTER_API_KEY"];
  const r = spawnSync(TSX, ["demo/main.ts", ...args], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, lines: r.stdout.split("\n") };
}

describe("npm run demo without a key", () => {
  let run: ReturnType<typeof runDemo>;
  beforeAll(() => {
    run = runDemo();
  }, 60_000);

  it("says it uses the stand-in in its first line and exits 0", () => {
    expect(run.lines[0]).toMatch(/^No OPENROUTER_API_KEY set: running against the built-in OpenRouter stand-in at http:\/\/127\.0\.0\.1:\d+\/api\/v1/);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/^failed:/m);
  });

  it("shows a chat with its cost and a streamed answer", () => {
    expect(run.stdout).toMatch(/^cost: \$0\.\d+/m);
    expect(run.stdout).toMatch(/Streaming[\s\S]*model: You said: "Count from one to ten in words\."/);
    expect(run.stdout).toMatch(/\d+ chunks · \d+ tokens · cost \$0\.\d+/);
  });

  it("ends with the usage/cost table whose total matches the stand-in's books", () => {
    expect(run.stdout).toMatch(/^model\s+requests\s+prompt\s+completion\s+total tokens\s+cost \(USD\)$/m);
    const total = /^total\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\$[\d.]+)$/m.exec(run.stdout);
    expect(total).not.toBeNull();
    expect(Number(total![1])).toBeGreaterThanOrEqual(2);
    const books = /its books say (\$\d+(?:\.\d+)?)/.exec(run.stdout);
    expect(books?.[1]).toBe(total![5]);
  });

  it("runs every section whose client method exists (tool loop, structured output, usage tracker)", () => {
    const probe = new OpenRouter({ apiKey: "probe" }) as unknown as Record<string, unknown>;
    const expectations: Array<[string, RegExp]> = [
      ["runTools", /^tool: get_weather\(\{"city":"Paris"\}\) → /m],
      ["structured", /^data: \{"name":/m],
      ["usage", /^total\s/m],
    ];
    for (const [method, shown] of expectations) {
      if (probe[method] === undefined) {
        expect(run.stdout).toContain(`client.${method} is not available in this build yet`);
      } else {
        expect(run.stdout).toMatch(shown);
        expect(run.stdout).not.toContain(`client.${method} is not available`);
      }
    }
  });
});

describe("demo arguments", () => {
  it("prints help and exits 0; rejects an unknown flag with exit 2", () => {
    const help = runDemo(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: npm run demo");
    const bad = runDemo(["--nope"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown argument --nope");
  }, 60_000);
});
