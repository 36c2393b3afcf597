/**
 * Decides whether a bench run is quiet enough to judge a client's cost, from samples taken before and during
 * the run. Pure: the driver (run.ts) collects the samples, this module only reads them.
 *
 * Why: on a loaded machine every client waits for a CPU, and that wait is the same for all of them, so the
 * ratios to the floor are pulled toward 1 and a client's own cost disappears (a run with the floor at a quarter
 * of its quiet throughput showed 0.98× where a quiet run showed 0.82×). A run says so rather than print ratios
 * that look like a result.
 *
 * @example
 * ```ts
 * const v = judgeNoise({ ...samples, reference });
 * console.log(v.line); // "verdict: too noisy to judge: load average 10.3 during the run on 2 cores ..."
 * ```
 */

/** Floor figures a quiet reference can hold (names as the worker reports them). */
export const REFERENCE_METRICS = ["chatRpsC1", "chatRpsC64", "streamChunksPerS", "streamChunksPerSBatch64"] as const;
export type ReferenceMetric = (typeof REFERENCE_METRICS)[number];

/**
 * Chat rates are time-boxed (completed requests over elapsed time), so a quick run's figure is comparable with
 * a full run's; stream rates depend on the stream length, which differs between modes.
 */
const COMPARABLE_ACROSS_MODES: ReadonlySet<ReferenceMetric> = new Set(["chatRpsC1", "chatRpsC64"]);

const METRIC_TEXT: Record<ReferenceMetric, { what: string; unit: string }> = {
  chatRpsC1: { what: "chat c=1", unit: "req/s" },
  chatRpsC64: { what: "chat c=64", unit: "req/s" },
  streamChunksPerS: { what: "stream, 1 event/write", unit: "chunks/s" },
  streamChunksPerSBatch64: { what: "stream, 64 events/write", unit: "chunks/s" },
};

export interface Machine {
  cpus: number;
  cpuModel: string;
}

/** The floor's throughput on one machine when nothing else ran (bench/quiet-reference.json holds one per machine). */
export interface QuietReference {
  /** When the reference was measured (ISO date). */
  date: string;
  machine: Machine & { node?: string };
  /** The run mode the figures come from; stream figures are compared only within the same mode. */
  mode: "full" | "quick";
  /** How the figures were measured, in words, so a reader can judge them. */
  how: string;
  floor: Partial<Record<ReferenceMetric, number>>;
}

export interface NoiseSamples {
  machine: Machine;
  mode: "full" | "quick";
  /** 1-minute load average just before the first measurement. */
  loadBefore: number;
  /** 1-minute load averages sampled while the run measured. */
  loadDuring: number[];
  /** Linux CPU pressure ("some avg10", percent of time some runnable task waited for a CPU) while measuring. */
  cpuPressure: number[];
  /** Per floor measurement window: the server's CPU time over the window's wall time (1 = one full core). */
  serverCpuShare: number[];
  /** Per floor measurement window: of the time the server was runnable, the share it waited for a CPU. */
  serverWaitShare: number[];
  /** Per floor measurement window: the same for the client process. */
  clientWaitShare: number[];
  /**
   * Per floor measurement window, when the bench pins its processes: the share of the window the server's core
   * ran other programs' work (its busy time minus the server's own CPU time, all threads). Empty when unknown.
   */
  serverForeignShare?: number[];
  /** The same for the client's core. */
  clientForeignShare?: number[];
  /** The floor's figure in each repetition of this run. */
  floor: Partial<Record<ReferenceMetric, number[]>>;
  reference: QuietReference | undefined;
}

/**
 * Where a run stops being judgeable. Set from what contention does to these figures, not tuned to one machine:
 * the bench itself keeps two processes busy (client and server, one core each), so load beyond that is someone
 * else's work.
 */
export const NOISE_LIMITS = {
  /** Runnable processes the bench itself accounts for while it measures (client worker + server). */
  benchOwnLoad: 2,
  /** Load average per core, beyond the bench's own, that means other work competes. */
  otherLoadPerCore: 0.5,
  /** Load average per core before the run: other work was already running. */
  loadBeforePerCore: 0.5,
  /** CPU pressure (PSI some avg10, %) above which tasks regularly wait for a CPU. */
  cpuPressurePct: 25,
  /** Share of its runnable time a bench process may wait for a CPU (judged only when the foreign share is unknown). */
  waitShare: 0.1,
  /** Share of a window the core of a pinned bench process may spend on other programs. */
  foreignShare: 0.1,
  /** Server CPU share of a core at which the server, not the client, sets the pace. */
  serverSaturated: 0.9,
  /** The floor below this fraction of its quiet figure means the machine was not quiet. */
  floorOfReference: 0.7,
} as const;

export interface Verdict {
  judgeable: boolean;
  /** Why the run is too noisy, one reason per signal that tripped; empty when judgeable. */
  reasons: string[];
  /** Facts that do not decide the verdict (a reference that does not apply, signals not available). */
  notes: string[];
  /** The one line printed with the table. */
  line: string;
}

const max = (xs: number[]): number | undefined => (xs.length === 0 ? undefined : Math.max(...xs));
const min = (xs: number[]): number | undefined => (xs.length === 0 ? undefined : Math.min(...xs));
const pct = (x: number): string => `${Math.round(x * 100)}%`;
const num = (x: number, digits = 0): string =>
  x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Whether a stored reference was measured on a machine like this one (same core count and CPU model). */
export function referenceApplies(ref: QuietReference, machine: Machine): boolean {
  return ref.machine.cpus === machine.cpus && ref.machine.cpuModel.trim() === machine.cpuModel.trim();
}

/**
 * The reference for this machine among those stored (one per machine the bench was calibrated on); when none
 * applies, the first, so the verdict can say that it does not apply.
 */
export function referenceFor(stored: QuietReference | QuietReference[] | undefined, machine: Machine): QuietReference | undefined {
  const refs = stored === undefined ? [] : Array.isArray(stored) ? stored : [stored];
  return refs.find((r) => referenceApplies(r, machine)) ?? refs[0];
}

/** The stored references with `ref` in place of the one for the same machine (added when there was none). */
export function withReference(stored: QuietReference | QuietReference[] | undefined, ref: QuietReference): QuietReference[] {
  const refs = stored === undefined ? [] : Array.isArray(stored) ? stored : [stored];
  return [...refs.filter((r) => !referenceApplies(r, ref.machine)), ref];
}

export function judgeNoise(s: NoiseSamples): Verdict {
  const reasons: string[] = [];
  const notes: string[] = [];
  const cores = Math.max(1, s.machine.cpus);

  if (s.loadBefore > NOISE_LIMITS.loadBeforePerCore * cores) {
    reasons.push(`load average ${num(s.loadBefore, 1)} before the run on ${cores} cores (other work was running)`);
  }
  const loadPeak = max(s.loadDuring);
  const loadLimit = NOISE_LIMITS.benchOwnLoad + NOISE_LIMITS.otherLoadPerCore * cores;
  if (loadPeak !== undefined && loadPeak > loadLimit) {
    reasons.push(`load average up to ${num(loadPeak, 1)} during the run on ${cores} cores (the bench accounts for ${NOISE_LIMITS.benchOwnLoad})`);
  }
  // With each bench process pinned to a core of its own, what other programs ran on those cores is measured
  // directly. Then CPU pressure and the run-queue waits are not evidence of other work: a pinned process's main
  // thread also waits for its own threads (garbage collector, compiler), and that wait is the client's own cost.
  const serverForeign = max(s.serverForeignShare ?? []);
  const clientForeign = max(s.clientForeignShare ?? []);
  const foreignKnown = serverForeign !== undefined && clientForeign !== undefined;
  const pressure = max(s.cpuPressure);
  const serverWait = max(s.serverWaitShare);
  const clientWait = max(s.clientWaitShare);
  if (foreignKnown) {
    if (serverForeign > NOISE_LIMITS.foreignShare) {
      reasons.push(`other programs used ${pct(serverForeign)} of the server's core during the floor's measurement`);
    }
    if (clientForeign > NOISE_LIMITS.foreignShare) {
      reasons.push(`other programs used ${pct(clientForeign)} of the client's core during the floor's measurement`);
    }
    const own = [
      pressure !== undefined && `CPU pressure up to ${num(pressure)}%`,
      serverWait !== undefined && `server run-queue wait up to ${pct(serverWait)}`,
      clientWait !== undefined && `client run-queue wait up to ${pct(clientWait)}`,
    ].filter(Boolean);
    if (own.length > 0) {
      notes.push(
        `other programs used at most ${pct(Math.max(serverForeign, clientForeign))} of the bench's cores; ${own.join(", ")} ` +
          "(each process pinned: these count its own threads too, so they do not decide the verdict)",
      );
    }
  } else {
    if (pressure === undefined) notes.push("CPU pressure (PSI) not available on this system");
    else if (pressure > NOISE_LIMITS.cpuPressurePct) {
      reasons.push(`CPU pressure up to ${num(pressure)}% (tasks waited for a CPU that share of the time)`);
    }
    if (serverWait === undefined) notes.push("run-queue wait (schedstat) not available: server and client contention not checked");
    else if (serverWait > NOISE_LIMITS.waitShare) {
      reasons.push(`the server waited for a CPU ${pct(serverWait)} of its runnable time during the floor's measurement`);
    }
    if (clientWait !== undefined && clientWait > NOISE_LIMITS.waitShare) {
      reasons.push(`the client waited for a CPU ${pct(clientWait)} of its runnable time during the floor's measurement`);
    }
  }
  const serverBusy = max(s.serverCpuShare);
  if (serverBusy !== undefined && serverBusy >= NOISE_LIMITS.serverSaturated) {
    reasons.push(`the server used ${pct(serverBusy)} of a core during the floor's measurement: it, not the client, set the pace`);
  }

  const ref = s.reference;
  if (ref === undefined) notes.push("no quiet reference stored: the floor's throughput not checked");
  else if (!referenceApplies(ref, s.machine)) {
    notes.push(
      `the quiet reference (${ref.date}, ${ref.machine.cpus} cores, ${ref.machine.cpuModel}) does not apply to this machine ` +
        `(${s.machine.cpus} cores, ${s.machine.cpuModel})`,
    );
  } else {
    let compared = 0;
    for (const k of REFERENCE_METRICS) {
      const quiet = ref.floor[k];
      const worst = min(s.floor[k] ?? []);
      if (quiet === undefined || worst === undefined) continue;
      if (ref.mode !== s.mode && !COMPARABLE_ACROSS_MODES.has(k)) continue;
      compared++;
      if (worst < NOISE_LIMITS.floorOfReference * quiet) {
        const t = METRIC_TEXT[k];
        reasons.push(`the floor's ${t.what} ${num(worst)} ${t.unit} is ${num(worst / quiet, 2)}× its quiet figure ${num(quiet)} (${ref.date})`);
      }
    }
    if (compared === 0) notes.push("the quiet reference has no figure comparable with this run");
  }

  const judgeable = reasons.length === 0;
  const line = judgeable ? "verdict: judgeable" : `verdict: too noisy to judge: ${reasons.join("; ")}`;
  return { judgeable, reasons, notes, line };
}
