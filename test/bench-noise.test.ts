import { describe, expect, it } from "vitest";
import { judgeNoise, referenceApplies, type NoiseSamples, type QuietReference } from "../bench/noise.js";

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
});
