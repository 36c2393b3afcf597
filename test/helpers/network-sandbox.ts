/**
 * Test helper for noNetwork(): after each test, whatever patch the test left is restored, the real `fetch` is
 * put back and every loopback server the test started is closed.
 */
import type { Server } from "node:http";
import { afterEach } from "vitest";

export function networkSandbox() {
  const realFetch = globalThis.fetch;
  const sandbox = { realFetch, servers: [] as Server[], restore: undefined as (() => void) | undefined };
  afterEach(async () => {
    sandbox.restore?.();
    sandbox.restore = undefined;
    globalThis.fetch = realFetch;
    await Promise.all(sandbox.servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  return sandbox;
}
