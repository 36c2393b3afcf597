/**
 * Which key `client.api` sends: the generated table of management operations agrees with the spec's security
 * on every operation (the stand-in reads the same spec independently), the pattern compiler on small tables,
 * and, through `new OpenRouter(...)` against the stand-in, the management key on management operations, the
 * API key elsewhere, the caller's choice by header or by an `Authorization` of their own, and typed errors,
 * with nothing sent, for a bad choice or a management key asked for and missing.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AuthenticationError, InvalidArgumentError, OpenRouter } from "../../src/index.js";
import { MANAGEMENT_OPERATIONS } from "../../src/generated/management.js";
import { createMockOpenRouter } from "../../src/testing/index.js";
import { loadSpecDocument } from "../../src/testing/validate.js";
import { specOperations } from "../../src/testing/spec-operations.js";
import { managementPatternSource, type OperationSecurity } from "../../scripts/generate-security.js";

const KEY = "sk-or-v1-inference-0123456789abcdef0123456789abcdef";
const MGMT = "sk-or-v1-management-fedcba9876543210fedcba98765432";

beforeEach(() => {
  vi.stubEnv("OPENROUTER_MANAGEMENT_KEY", undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe("MANAGEMENT_OPERATIONS (generated from the spec)", () => {
  it("matches exactly the operations whose security is managementKey", async () => {
    const doc = await loadSpecDocument();
    const operations = specOperations(doc!).operations;
    expect(operations.length).toBeGreaterThan(90);
    const mismatches = operations
      .map((op) => ({ op, path: op.path.replace(/\{[^}]+\}/g, "x1") }))
      .filter(({ op, path }) => MANAGEMENT_OPERATIONS.test(`${op.method} ${path}`) !== (op.key === "management"))
      .map(({ op }) => `${op.method} ${op.path} (${op.key})`);
    expect(mismatches).toEqual([]);
    expect(operations.filter((op) => op.key === "management").length).toBeGreaterThan(40);
  });

  it("does not match near misses of a management area", () => {
    for (const request of ["GET /key", "GET /keysmith", "GET /generation/content", "GET /generation", "POST /credits/coinbase", "GET /credits/x"]) {
      expect(MANAGEMENT_OPERATIONS.test(request), request).toBe(false);
    }
    for (const request of ["GET /keys", "DELETE /keys/abc", "POST /guardrails/g1/assignments/keys/remove", "GET /credits", "POST /generation/feedback"]) {
      expect(MANAGEMENT_OPERATIONS.test(request), request).toBe(true);
    }
  });
});

describe("managementPatternSource", () => {
  const op = (method: string, path: string, management: boolean): OperationSecurity => ({ method, path, management });
  const cases: Array<{ given: OperationSecurity[]; yes: string[]; no: string[] }> = [
    // A whole area becomes one prefix.
    { given: [op("GET", "/a", true), op("GET", "/a/{id}", true), op("GET", "/b", false)], yes: ["GET /a", "PUT /a/1/deep"], no: ["GET /b", "GET /ab"] },
    // A mixed area lists its management paths; a mixed path lists its methods.
    {
      given: [op("GET", "/g", false), op("GET", "/g/{id}", true), op("GET", "/g/{id}/x", false), op("POST", "/g/{id}/x", true)],
      yes: ["GET /g/1", "POST /g/1/x"],
      no: ["GET /g", "GET /g/1/x", "GET /g/1/2"],
    },
    // No management operation: matches nothing.
    { given: [op("GET", "/a", false)], yes: [], no: ["GET /a", ""] },
  ];
  it.each(cases)("compiles $given.length operations", ({ given, yes, no }) => {
    const pattern = new RegExp(managementPatternSource(given));
    for (const request of yes) expect(pattern.test(request), request).toBe(true);
    for (const request of no) expect(pattern.test(request), request).toBe(false);
  });
});

/** A client on the stand-in, and the Authorization header of each request that reached it. */
function setup(options: { managementKey?: string } = {}) {
  const mock = createMockOpenRouter({ apiKey: KEY, managementKey: MGMT });
  const sent: Array<{ path: string; auth: string | null; kind: string | null }> = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    sent.push({ path: new URL(request.url).pathname.replace("/api/v1", ""), auth: request.headers.get("authorization"), kind: request.headers.get("x-openrouter-key-kind") });
    return mock.fetch(request);
  }) as typeof globalThis.fetch;
  const client = new OpenRouter({ apiKey: KEY, fetch, retry: false, ...options });
  return { client, sent };
}

describe("client.api picks the key per operation", () => {
  it("sends the management key to management operations and the API key to the others", async () => {
    const { client, sent } = setup({ managementKey: MGMT });
    expect((await client.api.GET("/guardrails")).response.status).toBe(200);
    expect((await client.api.GET("/workspaces")).response.status).toBe(200);
    expect((await client.api.GET("/credits")).response.status).toBe(200);
    expect((await client.api.GET("/key")).response.status).toBe(200);
    expect((await client.api.GET("/presets")).response.status).toBe(200);
    expect(sent.map((s) => `${s.path} ${s.auth === `Bearer ${MGMT}` ? "management" : s.auth === `Bearer ${KEY}` ? "inference" : s.auth}`)).toEqual([
      "/guardrails management",
      "/workspaces management",
      "/credits management",
      "/key inference",
      "/presets inference",
    ]);
  });

  it("without a management key, sends the API key and hands back OpenRouter's 403 as { error }", async () => {
    const { client, sent } = setup();
    const { data, error, response } = await client.api.GET("/guardrails");
    expect(data).toBeUndefined();
    expect(response.status).toBe(403);
    expect(JSON.stringify(error)).toMatch(/management keys/i);
    expect(sent[0]!.auth).toBe(`Bearer ${KEY}`);
  });

  it("x-openrouter-key-kind picks the key for one request and is never sent", async () => {
    const { client, sent } = setup({ managementKey: MGMT });
    const inference = await client.api.GET("/guardrails", { headers: { "x-openrouter-key-kind": "inference" } });
    expect(inference.response.status).toBe(403);
    const management = await client.api.GET("/key", { headers: { "x-openrouter-key-kind": "management" } });
    expect(management.response.status).toBe(200);
    expect(sent.map((s) => s.auth)).toEqual([`Bearer ${KEY}`, `Bearer ${MGMT}`]);
    expect(sent.map((s) => s.kind)).toEqual([null, null]);
  });

  it("an Authorization header of the caller's own wins", async () => {
    const { client, sent } = setup({ managementKey: "sk-or-v1-some-other-management-key-00" });
    const { response } = await client.api.GET("/keys", { headers: { authorization: `Bearer ${MGMT}` } });
    expect(response.status).toBe(200);
    expect(sent[0]!.auth).toBe(`Bearer ${MGMT}`);
  });

  it("asking for the management key without one, or for an unknown kind, is a typed error before sending", async () => {
    const { client, sent } = setup();
    const missing = await client.api.GET("/key", { headers: { "x-openrouter-key-kind": "management" } }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(AuthenticationError);
    expect((missing as Error).message).toMatch(/No management key: pass \{ managementKey \}.*\(GET \/key\)/);
    await expect(client.api.GET("/keys", { headers: { "x-openrouter-key-kind": "admin" } })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(sent).toHaveLength(0);
  });

  it("keeps the management key out of a failed management call's error", async () => {
    const mock = createMockOpenRouter({ apiKey: KEY, managementKey: "sk-or-v1-the-real-management-key-000" });
    const client = new OpenRouter({ apiKey: KEY, managementKey: MGMT, fetch: mock.fetch, retry: false });
    const { error, response } = await client.api.GET("/keys");
    expect(response.status).toBe(401);
    expect(JSON.stringify(error)).not.toContain(MGMT);
  });

  it("scrubs the management key from an error body the server echoes back to client.api", async () => {
    const fetch = (async () =>
      new Response(JSON.stringify({ error: { code: 403, message: `key ${MGMT} may not do this`, metadata: { raw: MGMT } } }), { status: 403 })) as typeof globalThis.fetch;
    const client = new OpenRouter({ apiKey: KEY, managementKey: MGMT, fetch, retry: false });
    const { error, response } = await client.api.GET("/workspaces");
    expect(response.status).toBe(403);
    expect(JSON.stringify(error)).toContain("[REDACTED]");
    expect(JSON.stringify(error)).not.toContain(MGMT);
  });
});
