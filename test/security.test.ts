/**
 * The API key must never appear in an error (message, properties, cause chain, toString, JSON, inspect) or in
 * the client object itself, whatever path the failure took. The suites run on both transports (on the Node
 * transport, the same handlers answer through a loopback server).
 */
import { inspect } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { OpenRouter, isOpenRouterError } from "../src/index.js";
import { loadFixture, replayFetch } from "./helpers/fixtures.js";
import { type FetchHandler, TRANSPORTS, type TransportCase } from "./helpers/transports.js";

const KEY = "sk-or-v1-secret-5f0c1d2e3b4a59687766554433221100";
const messages = [{ role: "user" as const, content: "Hi" }];

/** Every way a developer or a logger might render an error, following the cause chain. */
export function renderings(error: unknown): string[] {
  const out: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    out.push(String(current));
    out.push(inspect(current, { depth: 10, showHidden: true }));
    try {
      out.push(JSON.stringify(current));
    } catch {
      /* circular: inspect covered it */
    }
    if (current instanceof Error) out.push(current.stack ?? "", current.message);
    if (typeof current === "object") for (const value of Object.values(current as object)) out.push(inspect(value, { depth: 10 }));
    current = (current as { cause?: unknown }).cause;
  }
  return out;
}

function expectNoKey(error: unknown) {
  for (const text of renderings(error)) {
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(KEY.slice(6)); // without the sk-or- prefix
  }
}

/** The transport the running tests use. */
let current: TransportCase = TRANSPORTS[0]!;

async function failure(fetch: FetchHandler, run?: (c: OpenRouter) => Promise<unknown>): Promise<unknown> {
  const client = new OpenRouter({ apiKey: KEY, ...current.serve(fetch), timeoutMs: 200, retry: false });
  const error = await (run ? run(client) : client.chat({ model: "a/b", messages })).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeDefined();
  return error;
}

describe.each(TRANSPORTS)("the API key never leaks, on the $name transport", (t) => {
  beforeAll(() => {
    current = t;
  });

  it("through recorded error responses (401, 402, 429, provider errors)", async () => {
    for (const name of ["error-401-01.json", "unverified/error-402-01.json", "error-429-02.json", "error-400-provider-01.json", "error-403-provider-01.json"]) {
      const error = await failure(replayFetch(loadFixture(name)).fetch);
      expect(isOpenRouterError(error)).toBe(true);
      expectNoKey(error);
    }
  });

  it("when the upstream echoes the key back in its error body", async () => {
    const fetch = (async () =>
      new Response(JSON.stringify({ error: { code: 401, message: `Incorrect API key provided: ${KEY}`, metadata: { raw: `key=${KEY}` } } }), { status: 401 })) as typeof globalThis.fetch;
    const error = await failure(fetch);
    expectNoKey(error);
    expect(String(error)).toContain("[REDACTED]");
  });

  it("through timeouts, aborts and unreadable bodies", async () => {
    const never = (async (_url: unknown, init?: RequestInit) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)))) as typeof globalThis.fetch;
    expectNoKey(await failure(never));
    expectNoKey(await failure(never, (c) => c.chat({ messages }, { signal: AbortSignal.abort() })));
    const html = (async () => new Response("<html>502</html>", { status: 502 })) as typeof globalThis.fetch;
    expectNoKey(await failure(html));
    const garbage = (async () => new Response("not json", { status: 200 })) as typeof globalThis.fetch;
    expectNoKey(await failure(garbage));
  });

  it("through network failures (on the Node transport: undici's own errors, a connection reset)", async () => {
    const fetch = (async () => {
      throw new TypeError(`boom Bearer ${KEY}`);
    }) as typeof globalThis.fetch;
    expectNoKey(await failure(fetch));
    expectNoKey(await failure(fetch, (c) => c.api.GET("/models")));
    expectNoKey(await failure(fetch, (c) => c.chatStream({ model: "a/b", messages }).final()));
  });
});

describe("the API key never leaks from what a fetch implementation throws", () => {
  it("when a fetch implementation puts the request (with its headers) in its error", async () => {
    const fetch = (async (_url: unknown, init?: RequestInit) => {
      const auth = new Headers(init?.headers).get("authorization");
      throw new TypeError(`request failed: authorization=${auth}`, { cause: new Error(`socket hang up (${auth})`) });
    }) as typeof globalThis.fetch;
    const error = await failure(fetch);
    expectNoKey(error);
  });

  it("through client.api failures", async () => {
    const fetch = (async () => {
      throw new TypeError(`boom Bearer ${KEY}`);
    }) as typeof globalThis.fetch;
    expectNoKey(await failure(fetch, (c) => c.api.GET("/models")));
  });

  it("in the client object itself", () => {
    const client = new OpenRouter({ apiKey: KEY });
    expect(inspect(client, { depth: 10, showHidden: true })).not.toContain(KEY);
    expect(JSON.stringify(client)).not.toContain(KEY);
    expect(String(client)).not.toContain(KEY);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Every text built from what a server or the network layer returned, echoed with the key, through every
// place an error goes: the thrown error (all its renderings and its cause chain), hook payloads and spans.

/** Everything a logger could print of a value: inspect at full depth (with and without hidden fields), JSON. */
function deepRenderings(value: unknown): string[] {
  const out = [inspect(value, { depth: Infinity }), inspect(value, { depth: Infinity, showHidden: true })];
  try {
    out.push(JSON.stringify(value) ?? "");
  } catch {
    /* circular: inspect covered it */
  }
  return out;
}

/** The thrown error's every rendering, its own fields one by one, and its whole cause chain the same way. */
function errorRenderings(error: unknown): string[] {
  const out = [...renderings(error)];
  for (let current: unknown = error, depth = 0; current != null && depth < 8; depth++) {
    out.push(...deepRenderings(current));
    if (current instanceof Error) out.push(String(current), current.message, current.stack ?? "");
    if (typeof current === "object") {
      const o = current as { toJSON?: () => unknown };
      if (typeof o.toJSON === "function") out.push(JSON.stringify(o.toJSON()));
      for (const key of Reflect.ownKeys(current)) out.push(...deepRenderings((current as Record<PropertyKey, unknown>)[key]));
    }
    current = (current as { cause?: unknown }).cause;
  }
  return out;
}

/** A tracer that keeps everything a span was told. */
function recordingTracer() {
  const seen: unknown[] = [];
  const tracer = {
    startSpan(name: string, options?: unknown) {
      seen.push(name, options);
      return {
        setAttribute: (k: string, v: unknown) => seen.push(k, v),
        addEvent: (n: string, a?: unknown) => seen.push(n, a),
        setStatus: (s: unknown) => seen.push(s),
        recordException: (e: unknown) => seen.push(e),
        end: () => undefined,
      };
    },
  };
  return { tracer, seen };
}

const SSE = { "content-type": "text/event-stream" };
const JSON_TYPE = { "content-type": "application/json" };
const sse = (...events: string[]) => events.map((e) => `data: ${e}\n\n`).join("");
const chunk = (extra: Record<string, unknown>) =>
  JSON.stringify({ id: "gen-1", object: "chat.completion.chunk", model: "a/b", choices: [{ index: 0, delta: { content: "so far" }, finish_reason: null }], ...extra });

/** A body that sends `first` and then fails the way a broken socket does, with the key in the error. */
function failingBody(first: string): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(new TextEncoder().encode(first));
        return;
      }
      controller.error(new TypeError(`terminated: other side closed (authorization: Bearer ${KEY})`, { cause: new Error(`socket ${KEY}`) }));
    },
  });
}

interface Echo {
  name: string;
  /** What the server answers (a new Response per call). */
  respond: () => Response;
  call: (c: OpenRouter) => Promise<unknown>;
}

const stream = (c: OpenRouter) => c.chatStream({ model: "a/b", messages }).final();
const chat = (c: OpenRouter) => c.chat({ model: "a/b", messages });

const ECHOES: Echo[] = [
  {
    name: "a 200 with an error envelope",
    respond: () => new Response(JSON.stringify({ error: { code: 503, message: `upstream said ${KEY}`, metadata: { raw: `{"error":"${KEY}"}`, provider_name: KEY } } }), { headers: JSON_TYPE }),
    call: chat,
  },
  {
    name: "a choice error",
    respond: () =>
      new Response(
        JSON.stringify({
          id: "gen-1",
          model: "a/b",
          choices: [{ index: 0, message: { role: "assistant", content: "partial answer" }, finish_reason: "error", error: { code: 502, message: `provider echoed ${KEY}`, metadata: { raw: KEY } } }],
        }),
        { headers: JSON_TYPE },
      ),
    call: chat,
  },
  {
    name: "an in-band stream error chunk",
    respond: () => new Response(sse(chunk({}), chunk({ error: { code: 502, message: `mid-stream ${KEY}`, metadata: { raw: KEY } }, choices: [{ index: 0, delta: {}, finish_reason: "error" }] })), { headers: SSE }),
    call: stream,
  },
  { name: "a 200 body that is not JSON", respond: () => new Response(`<html>key ${KEY}</html>`, { headers: { "content-type": "text/html" } }), call: chat },
  { name: "a 200 body of JSON cut short", respond: () => new Response(`{"echo": "${KEY}", "choices": [`, { headers: JSON_TYPE }), call: chat },
  { name: "a stream event that is not JSON", respond: () => new Response(sse(chunk({}), `not json ${KEY}`, "[DONE]"), { headers: SSE }), call: stream },
  { name: "a stream event that is not an object", respond: () => new Response(sse(chunk({}), JSON.stringify(`${KEY}`), "[DONE]"), { headers: SSE }), call: stream },
  { name: "a stream event whose key straddles the excerpt's cut", respond: () => new Response(sse(`${"x".repeat(100)} ${KEY}`, "[DONE]"), { headers: SSE }), call: stream },
  { name: "a JSON body on a stream that is not a completion", respond: () => new Response(JSON.stringify([KEY]), { headers: JSON_TYPE }), call: stream },
  { name: "the body stream of a chat failing", respond: () => new Response(failingBody(`{"id": "${KEY}"`), { headers: JSON_TYPE }), call: chat },
  { name: "the body stream of a stream failing", respond: () => new Response(failingBody(sse(chunk({}))), { headers: SSE }), call: stream },
  { name: "client.api on a 200 HTML page", respond: () => new Response(`<html>${KEY}</html>`, { headers: { "content-type": "text/html" } }), call: (c) => c.api.GET("/models") },
  { name: "models.list() on a 200 HTML page", respond: () => new Response(`<html>${KEY}</html>`, { headers: { "content-type": "text/html" } }), call: (c) => c.models.list() },
  { name: "generation() on a 200 HTML page", respond: () => new Response(`<html>${KEY}</html>`, { headers: { "content-type": "text/html" } }), call: (c) => c.generation("gen-1") },
  {
    name: "embed() on an in-band error",
    respond: () => new Response(JSON.stringify({ error: { code: 400, message: `bad ${KEY}` } }), { headers: JSON_TYPE }),
    call: (c) => c.embed("hi", { model: "a/e" }),
  },
];

describe.each(TRANSPORTS)("the API key never leaks through text the server sends back, on the $name transport", (t) => {
  for (const echo of ECHOES) {
    it(`through ${echo.name}: the error, its causes, hook payloads and spans`, async () => {
      const hookPayloads: unknown[] = [];
      const { tracer, seen } = recordingTracer();
      const record = (name: string) => (event: unknown) => void hookPayloads.push(name, event);
      const client = new OpenRouter({
        apiKey: KEY,
        ...t.serve(async () => echo.respond()),
        retry: { maxRetries: 1 },
        sleep: async () => {},
        hooks: { includeContent: true, onError: record("onError"), onRetry: record("onRetry"), onFallback: record("onFallback"), onResult: record("onResult") },
        telemetry: { tracer },
      });
      const error = await echo.call(client).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, "the call fails").toBeDefined();
      expect(isOpenRouterError(error), `a typed error, got ${String(error)}`).toBe(true);
      for (const text of errorRenderings(error)) {
        expect(text).not.toContain(KEY);
        expect(text).not.toContain(KEY.slice(6, 30));
        expect(text).not.toContain(KEY.slice(0, 16));
      }
      for (const text of [...deepRenderings(hookPayloads), ...deepRenderings(seen)]) {
        expect(text).not.toContain(KEY);
        expect(text).not.toContain(KEY.slice(6, 30));
      }
    });
  }

  it("keeps the model's own output on error.partial as the model produced it", async () => {
    const client = new OpenRouter({
      apiKey: KEY,
      retry: false,
      ...t.serve(async () =>
        new Response(
          JSON.stringify({ id: "gen-1", model: "a/b", choices: [{ index: 0, message: { role: "assistant", content: `the key is ${KEY}` }, finish_reason: "error", error: { code: 502, message: "cut" } }] }),
          { headers: JSON_TYPE },
        ),
      ),
    });
    const error = (await client.chat({ model: "a/b", messages }).catch((e: unknown) => e)) as { partial?: { text: string } };
    // The caller's data is untouched; only renderings of the error are scrubbed.
    expect(error.partial?.text).toBe(`the key is ${KEY}`);
    expect(inspect(error, { depth: Infinity })).not.toContain(KEY);
    expect(JSON.stringify(error)).not.toContain(KEY);
  });

  it("redacts a credential passed as an extra header instead of apiKey", async () => {
    const token = "proxy-token-0123456789abcdef";
    const client = new OpenRouter({
      headers: { "X-Api-Key": token },
      retry: false,
      ...t.serve(async () => new Response(`not json ${token}`, { status: 200 })),
    });
    const error = await client.chat({ model: "a/b", messages }).catch((e: unknown) => e);
    for (const text of errorRenderings(error)) expect(text).not.toContain(token);
  });
});
