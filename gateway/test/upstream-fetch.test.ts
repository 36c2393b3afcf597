/**
 * The gateway's keep-alive upstream fetch behaves like fetch where the client relies on it: status, headers
 * and body; a streamed body read piece by piece; abort; a refused connection as a fetch failure.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenRouter, isOpenRouterError } from "openrouter-fetch";
import { keepAliveFetch } from "../src/upstream-fetch.js";

let server: Server;
let base: string;
const sockets = new Set<unknown>();

beforeAll(async () => {
  server = createServer((req, res) => {
    sockets.add(req.socket);
    let body = "";
    req.on("data", (d: Buffer) => (body += d));
    req.on("end", () => {
      if (req.url === "/echo") return void res.writeHead(201, { "content-type": "application/json", "x-a": "1" }).end(JSON.stringify({ method: req.method, body, auth: req.headers["authorization"] }));
      if (req.url === "/stream") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write("data: 1\n\n");
        setTimeout(() => res.end("data: 2\n\n"), 50);
        return;
      }
      if (req.url === "/burst") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        for (let i = 0; i < 5; i++) res.write(`data: ${i}\n\n`);
        setTimeout(() => res.end("data: end\n\n"), 50);
        return;
      }
      if (req.url === "/hang") return; // never answers
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("keepAliveFetch", () => {
  const f = keepAliveFetch();

  it("sends method, headers and body; returns status, headers and body; reuses the connection", async () => {
    for (let i = 0; i < 3; i++) {
      const res = await f(`${base}/echo`, { method: "POST", headers: { authorization: "Bearer t" }, body: "héllo" });
      expect(res.status).toBe(201);
      expect(res.headers.get("x-a")).toBe("1");
      expect(await res.json()).toEqual({ method: "POST", body: "héllo", auth: "Bearer t" });
    }
    expect(sockets.size).toBe(1);
    const empty = await f(`${base}/none`);
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it("streams the body as it arrives", async () => {
    const res = await f(`${base}/stream`);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe("data: 1\n\n");
    let rest = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toBe("data: 2\n\n");
  });

  it("hands on what arrived in one network read as one chunk, without waiting for more", async () => {
    const res = await f(`${base}/burst`);
    const reader = res.body!.getReader();
    // Five writes of one tick: Node's parser emits them as five pieces; the body joins them.
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: 0\n\ndata: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\n");
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: end\n\n");
    expect((await reader.read()).done).toBe(true);
  });

  it("rejects when aborted, and a refused connection as a fetch failure the client maps to ConnectionError", async () => {
    const ac = new AbortController();
    const pending = f(`${base}/hang`, { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    const client = new OpenRouter({ apiKey: "k", baseUrl: "http://127.0.0.1:1/api/v1", fetch: f, retry: false });
    const error = await client.chat({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(isOpenRouterError(error) && error.kind).toBe("network");
  });
});
