/**
 * The stand-in's stateful operations (src/testing/resources.ts) as a user meets them: files round-trip byte
 * for byte, a video job moves through its states as it is polled, a created key's secret is shown once,
 * presets saved by a request come back with versions. Answers validate against the spec; the file flow also
 * runs over the loopback server, where bodies are real multipart and binary bytes on a socket.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createMockOpenRouter, type MockOpenRouter } from "../../src/testing/index.js";
import { validateResponse } from "../helpers/spec.js";

const BASE = "https://openrouter.ai/api/v1";
const MANAGEMENT = { authorization: "Bearer mgmt" };

let mocks: MockOpenRouter[] = [];
function standIn() {
  const mock = createMockOpenRouter({ managementKey: "mgmt", now: () => 1_780_000_000_000 });
  mocks.push(mock);
  return mock;
}
afterEach(async () => {
  await Promise.all(mocks.map((m) => m.close()));
  mocks = [];
});

async function ok(response: Response, method: string, path: string): Promise<Record<string, any>> {
  const body = await response.json();
  expect(response.ok, JSON.stringify(body)).toBe(true);
  expect(validateResponse(method, path, response.status, body).errors).toBe("");
  return body;
}

/** Every byte value, so a text round-trip would corrupt it. */
const BINARY = Uint8Array.from({ length: 512 }, (_, i) => i % 256);

describe("files", () => {
  async function flow(fetcher: typeof fetch, base: string) {
    const form = new FormData();
    form.append("file", new File([BINARY], "bytes.bin", { type: "application/x-test" }));
    const uploaded = await ok(await fetcher(`${base}/files`, { method: "POST", body: form }), "POST", "/files");
    expect(uploaded).toMatchObject({ filename: "bytes.bin", mime_type: "application/x-test", size_bytes: 512 });
    const id = String(uploaded["id"]);

    const list = await ok(await fetcher(`${base}/files`), "GET", "/files");
    expect(list["data"].map((f: { id: string }) => f.id)).toEqual([id]);
    expect(await ok(await fetcher(`${base}/files/${id}`), "GET", "/files/{file_id}")).toMatchObject({ id, size_bytes: 512 });

    const content = await fetcher(`${base}/files/${id}/content`);
    expect(content.status).toBe(200);
    expect(content.headers.get("content-type")).toBe("application/octet-stream");
    expect(new Uint8Array(await content.arrayBuffer())).toEqual(BINARY);

    const deleted = await ok(await fetcher(`${base}/files/${id}`, { method: "DELETE" }), "DELETE", "/files/{file_id}");
    expect(deleted).toMatchObject({ id, type: "file_deleted" });
    expect((await fetcher(`${base}/files/${id}`)).status).toBe(404);
    expect((await fetcher(`${base}/files/${id}/content`)).status).toBe(404);
    expect((await ok(await fetcher(`${base}/files`), "GET", "/files"))["data"]).toEqual([]);
  }

  it("upload, list, get, content byte for byte, delete (in process)", async () => {
    const mock = standIn();
    await flow(mock.fetch, BASE);
  });

  it("the same over the loopback server", async () => {
    const mock = standIn();
    const { baseUrl } = await mock.listen();
    await flow(fetch, baseUrl);
  });
});

describe("video jobs", () => {
  it("POST answers 202 pending; polls go pending → in_progress → completed; content is MP4 bytes once completed", async () => {
    const mock = standIn();
    const post = await mock.fetch(`${BASE}/videos`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "google/veo-3.1", prompt: "a cat on a skateboard" }),
    });
    expect(post.status).toBe(202);
    const job = await ok(post, "POST", "/videos");
    expect(job["status"]).toBe("pending");
    expect(job["polling_url"]).toMatch(new RegExp(`/videos/${job["id"]}$`));

    const early = await mock.fetch(`${BASE}/videos/${job["id"]}/content`);
    expect(early.status).toBe(400);

    const states: string[] = [];
    for (let i = 0; i < 4; i++) states.push((await ok(await mock.fetch(`${BASE}/videos/${job["id"]}`), "GET", "/videos/{jobId}"))["status"]);
    expect(states).toEqual(["pending", "in_progress", "completed", "completed"]);

    const done = await ok(await mock.fetch(`${BASE}/videos/${job["id"]}`), "GET", "/videos/{jobId}");
    expect(done["unsigned_urls"]).toHaveLength(1);
    expect(done["generation_id"]).toMatch(/^gen-vid-/);
    const content = await mock.fetch(`${BASE}/videos/${job["id"]}/content?index=0`);
    expect(content.headers.get("content-type")).toBe("video/mp4");
    const bytes = new Uint8Array(await content.arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(4, 8))).toBe("ftyp");
    expect((await mock.fetch(`${BASE}/videos/vid-unknown`)).status).toBe(404);
  });
});

describe("API keys", () => {
  it("create shows the secret once; list and get never do; the new key works as an inference key; update; delete", async () => {
    const mock = createMockOpenRouter({ apiKey: "inference", managementKey: "mgmt" });
    mocks.push(mock);
    const json = { ...MANAGEMENT, "content-type": "application/json" };
    const created = await mock.fetch(`${BASE}/keys`, { method: "POST", headers: json, body: JSON.stringify({ name: "ci", limit: 5 }) });
    expect(created.status).toBe(201);
    const body = await ok(created, "POST", "/keys");
    const secret = String(body["key"]);
    const hash = String(body["data"]["hash"]);
    expect(secret).toMatch(/^sk-or-v1-/);
    expect(hash).toMatch(/^[a-f0-9]{64}$/);

    const list = await mock.fetch(`${BASE}/keys`, { headers: MANAGEMENT });
    const listText = await list.clone().text();
    expect(listText).not.toContain(secret);
    expect((await ok(list, "GET", "/keys"))["data"].map((k: { hash: string }) => k.hash)).toEqual([hash]);
    const got = await mock.fetch(`${BASE}/keys/${hash}`, { headers: MANAGEMENT });
    expect(await got.clone().text()).not.toContain(secret);
    expect((await ok(got, "GET", "/keys/{hash}"))["data"]).toMatchObject({ name: "ci", limit: 5, disabled: false });

    // The created key is accepted where an inference key is, and refused on management operations.
    expect((await mock.fetch(`${BASE}/files`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
    expect((await mock.fetch(`${BASE}/keys`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(403);

    const patched = await ok(
      await mock.fetch(`${BASE}/keys/${hash}`, { method: "PATCH", headers: json, body: JSON.stringify({ name: "renamed", disabled: true }) }),
      "PATCH",
      "/keys/{hash}",
    );
    expect(patched["data"]).toMatchObject({ name: "renamed", disabled: true });
    expect((await mock.fetch(`${BASE}/files`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);
    expect((await ok(await mock.fetch(`${BASE}/keys`, { headers: MANAGEMENT }), "GET", "/keys"))["data"]).toEqual([]);
    expect((await ok(await mock.fetch(`${BASE}/keys?include_disabled=true`, { headers: MANAGEMENT }), "GET", "/keys"))["data"]).toHaveLength(1);

    await ok(await mock.fetch(`${BASE}/keys/${hash}`, { method: "DELETE", headers: MANAGEMENT }), "DELETE", "/keys/{hash}");
    expect((await mock.fetch(`${BASE}/keys/${hash}`, { headers: MANAGEMENT })).status).toBe(404);
  });
});

describe("presets", () => {
  it("saving a request creates the preset, saving again adds a version; list, get and versions read them back", async () => {
    const mock = standIn();
    const save = (path: string, body: unknown) =>
      mock.fetch(`${BASE}/presets/support/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const first = await ok(
      await save("chat/completions", { model: "openai/gpt-4o", messages: [{ role: "system", content: "Be kind." }, { role: "user", content: "Hi" }] }),
      "POST",
      "/presets/{slug}/chat/completions",
    );
    expect(first["data"]).toMatchObject({ slug: "support", designated_version: { version: 1, system_prompt: "Be kind." } });
    const second = await ok(await save("messages", { model: "anthropic/claude-haiku-4.5", system: "Be brief.", messages: [] }), "POST", "/presets/{slug}/messages");
    expect(second["data"]["designated_version"]).toMatchObject({ version: 2, system_prompt: "Be brief." });

    const list = await ok(await mock.fetch(`${BASE}/presets`), "GET", "/presets");
    expect(list["data"].map((p: { slug: string }) => p.slug)).toEqual(["concise", "support"]);
    const versions = await ok(await mock.fetch(`${BASE}/presets/support/versions`), "GET", "/presets/{slug}/versions");
    expect(versions["data"].map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const v1 = await ok(await mock.fetch(`${BASE}/presets/support/versions/1`), "GET", "/presets/{slug}/versions/{version}");
    expect(v1["data"]["config"]).toMatchObject({ model: "openai/gpt-4o" });
    expect((await mock.fetch(`${BASE}/presets/nobody`)).status).toBe(404);

    mock.reset();
    expect((await ok(await mock.fetch(`${BASE}/presets`), "GET", "/presets"))["data"].map((p: { slug: string }) => p.slug)).toEqual(["concise"]);
  });
});

describe("generation content and feedback", () => {
  it("content returns the prompt and output of a served generation; feedback needs a known generation", async () => {
    const mock = standIn();
    const chat = await mock.fetch(`${BASE}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hello there" }] }),
    });
    const { id, choices } = (await chat.json()) as { id: string; choices: Array<{ message: { content: string } }> };
    const content = await ok(await mock.fetch(`${BASE}/generation/content?id=${id}`), "GET", "/generation/content");
    expect(content["data"]["input"]["messages"]).toEqual([{ role: "user", content: "Hello there" }]);
    expect(content["data"]["output"]["completion"]).toBe(choices[0]!.message.content);
    const feedback = (generation_id: string) =>
      mock.fetch(`${BASE}/generation/feedback`, {
        method: "POST",
        headers: { ...MANAGEMENT, "content-type": "application/json" },
        body: JSON.stringify({ generation_id, category: "incorrect_response" }),
      });
    await ok(await feedback(id), "POST", "/generation/feedback");
    expect((await feedback("gen-unknown")).status).toBe(404);
  });
});
