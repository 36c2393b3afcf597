/**
 * The stand-in's request handling (src/testing/mock-handler.ts) at its edges, as a client meets it: which key
 * each kind of operation accepts when both an inference and a management key are configured, bodies that are
 * not what the operation takes (no content type, unparseable multipart, raw bytes, empty), unknown
 * generations, and `validate: false`. Error answers have the spec's error shape.
 */
import { describe, expect, it } from "vitest";
import { createMockOpenRouter } from "../../src/testing/index.js";
import { validateResponse } from "../helpers/spec.js";

const BASE = "https://openrouter.ai/api/v1";
const chat = { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] };

async function errorOf(response: Response, status: number): Promise<string> {
  const body = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(status);
  expect(body.error.code).toBe(status);
  return String(body.error.message);
}

describe("keys with both an inference and a management key configured", () => {
  const mock = () => createMockOpenRouter({ apiKey: "sk-inference", managementKey: "sk-mgmt" });
  const post = (m: ReturnType<typeof mock>, key: string | undefined) =>
    m.fetch(`${BASE}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify(chat),
    });

  it("inference routes take the inference key, the management key, or a key created through POST /keys", async () => {
    const m = mock();
    expect((await post(m, "sk-inference")).status).toBe(200);
    expect((await post(m, "sk-mgmt")).status).toBe(200);
    const created = await m.fetch(`${BASE}/keys`, { method: "POST", headers: { authorization: "Bearer sk-mgmt", "content-type": "application/json" }, body: JSON.stringify({ name: "ci" }) });
    const secret = ((await created.json()) as { key: string }).key;
    expect((await post(m, secret)).status).toBe(200);
  });

  it("a missing key is 401 Missing Authentication header; an unknown one is 401 User not found", async () => {
    const m = mock();
    expect(await errorOf(await post(m, undefined), 401)).toMatch(/Missing Authentication header/);
    expect(await errorOf(await post(m, "sk-who"), 401)).toMatch(/User not found/);
  });

  it("management routes refuse the inference key with 403 and an unknown key with 401", async () => {
    const m = mock();
    expect(await errorOf(await m.fetch(`${BASE}/keys`, { headers: { authorization: "Bearer sk-inference" } }), 403)).toMatch(/Only management keys/);
    expect(await errorOf(await m.fetch(`${BASE}/keys`, { headers: { authorization: "Bearer sk-who" } }), 401)).toMatch(/User not found/);
    expect((await m.fetch(`${BASE}/keys`, { headers: { authorization: "Bearer sk-mgmt" } })).status).toBe(200);
  });

  it("public routes need no key", async () => {
    const m = mock();
    expect((await m.fetch(`${BASE}/models`)).status).toBe(200);
    expect((await m.fetch(`${BASE}/providers`)).status).toBe(200);
  });
});

describe("bodies the operation does not take", () => {
  it("a chat body that is not JSON, sent without a content type, is 400 Invalid JSON body", async () => {
    const m = createMockOpenRouter();
    const response = await m.fetch(`${BASE}/chat/completions`, { method: "POST", body: new TextEncoder().encode("not json") });
    expect(await errorOf(response, 400)).toMatch(/Invalid JSON body/);
  });

  it("a JSON array is not a request object", async () => {
    const m = createMockOpenRouter();
    const response = await m.fetch(`${BASE}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: "[1]" });
    expect(await errorOf(response, 400)).toMatch(/Invalid JSON body/);
  });

  it("an empty chat or embeddings POST is 400", async () => {
    const m = createMockOpenRouter();
    expect(await errorOf(await m.fetch(`${BASE}/chat/completions`, { method: "POST" }), 400)).toMatch(/Invalid JSON body/);
    expect(await errorOf(await m.fetch(`${BASE}/embeddings`, { method: "POST" }), 400)).toMatch(/Invalid JSON body/);
  });

  it("a multipart body that does not parse is 400 Invalid multipart/form-data body", async () => {
    const m = createMockOpenRouter();
    const response = await m.fetch(`${BASE}/files`, { method: "POST", headers: { "content-type": "multipart/form-data; boundary=xyz" }, body: "garbage without parts" });
    expect(await errorOf(response, 400)).toMatch(/Invalid multipart\/form-data body/);
  });

  it("raw bytes of another content type to a multipart operation name the accepted type", async () => {
    const m = createMockOpenRouter();
    const response = await m.fetch(`${BASE}/files`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: new Uint8Array([1, 2, 3]) });
    const message = await errorOf(response, 400);
    expect(message).toContain("application/octet-stream");
    expect(message).toContain("multipart/form-data");
  });

  it("JSON to a multipart-only operation is refused with the accepted type", async () => {
    const m = createMockOpenRouter();
    const response = await m.fetch(`${BASE}/files`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ file: "x" }) });
    expect(await errorOf(response, 400)).toContain("multipart/form-data");
  });
});

describe("generations and validation", () => {
  it("content of an unknown generation is 404; of a served one, its messages and completion", async () => {
    const m = createMockOpenRouter({ scenarios: [{ reply: "Hello there" }] });
    expect(await errorOf(await m.fetch(`${BASE}/generation/content?id=gen-nope`), 404)).toContain("gen-nope");
    const served = await m.fetch(`${BASE}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(chat) });
    const id = ((await served.json()) as { id: string }).id;
    const content = await m.fetch(`${BASE}/generation/content?id=${id}`);
    const body = await content.json();
    expect(validateResponse("GET", "/generation/content", 200, body).errors).toBe("");
    expect(body.data.output.completion).toBe("Hello there");
  });

  it("feedback on an unknown generation is 404", async () => {
    const m = createMockOpenRouter();
    const response = await m.fetch(`${BASE}/generation/feedback`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ generation_id: "gen-nope", category: "other" }) });
    expect(await errorOf(response, 404)).toContain("gen-nope");
  });

  it("validate: false lets a request the spec refuses through to its answer", async () => {
    const strict = createMockOpenRouter();
    const loose = createMockOpenRouter({ validate: false });
    const bad = { model: "openai/gpt-4o-mini", input: "Hello", voice: "alloy", volume: 11 };
    const send = (m: ReturnType<typeof createMockOpenRouter>) =>
      m.fetch(`${BASE}/audio/speech`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(bad) });
    expect((await send(strict)).status).toBe(400);
    const answered = await send(loose);
    expect(answered.status).toBe(200);
    expect(answered.headers.get("content-type")).toBe("audio/mpeg");
  });
});
