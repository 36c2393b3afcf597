/**
 * Runs metric groups for one client in a fresh process and prints one JSON line (a `WorkerReport`) on stdout.
 *
 * Started by bench/run.ts as `node --expose-gc --import tsx bench/worker.ts '<json WorkerArgs>'`, pinned to the
 * client core. Every streamed or returned text is compared with what the server sent; a mismatch fails the
 * group rather than producing a number.
 *
 * @example
 * ```sh
 * node --expose-gc --import tsx bench/worker.ts '{"adapter":"floor","groups":["stream"],"origin":"http://127.0.0.1:40123","quick":true}'
 * ```
 */
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { setImmediate as tick } from "node:timers/promises";
import { loadAdapter, readStats, type BoundClient } from "./adapters.js";
import { coreBusyUs, foreignShare, pinnedCore, schedTimes, waitShare } from "./sched.js";
import { median, sizes, type Group, type WorkerArgs, type WorkerReport } from "./config.js";
import {
  CHAT_TEXT,
  STRUCTURED_SCHEMA,
  STRUCTURED_TEXT,
  expectedStreamText,
  requestBody,
  sseBytes,
  tokenText,
} from "./payload.js";

function mismatch(what: string, got: string, want: string): Error {
  let i = 0;
  while (i < got.length && got[i] === want[i]) i++;
  return new Error(`${what}: text differs from what the server sent at char ${i} (got ${got.length} chars, want ${want.length})`);
}

interface ServerStats {
  cpuUs: number;
  /** Linux only: the server's time on a CPU and time waiting for one (bench/sched.ts). */
  runUs?: number;
  waitUs?: number;
  /** Linux, when pinned: what the server's core ran in all (bench/sched.ts `coreBusyUs`). */
  coreBusyUs?: number;
}

/** The shortest window whose foreign share is read (see `contention`). */
const MIN_FOREIGN_WINDOW_US = 900_000;

/** The core this worker is pinned to (bench/procs.ts), if any. */
const CLIENT_CORE = pinnedCore();

/** This process's CPU time, all threads, in microseconds. */
const ownCpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

async function serverStats(origin: string): Promise<ServerStats> {
  const r = await fetch(`${origin}/stats`);
  return (await r.json()) as ServerStats;
}

/**
 * Contention seen by both processes around one timed window, for the noise verdict: taken outside the timing
 * (one /stats request before, one after).
 */
interface Contention {
  serverCpuUs: number;
  serverCpuShare: number;
  serverWaitShare?: number;
  clientWaitShare?: number;
  /** Share of the window the server's core ran other programs' work (not the server's, not its threads'). */
  serverForeignShare?: number;
  /** The same for the client's core. */
  clientForeignShare?: number;
}

async function contention(origin: string): Promise<() => Promise<Contention>> {
  const s0 = await serverStats(origin);
  const c0 = schedTimes();
  const core0 = CLIENT_CORE === undefined ? undefined : coreBusyUs(CLIENT_CORE);
  const cpu0 = ownCpuUs();
  const t0 = performance.now();
  return async () => {
    const wallUs = (performance.now() - t0) * 1000;
    const c1 = schedTimes();
    const core1 = CLIENT_CORE === undefined ? undefined : coreBusyUs(CLIENT_CORE);
    const cpu1 = ownCpuUs();
    const s1 = await serverStats(origin);
    const serverSched0 = s0.runUs !== undefined && s0.waitUs !== undefined ? { runUs: s0.runUs, waitUs: s0.waitUs } : undefined;
    const serverSched1 = s1.runUs !== undefined && s1.waitUs !== undefined ? { runUs: s1.runUs, waitUs: s1.waitUs } : undefined;
    return {
      serverCpuUs: s1.cpuUs - s0.cpuUs,
      serverCpuShare: (s1.cpuUs - s0.cpuUs) / wallUs,
      ...(serverSched0 && serverSched1 && { serverWaitShare: waitShare(serverSched0, serverSched1) }),
      ...(c0 && c1 && { clientWaitShare: waitShare(c0, c1) }),
      // The cores' busy time comes in 10 ms ticks: judged only over windows of a second or more (the chat
      // windows), where a tick is 1 % at most; a 0.1 s stream window would read ±10 % of nothing.
      ...(wallUs >= MIN_FOREIGN_WINDOW_US && s0.coreBusyUs !== undefined && s1.coreBusyUs !== undefined && {
        serverForeignShare: foreignShare(s1.coreBusyUs - s0.coreBusyUs, s1.cpuUs - s0.cpuUs, wallUs),
      }),
      ...(wallUs >= MIN_FOREIGN_WINDOW_US && core0 !== undefined && core1 !== undefined && {
        clientForeignShare: foreignShare(core1 - core0, cpu1 - cpu0, wallUs),
      }),
    };
  };
}

/** Adds a window's contention figures under `prefix` + ServerCpuShare etc. + `suffix`, the worst of several windows kept. */
function putContention(out: Record<string, number>, prefix: string, suffix: string, c: Contention): void {
  const put = (name: string, v: number | undefined) => {
    if (v === undefined) return;
    const k = `${prefix}${name}${suffix}`;
    out[k] = Math.max(out[k] ?? -Infinity, v);
  };
  put("ServerCpuShare", c.serverCpuShare);
  put("ServerWaitShare", c.serverWaitShare);
  put("ClientWaitShare", c.clientWaitShare);
  put("ServerForeignShare", c.serverForeignShare);
  put("ClientForeignShare", c.clientForeignShare);
}

async function streamText(c: BoundClient, stream = true): Promise<string> {
  let text = "";
  await c.stream(requestBody(stream), (t) => {
    text += t;
  });
  return text;
}

async function chatGroup(bind: (s: string) => BoundClient, quick: boolean, origin: string): Promise<Record<string, number>> {
  const n = sizes(quick);
  const c = bind("chat");
  const body = requestBody(false);
  const one = async () => {
    const text = await c.chat(body);
    if (text !== CHAT_TEXT) throw mismatch("chat", text, CHAT_TEXT);
  };
  let requests = 0; // every request made, warm-up included (bench/profile.ts divides CPU time by it)
  // Time-boxed rather than count-boxed so a slow client cannot stretch the run; rate = completed / elapsed.
  const noise: Record<string, number> = {};
  const concurrent = async (ms: number, conc: number, label?: string): Promise<{ rps: number; cpuUsPerReq: number }> => {
    const window = label === undefined ? undefined : await contention(origin);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const end = t0 + ms;
    let done = 0;
    await Promise.all(
      Array.from({ length: conc }, async () => {
        while (performance.now() < end) {
          await one();
          done++;
        }
      }),
    );
    requests += done;
    const rps = done / ((performance.now() - t0) / 1000);
    const cpu = process.cpuUsage(cpu0);
    if (window !== undefined) putContention(noise, "chat", label!, await window());
    return { rps, cpuUsPerReq: (cpu.user + cpu.system) / done };
  };
  // Warm up the JIT and open the 64 keep-alive connections before timing.
  await concurrent(n.chatWarmMs / 2, 1);
  await concurrent(n.chatWarmMs / 2, 64);
  const c1 = await concurrent(n.chatC1Ms, 1, "C1");
  const c64 = await concurrent(n.chatC64Ms, 64, "C64");
  return {
    chatRpsC1: c1.rps,
    chatRpsC64: c64.rps,
    chatCpuUsPerReqC1: c1.cpuUsPerReq,
    chatCpuUsPerReqC64: c64.cpuUsPerReq,
    opsTotal: requests,
    ...noise,
  };
}

async function streamGroup(bind: (s: string) => BoundClient, quick: boolean, origin: string): Promise<Record<string, number>> {
  const n = sizes(quick);
  const want = expectedStreamText(n.streamN);
  const bytes = sseBytes(n.streamN);
  const out: Record<string, number> = {};
  let chunksTotal = 0; // every chunk streamed, warm-up included (bench/profile.ts divides CPU time by it)
  // bench/profile.ts may restrict the profile to one write mode (BENCH_STREAM_MODES=64).
  const modes = (process.env["BENCH_STREAM_MODES"] ?? "1,64").split(",").map(Number);
  for (const perWrite of modes) {
    const c = bind(`sse-${n.streamN}-${perWrite}`);
    // Untimed: a shorter stream of the same write mode warms the JIT; priming builds the server's payload.
    await fetch(`${origin}/prime/${n.streamN}/${perWrite}`, { method: "POST" }).then((r) => r.arrayBuffer());
    const warmN = Math.min(n.streamN, 5000);
    const warm = await streamText(bind(`sse-${warmN}-${perWrite}`));
    chunksTotal += warmN;
    if (warm !== expectedStreamText(warmN)) throw mismatch("warm-up stream", warm, expectedStreamText(warmN));
    const key = perWrite === 1 ? "" : "Batch64";
    const times: number[] = [];
    const cpus: number[] = [];
    const serverCpus: number[] = [];
    const reads: number[] = [];
    for (let r = 0; r < n.streamRuns; r++) {
      globalThis.gc?.();
      const window = await contention(origin);
      const reads0 = readStats.reads;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const got = await streamText(c);
      const dt = performance.now() - t0;
      chunksTotal += n.streamN;
      const cpu = process.cpuUsage(cpu0);
      const seen = await window();
      serverCpus.push(seen.serverCpuUs);
      putContention(out, "stream", key, seen);
      if (got !== want) throw mismatch(`stream (${perWrite} per write)`, got, want);
      times.push(dt);
      cpus.push((cpu.user + cpu.system) / 1000);
      reads.push(readStats.reads - reads0);
    }
    const ms = median(times);
    out[`streamChunksPerS${key}`] = n.streamN / (ms / 1000);
    out[`streamMBPerS${key}`] = bytes / 1e6 / (ms / 1000);
    out[`streamClientCpuMs${key}`] = median(cpus);
    out[`streamServerCpuMs${key}`] = median(serverCpus) / 1000;
    out[`streamWallMs${key}`] = ms;
    if (readStats.reads > 0) out[`streamEventsPerRead${key}`] = n.streamN / median(reads);
  }
  out["opsTotal"] = chunksTotal;
  return out;
}

async function ttftGroup(bind: (s: string) => BoundClient, quick: boolean): Promise<Record<string, number>> {
  const n = sizes(quick);
  const chunks = 20;
  const c = bind(`delay-${n.ttftDelayMs}-${chunks}`);
  const want = expectedStreamText(chunks);
  const first = tokenText(0);
  const over: number[] = [];
  for (let r = 0; r < n.ttftRuns + 5; r++) {
    let firstAt = -1;
    let text = "";
    const t0 = performance.now();
    await c.stream(requestBody(true), (t) => {
      if (firstAt < 0) firstAt = performance.now();
      text += t;
    });
    if (text !== want) throw mismatch("ttft stream", text, want);
    if (!text.startsWith(first)) throw new Error("first token missing");
    if (r >= 5) over.push(firstAt - t0 - n.ttftDelayMs); // the first 5 warm up
  }
  return { ttftOverDelayMs: median(over), ttftDelayMs: n.ttftDelayMs, opsTotal: n.ttftRuns + 5 };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await tick();
  }
}

async function memoryGroup(bind: (s: string) => BoundClient, quick: boolean, origin: string): Promise<Record<string, number>> {
  if (typeof globalThis.gc !== "function") throw new Error("run with --expose-gc");
  const n = sizes(quick);
  const c = bind("hold");
  // One complete stream first, so lazily created client state is in the baseline, not charged to the streams.
  const warm = bind("sse-200-1");
  const warmText = await streamText(warm);
  if (warmText !== expectedStreamText(200)) throw mismatch("memory warm-up", warmText, expectedStreamText(200));
  await settle();
  const before = process.memoryUsage();
  let started = 0;
  const want = tokenText(1);
  await new Promise<void>((resolve, reject) => {
    for (let i = 0; i < n.openStreams; i++) {
      let seen = false;
      c.stream(requestBody(true), (t) => {
        if (seen) return;
        seen = true;
        if (t !== want) reject(mismatch("held stream", t, want));
        if (++started === n.openStreams) resolve();
      }).catch(reject);
    }
  });
  await settle();
  const after = process.memoryUsage();
  const stats = (await (await fetch(`${origin}/stats`)).json()) as { openStreams: number };
  if (stats.openStreams < n.openStreams) throw new Error(`server sees ${stats.openStreams} open streams, want ${n.openStreams}`);
  return {
    heapPerStreamBytes: (after.heapUsed - before.heapUsed) / n.openStreams,
    rssPerStreamBytes: (after.rss - before.rss) / n.openStreams,
    openStreams: n.openStreams,
  };
}

async function structuredGroup(bind: (s: string) => BoundClient, quick: boolean): Promise<Record<string, number>> {
  const n = sizes(quick);
  const c = bind("structured");
  if (c.structured === undefined) throw Object.assign(new Error("client.structured is not available yet"), { unavailable: true });
  const want = JSON.parse(STRUCTURED_TEXT) as unknown;
  const body = requestBody(false);
  const check = (v: unknown) => {
    if (JSON.stringify(v) !== JSON.stringify(want)) throw new Error(`structured value differs: ${JSON.stringify(v)}`);
  };
  // A plain chat on the same server first, so the first structured call pays only what is structured-specific.
  const plain = bind("chat");
  for (let i = 0; i < 20; i++) await plain.chat(body);
  // Our validator exposes its compile count (src/agents/validator/index.ts): a direct check that a schema seen before is
  // not compiled again, independent of timing noise. Read through the same module instance the client loads.
  const compiles = async (): Promise<number> => {
    try {
      const spec = new URL("../src/agents/validator/index.ts", import.meta.url).href;
      const v = (await import(spec)) as { getAjvValidator?: () => Promise<{ compileCount: number }> };
      return v.getAjvValidator ? (await v.getAjvValidator()).compileCount : NaN;
    } catch {
      return NaN;
    }
  };
  let t = performance.now();
  check(await c.structured(body, STRUCTURED_SCHEMA));
  const firstMs = performance.now() - t;
  const compilesAfterFirst = await compiles();
  const later: number[] = [];
  for (let i = 0; i < n.structuredCalls; i++) {
    // A fresh but equal schema object each time: "seen before" must mean the same schema, not the same object.
    const schema = JSON.parse(JSON.stringify(STRUCTURED_SCHEMA)) as object;
    t = performance.now();
    check(await c.structured(body, schema));
    later.push(performance.now() - t);
  }
  const compilesAfterLater = await compiles();
  const chatTimes: number[] = [];
  for (let i = 0; i < n.structuredCalls; i++) {
    t = performance.now();
    await plain.chat(body);
    chatTimes.push(performance.now() - t);
  }
  return {
    structuredFirstMs: firstMs,
    structuredLaterMs: median(later),
    plainChatMs: median(chatTimes),
    structuredViaClient: c.structuredVia === "client" ? 1 : 0,
    ajvCompilesFirstCall: compilesAfterFirst,
    ajvCompilesLaterCalls: compilesAfterLater - compilesAfterFirst,
  };
}

/**
 * With BENCH_CPU_PROFILE=<file>, records a CPU profile of the workload only (module loading excluded, unlike
 * `node --cpu-prof`), for bench/profile.ts.
 */
async function profiled<T>(fn: () => Promise<T>): Promise<T> {
  const file = process.env["BENCH_CPU_PROFILE"];
  if (!file) return fn();
  const { Session } = await import("node:inspector/promises");
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
  try {
    return await fn();
  } finally {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

async function runGroup(group: Group, bind: (s: string) => BoundClient, args: WorkerArgs): Promise<Record<string, number>> {
  switch (group) {
    case "chat":
      return chatGroup(bind, args.quick, args.origin);
    case "stream":
      return streamGroup(bind, args.quick, args.origin);
    case "ttft":
      return ttftGroup(bind, args.quick);
    case "memory":
      return memoryGroup(bind, args.quick, args.origin);
    case "structured":
      return structuredGroup(bind, args.quick);
  }
}

async function main(): Promise<WorkerReport> {
  const args = JSON.parse(process.argv[2] ?? "{}") as WorkerArgs;
  const report: WorkerReport = {};
  const loaded = await loadAdapter(args.adapter, args.origin);
  if ("unavailable" in loaded) {
    for (const g of args.groups) report[g] = { ok: false, unavailable: loaded.unavailable };
    return report;
  }
  const bind = (s: string) => loaded.bind(s);
  for (const group of args.groups) {
    try {
      report[group] = { ok: true, metrics: await profiled(() => runGroup(group, bind, args)) };
    } catch (err) {
      report[group] =
        err instanceof Error && (err as { unavailable?: boolean }).unavailable
          ? { ok: false, unavailable: err.message }
          : { ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
    }
  }
  return report;
}

main().then(
  (out) => {
    process.stdout.write(`\n${JSON.stringify(out)}\n`);
    // Held streams and keep-alive sockets would keep the process alive; the measurement is done.
    process.exit(0);
  },
  (err: unknown) => {
    process.stdout.write(`\n${JSON.stringify({ error: String(err) })}\n`);
    process.exit(1);
  },
);
