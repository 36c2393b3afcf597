/**
 * The store and the admin report directly: budget windows (day / month roll over, total does not), the
 * reservation refusing what the window cannot cover, settlement moving reserved money to spent once, and
 * /admin/usage grouped by day, key and model within from/to. Also CORS: none by default, listed origins only.
 */
import { describe, expect, it } from "vitest";
import { createGateway, createKey, openStore, usageReport } from "../src/index.js";
import { openUsageRow, periodKey, remainingBudget, reserve, settle } from "../src/store.js";
import { ADMIN_TOKEN, memoryStores } from "./helpers.js";

const memoryStore = memoryStores();

async function openRow(db: Awaited<ReturnType<typeof memoryStore>>["db"], id: string, keyId: string, startedAt: number, model: string, reserved: number) {
  await db
    .insertInto("gateway_usage")
    .values(openUsageRow({ id, key_id: keyId, started_at: startedAt, endpoint: "chat", model, reserved_usd: reserved, instance_id: "t" }))
    .execute();
}

describe("budget windows and reservations", () => {
  it("a daily budget refuses what today cannot cover and starts afresh the next day", async () => {
    const { db } = await memoryStore();
    const day1 = Date.UTC(2026, 11, 5, 10);
    const day2 = Date.UTC(2026, 11, 6, 1);
    const k = await createKey(db, { name: "daily", budgetUsd: 1, budgetPeriod: "day" }, day1);
    expect(await reserve(db, { keyId: k.id, amountUsd: 0.6, periodKey: periodKey("day", day1) })).toBe(true);
    await openRow(db, "r1", k.id, day1, "m", 0.6);
    expect(await reserve(db, { keyId: k.id, amountUsd: 0.6, periodKey: periodKey("day", day1) })).toBe(false);
    await settle(db, { usageId: "r1", keyId: k.id, reservedUsd: 0.6, costUsd: 0.5, row: { status: 200 } });
    // Settling twice must not move money twice.
    await settle(db, { usageId: "r1", keyId: k.id, reservedUsd: 0.6, costUsd: 0.5, row: { status: 200 } });
    expect(await remainingBudget(db, k.id, day1)).toBeCloseTo(0.5, 12);
    expect(await reserve(db, { keyId: k.id, amountUsd: 0.6, periodKey: periodKey("day", day1) })).toBe(false);
    expect(await remainingBudget(db, k.id, day2)).toBeCloseTo(1, 12);
    expect(await reserve(db, { keyId: k.id, amountUsd: 0.6, periodKey: periodKey("day", day2) })).toBe(true);
  });

  it("a total budget never rolls over; a revoked key reserves nothing", async () => {
    const { db } = await memoryStore();
    const t = Date.UTC(2026, 0, 1);
    const k = await createKey(db, { name: "total", budgetUsd: 1 }, t);
    expect(periodKey("total", t)).toBe(periodKey("total", t + 400 * 86_400_000));
    expect(periodKey("month", Date.UTC(2026, 0, 31))).not.toBe(periodKey("month", Date.UTC(2026, 1, 1)));
    expect(await reserve(db, { keyId: k.id, amountUsd: 1, periodKey: "total" })).toBe(true);
    expect(await reserve(db, { keyId: k.id, amountUsd: 0.01, periodKey: "total" })).toBe(false);
    const free = await createKey(db, { name: "free" }, t);
    expect(await reserve(db, { keyId: free.id, amountUsd: 1e9, periodKey: "total" })).toBe(true);
    await db.updateTable("gateway_keys").set({ revoked_at: t }).where("id", "=", free.id).execute();
    expect(await reserve(db, { keyId: free.id, amountUsd: 0, periodKey: "total" })).toBe(false);
  });
});

describe("usage report", () => {
  it("groups by day, key and model within from/to, with errors and latency percentiles", async () => {
    const { db } = await memoryStore();
    const a = await createKey(db, { name: "a" }, 0);
    const b = await createKey(db, { name: "b" }, 0);
    const d1 = Date.UTC(2026, 11, 1, 12);
    const d2 = Date.UTC(2026, 11, 2, 12);
    const rows: Array<[string, string, number, string, number, number, number]> = [
      ["u1", a.id, d1, "m1", 200, 0.1, 10],
      ["u2", a.id, d1, "m2", 200, 0.2, 20],
      ["u3", b.id, d2, "m1", 502, 0, 30],
      ["u4", b.id, d2, "m1", 200, 0.3, 40],
    ];
    for (const [id, key, at, model, status, cost, latency] of rows) {
      await openRow(db, id, key, at, model, 0);
      await settle(db, { usageId: id, keyId: key, reservedUsd: 0, costUsd: cost, row: { status, latency_ms: latency, prompt_tokens: 5, completion_tokens: 7 } });
    }
    const byDay = await usageReport(db, "day", undefined, undefined);
    expect(byDay.data.map((r) => [r["day"], r.requests, r.errors])).toEqual([
      ["2026-12-01", 2, 0],
      ["2026-12-02", 2, 1],
    ]);
    const byKey = await usageReport(db, "key", undefined, undefined);
    expect(byKey.data.find((r) => r["key"] === a.id)?.costUsd).toBeCloseTo(0.3, 12);
    const byModel = await usageReport(db, "model", undefined, undefined);
    const m1 = byModel.data.find((r) => r["model"] === "m1")!;
    expect([m1.requests, m1.errors, m1.tokens, m1.p50LatencyMs, m1.p95LatencyMs]).toEqual([3, 1, 36, 30, 40]);
    const window = await usageReport(db, "model", d2, d2 + 1);
    expect(window.data.map((r) => [r["model"], r.requests])).toEqual([["m1", 2]]);
  });
});

describe("CORS", () => {
  it("none by default; only the configured origins are allowed", async () => {
    const plain = await createGateway({ db: ":memory:", adminToken: ADMIN_TOKEN });
    const open = await createGateway({ db: ":memory:", adminToken: ADMIN_TOKEN, corsOrigins: ["https://app.example"] });
    try {
      const preflight = (origin: string) =>
        new Request("http://gw/v1/chat/completions", { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" } });
      expect((await plain.fetch(preflight("https://app.example"))).headers.get("access-control-allow-origin")).toBeNull();
      expect((await open.fetch(preflight("https://app.example"))).headers.get("access-control-allow-origin")).toBe("https://app.example");
      expect((await open.fetch(preflight("https://evil.example"))).headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await plain.close();
      await open.close();
    }
  });
});
