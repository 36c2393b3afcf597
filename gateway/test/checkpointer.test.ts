/**
 * SQLite checkpoints run in a worker, not in the commits of requests: the gateway's connection leaves the
 * WAL alone, the worker moves it into the database file, and a commit is readable by another connection (a
 * restarted gateway) whether or not it has been checkpointed yet.
 */
import { statSync } from "node:fs";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { createKey, openStore } from "../src/index.js";
import { tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("WAL checkpointer", () => {
  it("moves committed pages into the database file off the request path; commits are visible at once", async () => {
    const file = `${tmp.dir}/ckpt.sqlite`;
    const store = await openStore({ db: file });
    const k = await createKey(store.db, { name: "k", budgetUsd: 1000 }, 1);
    await wait(400);
    const before = statSync(file).size;
    const rows = Array.from({ length: 400 }, (_, i) => i);
    await Promise.all(
      rows.map((i) =>
        store.hot.admit({
          keyId: k.id,
          amountUsd: 0.001,
          periodKey: "total",
          row: { id: `r${i}`, key_id: k.id, started_at: i, endpoint: "chat", model: "m".repeat(150), provider: null, prompt_tokens: null, completion_tokens: null, reasoning_tokens: null, cost_usd: null, reserved_usd: 0.001, latency_ms: null, ttft_ms: null, status: null, generation_id: null, stream_outcome: null, error_type: null, state: "open", instance_id: "t" },
        }),
      ),
    );
    // Another connection sees every commit straight away (from the WAL, checkpointed or not).
    const other = new Database(file, { readonly: true });
    expect((other.prepare("SELECT count(*) AS n FROM gateway_usage").get() as { n: number }).n).toBe(400);
    other.close();
    let grown = false;
    for (let i = 0; i < 50 && !grown; i++) {
      await wait(100);
      grown = statSync(file).size > before;
    }
    expect(grown).toBe(true);
    await store.close();
  });
});
