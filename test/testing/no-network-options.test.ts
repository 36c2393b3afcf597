/**
 * noNetwork() and noNetworkFromEnv() (src/testing/no-network.ts): the forms a fetch call can take (string,
 * URL, Request, unparseable), allow-lists, data: URLs, endless redirect chains, restoring the previous fetch
 * (once, and never over someone else's patch), and the environment switch.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { NetworkBlockedError, isLoopbackHost, noNetwork, noNetworkFromEnv } from "../../src/testing/index.js";
import { networkSandbox } from "../helpers/network-sandbox.js";

const sandbox = networkSandbox();
const { servers, realFetch } = sandbox;

async function blocked(promise: Promise<unknown>): Promise<NetworkBlockedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NetworkBlockedError);
  return error as NetworkBlockedError;
}

describe("noNetwork: call forms and allow-lists", () => {
  it("blocks URL objects and Request objects, naming host and the Request's method", async () => {
    sandbox.restore = noNetwork();
    expect((await blocked(fetch(new URL("https://example.org/x")))).host).toBe("example.org");
    const fromRequest = await blocked(fetch(new Request("https://api.example.net/y", { method: "PUT", body: "x" })));
    expect(fromRequest).toMatchObject({ host: "api.example.net", method: "PUT" });
    expect((await blocked(fetch("https://example.org", { method: "delete" }))).method).toBe("DELETE");
  });

  it("blocks an unparseable URL as such", async () => {
    sandbox.restore = noNetwork();
    expect((await blocked(fetch("not a url"))).host).toBe("(unparseable URL)");
  });

  it("lets data: URLs through, and hosts allowed by name (any case) or RegExp", async () => {
    sandbox.restore = noNetwork({ allow: ["Allowed.Example", /^.*\.internal$/] });
    expect(await (await fetch("data:text/plain,hello")).text()).toBe("hello");
    // Allowed hosts reach the previous fetch; that a request is attempted shows it was not blocked.
    const attempts: string[] = [];
    sandbox.restore!();
    globalThis.fetch = (async (input: RequestInfo | URL) => {
      attempts.push(String(input instanceof Request ? input.url : input));
      return new Response("ok");
    }) as typeof fetch;
    sandbox.restore = noNetwork({ allow: ["Allowed.Example", /^.*\.internal$/] });
    await fetch("https://allowed.example/a", { redirect: "manual" });
    await fetch("https://db.internal/b", { redirect: "manual" });
    await blocked(fetch("https://other.example/c"));
    expect(attempts).toEqual(["https://allowed.example/a", "https://db.internal/b"]);
  });

  it("knows loopback host names", () => {
    expect(["localhost", "api.localhost", "[::1]", "127.1.2.3", "LOCALHOST"].every(isLoopbackHost)).toBe(true);
    expect(["128.0.0.1", "localhost.example.com", "127.0.0"].some(isLoopbackHost)).toBe(false);
  });
});

describe("noNetwork: redirects and restoring", () => {
  it("gives up after fetch's limit of 20 redirects", async () => {
    const server = createServer((req, res) => {
      res.writeHead(302, { location: `/hop${Number(req.url!.slice(4) || 0) + 1}` });
      res.end();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    sandbox.restore = noNetwork();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hop0`;
    await expect(fetch(url)).rejects.toThrow(/more than 20 redirects/);
  });

  it("restores the previous fetch once, and leaves a later patch in place", () => {
    const mine = (async () => new Response("mine")) as typeof fetch;
    globalThis.fetch = mine;
    const undo = noNetwork();
    expect(globalThis.fetch).not.toBe(mine);
    undo();
    expect(globalThis.fetch).toBe(mine);
    const theirs = (async () => new Response("theirs")) as typeof fetch;
    globalThis.fetch = theirs;
    undo();
    expect(globalThis.fetch).toBe(theirs);

    const again = noNetwork();
    const later = (async () => new Response("later")) as typeof fetch;
    globalThis.fetch = later;
    again();
    expect(globalThis.fetch).toBe(later);
  });

  it("refuses to install without a global fetch", () => {
    (globalThis as { fetch?: unknown }).fetch = undefined;
    expect(() => noNetwork()).toThrow(TypeError);
  });
});

describe("noNetworkFromEnv", () => {
  it("installs for 1, true and yes (any case, spaces), and does nothing otherwise", async () => {
    for (const flag of ["1", " TRUE ", "yes"]) {
      const undo = noNetworkFromEnv({}, { OPENROUTER_NO_NETWORK: flag });
      await blocked(fetch("https://example.org"));
      undo();
      expect(globalThis.fetch).toBe(realFetch);
    }
    for (const env of [{}, { OPENROUTER_NO_NETWORK: "0" }, { OPENROUTER_NO_NETWORK: "" }]) {
      const undo = noNetworkFromEnv({}, env);
      expect(globalThis.fetch).toBe(realFetch);
      undo();
    }
  });
});
