/**
 * The stand-in's stateful operations (src/testing/resources.ts) when a caller gets things wrong: unknown ids,
 * deleting twice, a missing or wrong management key, paging. Every error answer has the spec's error shape.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createMockOpenRouter, type MockOpenRouter } from "../../src/testing/index.js";
import { validateResponse } from "../helpers/spec.js";

const BASE = "https://openrouter.ai/api/v1";
const MANAGEMENT = { authorization: "Bearer mgmt" };
const JSON_MGMT = { ...MANAGEMENT, "content-type": "application/json" };

let mocks: MockOpenRouter[] = [];
function standIn() {
  const mock = createMockOpenRouter({ managementKey: "mgmt" });
  mocks.push(mock);
  return mock;
}
afterEach(async () => {
  await Promise.all(mocks.map((m) => m.close()));
  mocks = [];
});

async function failsWith(response: Response, status: number, method: string, path: string): Promise<string> {
  const body = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(status);
  expect(validateResponse(method, path, status, body).errors).toBe("");
  expect(body.error.code).toBe(status);
  return String(body.error.message);
}

async function upload(mock: MockOpenRouter, name: string): Promise<string> {
  const form = new FormData();
  form.append("file", new File([name], name, { type: "text/plain" }));
  const response = await mock.fetch(`${BASE}/files`, { method: "POST", body: form });
  expect(response.status).toBe(200);
  return String(((await response.json()) as { id: string }).id);
}

describe("files: unknown ids and paging", () => {
  it("get, content and delete of an unknown file are 404s naming the file; deleting twice is a 404", async () => {
    const mock = standIn();
    expect(await failsWith(await mock.fetch(`${BASE}/files/file-nope`), 404, "GET", "/files/{file_id}")).toContain("file-nope");
    expect((await mock.fetch(`${BASE}/files/file-nope/content`)).status).toBe(404);
    const id = await upload(mock, "a.txt");
    expect((await mock.fetch(`${BASE}/files/${id}`, { method: "DELETE" })).status).toBe(200);
    expect(await failsWith(await mock.fetch(`${BASE}/files/${id}`, { method: "DELETE" }), 404, "DELETE", "/files/{file_id}")).toContain(id);
  });

  it("lists newest first with order=desc and pages with limit and has_more", async () => {
    const mock = standIn();
    const first = await upload(mock, "a.txt");
    const second = await upload(mock, "b.txt");
    const page = await (await mock.fetch(`${BASE}/files?order=desc&limit=1`)).json();
    expect(validateResponse("GET", "/files", 200, page).errors).toBe("");
    expect(page).toMatchObject({ data: [{ id: second }], first_id: second, last_id: second, has_more: true });
    const all = await (await mock.fetch(`${BASE}/files`)).json();
    expect(all.data.map((f: { id: string }) => f.id)).toEqual([first, second]);
    expect(all.has_more).toBe(false);
  });

  it("keeps the file name out of the content-disposition quoting", async () => {
    const mock = standIn();
    const id = await upload(mock, 'say "hi".txt');
    const content = await mock.fetch(`${BASE}/files/${id}/content`);
    expect(content.headers.get("content-disposition")).toBe('attachment; filename="say hi.txt"');
    expect(content.headers.get("x-original-content-type")).toMatch(/^text\/plain/);
    expect(await content.text()).toBe('say "hi".txt');
  });
});

describe("videos: unknown jobs", () => {
  it("content of an unknown job is a 404", async () => {
    const mock = standIn();
    expect(await failsWith(await mock.fetch(`${BASE}/videos/vid-nope/content`), 404, "GET", "/videos/{jobId}/content")).toContain("vid-nope");
  });
});

describe("keys: management key and unknown hashes", () => {
  const hash = "0".repeat(64);

  it("management operations need the management key: 401 without any key, 401 with an unknown one", async () => {
    const mock = standIn();
    expect((await mock.fetch(`${BASE}/keys`)).status).toBe(401);
    expect((await mock.fetch(`${BASE}/keys`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await mock.fetch(`${BASE}/keys`, { headers: MANAGEMENT })).status).toBe(200);
  });

  it("get, patch and delete of an unknown hash are 404s; deleting twice is a 404", async () => {
    const mock = standIn();
    expect(await failsWith(await mock.fetch(`${BASE}/keys/${hash}`, { headers: MANAGEMENT }), 404, "GET", "/keys/{hash}")).toContain(hash);
    const patch = await mock.fetch(`${BASE}/keys/${hash}`, { method: "PATCH", headers: JSON_MGMT, body: JSON.stringify({ name: "x" }) });
    await failsWith(patch, 404, "PATCH", "/keys/{hash}");
    await failsWith(await mock.fetch(`${BASE}/keys/${hash}`, { method: "DELETE", headers: MANAGEMENT }), 404, "DELETE", "/keys/{hash}");

    const created = await (await mock.fetch(`${BASE}/keys`, { method: "POST", headers: JSON_MGMT, body: JSON.stringify({ name: "ci" }) })).json();
    const real = created.data.hash as string;
    expect((await mock.fetch(`${BASE}/keys/${real}`, { method: "DELETE", headers: MANAGEMENT })).status).toBe(200);
    await failsWith(await mock.fetch(`${BASE}/keys/${real}`, { method: "DELETE", headers: MANAGEMENT }), 404, "DELETE", "/keys/{hash}");
  });

  it("patching limit resets limit_remaining and stamps updated_at", async () => {
    const mock = standIn();
    const created = await (await mock.fetch(`${BASE}/keys`, { method: "POST", headers: JSON_MGMT, body: JSON.stringify({ name: "ci", limit: 5 }) })).json();
    const patched = await mock.fetch(`${BASE}/keys/${created.data.hash}`, { method: "PATCH", headers: JSON_MGMT, body: JSON.stringify({ limit: 9 }) });
    const body = await patched.json();
    expect(validateResponse("PATCH", "/keys/{hash}", 200, body).errors).toBe("");
    expect(body.data).toMatchObject({ limit: 9, limit_remaining: 9, name: "ci" });
    expect(typeof body.data.updated_at).toBe("string");
  });
});

describe("presets: unknown slugs and versions", () => {
  it("versions of an unknown preset and an unknown version of a known one are 404s", async () => {
    const mock = standIn();
    await failsWith(await mock.fetch(`${BASE}/presets/nobody/versions`), 404, "GET", "/presets/{slug}/versions");
    const save = await mock.fetch(`${BASE}/presets/helper/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "system", content: "Be kind." }] }),
    });
    expect(save.status).toBe(200);
    const msg = await failsWith(await mock.fetch(`${BASE}/presets/helper/versions/99`), 404, "GET", "/presets/{slug}/versions/{version}");
    expect(msg).toContain("99");
    expect((await mock.fetch(`${BASE}/presets/helper/versions/1`)).status).toBe(200);
  });
});
