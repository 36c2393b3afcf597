/**
 * The first-event and idle timeouts of a chat stream. Only data events count: keep-alive comments are counted
 * for the message, never as progress. Timer callbacks are module functions handed the timers as an argument
 * (`setTimeout(fn, ms, arg)`), so a stream allocates no closure for them.
 */

/** Who is told when a timeout passes. */
export interface TimeoutSink {
  onTimeout(kind: "first" | "idle"): void;
}

function fireFirst(timers: StreamTimers): void {
  timers.firstTimer = undefined;
  timers.sink.onTimeout("first");
}

function fireIdle(timers: StreamTimers): void {
  timers.idleTimer = undefined;
  const remaining = timers.idleTimeoutMs - (timers.now() - timers.lastDataAt);
  if (remaining > 1) {
    // Data arrived since the timer was set: wait for the rest of the window (no timer reset per event).
    timers.idleTimer = setTimeout(fireIdle, remaining, timers);
    return;
  }
  timers.sink.onTimeout("idle");
}

/**
 * @example
 * const timers = new StreamTimers({ onTimeout: (kind) => console.log(kind) }, () => Date.now(), 10_000, 30_000);
 * timers.start(); // first-event timer running
 */
export class StreamTimers {
  firstTimer: ReturnType<typeof setTimeout> | undefined;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * When the last data event arrived. Starts as a non-integer so the field holds doubles from the first
   * instance on: an integer start would change the field's representation (and the class's hidden class) at
   * the first clock reading, which throws away the optimised code of the read path.
   */
  lastDataAt = Number.NaN;
  /** Keep-alive comments received, for the timeout message. */
  keepAlives = 0;
  readonly sink: TimeoutSink;
  readonly now: () => number;
  readonly firstEventTimeoutMs: number;
  readonly idleTimeoutMs: number;

  constructor(sink: TimeoutSink, now: () => number, firstEventTimeoutMs: number, idleTimeoutMs: number) {
    this.sink = sink;
    this.now = now;
    this.firstEventTimeoutMs = firstEventTimeoutMs;
    this.idleTimeoutMs = idleTimeoutMs;
  }

  /** The stream started: the first-event timer runs from now. */
  start(): void {
    if (this.firstEventTimeoutMs > 0) this.firstTimer = setTimeout(fireFirst, this.firstEventTimeoutMs, this);
  }

  /** The response headers arrived. */
  onHeaders(): void {
    // With a first-event timeout, the wait for the first data event is that timer's job (a long first token must
    // not trip the shorter idle timeout): the idle timer then starts at the first data event.
    if (this.idleTimeoutMs > 0 && this.firstEventTimeoutMs === 0) {
      this.lastDataAt = this.now();
      this.idleTimer = setTimeout(fireIdle, this.idleTimeoutMs, this);
    }
  }

  /** Data events arrived (called once per network read that carried any: they all arrived at that moment). */
  onData(): void {
    if (this.firstTimer !== undefined) {
      clearTimeout(this.firstTimer);
      this.firstTimer = undefined;
    }
    if (this.idleTimeoutMs > 0) {
      this.lastDataAt = this.now();
      if (this.idleTimer === undefined) this.idleTimer = setTimeout(fireIdle, this.idleTimeoutMs, this);
    }
  }

  stop(): void {
    if (this.firstTimer !== undefined) clearTimeout(this.firstTimer);
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.firstTimer = this.idleTimer = undefined;
  }

  /** What the timeout message says about keep-alive comments. */
  note(): string {
    return this.keepAlives > 0 ? ` (${this.keepAlives} keep-alive comment${this.keepAlives === 1 ? "" : "s"} received meanwhile)` : "";
  }
}

/** An idle instance kept for the life of the module, so V8 keeps this class's hidden class (see stream/keep-alive.ts). */
export const KEEP = new StreamTimers({ onTimeout() {} }, Date.now, 1, 1);
