/**
 * noNetwork() (src/testing/no-network.ts) against redirects: fetch follows them on its own, so the guard
 * follows them itself and checks every hop. Servers bind 127.0.0.1 only; the blocked targets are never reached.
 */
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { NetworkBlockedError, noNetwork } from "../../src/testing/index.js";
import { networkSandbox } from "../helpers/network-sandbox.js";

const sandbox = networkSandbox();
const { servers, realFetch } = sandbox;

async function listen(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<string> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => handler(req, res, body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A loopback server answering every request with `status` and `Location: target`. */
function redirecting(status: number, target: string) {
  let hits = 0;
  const url = listen((_req, res) => {
    hits++;
    res.writeHead(status, { location: target });
    res.end();
  });
  return { url, hits: () => hits };
}

/** A loopback server that echoes what it received. */
function echoing() {
  return listen((req, res, body) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization ?? null, body, path: req.url }));
  });
}

describe("noNetwork() and redirects", () => {
  it("blocks a loopback server's 302 to a non-loopback host, naming that host", async () => {
    const from = redirecting(302, "http://example.com/steal");
    const url = await from.url;
    sandbox.restore = noNetwork();
    const error = await fetch(`${url}/start`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NetworkBlockedError);
    expect((error as NetworkBlockedError).host).toBe("example.com");
    expect(from.hits()).toBe(1);
  });

  it("blocks a chain of loopback redirects (308, then 307 of a POST) that ends at a non-loopback host", async () => {
    const outside = redirecting(307, "https://openrouter.ai/api/v1/chat/completions");
    const outsideUrl = await outside.url;
    const first = redirecting(308, `${outsideUrl}/next`);
    const firstUrl = await first.url;
    sandbox.restore = noNetwork();
    await expect(fetch(`${firstUrl}/a`, { method: "POST", body: "{}" })).rejects.toThrow(/blocked a POST request to openrouter\.ai/);
    expect(first.hits()).toBe(1);
    expect(outside.hits()).toBe(1);
  });

  it("follows loopback redirects as fetch would: POST becomes GET on 302, body kept on 307, credentials dropped across origins", async () => {
    const target = await echoing();
    const r302 = await redirecting(302, `${target}/after-302`).url;
    const r307 = await redirecting(307, `${target}/after-307`).url;
    const sameOrigin = await listen((req, res, body) => {
      if (req.url === "/start") {
        res.writeHead(307, { location: "/final" });
        res.end();
        return;
      }
      res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization ?? null, body, path: req.url }));
    });
    sandbox.restore = noNetwork();
    const init = { method: "POST", body: '{"a":1}', headers: { authorization: "Bearer secret-token", "content-type": "application/json" } };

    const after302 = await fetch(`${r302}/x`, init);
    expect(after302.status).toBe(200);
    expect(await after302.json()).toEqual({ method: "GET", auth: null, body: "", path: "/after-302" });

    const after307 = await fetch(new Request(`${r307}/x`, init));
    expect(await after307.json()).toEqual({ method: "POST", auth: null, body: '{"a":1}', path: "/after-307" });

    const same = await fetch(`${sameOrigin}/start`, init);
    expect(await same.json()).toEqual({ method: "POST", auth: "Bearer secret-token", body: '{"a":1}', path: "/final" });
  });

  it("leaves redirect: \"manual\" to the caller, and still blocks a direct non-loopback call", async () => {
    const from = redirecting(302, "http://example.com/");
    const url = await from.url;
    sandbox.restore = noNetwork();
    const manual = await fetch(url, { redirect: "manual" });
    expect(manual.status).toBe(302);
    expect(manual.headers.get("location")).toBe("http://example.com/");
    await expect(fetch("http://example.com/")).rejects.toBeInstanceOf(NetworkBlockedError);
  });
});
