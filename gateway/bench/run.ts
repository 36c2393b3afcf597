/**
 * `npm run bench:gateway`: the gateway (SQLite) in front of a loopback fake versus the fake directly.
 * - chat at concurrency 1: added latency p50 / p99 (sequential keep-alive requests, hrtime);
 * - chat at concurrency 64: throughput ratio (autocannon);
 * - streams: chunk throughput ratio (autocannon, c=16) and added time to first token (sequential).
 * The fake and the gateway each run in a child process of their own (a real upstream is never in the
 * gateway's process), the load generator in this one. Beside the wall-clock figures, which a loaded machine
 * distorts, it prints the CPU time each server process spent per request (Linux: /proc), which the machine's
 * load disturbs far less: the gateway's own cost, next to the fake's.
 */
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { STREAM_CHUNKS } from "./fake-upstream.js";

const DURATION = Number(process.env["BENCH_DURATION"] ?? 8);
const SEQUENTIAL = Number(process.env["BENCH_SEQUENTIAL"] ?? 2000);
const chatBody = JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Say hello" }], max_tokens: 64 });
const streamBody = JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Say hello" }], max_tokens: 64, stream: true });

const script = fileURLToPath(new URL("./run.js", import.meta.url));

/** Starts `run.js <role> ...args` and resolves with the child and the JSON line it prints when ready. */
function start<T>(role: string, ...args: string[]): Promise<{ child: ReturnType<typeof spawn>; info: T }> {
  const child = spawn(process.execPath, [script, role, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve({ child, info: JSON.parse(line) as T });
    });
  });
}

const fake = await start<{ baseUrl: string }>("fake");
const servers = await start<{ gateway: string; key: string; dir: string }>("servers", fake.info.baseUrl);
const info = { ...servers.info, direct: fake.info.baseUrl.replace(/\/api\/v1$/, "") };

/** CPU time (user + system, ms) a process has used so far; undefined where /proc is missing. */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const headersFor = (key: string) => ({ authorization: `Bearer ${key}`, "content-type": "application/json" });

/** One request; resolves with [time to first body byte, total] in ms. */
function once(base: string, path: string, body: string, key: string): Promise<[number, number]> {
  const streaming = body.includes('"stream":true');
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let first = 0;
    const req = request(`${base}${path}`, { method: "POST", agent, headers: headersFor(key) }, (res) => {
      res.on("data", (d: Buffer) => {
        // Streams: the first data event (not a comment); JSON: the first byte.
        if (first === 0 && (!streaming || d.includes("data:"))) first = Number(process.hrtime.bigint() - t0) / 1e6;
      });
      res.on("end", () => resolve([first, Number(process.hrtime.bigint() - t0) / 1e6]));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
}

async function sequential(base: string, path: string, body: string) {
  for (let i = 0; i < 200; i++) await once(base, path, body, info.key);
  const first: number[] = [];
  const total: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const [f, t] = await once(base, path, body, info.key);
    first.push(f);
    total.push(t);
  }
  return { p50: pct(total, 50), p99: pct(total, 99), ttft50: pct(first, 50) };
}

/** Requests per second, and the CPU µs per request of the fake and of the gateway process meanwhile. */
async function cannon(base: string, path: string, body: string, connections: number) {
  const before = [cpuMs(fake.child.pid), cpuMs(servers.child.pid)];
  const r = await autocannon({ url: `${base}${path}`, method: "POST", headers: headersFor(info.key), body, connections, duration: DURATION });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${base}${path}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  const after = [cpuMs(fake.child.pid), cpuMs(servers.child.pid)];
  const perRequest = (i: number) => (after[i] !== undefined && before[i] !== undefined ? ((after[i]! - before[i]!) * 1000) / r.requests.total : Number.NaN);
  return { rate: r.requests.average, fakeUs: perRequest(0), gatewayUs: perRequest(1) };
}

const load0 = loadavg();
const directChat1 = await sequential(info.direct, "/api/v1/chat/completions", chatBody);
const gatewayChat1 = await sequential(info.gateway, "/v1/chat/completions", chatBody);
const directStreamSeq = await sequential(info.direct, "/api/v1/chat/completions", streamBody);
const gatewayStreamSeq = await sequential(info.gateway, "/v1/chat/completions", streamBody);
const direct64 = await cannon(info.direct, "/api/v1/chat/completions", chatBody, 64);
const gateway64 = await cannon(info.gateway, "/v1/chat/completions", chatBody, 64);
const directStreams = await cannon(info.direct, "/api/v1/chat/completions", streamBody, 16);
const gatewayStreams = await cannon(info.gateway, "/v1/chat/completions", streamBody, 16);
const load1 = loadavg();

const f = (n: number) => n.toFixed(3);
const rows = [
  ["chat c=1 p50 (ms)", f(directChat1.p50), f(gatewayChat1.p50), `added ${f(gatewayChat1.p50 - directChat1.p50)} ms`, "≤ 1 ms", gatewayChat1.p50 - directChat1.p50 <= 1],
  ["chat c=1 p99 (ms)", f(directChat1.p99), f(gatewayChat1.p99), `added ${f(gatewayChat1.p99 - directChat1.p99)} ms`, "≤ 5 ms", gatewayChat1.p99 - directChat1.p99 <= 5],
  ["chat c=64 (req/s)", direct64.rate.toFixed(0), gateway64.rate.toFixed(0), `ratio ${(gateway64.rate / direct64.rate).toFixed(2)}`, "≥ 0.5", gateway64.rate / direct64.rate >= 0.5],
  [`stream chunks/s (c=16, ${STREAM_CHUNKS}/stream)`, (directStreams.rate * STREAM_CHUNKS).toFixed(0), (gatewayStreams.rate * STREAM_CHUNKS).toFixed(0), `ratio ${(gatewayStreams.rate / directStreams.rate).toFixed(2)}`, "≥ 0.8", gatewayStreams.rate / directStreams.rate >= 0.8],
  ["stream TTFT p50 (ms)", f(directStreamSeq.ttft50), f(gatewayStreamSeq.ttft50), `added ${f(gatewayStreamSeq.ttft50 - directStreamSeq.ttft50)} ms`, "≤ 1 ms", gatewayStreamSeq.ttft50 - directStreamSeq.ttft50 <= 1],
] as const;
console.log(`load average before: ${load0.map((l) => l.toFixed(2)).join(" ")}; after: ${load1.map((l) => l.toFixed(2)).join(" ")}; node ${process.version}`);
console.log("| measure | direct | via gateway | difference | target | met |");
console.log("|---|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r[0]} | ${r[1]} | ${r[2]} | ${r[3]} | ${r[4]} | ${r[5] ? "yes" : "no"} |`);
const us = (n: number) => (Number.isNaN(n) ? "n/a" : `${n.toFixed(0)} µs`);
console.log("\nCPU per request (server processes; less disturbed by the machine's load than the figures above):");
console.log("| load | fake, direct | fake, behind the gateway | gateway process |");
console.log("|---|---|---|---|");
console.log(`| chat c=64 | ${us(direct64.fakeUs)} | ${us(gateway64.fakeUs)} | ${us(gateway64.gatewayUs)} |`);
console.log(`| stream c=16 | ${us(directStreams.fakeUs)} | ${us(gatewayStreams.fakeUs)} | ${us(gatewayStreams.gatewayUs)} |`);
servers.child.kill("SIGKILL");
fake.child.kill("SIGKILL");
rmSync(info.dir, { recursive: true, force: true });
agent.destroy();
process.exit(0);
