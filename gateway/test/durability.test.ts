/**
 * Durability: the gateway process is killed (SIGKILL) in the middle of a run of plain and streamed requests,
 * then restarted on the same store. Every response a client fully received has its closed row, and the rows
 * the crash left open are settled at start from the upstream's GET /generation.
 */
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../src/index.js";
import { ADMIN_TOKEN, PG_URL, UPSTREAM_KEY, adminCreateKey, dropSchema, exited, service, standInUpstream, startCli, tempDir, uniqueName } from "./helpers.js";

const REPLY = Array.from({ length: 40 }, (_, i) => `piece${i}`).join(" ");
const upstream = standInUpstream({ apiKey: UPSTREAM_KEY, scenarios: [{ reply: REPLY }], chunkDelayMs: 15 });
const tmp = tempDir();
const hasPg = await service("postgres");
afterAll(() => tmp.cleanup());

async function crashAndRecover(db: string, pgSchema: string | undefined): Promise<void> {
  const env: Record<string, string> = {
    OPENROUTER_API_KEY: UPSTREAM_KEY,
    OPENROUTER_BASE_URL: upstream.baseUrl,
    GATEWAY_ADMIN_TOKEN: ADMIN_TOKEN,
    DATABASE_URL: db,
    GATEWAY_INSTANCE_ID: "durable-1",
    ...(pgSchema && { GATEWAY_PG_SCHEMA: pgSchema }),
  };
  const first = await startCli(env);
  const k = await adminCreateKey(first.url, { name: "durable", budgetUsd: 100 });
  const received: string[] = [];
  let attempted = 0;
  let stop = false;
  const worker = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const stream = (w + i) % 2 === 0;
      attempted++;
      try {
        const res = await fetch(`${first.url}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${k.key}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: `req ${w}/${i}` }], stream, max_tokens: 100 }),
        });
        const text = await res.text();
        if (res.status !== 200) continue;
        if (stream) {
          if (text.endsWith("data: [DONE]\n\n")) received.push(res.headers.get("x-openrouter-generation-id")!);
        } else {
          received.push((JSON.parse(text) as { id: string }).id);
        }
      } catch {
        return; // the gateway died under this request
      }
    }
  };
  const workers = Array.from({ length: 6 }, (_, w) => worker(w));
  // Kill once some responses are complete and others are mid-flight.
  while (received.length < 8) await new Promise((r) => setTimeout(r, 20));
  first.child.kill("SIGKILL");
  await exited(first.child);
  stop = true;
  await Promise.all(workers);

  const store = await openStore({ db, pgSchema });
  let openBefore: number;
  try {
    openBefore = (await store.db.selectFrom("gateway_usage").select("id").where("state", "=", "open").execute()).length;
  } finally {
    await store.close();
  }

  const second = await startCli(env);
  try {
    const after = await openStore({ db, pgSchema });
    try {
      const rows = await after.db.selectFrom("gateway_usage").selectAll().execute();
      const byGeneration = new Map(rows.filter((r) => r.generation_id).map((r) => [r.generation_id as string, r]));
      for (const id of received) {
        const row = byGeneration.get(id);
        expect(row, `row for fully received ${id}`).toBeDefined();
        expect(row?.state).toBe("done");
        expect(row?.status).toBe(200);
        expect(row?.cost_usd).toBeGreaterThan(0);
      }
      expect(rows.filter((r) => r.state === "open")).toEqual([]);
      const recovered = rows.filter((r) => r.state === "recovered");
      expect(recovered).toHaveLength(openBefore);
      for (const r of recovered) {
        if (!r.generation_id) continue;
        const g = upstream.mock.generations.get(r.generation_id);
        if (g) expect(r.cost_usd).toBeCloseTo(g.total_cost, 12);
      }
      const keyRow = await after.db.selectFrom("gateway_keys").select(["spent_usd", "reserved_usd"]).where("id", "=", k.id).executeTakeFirstOrThrow();
      expect(keyRow.reserved_usd).toBeCloseTo(0, 12);
      const totalCost = rows.reduce((a, r) => a + (r.cost_usd ?? 0), 0);
      expect(keyRow.spent_usd).toBeCloseTo(totalCost, 10);
      console.log(
        `[durability ${pgSchema ? "postgres" : "sqlite"}] attempted ${attempted}, fully received ${received.length} (all with closed rows), open at the kill ${openBefore}, recovered at restart ${recovered.length} (${recovered.filter((r) => r.generation_id).length} from GET /generation)`,
      );
    } finally {
      await after.close();
    }
  } finally {
    second.child.kill("SIGTERM");
    await exited(second.child);
  }
}

describe("SIGKILL in the middle of a run, then restart", () => {
  it("SQLite: every fully received response has its row; open rows are settled at start", async () => {
    await crashAndRecover(`${tmp.dir}/durable.sqlite`, undefined);
  }, 180_000);

  it.runIf(hasPg)("PostgreSQL: every fully received response has its row; open rows are settled at start", async () => {
    const schema = uniqueName("gw_durable");
    try {
      await crashAndRecover(PG_URL, schema);
    } finally {
      await dropSchema(schema);
    }
  }, 180_000);
});
