/**
 * Shared test setup: a loopback OpenRouter stand-in as the upstream, gateways in process or as CLI
 * subprocesses, and the PostgreSQL / Redis availability rule (never skipped when CI=true).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";

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
