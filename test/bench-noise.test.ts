import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { judgeNoise, referenceApplies, referenceFor, withReference, type NoiseSamples, type QuietReference } from "../bench/noise.js";
import { coreBusyUs, foreignShare, pinnedCore } from "../bench/sched.js";

const machine = { cpus: 2, cpuModel: "Intel(R) Xeon(R) Processor @ 2.00GHz" };
const reference: QuietReference = {
  date: "2026-11-30",
  machine: { ...machine, node: "v20.20.2" },
  mode: "full",
  how: "a quiet full run",
  floor: { chatRpsC64: 2584, streamChunksPerS: 150_000 },
};

/** A run on a quiet machine: the bench's own two busy processes, no waiting, the floor at its quiet figure. */
function quiet(over: Partial<NoiseSamples> = {}): NoiseSamples {
  return {
    machine,
    mode: "full",
    loadBefore: 0.1,
    loadDuring: [0.4, 1.6, 2.1],
    cpuPressure: [1, 3, 2],
    serverCpuShare: [0.35, 0.4, 0.38],
    serverWaitShare: [0.01, 0.02, 0.01],
    clientWaitShare: [0.02, 0.01, 0.03],
    floor: { chatRpsC64: [2550, 2600, 2610], streamChunksPerS: [148_000, 151_000, 152_000] },
    reference,
    ...over,
  };
}

describe("judgeNoise", () => {
  it("calls a quiet run judgeable and prints it so", () => {
    const v = judgeNoise(quiet());
    expect(v.judgeable).toBe(true);
    expect(v.reasons).toEqual([]);
    expect(v.line).toBe("verdict: judgeable");
  });

  it("the loaded run that showed 0.98×: floor at 582 req/s against a quiet 2,584", () => {
    const v = judgeNoise(quiet({ floor: { chatRpsC64: [582, 610, 650] } }));
    expect(v.judgeable).toBe(false);
    expect(v.line).toMatch(/^verdict: too noisy to judge: /);
    expect(v.reasons).toEqual([expect.stringMatching(/chat c=64 582 req\/s is 0\.23× its quiet figure 2,584 \(2026-11-30\)/)]);
  });

  it("judges the floor on its worst repetition, not its median", () => {
    const v = judgeNoise(quiet({ floor: { chatRpsC64: [2600, 1200, 2590] } }));
    expect(v.judgeable).toBe(false);
    expect(v.reasons[0]).toMatch(/1,200 req\/s/);
  });

  it("load before the run means other work was already running", () => {
    const v = judgeNoise(quiet({ loadBefore: 3.5 }));
    expect(v.judgeable).toBe(false);
    expect(v.reasons).toEqual([expect.stringContaining("load average 3.5 before the run on 2 cores")]);
  });

  it("load during the run beyond the bench's own two processes", () => {
    expect(judgeNoise(quiet({ loadDuring: [2.9] })).judgeable).toBe(true);
    const v = judgeNoise(quiet({ loadDuring: [2.5, 10.3, 8] }));
    expect(v.judgeable).toBe(false);
    expect(v.reasons).toEqual([expect.stringContaining("load average up to 10.3 during the run")]);
  });

  it("CPU pressure, server and client run-queue waits, a saturated server: each is a reason of its own", () => {
    const v = judgeNoise(
      quiet({ cpuPressure: [82], serverWaitShare: [0.01, 0.4], clientWaitShare: [0.25], serverCpuShare: [0.95] }),
    );
    expect(v.judgeable).toBe(false);
    expect(v.reasons).toHaveLength(4);
    expect(v.reasons.join("\n")).toMatch(/CPU pressure up to 82%/);
    expect(v.reasons.join("\n")).toMatch(/the server waited for a CPU 40% of its runnable time/);
    expect(v.reasons.join("\n")).toMatch(/the client waited for a CPU 25% of its runnable time/);
    expect(v.reasons.join("\n")).toMatch(/the server used 95% of a core/);
    expect(v.line).toBe(`verdict: too noisy to judge: ${v.reasons.join("; ")}`);
  });

  it("says the reference does not apply on another machine, and does not compare the floor with it", () => {
    const other = { cpus: 8, cpuModel: "AMD EPYC 7B13" };
    expect(referenceApplies(reference, other)).toBe(false);
    const v = judgeNoise(quiet({ machine: other, floor: { chatRpsC64: [100] } }));
    expect(v.judgeable).toBe(true);
    expect(v.notes).toEqual([expect.stringMatching(/quiet reference \(2026-11-30, 2 cores, Intel.*\) does not apply to this machine \(8 cores, AMD EPYC 7B13\)/)]);
  });

  it("the same core count with another CPU model is another machine", () => {
    expect(referenceApplies(reference, { cpus: 2, cpuModel: "AMD EPYC 7B13" })).toBe(false);
    expect(referenceApplies(reference, machine)).toBe(true);
  });

  it("keeps one reference per machine: this machine's is chosen, a new one replaces only its own machine's", () => {
    const amd: QuietReference = { ...reference, date: "2026-12-06", machine: { cpus: 2, cpuModel: "AMD EPYC 7B13" }, floor: { chatRpsC64: 1500 } };
    expect(referenceFor([amd, reference], machine)).toBe(reference);
    expect(referenceFor([reference, amd], { cpus: 2, cpuModel: "AMD EPYC 7B13" })).toBe(amd);
    // None applies: the first, so the verdict can say it does not apply; an older file held one reference.
    expect(referenceFor([amd], machine)).toBe(amd);
    expect(referenceFor(reference, machine)).toBe(reference);
    expect(referenceFor(undefined, machine)).toBeUndefined();
    const newer: QuietReference = { ...amd, date: "2026-12-07" };
    expect(withReference([reference, amd], newer)).toEqual([reference, newer]);
    expect(withReference(reference, amd)).toEqual([reference, amd]);
    expect(withReference(undefined, amd)).toEqual([amd]);
  });

  it("compares stream rates only within the reference's mode; chat rates are time-boxed and compare across modes", () => {
    const slowStreams = { chatRpsC64: [2600], streamChunksPerS: [20_000] };
    expect(judgeNoise(quiet({ mode: "quick", floor: slowStreams })).judgeable).toBe(true);
    expect(judgeNoise(quiet({ mode: "full", floor: slowStreams })).reasons).toEqual([expect.stringMatching(/stream, 1 event\/write 20,000 chunks\/s/)]);
    expect(judgeNoise(quiet({ mode: "quick", floor: { chatRpsC64: [900] } })).judgeable).toBe(false);
  });

  it("notes the signals it could not check instead of passing them silently", () => {
    const v = judgeNoise(quiet({ reference: undefined, cpuPressure: [], serverWaitShare: [], clientWaitShare: [] }));
    expect(v.judgeable).toBe(true);
    expect(v.notes.join("\n")).toMatch(/no quiet reference stored/);
    expect(v.notes.join("\n")).toMatch(/CPU pressure \(PSI\) not available/);
    expect(v.notes.join("\n")).toMatch(/schedstat\) not available/);
  });

  it("with pinned processes, other programs' share of the bench's cores decides; the processes' own waits are a note", () => {
    // A quiet run on a 2-core machine: each pinned process's main thread waits for its own GC and compiler
    // threads, so the waits and the CPU pressure are high although nothing else ran.
    const pinnedQuiet = quiet({ cpuPressure: [61], serverWaitShare: [0.44], clientWaitShare: [0.5], serverForeignShare: [0.01, 0.03], clientForeignShare: [0.02] });
    const v = judgeNoise(pinnedQuiet);
    expect(v.judgeable).toBe(true);
    expect(v.notes.join("\n")).toMatch(/other programs used at most 3% of the bench's cores; CPU pressure up to 61%, server run-queue wait up to 44%, client run-queue wait up to 50%/);

    const busyClientCore = judgeNoise({ ...pinnedQuiet, clientForeignShare: [0.02, 0.35] });
    expect(busyClientCore.judgeable).toBe(false);
    expect(busyClientCore.reasons).toEqual(["other programs used 35% of the client's core during the floor's measurement"]);
    const busyServerCore = judgeNoise({ ...pinnedQuiet, serverForeignShare: [0.2] });
    expect(busyServerCore.reasons).toEqual(["other programs used 20% of the server's core during the floor's measurement"]);
  });

  it("without the foreign share (no taskset, no /proc/stat), the waits and the pressure still decide", () => {
    const v = judgeNoise(quiet({ cpuPressure: [61], serverWaitShare: [0.44], clientWaitShare: [0.5], serverForeignShare: [], clientForeignShare: [] }));
    expect(v.judgeable).toBe(false);
    expect(v.reasons).toHaveLength(3);
  });
});

describe("the scheduler readings behind the foreign share", () => {
  it("foreignShare is the core's busy time beyond the process's own CPU time, over the window", () => {
    expect(foreignShare(1_000_000, 900_000, 1_000_000)).toBeCloseTo(0.1);
    // The process's CPU counted finer than the core's ticks can exceed it: never below zero.
    expect(foreignShare(900_000, 905_000, 1_000_000)).toBe(0);
    expect(foreignShare(5, 1, 0)).toBe(0);
  });

  it.runIf(existsSync("/proc/stat") && spawnSync("taskset", ["-c", "0", "true"]).status === 0)(
    "reads the pinned core of a process and the core's busy time on Linux",
    () => {
      const child = spawnSync("taskset", ["-c", "0", process.execPath, "--import", "tsx", "-e", 'import("./bench/sched.ts").then((m) => console.log(m.pinnedCore()))'], { encoding: "utf8" });
      expect(child.stdout.trim()).toBe("0");
      expect(pinnedCore()).toBeUndefined(); // the test runner may use every core
      const a = coreBusyUs(0)!;
      expect(a).toBeGreaterThan(0);
      expect(coreBusyUs(0)!).toBeGreaterThanOrEqual(a);
      expect(coreBusyUs(4096)).toBeUndefined();
    },
  );
});
