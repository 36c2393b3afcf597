/**
 * The two counters of the client-side rate limiter: a token bucket (requests or tokens per minute, with
 * debt) and a sliding window (the free-model cap). Pure arithmetic over an injected clock.
 *
 * @module
 */
import { positiveNumber } from "./config.js";

/**
 * A token bucket: holds up to `capacity` tokens and refills `ratePerMs` tokens per millisecond.
 * The level may go negative when a settled call used more than was estimated (a debt that
 * refilling pays back before anyone else is let through).
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket(10, 10 / 1000, () => Date.now()); // 10 per second, burst 10
 * if (bucket.waitFor(1) === 0) bucket.take(1);
 * ```
 */
export class TokenBucket {
  #level: number;
  #last: number;

  constructor(
    readonly capacity: number,
    readonly ratePerMs: number,
    private readonly now: () => number,
  ) {
    positiveNumber("capacity", capacity);
    positiveNumber("rate", ratePerMs);
    this.#level = capacity;
    this.#last = now();
  }

  #refill(): void {
    const t = this.now();
    if (t > this.#last) {
      this.#level = Math.min(this.capacity, this.#level + (t - this.#last) * this.ratePerMs);
    }
    this.#last = Math.max(this.#last, t);
  }

  /**
   * Current level (after refill).
   *
   * @example
   * ```ts
   * new TokenBucket(5, 1, () => 0).level; // 5
   * ```
   */
  get level(): number {
    this.#refill();
    return this.#level;
  }

  /**
   * Milliseconds until `cost` can be taken (0: now). A cost above the capacity is let through once
   * the bucket is full, so an oversized call waits for a full bucket instead of forever.
   *
   * @example
   * ```ts
   * new TokenBucket(1, 0.001, () => 0).waitFor(1); // 0
   * ```
   */
  waitFor(cost: number): number {
    this.#refill();
    const need = Math.min(cost, this.capacity);
    if (this.#level >= need) return 0;
    return Math.ceil((need - this.#level) / this.ratePerMs);
  }

  /**
   * Take `cost` tokens (may leave the level negative).
   *
   * @example
   * ```ts
   * bucket.take(1);
   * ```
   */
  take(cost: number): void {
    this.#refill();
    this.#level -= cost;
  }

  /**
   * Give back `amount` tokens (negative: charge more), never above the capacity.
   *
   * @example
   * ```ts
   * bucket.refund(200); // the call used 200 tokens fewer than estimated
   * ```
   */
  refund(amount: number): void {
    this.#refill();
    this.#level = Math.min(this.capacity, this.#level + amount);
  }
}

/**
 * At most `limit` events in any `windowMs` window. Stricter than a bucket of the same size (a
 * bucket allows up to twice the limit across a window edge), which is what pacing against a
 * server-side limit needs.
 *
 * @example
 * ```ts
 * const window = new SlidingWindow(20, 60_000, Date.now);
 * if (window.waitFor() === 0) window.take();
 * ```
 */
export class SlidingWindow {
  readonly #times: number[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number,
  ) {
    positiveNumber("freeModelsPerMinute", limit);
    positiveNumber("windowMs", windowMs);
  }

  #prune(t: number): void {
    while (this.#times.length > 0 && (this.#times[0] ?? 0) <= t - this.windowMs) this.#times.shift();
  }

  /**
   * Milliseconds until one more event fits (0: now).
   *
   * @example
   * ```ts
   * new SlidingWindow(1, 1000, () => 0).waitFor(); // 0
   * ```
   */
  waitFor(): number {
    const t = this.now();
    this.#prune(t);
    if (this.#times.length < this.limit) return 0;
    const oldest = this.#times[this.#times.length - this.limit] ?? t;
    return Math.max(1, oldest + this.windowMs - t);
  }

  /**
   * Record one event now.
   *
   * @example
   * ```ts
   * window.take();
   * ```
   */
  take(): void {
    const t = this.now();
    this.#prune(t);
    this.#times.push(t);
  }
}
