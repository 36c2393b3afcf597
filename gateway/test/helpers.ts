/**
 * Shared test setup: a loopback OpenRouter stand-in or a hand-written loopback fake as the upstream, gateways
 * in process or as CLI subprocesses, in-memory stores, reading an SDK stream to its end or its error, and the
 * PostgreSQL / Redis availability rule (never skipped when CI=true).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { createMockOpenRouter, type MockOpenRouter } from "openrouter-fetch/testing";
import { openStore, type Store } from "../src/index.js";

export const PG_URL = process.env["GATEWAY_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";
export const REDIS_URL = process.env["GATEWAY_TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379";
export const UPSTREAM_KEY = "sk-or-v1-upstream-secret-do-not-leak-0123456789";
export const ADMIN_TOKEN = "admin-test-token-0123456789";
export const BIN = fileURLToPath(new URL("../bin/openrouter-gateway.js", import.meta.url));

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.setTimeout(1000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Whether a service is there; under CI=true a missing service is a failure, locally a loud skip. */
export async function service(name: "postgres" | "redis"): Promise<boolean> {
  const ok = await reachable(name === "postgres" ? 5432 : 6379);
  if (!ok && process.env["CI"] === "true") throw new Error(`${name} is not reachable on 127.0.0.1 and CI=true: these tests must run`);
  if (!ok) console.warn(`[gateway tests] ${name} not reachable on 127.0.0.1: skipping its tests (they run under CI=true)`);
  return ok;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "gateway-test-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Drops a PostgreSQL schema made for one test run. */
export async function dropSchema(schema: string): Promise<void> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export async function flushRedisPrefix(prefix: string): Promise<void> {
  const { Redis } = await import("ioredis");
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    await redis.quit();
  }
}

export interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Starts `openrouter-gateway serve` as a subprocess and waits for its `listening on` line. */
export function startCli(env: Record<string, string>, args: string[] = []): Promise<Running> {
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0", ...args], {
    env: { ...process.env, OPENROUTER_API_KEY: "", GATEWAY_ADMIN_TOKEN: "", DATABASE_URL: "", REDIS_URL: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${out}`)), 90_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] as string, output: () => out });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${code}) before listening:\n${out}`));
    });
  });
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** A long reply, so `max_tokens` caps every completion and its cost equals the reserved worst case. */
export const LONG_REPLY = Array.from({ length: 400 }, (_, i) => `word${i}`).join(" ");

export async function adminCreateKey(url: string, body: Record<string, unknown>): Promise<{ id: string; key: string }> {
  const res = await fetch(`${url}/admin/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`create key: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; key: string };
}

/** In-memory SQLite stores for one test file, each closed after the file's tests. */
export function memoryStores(): () => Promise<Store> {
  const stores: Store[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
  });
  return async () => {
    const store = await openStore({ db: ":memory:" });
    stores.push(store);
    return store;
  };
}

export interface LoopbackUpstream {
  server: Server;
  /** The fake's base URL, `http://127.0.0.1:PORT/api/v1`. */
  base: string;
  close(): Promise<void>;
}

/** A loopback fake upstream that reads each request's body, then hands it to `handle`. */
export async function loopbackUpstream(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<LoopbackUpstream> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d));
    req.on("end", () => handle(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    server,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** The content deltas an OpenAI SDK stream delivered, and the error that ended it (undefined when it completed). */
export async function collectDeltas(stream: AsyncIterable<{ choices: Array<{ delta?: { content?: string | null } }> }>): Promise<{ got: string[]; error: unknown }> {
  const got: string[] = [];
  const error = await (async () => {
    for await (const chunk of stream) got.push(chunk.choices[0]?.delta?.content ?? "");
  })().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { got, error };
}

/** The library's stand-in on loopback for one test file (started before its tests, closed after them). */
export function standInUpstream(options: Parameters<typeof createMockOpenRouter>[0]): { readonly mock: MockOpenRouter; readonly baseUrl: string } {
  let mock: MockOpenRouter | undefined;
  let baseUrl = "";
  beforeAll(async () => {
    mock = createMockOpenRouter(options);
    baseUrl = (await mock.listen()).baseUrl;
  });
  afterAll(async () => {
    await mock?.close();
  });
  return {
    get mock() {
      return mock as MockOpenRouter;
    },
    get baseUrl() {
      return baseUrl;
    },
  };
}
