/**
 * The store's per-request path (`store.hot`) on SQLite: prepared statements with a group commit. Requests of
 * one event-loop turn share a COMMIT, so these check that each still behaves as its own transaction: a
 * refused or failing reservation writes nothing and does not undo its neighbours, concurrent reservations
 * never pass the budget together, and a settlement moves money once.
 */
import { describe, expect, it } from "vitest";
import { createKey, openStore } from "../src/index.js";
import { openUsageRow } from "../src/store.js";
import { memoryStores } from "./helpers.js";

const sqliteStore = memoryStores();
const openRow = (id: string, keyId: string, reserved: number) => openUsageRow({ id, key_id: keyId, started_at: 1, endpoint: "chat", model: "m", reserved_usd: reserved, instance_id: "t" });

async function keyMoney(store: Awaited<ReturnType<typeof sqliteStore>>, id: string) {
  return store.db.selectFrom("gateway_keys").select(["spent_usd", "reserved_usd"]).where("id", "=", id).executeTakeFirstOrThrow();
}

describe("SQLite hot path (group commit)", () => {
  it("a reservation whose usage row cannot be written rolls back alone; the others in the same commit stand", async () => {
    const store = await sqliteStore();
    const k = await createKey(store.db, { name: "k", budgetUsd: 10 }, 1);
    // Same turn: the second reuses the first's row id, so its INSERT fails after its reservation succeeded.
    const results = await Promise.allSettled([
      store.hot.admit({ keyId: k.id, amountUsd: 1, periodKey: "total", row: openRow("r1", k.id, 1) }),
      store.hot.admit({ keyId: k.id, amountUsd: 2, periodKey: "total", row: openRow("r1", k.id, 2) }),
      store.hot.admit({ keyId: k.id, amountUsd: 3, periodKey: "total", row: openRow("r3", k.id, 3) }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((await keyMoney(store, k.id)).reserved_usd).toBeCloseTo(4, 12);
    const rows = await store.db.selectFrom("gateway_usage").select(["id", "reserved_usd"]).orderBy("id").execute();
    expect(rows).toEqual([
      { id: "r1", reserved_usd: 1 },
      { id: "r3", reserved_usd: 3 },
    ]);
  });

  it("concurrent reservations in one commit never pass the budget together, and a refused one writes no row", async () => {
    const store = await sqliteStore();
    const k = await createKey(store.db, { name: "k", budgetUsd: 1 }, 1);
    const ok = await Promise.all(Array.from({ length: 10 }, (_, i) => store.hot.admit({ keyId: k.id, amountUsd: 0.3, periodKey: "total", row: openRow(`r${i}`, k.id, 0.3) })));
    expect(ok.filter(Boolean)).toHaveLength(3);
    expect((await keyMoney(store, k.id)).reserved_usd).toBeCloseTo(0.9, 12);
    expect(await store.db.selectFrom("gateway_usage").select("id").execute()).toHaveLength(3);
  });

  it("a settlement is committed when it resolves, moves the reservation to spent once, and keeps the row's columns", async () => {
    const store = await sqliteStore();
    const k = await createKey(store.db, { name: "k", budgetUsd: 5 }, 1);
    await store.hot.admit({ keyId: k.id, amountUsd: 1, periodKey: "total", row: openRow("r1", k.id, 1) });
    await store.hot.setGenerationId("r1", "gen-1");
    const settlement = { usageId: "r1", keyId: k.id, reservedUsd: 1, costUsd: 0.25, row: { status: 200, prompt_tokens: 3, provider: "P" } };
    await Promise.all([store.hot.settle(settlement), store.hot.settle(settlement)]);
    expect(await keyMoney(store, k.id)).toEqual({ spent_usd: 0.25, reserved_usd: 0 });
    const row = await store.db.selectFrom("gateway_usage").selectAll().where("id", "=", "r1").executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: "done", cost_usd: 0.25, status: 200, prompt_tokens: 3, provider: "P", generation_id: "gen-1" });
    expect(await store.hot.remainingBudget(k.id, 1)).toBeCloseTo(4.75, 12);
  });
});
