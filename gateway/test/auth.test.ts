/**
 * Keys are cached in memory by hash, and a revoke still takes effect on the very next request: one made
 * through this instance's admin API drops the key at once; one made elsewhere (the CLI, another instance:
 * here, straight in the database) is caught by the reservation statement, which refuses revoked keys.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockOpenRouter, type MockOpenRouter } from "openrouter-fetch/testing";
import { createGateway, createKey, type Gateway } from "../src/index.js";
import { ADMIN_TOKEN, UPSTREAM_KEY, tempDir } from "./helpers.js";

let mock: MockOpenRouter;
let gateway: Gateway;
const tmp = tempDir();
let lookups = 0;

beforeAll(async () => {
  mock = createMockOpenRouter({ apiKey: UPSTREAM_KEY });
  const { baseUrl } = await mock.listen();
  gateway = await createGateway({ db: `${tmp.dir}/auth.sqlite`, upstreamApiKey: UPSTREAM_KEY, upstreamBaseUrl: baseUrl, adminToken: ADMIN_TOKEN, client: { retry: false } });
  const hot = gateway.store.hot;
  const findKey = hot.findKey.bind(hot);
  hot.findKey = (hash) => {
    lookups++;
    return findKey(hash);
  };
});

afterAll(async () => {
  await gateway.close();
  await mock.close();
  tmp.cleanup();
});

const chat = (key: string) =>
  gateway.fetch(
    new Request("http://gw/v1/chat/completions", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
    }),
  );
const models = (key: string) => gateway.fetch(new Request("http://gw/v1/models", { headers: { authorization: `Bearer ${key}` } }));
const rows = async (keyId: string) => (await gateway.store.db.selectFrom("gateway_usage").select("id").where("key_id", "=", keyId).execute()).length;

async function errorCode(res: Response): Promise<[number, unknown]> {
  return [res.status, ((await res.json()) as { error: { code: unknown } }).error.code];
}

describe("key cache", () => {
  it("looks a key up once, then serves it from memory", async () => {
    const { key } = await createKey(gateway.store.db, { name: "cached" }, Date.now());
    lookups = 0;
    for (let i = 0; i < 4; i++) expect((await chat(key)).status).toBe(200);
    expect(lookups).toBe(1);
  });

  it("a revoke through the admin API: the next request is refused", async () => {
    const { key, id } = await createKey(gateway.store.db, { name: "admin-revoked" }, Date.now());
    expect((await chat(key)).status).toBe(200);
    const del = await gateway.fetch(new Request(`http://gw/admin/keys/${id}`, { method: "DELETE", headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }));
    expect(del.status).toBe(200);
    expect(await errorCode(await chat(key))).toEqual([401, "revoked_api_key"]);
    expect(await errorCode(await models(key))).toEqual([401, "revoked_api_key"]);
    expect(await rows(id)).toBe(1);
  });

  it("a revoke made elsewhere while the key is cached: refused at the reservation, nothing sent or recorded", async () => {
    const { key, id } = await createKey(gateway.store.db, { name: "revoked-elsewhere" }, Date.now());
    expect((await chat(key)).status).toBe(200);
    const sentBefore = mock.requests.length;
    await gateway.store.db.updateTable("gateway_keys").set({ revoked_at: Date.now() }).where("id", "=", id).execute();
    expect(await errorCode(await chat(key))).toEqual([401, "revoked_api_key"]);
    // Routes that reserve nothing look the key up fresh.
    expect(await errorCode(await models(key))).toEqual([401, "revoked_api_key"]);
    expect(mock.requests.length).toBe(sentBefore);
    expect(await rows(id)).toBe(1);
  });
});
