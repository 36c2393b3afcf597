/**
 * Budgets hold under concurrency: 50 requests at once against a key whose budget affords 10, where every
 * completion really costs its reserved worst case (a long reply capped by max_tokens). On SQLite, on
 * PostgreSQL, and with two gateway processes sharing PostgreSQL and Redis (rate limits too).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILTIN_MODELS, createMockOpenRouter, findModel, type MockOpenRouter } from "openrouter-fetch/testing";
import { estimateCost, estimateTokens } from "openrouter-fetch";
import { createGateway, createKey, type Gateway } from "../src/index.js";
import { ADMIN_TOKEN, LONG_REPLY, PG_URL, REDIS_URL, UPSTREAM_KEY, adminCreateKey, dropSchema, exited, flushRedisPrefix, service, standInUpstream, startCli, tempDir, uniqueName, type Running } from "./helpers.js";

const MODEL = "openai/gpt-4o-mini";
const body = { model: MODEL, messages: [{ role: "user", content: "Tell me a long story" }], max_tokens: 200 };
const worstCase = estimateCost(body as never, findModel(BUILTIN_MODELS, MODEL) as never).worstCaseUsd;
const BUDGET = worstCase * 10.5;

const upstream = standInUpstream({ apiKey: UPSTREAM_KEY, scenarios: [{ reply: LONG_REPLY }], chunkDelayMs: 2 });
const tmp = tempDir();
const hasPg = await service("postgres");
const hasRedis = await service("redis");
afterAll(() => tmp.cleanup());

async function fireFifty(urls: string[], key: string): Promise<{ ok: number; refused: number; other: number[]; costs: number[] }> {
  const results = await Promise.all(
    Array.from({ length: 50 }, async (_, i) => {
      const stream = i % 2 === 0;
      const res = await fetch(`${urls[i % urls.length]}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ ...body, stream }),
      });
      const text = await res.text();
      let cost = 0;
      if (res.status === 200) {
        const m = stream ? /: x-gateway-cost-usd (\S+)/.exec(text) : null;
        cost = stream ? Number(m?.[1]) : Number(res.headers.get("x-gateway-cost-usd"));
      }
      return { status: res.status, cost };
    }),
  );
  return {
    ok: results.filter((r) => r.status === 200).length,
    refused: results.filter((r) => r.status === 402).length,
    other: results.filter((r) => r.status !== 200 && r.status !== 402).map((r) => r.status),
    costs: results.filter((r) => r.status === 200).map((r) => r.cost),
  };
}

function checkSpend(outcome: Awaited<ReturnType<typeof fireFifty>>, keyRow: { spentUsd: number; reservedUsd: number }) {
  expect(outcome.other).toEqual([]);
  // Each completion costs about its worst case, so at most 10 fit; at least 10 did (nothing was refused early).
  expect(outcome.ok).toBeLessThanOrEqual(10);
  expect(outcome.ok).toBeGreaterThanOrEqual(9);
  expect(outcome.refused).toBe(50 - outcome.ok);
  const spent = outcome.costs.reduce((a, b) => a + b, 0);
  expect(spent).toBeGreaterThan(worstCase * 8);
  expect(spent).toBeLessThanOrEqual(BUDGET);
  expect(keyRow.spentUsd).toBeCloseTo(spent, 10);
  expect(keyRow.spentUsd).toBeLessThanOrEqual(BUDGET);
  expect(keyRow.reservedUsd).toBeCloseTo(0, 12);
}

async function keyRow(url: string, id: string) {
  const res = await fetch(`${url}/admin/keys`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const { data } = (await res.json()) as { data: Array<{ id: string; spentUsd: number; reservedUsd: number }> };
  return data.find((k) => k.id === id)!;
}

describe("50 concurrent requests against a budget that affords 10", () => {
  it("the mock's completions cost their reserved worst case (so the test can catch an overspend)", () => {
    expect(worstCase).toBeGreaterThan(0);
  });

  /** One gateway on `db`, a key whose budget affords ten, fifty requests at once; the spend checked. */
  async function fiftyAgainstTen(db: string, pgSchema?: string): Promise<void> {
    const gw = await createGateway({ db, pgSchema, upstreamApiKey: UPSTREAM_KEY, upstreamBaseUrl: upstream.baseUrl, adminToken: ADMIN_TOKEN });
    const { url } = await gw.listen({ port: 0 });
    try {
      const k = await adminCreateKey(url, { name: "ten", budgetUsd: BUDGET });
      const outcome = await fireFifty([url], k.key);
      checkSpend(outcome, await keyRow(url, k.id));
    } finally {
      await gw.close();
    }
  }

  it("SQLite: never more than the budget", async () => {
    await fiftyAgainstTen(`${tmp.dir}/budget.sqlite`);
  });

  it.runIf(hasPg)("PostgreSQL: never more than the budget", async () => {
    const schema = uniqueName("gw_budget");
    try {
      await fiftyAgainstTen(PG_URL, schema);
    } finally {
      await dropSchema(schema);
    }
  });

  it.runIf(hasPg && hasRedis)(
    "two gateway processes sharing PostgreSQL and Redis: the budget and the rpm limit hold across both",
    async () => {
      const schema = uniqueName("gw_two");
      const prefix = uniqueName("gwtest");
      const env = {
        OPENROUTER_API_KEY: UPSTREAM_KEY,
        OPENROUTER_BASE_URL: upstream.baseUrl,
        GATEWAY_ADMIN_TOKEN: ADMIN_TOKEN,
        DATABASE_URL: PG_URL,
        GATEWAY_PG_SCHEMA: schema,
        REDIS_URL,
        GATEWAY_REDIS_PREFIX: prefix,
      };
      const running: Running[] = [];
      try {
        running.push(await startCli({ ...env, GATEWAY_INSTANCE_ID: "a" }));
        running.push(await startCli({ ...env, GATEWAY_INSTANCE_ID: "b" }));
        const urls = running.map((r) => r.url);
        const k = await adminCreateKey(urls[0]!, { name: "ten", budgetUsd: BUDGET });
        const outcome = await fireFifty(urls, k.key);
        checkSpend(outcome, await keyRow(urls[1]!, k.id));

        const limited = await adminCreateKey(urls[1]!, { name: "rpm", rpm: 6 });
        const statuses = await Promise.all(
          Array.from({ length: 14 }, async (_, i) => {
            const res = await fetch(`${urls[i % 2]}/v1/chat/completions`, {
              method: "POST",
              headers: { authorization: `Bearer ${limited.key}`, "content-type": "application/json" },
              body: JSON.stringify({ ...body, max_tokens: 5 }),
            });
            await res.text();
            return { status: res.status, retryAfter: res.headers.get("retry-after") };
          }),
        );
        expect(statuses.filter((s) => s.status === 200)).toHaveLength(6);
        const limitedOnes = statuses.filter((s) => s.status === 429);
        expect(limitedOnes).toHaveLength(8);
        for (const s of limitedOnes) expect(Number(s.retryAfter)).toBeGreaterThan(0);
      } finally {
        for (const r of running) r.child.kill("SIGTERM");
        for (const r of running) await exited(r.child);
        await dropSchema(schema);
        await flushRedisPrefix(prefix);
      }
    },
    180_000,
  );
});

describe("budgeted keys: embeddings are reserved, unpriced models refused", () => {
  const EMBED = "openai/text-embedding-3-small";
  const input = ["The quick brown fox jumps over the lazy dog.", "A second input, a little longer than the first one."];
  // The stand-in's embedding price; the worst case is each input's estimated tokens at that price.
  const embedWorstCase = input.reduce((n, s) => n + estimateTokens(s, { tokenizer: "GPT" }), 0) * 0.00000002;
  const router = { ...findModel(BUILTIN_MODELS, MODEL)!, id: "openrouter/auto", canonical_slug: "openrouter/auto", pricing: { prompt: "-1", completion: "-1" } };
  let stand: MockOpenRouter;
  let gw: Gateway;

  beforeAll(async () => {
    stand = createMockOpenRouter({ apiKey: UPSTREAM_KEY, models: [router] });
    gw = await createGateway({ db: `${tmp.dir}/embed-budget.sqlite`, upstreamApiKey: UPSTREAM_KEY, upstreamFetch: stand.fetch, upstreamBaseUrl: "https://stand-in.test/api/v1" });
  });
  afterAll(async () => {
    await gw.close();
  });

  const post = (key: string, path: string, payload: Record<string, unknown>) =>
    gw.fetch(new Request(`http://gw${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(payload) }));
  const upstreamCalls = (path: string) => stand.requests.filter((r) => r.path.startsWith(path)).length;

  it("an embeddings request reserves its worst case before the call, and is refused when the budget cannot cover it", async () => {
    const poor = await createKey(gw.store.db, { name: "poor", budgetUsd: embedWorstCase / 2 }, Date.now());
    const before = upstreamCalls("/embeddings");
    const refused = await post(poor.key, "/v1/embeddings", { model: EMBED, input });
    expect(refused.status).toBe(402);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("budget_exceeded");
    expect(upstreamCalls("/embeddings")).toBe(before);

    const enough = await createKey(gw.store.db, { name: "enough", budgetUsd: embedWorstCase * 1.5 }, Date.now());
    const ok = await post(enough.key, "/v1/embeddings", { model: EMBED, input });
    expect(ok.status).toBe(200);
    const row = await gw.store.db.selectFrom("gateway_usage").selectAll().where("id", "=", ok.headers.get("x-request-id")!).executeTakeFirstOrThrow();
    expect(row.reserved_usd).toBeCloseTo(embedWorstCase, 15);
    expect(row.state).toBe("done");
    const keyRow = await gw.store.db.selectFrom("gateway_keys").selectAll().where("id", "=", enough.id).executeTakeFirstOrThrow();
    expect(keyRow.reserved_usd).toBeCloseTo(0, 15);
    expect(keyRow.spent_usd).toBeCloseTo(Number(ok.headers.get("x-gateway-cost-usd")), 12);
  });

  it("a model without a fixed price is refused for a budgeted key with a clear 400, before any upstream call; keys without a budget may use it", async () => {
    const budgeted = await createKey(gw.store.db, { name: "budgeted", budgetUsd: 5 }, Date.now());
    const before = upstreamCalls("/chat/completions");
    for (const stream of [false, true]) {
      const res = await post(budgeted.key, "/v1/chat/completions", { model: "openrouter/auto", stream, messages: [{ role: "user", content: "hi" }], max_tokens: 10 });
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as { error: { code: string; message: string; param: string } };
      expect(error.code).toBe("unpriced_model");
      expect(error.param).toBe("model");
      expect(error.message).toContain("openrouter/auto has no fixed price");
      expect(error.message).toContain("key without a budget");
    }
    const embedRefused = await post(budgeted.key, "/v1/embeddings", { model: "openrouter/auto", input });
    expect(embedRefused.status).toBe(400);
    expect(((await embedRefused.json()) as { error: { code: string } }).error.code).toBe("unpriced_model");
    expect(upstreamCalls("/chat/completions")).toBe(before);

    const free = await createKey(gw.store.db, { name: "unbudgeted" }, Date.now());
    const ok = await post(free.key, "/v1/chat/completions", { model: "openrouter/auto", messages: [{ role: "user", content: "hi" }], max_tokens: 10 });
    expect(ok.status).toBe(200);
  });
});
