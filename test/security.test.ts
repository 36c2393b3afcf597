/**
 * The API key must never appear in an error (message, properties, cause chain, toString, JSON, inspect) or in
 * the client object itself, whatever path the failure took.
 */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { OpenRouter, isOpenRouterError } from "../src/index.js";
import { loadFixture, replayFetch } from "./helpers/fixtures.js";

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

async function failure(fetch: typeof globalThis.fetch, run?: (c: OpenRouter) => Promise<unknown>): Promise<unknown> {
  const client = new OpenRouter({ apiKey: KEY, fetch, timeoutMs: 200, retry: false });
  const error = await (run ? run(client) : client.chat({ model: "a/b", messages })).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeDefined();
  return error;
}

describe("the API key never leaks", () => {
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

  it("when a fetch implementation puts the request (with its headers) in its error", async () => {
    const fetch = (async (_url: unknown, init?: RequestInit) => {
      const auth = new Headers(init?.headers).get("authorization");
      throw new TypeError(`request failed: authorization=${auth}`, { cause: new Error(`socket hang up (${auth})`) });
    }) as typeof globalThis.fetch;
    const error = await failure(fetch);
    expectNoKey(error);
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
