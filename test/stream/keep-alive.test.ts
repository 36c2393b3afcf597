/**
 * src/stream/keep-alive.ts keeps the read path's hidden classes alive between streams (blank chunk and event
 * copies, the last accumulator emptied). What it keeps must hold nothing a stream carried: after a completed
 * stream whose result the caller dropped, a heap snapshot of the process contains none of the stream's text.
 * Run in a child process (a heap snapshot of the test runner would be large and full of other tests' strings).
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

// Streams a reply whose every token carries a marker, through the real client, then reports whether the marker
// is in a heap snapshot while the caller holds the result, and again once it dropped it.
const SCRIPT = `
import { getHeapSnapshot } from "node:v8";
import { OpenRouter } from "./src/index.ts";
const MARK = "Zq" + "xv" + "Marker";
const chunk = (i, extra = {}) => "data: " + JSON.stringify({ id: "gen-k", model: "m/x", provider: "P", choices: [{ index: 0, delta: { role: "assistant", content: MARK + i + " " }, finish_reason: null }], ...extra }) + "\\n\\n";
const body = () => Array.from({ length: 40 }, (_, i) => chunk(i)).join("") +
  "data: " + JSON.stringify({ id: "gen-k", choices: [{ index: 0, delta: {}, finish_reason: "stop", native_finish_reason: "end_turn" }] }) + "\\n\\n" +
  "data: " + JSON.stringify({ id: "gen-k", choices: [], usage: { prompt_tokens: 1, completion_tokens: 40, total_tokens: 41, cost: 0.5 } }) + "\\n\\ndata: [DONE]\\n\\n";
const fetch = async () => new Response(body(), { headers: { "content-type": "text/event-stream" } });
const client = new OpenRouter({ apiKey: "sk-or-v1-keep-alive-test", fetch });
async function heapHas() {
  for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
  let text = "";
  for await (const part of getHeapSnapshot()) text += part;
  // The needle is made after the snapshot, so it is not in it; MARK alone is (this script holds it).
  return text.includes(MARK + (10 + 7) + " ");
}
async function run() {
  let seen = "";
  for await (const e of client.chatStream({ model: "m/x", messages: [{ role: "user", content: "hi" }] })) if (e.type === "content") seen += e.text;
  return seen;
}
let held = await run();
held += await run();
const whileHeld = await heapHas();
const length = held.length;
held = undefined;
console.log(JSON.stringify({ whileHeld, afterDropped: await heapHas(), length }));
`;

describe("what the stream read path keeps alive between streams", () => {
  it("holds none of a completed stream's text once the caller dropped the result", () => {
    const out = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", "--input-type=module", "-e", SCRIPT], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "" },
      timeout: 60_000,
    });
    const report = JSON.parse(out.trim().split("\n").pop()!) as { whileHeld: boolean; afterDropped: boolean; length: number };
    expect(report.length).toBeGreaterThan(0);
    // The probe works: the text is found while the caller still holds it.
    expect(report.whileHeld).toBe(true);
    expect(report.afterDropped).toBe(false);
  });
});
