/**
 * `client.keys` against the stand-in, which checks the key each operation needs (management operations answer
 * 401 without a key and 403 to an inference key): the whole lifecycle with the client's management key or one
 * given per call, typed errors with nothing sent for bad input or a missing key, and the created key's secret
 * kept out of its result's JSON and inspect output and out of every later error, hook payload and span.
 */
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  AuthenticationError,
  InvalidArgumentError,
  InvalidResponseError,
  NotFoundError,
  OpenRouter,
  type OpenRouterOptions,
  PermissionDeniedError,
} from "../../src/index.js";
import { createMockOpenRouter } from "../../src/testing/index.js";
import type { SpanLike, TracerLike } from "../../src/core/resilience/span.js";

const KEY = "sk-or-v1-inference-0123456789abcdef0123456789abcdef";
const MGMT = "sk-or-v1-management-fedcba9876543210fedcba98765432";

function setup(options: OpenRouterOptions = {}) {
  const mock = createMockOpenRouter({ apiKey: KEY, managementKey: MGMT });
  const client = new OpenRouter({ apiKey: KEY, managementKey: MGMT, fetch: mock.fetch, retry: false, ...options });
  return { mock, client };
}

beforeEach(() => {
  // The default comes from the environment; these tests decide for themselves.
  vi.stubEnv("OPENROUTER_MANAGEMENT_KEY", undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe("client.keys", () => {
  it("creates, lists, reads, changes and deletes a key with the client's management key", async () => {
    const { mock, client } = setup();
    const created = await client.keys.create({ name: "ci", limit: 5 });
    expect(created.key).toMatch(/^sk-or-v1-[0-9a-f]{64}$/);
    expect(created.data).toMatchObject({ name: "ci", limit: 5, disabled: false });
    const hash = created.data.hash;

    expect((await client.keys.list()).data.map((k) => k.hash)).toEqual([hash]);
    expect((await client.keys.get(hash)).data.name).toBe("ci");
    const updated = await client.keys.update(hash, { name: "ci-2", disabled: true });
    expect(updated.data).toMatchObject({ name: "ci-2", disabled: true });
    // Disabled keys are listed only on request; the boolean goes out as the query text the API reads.
    expect((await client.keys.list()).data).toEqual([]);
    expect((await client.keys.list({ include_disabled: true, offset: 0 })).data).toHaveLength(1);
    expect(await client.keys.delete(hash)).toEqual({ deleted: "true" });
    await expect(client.keys.get(hash)).rejects.toBeInstanceOf(NotFoundError);

    expect(mock.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "POST /keys 201",
      "GET /keys 200",
      `GET /keys/${hash} 200`,
      `PATCH /keys/${hash} 200`,
      "GET /keys 200",
      "GET /keys?include_disabled=true&offset=0 200",
      `DELETE /keys/${hash} 200`,
      `GET /keys/${hash} 404`,
    ]);
  });

  it("takes the management key per call, and the environment's by default", async () => {
    const mock = createMockOpenRouter({ apiKey: KEY, managementKey: MGMT });
    const client = new OpenRouter({ apiKey: KEY, fetch: mock.fetch, retry: false });
    expect((await client.keys.list({}, { managementKey: MGMT })).data).toEqual([]);
    vi.stubEnv("OPENROUTER_MANAGEMENT_KEY", MGMT);
    const fromEnv = new OpenRouter({ apiKey: KEY, fetch: mock.fetch, retry: false });
    expect((await fromEnv.keys.list()).data).toEqual([]);
    expect(mock.requests.map((r) => r.status)).toEqual([200, 200]);
  });

  it("fails with AuthenticationError before sending when there is no management key, saying what to pass", async () => {
    const mock = createMockOpenRouter({ apiKey: KEY, managementKey: MGMT });
    const client = new OpenRouter({ apiKey: KEY, fetch: mock.fetch });
    const error = await client.keys.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toMatch(/keys\.list\(\) needs a management key: pass \{ managementKey \}.*OPENROUTER_MANAGEMENT_KEY \(GET \/keys\)/);
    await expect(client.keys.create({ name: "x" })).rejects.toBeInstanceOf(AuthenticationError);
    expect(mock.requests).toHaveLength(0);
  });

  it("maps the server's refusals to typed errors: an inference key gets 403, an unknown key 401", async () => {
    const { client } = setup();
    await expect(client.keys.list(undefined, { managementKey: KEY })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(client.keys.list(undefined, { managementKey: "sk-or-v1-not-a-key-at-all-000000" })).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("refuses bad input with InvalidArgumentError and sends nothing", async () => {
    const { mock, client } = setup();
    const bad: Array<() => Promise<unknown>> = [
      () => client.keys.create({} as never),
      () => client.keys.create({ name: "  " }),
      () => client.keys.create(null as never),
      () => client.keys.get(""),
      () => client.keys.get(42 as never),
      () => client.keys.update("abc", null as never),
      () => client.keys.delete(undefined as never),
      () => client.keys.list({ offset: -1 }),
      () => client.keys.list({ offset: 1.5 }),
      () => client.keys.list({ include_disabled: 3 as never }),
      () => client.keys.list([] as never),
      () => client.keys.list({}, { managementKey: "" }),
      () => client.keys.list({}, { managementKey: `${MGMT}\n` }),
      () => client.keys.list({}, { timeoutMs: -1 }),
      () => client.keys.create({ name: "x", limit: 10n as never }),
    ];
    for (const call of bad) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).not.toContain(MGMT);
    }
    expect(mock.requests).toHaveLength(0);
  });

  it("checks the management key option at construction, without quoting it", () => {
    expect(() => new OpenRouter({ managementKey: "" })).toThrow(InvalidArgumentError);
    expect(() => new OpenRouter({ managementKey: 7 as never })).toThrow(/managementKey must be a non-empty string/);
    const error = (() => {
      try {
        new OpenRouter({ managementKey: `${MGMT}\r\n` });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error!.message).toMatch(/managementKey contains a line break/);
    expect(error!.message).not.toContain(MGMT);
    // A management key alone also keeps plain http to another machine out.
    expect(() => new OpenRouter({ managementKey: MGMT, baseUrl: "http://example.com/api/v1" })).toThrow(/plain http/);
  });

  it("keeps the management key out of the client's JSON and inspect output", () => {
    const { client } = setup();
    expect(JSON.stringify(client)).not.toContain(MGMT);
    expect(inspect(client, { depth: 5, showHidden: true })).not.toContain(MGMT);
  });

  it("an answer without the secret is an InvalidResponseError, not a key of \"undefined\"", async () => {
    const fetch = (async () => new Response(JSON.stringify({ data: { hash: "h" } }), { status: 201 })) as typeof globalThis.fetch;
    const client = new OpenRouter({ managementKey: MGMT, fetch, retry: false });
    await expect(client.keys.create({ name: "x" })).rejects.toBeInstanceOf(InvalidResponseError);
  });
});

describe("the created key's secret", () => {
  it("is read as created.key, and shown as [REDACTED] by JSON, inspect and Object.keys", async () => {
    const { client } = setup();
    const created = await client.keys.create({ name: "shown-once" });
    const secret = created.key;
    expect(secret.length).toBeGreaterThan(20);
    expect(Object.keys(created)).toEqual(["data"]);
    expect(JSON.stringify(created)).not.toContain(secret);
    expect(JSON.parse(JSON.stringify(created))).toMatchObject({ key: "[REDACTED]", data: { name: "shown-once" } });
    expect(inspect(created, { depth: 10 })).not.toContain(secret);
    expect(inspect(created, { depth: 10 })).toContain("[REDACTED]");
    expect(`${JSON.stringify({ created })}`).not.toContain(secret);
  });

  it("never appears in an error, hook payload or span of a later call whose server echoes it", async () => {
    const mock = createMockOpenRouter({ apiKey: KEY, managementKey: MGMT });
    let secret = "";
    // After the key exists, reading it fails with a 500 whose body repeats the secret in every field it can.
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      if (request.method === "GET" && /\/keys\/[0-9a-f]{64}$/.test(request.url)) {
        const body = { error: { code: 500, message: `internal: key ${secret} broke`, metadata: { raw: `{"key":"${secret}"}`, provider_name: secret } } };
        return new Response(JSON.stringify(body), { status: 500, headers: { "content-type": "application/json", "x-echo": secret } });
      }
      return mock.fetch(request);
    }) as typeof globalThis.fetch;
    const payloads: unknown[] = [];
    const record = (event: unknown) => void payloads.push(event);
    const spans: unknown[] = [];
    const tracer: TracerLike = {
      startSpan(name, options) {
        const span = { name, attributes: { ...options?.attributes }, events: [] as unknown[], status: undefined as unknown, exceptions: [] as unknown[] };
        spans.push(span);
        const like: SpanLike = {
          setAttribute: (k, v) => void (span.attributes[k] = v),
          addEvent: (n, a) => void span.events.push({ n, a }),
          setStatus: (s) => void (span.status = s),
          recordException: (e) => void span.exceptions.push({ name: e.name, message: e.message, stack: (e as Error).stack }),
          end: () => undefined,
        };
        return like;
      },
    };
    const client = new OpenRouter({
      apiKey: KEY,
      managementKey: MGMT,
      fetch,
      retry: { maxRetries: 1, baseDelayMs: 1 },
      sleep: async () => undefined,
      hooks: { onRequest: record, onResponse: record, onError: record, onRetry: record, onResult: record, includeContent: true },
      telemetry: { tracer, includeContent: true },
    });
    const created = await client.keys.create({ name: "echoed" });
    secret = created.key;

    const error = await client.keys.get(created.data.hash).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as { attempts?: number }).attempts).toBe(2);

    const rendered = [
      String(error),
      (error as Error).stack ?? "",
      JSON.stringify(error),
      inspect(error, { depth: 10, showHidden: true }),
      inspect((error as Error).cause, { depth: 10, showHidden: true }),
      ...payloads.map((p) => inspect(p, { depth: 10, showHidden: true })),
      ...payloads.map((p) => JSON.stringify(p)),
      inspect(spans, { depth: 10 }),
      JSON.stringify(spans),
    ];
    expect(payloads.length).toBeGreaterThan(4);
    expect(spans.length).toBeGreaterThan(1);
    for (const text of rendered) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(MGMT);
      expect(text).not.toContain(KEY);
    }
    // The error still says what happened.
    expect((error as Error).message).toMatch(/internal: key \[REDACTED\] broke/);
  });
});
