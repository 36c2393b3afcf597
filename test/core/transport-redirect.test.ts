/**
 * Redirects (src/core/transport.ts): the client never follows one, so the Authorization key only ever goes to
 * `baseUrl`, whatever the fetch in use does with credentials on a redirect. Two loopback servers on different
 * ports are different origins: the second must never be reached.
 */
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { InvalidResponseError, OpenRouter } from "../../src/index.js";

const KEY = "sk-or-v1-redirect-test-0123456789abcdef";
const messages = [{ role: "user" as const, content: "Hi" }];
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Server B records the Authorization header of everything it receives; server A redirects to it. */
async function twoOrigins(status: number) {
  const seenByB: Array<string | null> = [];
  const b = await listen((req, res) => {
    seenByB.push(req.headers.authorization ?? null);
    res.setHeader("content-type", "application/json");
    res.end("{}");
  });
  let hitsOnA = 0;
  const a = await listen((req, res) => {
    hitsOnA++;
    res.writeHead(status, { location: `${b}${req.url}` });
    res.end();
  });
  return { a: `${a}/api/v1`, b, seenByB, hitsOnA: () => hitsOnA };
}

describe("redirects are never followed", () => {
  for (const status of [301, 302, 303, 307, 308]) {
    it(`a ${status} to another origin is a non-retryable InvalidResponseError; the other origin never sees the key`, async () => {
      const { a, b, seenByB, hitsOnA } = await twoOrigins(status);
      const client = new OpenRouter({ apiKey: KEY, baseUrl: a, retry: { maxRetries: 3 }, sleep: async () => {} });
      const error = await client.chat({ model: "openai/gpt-4o-mini", messages }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidResponseError);
      const e = error as InvalidResponseError;
      expect(e.retryable).toBe(false);
      expect(e.status).toBe(status);
      expect(e.message).toContain(`redirect to ${b}/api/v1/chat/completions`);
      expect(e.message).toMatch(/does not follow redirects/);
      expect(JSON.stringify(e)).not.toContain(KEY);
      expect(hitsOnA()).toBe(1);
      expect(seenByB).toEqual([]);
    });
  }

  it("streams, client.api and the model catalogue refuse redirects too", async () => {
    const { a, seenByB } = await twoOrigins(307);
    const client = new OpenRouter({ apiKey: KEY, baseUrl: a, retry: false });
    await expect(client.chatStream({ model: "openai/gpt-4o-mini", messages }).final()).rejects.toBeInstanceOf(InvalidResponseError);
    await expect(client.api.GET("/models")).rejects.toBeInstanceOf(InvalidResponseError);
    await expect(client.models.list()).rejects.toBeInstanceOf(InvalidResponseError);
    expect(seenByB).toEqual([]);
  });

  it("asks an injected fetch not to follow (redirect: \"manual\"), so a fetch that would forward the key is never given the chance", async () => {
    const modes: Array<RequestRedirect | undefined> = [];
    const client = new OpenRouter({
      apiKey: KEY,
      retry: false,
      fetch: (async (_input: RequestInfo | URL, init?: RequestInit) => {
        modes.push(init?.redirect);
        return new Response(null, { status: 302, headers: { location: "https://elsewhere.example/steal" } });
      }) as typeof fetch,
    });
    const error = await client.chat({ model: "openai/gpt-4o-mini", messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toContain("https://elsewhere.example/steal");
    expect(modes).toEqual(["manual"]);
  });
});
