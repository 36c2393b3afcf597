/**
 * The first-event and idle timeouts of a forwarded stream, with the meaning and defaults of the client's
 * `firstEventTimeoutMs` / `idleTimeoutMs`: the gateway forwards the upstream bytes itself instead of reading
 * them through the client's `ChatStream`, so without these a stream whose upstream goes silent would hang until
 * the app gives up. Only data events count as progress: OpenRouter's keep-alive comments keep a stalled
 * stream's connection open for ever.
 *
 * One timer per stream, armed once for the whole window; a data chunk only records the time. When the timer
 * fires it re-arms itself for what is left of the window counted from the last data event, so the hot path
 * never pays a clearTimeout / setTimeout pair per chunk.
 */
import { DEFAULT_FIRST_EVENT_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS } from "openrouter-fetch";

export interface StreamTimeouts {
  /** From the start of the upstream call to its first data event; 0 = off. */
  firstEventTimeoutMs: number;
  /** Between two data events; 0 = off. */
  idleTimeoutMs: number;
}

/**
 * The stream timeouts the gateway's client options stand for, by the client's own rule: each defaults to the
 * client's default, except that setting only `idleTimeoutMs` adds no first-event timeout (the idle timer then
 * counts from the response headers).
 */
export function streamTimeouts(client: { firstEventTimeoutMs?: number | undefined; idleTimeoutMs?: number | undefined } | undefined): StreamTimeouts {
  const first = client?.firstEventTimeoutMs;
  const idle = client?.idleTimeoutMs;
  return { firstEventTimeoutMs: first ?? (idle === undefined ? DEFAULT_FIRST_EVENT_TIMEOUT_MS : 0), idleTimeoutMs: idle ?? DEFAULT_IDLE_TIMEOUT_MS };
}

export type DeadlineKind = "first" | "idle";

/** setTimeout's largest delay; a longer one would fire at once. */
const MAX_DELAY_MS = 2_147_483_647;

/** The timer callback is a module function handed the deadline, so arming it allocates no closure. */
function fire(d: StreamDeadline): void {
  d.elapsed();
}

/**
 * @example
 * const d = new StreamDeadline({ firstEventTimeoutMs: 300_000, idleTimeoutMs: 120_000 }, () => performance.now());
 * d.onExpire = (kind) => console.log(`${kind} timeout: ${d.message()}`);
 * d.start(); // before the upstream call
 */
export class StreamDeadline {
  /** What runs when a window passes without a data event (set by whoever can end the stream at that moment). */
  onExpire: (kind: DeadlineKind) => void = () => undefined;
  /** Which timeout passed, once one has. */
  expired: DeadlineKind | undefined;
  readonly #timeouts: StreamTimeouts;
  readonly #now: () => number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #phase: DeadlineKind | undefined;
  /** The window runs from here: the start of the call, the headers, or the last data event. */
  #anchor = 0;
  /** When the app stopped taking data, while it has not resumed. */
  #heldAt: number | undefined;
  #stopped = false;

  constructor(timeouts: StreamTimeouts, now: () => number) {
    this.#timeouts = timeouts;
    this.#now = now;
  }

  /** The upstream call starts: the first-event window runs from now. */
  start(): void {
    if (this.#timeouts.firstEventTimeoutMs > 0) this.#enter("first", this.#now());
  }

  /** The response headers arrived: without a first-event timeout, the idle window runs from here. */
  onHeaders(): void {
    if (this.#timeouts.firstEventTimeoutMs === 0 && this.#timeouts.idleTimeoutMs > 0) this.#enter("idle", this.#now());
  }

  /** One or more data events arrived. The common case is one assignment. */
  onData(): void {
    if (this.#phase === "idle") {
      this.#anchor = this.#now();
      return;
    }
    // The first data event: the (longer) first-event timer gives way to the idle window, once per stream.
    this.#clear();
    this.#phase = undefined;
    if (this.#timeouts.idleTimeoutMs > 0 && !this.#stopped) this.#enter("idle", this.#now());
  }

  /**
   * The app is not taking what was sent (back-pressure): the upstream is not being read, so the time until
   * `release` is not the upstream's silence and is left out of the window (which is not restarted).
   */
  hold(): void {
    if (this.#heldAt === undefined) this.#heldAt = this.#now();
  }

  release(): void {
    if (this.#heldAt === undefined) return;
    const now = this.#now();
    this.#anchor += now - this.#heldAt;
    this.#heldAt = undefined;
    // The timer lapsed during the hold (see `elapsed`): it runs again for what is left of the window.
    if (this.#timer === undefined && this.#phase !== undefined && !this.#stopped) this.#arm(Math.max(1, this.#anchor + this.#window() - now));
  }

  /** The stream is over: no timer remains. */
  stop(): void {
    this.#stopped = true;
    this.#clear();
    this.#phase = undefined;
  }

  /** What the timeout says, in the client's words. */
  message(): string {
    return this.expired === "first"
      ? `No data event within firstEventTimeoutMs (${this.#timeouts.firstEventTimeoutMs} ms) from the upstream.`
      : `No data event for idleTimeoutMs (${this.#timeouts.idleTimeoutMs} ms) from the upstream.`;
  }

  /** @internal The timer fired: expire, or wait for the rest of a window that data (or a hold) moved on. */
  elapsed(): void {
    this.#timer = undefined;
    const phase = this.#phase;
    if (phase === undefined || this.#stopped) return;
    // Held: nothing to judge until the app takes data again; `release` re-arms the timer.
    if (this.#heldAt !== undefined) return;
    const remaining = this.#anchor + this.#window() - this.#now();
    if (remaining > 1) {
      this.#arm(remaining);
      return;
    }
    this.expired = phase;
    this.stop();
    this.onExpire(phase);
  }

  #enter(phase: DeadlineKind, at: number): void {
    this.#phase = phase;
    this.#anchor = at;
    this.#arm(this.#window());
  }

  #window(): number {
    return this.#phase === "first" ? this.#timeouts.firstEventTimeoutMs : this.#timeouts.idleTimeoutMs;
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(fire, Math.min(ms, MAX_DELAY_MS), this);
  }

  #clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
