/**
 * Client-side rate limiting: token buckets for requests per minute and tokens per minute, a
 * sliding window for OpenRouter's free-model cap, and a concurrency cap. Callers wait in one
 * FIFO queue per limiter (the head blocks those behind it, so nobody is overtaken) and a queued
 * caller leaves the queue as soon as its AbortSignal fires. Time comes from an injected clock so
 * tests run on virtual time.
 *
 * @module
 */

import { SlidingWindow, TokenBucket } from "./buckets.js";
import { type LimiterConfig, type RateLimitOptions, checkLimiterConfig } from "./config.js";

export type { LimiterConfig, RateLimitOptions };

/** The clock a limiter runs on: `Date.now` and a cancellable sleep in production, virtual time in tests. */
export interface LimiterClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** What a granted caller holds until its call is over. */
export interface RateLimitPermit {
  /** How long the caller waited in the queue (clock milliseconds). */
  readonly waitedMs: number;
  /** The token estimate charged at grant time. */
  readonly estimatedTokens: number;
  /** Give back the concurrency slot. Idempotent. */
  release(): void;
  /** Correct the token charge with the tokens the call really used. Only the first call counts. */
  settle(actualTokens: number): void;
}

/** Per-acquire options. */
export interface AcquireOptions {
  /** Estimated tokens of this call (for `tokensPerMinute`). Default 0. */
  tokens?: number;
  signal?: AbortSignal;
}

/** Rejection of a queued `acquire` whose signal fired; the resilience layer maps it to AbortError. */
export class QueueAbortedError extends Error {
  override readonly name = "QueueAbortedError";
  constructor(readonly reason: unknown) {
    super("rate-limit wait aborted");
  }
}

interface Waiter {
  tokens: number;
  enqueuedAt: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  resolve: (permit: RateLimitPermit) => void;
  reject: (error: unknown) => void;
}

/**
 * A FIFO queue in front of request/token buckets, a sliding window and a concurrency cap.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ requestsPerMinute: 60, maxConcurrency: 4 }, {
 *   now: Date.now,
 *   sleep: (ms, signal) => abortableSleep(ms, signal),
 * });
 * const permit = await limiter.acquire({ tokens: 1200, signal });
 * try { await doCall(); permit.settle(usage.total_tokens); } finally { permit.release(); }
 * ```
 */
export class RateLimiter {
  readonly #clock: LimiterClock;
  readonly #requests: TokenBucket | undefined;
  readonly #tokens: TokenBucket | undefined;
  readonly #window: SlidingWindow | undefined;
  readonly #maxConcurrency: number;
  readonly #queue: Waiter[] = [];
  #active = 0;
  #timer: AbortController | undefined;

  constructor(config: LimiterConfig, clock: LimiterClock) {
    this.#clock = clock;
    const now = (): number => clock.now();
    const limits = checkLimiterConfig(config);
    if (limits.requests) this.#requests = new TokenBucket(limits.requests.burst, limits.requests.perMinute / 60_000, now);
    if (limits.tokens) this.#tokens = new TokenBucket(limits.tokens.burst, limits.tokens.perMinute / 60_000, now);
    if (config.window) this.#window = new SlidingWindow(config.window.limit, config.window.windowMs, now);
    this.#maxConcurrency = limits.maxConcurrency;
  }

  /**
   * Callers waiting in the queue.
   *
   * @example
   * ```ts
   * limiter.queued; // 0
   * ```
   */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Calls holding a permit that has not been released.
   *
   * @example
   * ```ts
   * limiter.active; // 0
   * ```
   */
  get active(): number {
    return this.#active;
  }

  /**
   * Wait (FIFO) until every limit allows one more call, then hold a permit. Rejects with
   * {@link QueueAbortedError} when `signal` fires first; the queue moves on without the caller.
   *
   * @example
   * ```ts
   * const permit = await limiter.acquire({ tokens: 500 });
   * permit.release();
   * ```
   */
  acquire(options: AcquireOptions = {}): Promise<RateLimitPermit> {
    const tokens = options.tokens ?? 0;
    if (typeof tokens !== "number" || !Number.isFinite(tokens) || tokens < 0) {
      return Promise.reject(new TypeError(`rate limit: tokens must be a non-negative number, got ${String(tokens)}`));
    }
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new QueueAbortedError(signal.reason));
    return new Promise<RateLimitPermit>((resolve, reject) => {
      const waiter: Waiter = {
        tokens,
        enqueuedAt: this.#clock.now(),
        signal,
        onAbort: undefined,
        resolve,
        reject,
      };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.#queue.indexOf(waiter);
          if (i === -1) return;
          this.#queue.splice(i, 1);
          reject(new QueueAbortedError(signal.reason));
          // The head may have changed: recompute the wait instead of sleeping for the old head.
          if (i === 0) this.#restart();
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.#queue.push(waiter);
      this.#pump();
    });
  }

  #restart(): void {
    this.#timer?.abort();
    this.#timer = undefined;
    this.#pump();
  }

  #pump(): void {
    if (this.#timer) return; // a scheduled wake-up will pump
    while (this.#queue.length > 0) {
      if (this.#active >= this.#maxConcurrency) return; // release() pumps again
      const head = this.#queue[0] as Waiter;
      const wait = Math.max(
        this.#requests?.waitFor(1) ?? 0,
        this.#tokens?.waitFor(head.tokens) ?? 0,
        this.#window?.waitFor() ?? 0,
      );
      if (wait > 0) {
        this.#schedule(wait);
        return;
      }
      this.#queue.shift();
      if (head.signal && head.onAbort) head.signal.removeEventListener("abort", head.onAbort);
      this.#requests?.take(1);
      this.#tokens?.take(head.tokens);
      this.#window?.take();
      this.#active++;
      head.resolve(this.#permit(head));
    }
  }

  #schedule(ms: number): void {
    const controller = new AbortController();
    this.#timer = controller;
    this.#clock.sleep(ms, controller.signal).then(
      () => {
        if (this.#timer !== controller) return;
        this.#timer = undefined;
        this.#pump();
      },
      () => {
        // Cancelled by #restart, which pumps itself.
      },
    );
  }

  #permit(waiter: Waiter): RateLimitPermit {
    let released = false;
    let settled = false;
    const waitedMs = Math.max(0, this.#clock.now() - waiter.enqueuedAt);
    return {
      waitedMs,
      estimatedTokens: waiter.tokens,
      release: () => {
        if (released) return;
        released = true;
        this.#active--;
        this.#pump();
      },
      settle: (actualTokens: number) => {
        if (settled || typeof actualTokens !== "number" || !Number.isFinite(actualTokens) || actualTokens < 0) return;
        settled = true;
        this.#tokens?.refund(waiter.tokens - actualTokens);
        // A refund may let the head through earlier than its scheduled wake-up.
        if (this.#tokens) this.#restart();
      },
    };
  }
}
