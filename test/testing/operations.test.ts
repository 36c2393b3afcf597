/**
 * The stand-in serves every operation of the spec (src/testing/mock-handler.ts, spec-operations.ts,
 * synthesize.ts): for each operation of the assembled spec, a valid request gets the operation's success
 * status and a body that validates against the operation's success schema (or, for binary answers, bytes of
 * the declared media type). This is the coverage proof: a new operation in the spec is tested here at once.
 * Also: bad requests are refused with the documented error shape, and keys are checked per security scheme.
 */
import { describe, expect, it } from "vitest";
import { createMockOpenRouter } from "../../src/testing/index.js";
import { listOperations, validateResponse } from "../helpers/spec.js";
import { BASE, INFERENCE_KEY, MANAGEMENT_KEY, prepareState, requestFor } from "./requests.js";

const operations = listOperations();

function standIn() {
  return createMockOpenRouter({ apiKey: INFERENCE_KEY, managementKey: MANAGEMENT_KEY, now: () => 1_780_000_000_000 });
}

describe("every operation of the spec", () => {
  it("lists all the spec's operations (98 today), so the table below covers them all", () => {
    expect(operations.length).toBeGreaterThanOrEqual(98);
  });

  it.each(operations.map((o) => [`${o.method} ${o.path}`, o] as const))("%s is served and its answer validates", async (_, o) => {
    const mock = standIn();
    const state = await prepareState(mock);
    const response = await mock.fetch(requestFor(o.method, o.path, state));
    const text = await response.clone().text();
    const success = o.statuses.find((s) => /^2\d\d$/.test(s)) ?? "200";
    expect(response.status, text.slice(0, 600)).toBe(Number(success));
    const type = response.headers.get("content-type") ?? "";
    if (o.successContentTypes.some((t) => t.includes("json"))) {
      expect(type).toContain("application/json");
      const result = validateResponse(o.method, o.path, response.status, JSON.parse(text));
      expect(result.errors).toBe("");
    } else if (o.successContentTypes.length > 0) {
      // Binary answers: the declared media type (audio/* matches any audio type) and some bytes.
      const declared = o.successContentTypes[0]!;
      expect(type.startsWith(declared.replace("*", ""))).toBe(true);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
  });
});

describe("bad requests get the documented error shape", () => {
  const json = (body: unknown, key = MANAGEMENT_KEY) => ({
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

  it("refuses a body that breaks the request schema with 400 and the issues", async () => {
    const mock = standIn();
    const response = await mock.fetch(`${BASE}/keys`, json({ name: "", unknown_field: 1 }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: number; message: string; metadata: { issues: unknown[] } } };
    expect(validateResponse("POST", "/keys", 400, body).errors).toBe("");
    expect(body.error.code).toBe(400);
    expect(body.error.message).toMatch(/^Invalid request: /);
    expect(body.error.metadata.issues.length).toBeGreaterThan(0);
  });

  it("refuses a missing required query parameter and a parameter of the wrong type", async () => {
    const mock = standIn();
    const auth = { headers: { authorization: `Bearer ${MANAGEMENT_KEY}` } };
    const missing = await mock.fetch(`${BASE}/scim/group-mappings/abc`, { ...auth, method: "DELETE" });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain("/query/keep_members");
    const wrongType = await mock.fetch(`${BASE}/files?limit=lots`, { headers: { authorization: `Bearer ${INFERENCE_KEY}` } });
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { error: { message: string } }).error.message).toContain("/query/limit");
  });

  it("refuses a multipart upload without its required file part", async () => {
    const mock = standIn();
    const form = new FormData();
    form.append("purpose", "user_data");
    const response = await mock.fetch(`${BASE}/files`, { method: "POST", headers: { authorization: `Bearer ${INFERENCE_KEY}` }, body: form });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string } };
    expect(validateResponse("POST", "/files", 400, body).errors).toBe("");
    expect(body.error.message).toContain("file");
  });

  it("refuses a text field where a file part is required", async () => {
    const mock = standIn();
    const form = new FormData();
    form.append("file", "not a file");
    const response = await mock.fetch(`${BASE}/files`, { method: "POST", headers: { authorization: `Bearer ${INFERENCE_KEY}` }, body: form });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("/file: must be a file part");
  });

  it("answers a bad Messages request in Anthropic's error envelope", async () => {
    const mock = standIn();
    const response = await mock.fetch(`${BASE}/messages`, json({ model: "anthropic/claude-haiku-4.5" }, INFERENCE_KEY));
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(validateResponse("POST", "/messages", 400, body).errors).toBe("");
    expect(body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });

  it("answers 405 for a known path with another method, 404 for an unknown path", async () => {
    const mock = standIn();
    const auth = { authorization: `Bearer ${INFERENCE_KEY}` };
    expect((await mock.fetch(`${BASE}/videos/models`, { method: "DELETE", headers: auth })).status).toBe(405);
    expect((await mock.fetch(`${BASE}/no/such/route`, { headers: auth })).status).toBe(404);
  });
});

describe("keys per security scheme", () => {
  it("management operations need the management key: 401 without a key, 403 with the inference key", async () => {
    const mock = standIn();
    const none = await mock.fetch(`${BASE}/keys`);
    expect(none.status).toBe(401);
    expect(validateResponse("GET", "/keys", 401, await none.json()).errors).toBe("");
    const inference = await mock.fetch(`${BASE}/guardrails`, { headers: { authorization: `Bearer ${INFERENCE_KEY}` } });
    expect(inference.status).toBe(403);
    const wrong = await mock.fetch(`${BASE}/workspaces`, { headers: { authorization: "Bearer sk-or-v1-nobody" } });
    expect(wrong.status).toBe(401);
    expect((await mock.fetch(`${BASE}/keys`, { headers: { authorization: `Bearer ${MANAGEMENT_KEY}` } })).status).toBe(200);
  });

  it("inference operations take the inference key, and public ones need none", async () => {
    const mock = standIn();
    expect((await mock.fetch(`${BASE}/files`)).status).toBe(401);
    expect((await mock.fetch(`${BASE}/files`, { headers: { authorization: `Bearer ${INFERENCE_KEY}` } })).status).toBe(200);
    expect((await mock.fetch(`${BASE}/providers`)).status).toBe(200);
  });

  it("without a managementKey option, management operations keep the plain apiKey rule", async () => {
    const mock = createMockOpenRouter({ apiKey: INFERENCE_KEY });
    expect((await mock.fetch(`${BASE}/keys`, { headers: { authorization: `Bearer ${INFERENCE_KEY}` } })).status).toBe(200);
    expect((await mock.fetch(`${BASE}/keys`)).status).toBe(401);
  });
});
