/**
 * Per-key requests-per-minute and tokens-per-minute with rate-limiter-flexible: counters in Redis when a
 * client is given (they then hold across every gateway instance sharing that Redis), in memory otherwise.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Redis } from "ioredis";

export interface LimitCheck {
  ok: boolean;
  /** Seconds until the window allows the request (for Retry-After). */
  retryAfterSeconds: number;
  which?: "rpm" | "tpm";
}

export class KeyLimits {
  readonly #limiters = new Map<string, RateLimiterAbstract>();
  readonly #redis: Redis | undefined;
  readonly #prefix: string;

  constructor(options: { redis?: Redis | undefined; prefix?: string | undefined }) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? "orgw";
  }

  get shared(): boolean {
    return this.#redis !== undefined;
  }

  #limiter(kind: "rpm" | "tpm", points: number): RateLimiterAbstract {
    const id = `${kind}:${points}`;
    let limiter = this.#limiters.get(id);
    if (!limiter) {
      const opts = { points, duration: 60, keyPrefix: `${this.#prefix}:${kind}:${points}` };
      limiter = this.#redis ? new RateLimiterRedis({ ...opts, storeClient: this.#redis }) : new RateLimiterMemory(opts);
      this.#limiters.set(id, limiter);
    }
    return limiter;
  }

  /** Count one request (and its estimated tokens) against the key's limits. */
  async take(keyId: string, rpm: number | null, tpm: number | null, tokens: number): Promise<LimitCheck> {
    try {
      if (rpm !== null && rpm > 0) await this.#limiter("rpm", rpm).consume(keyId, 1);
    } catch (e) {
      return refused(e, "rpm");
    }
    try {
      if (tpm !== null && tpm > 0) await this.#limiter("tpm", tpm).consume(keyId, Math.max(1, Math.min(tokens, tpm)));
    } catch (e) {
      return refused(e, "tpm");
    }
    return { ok: true, retryAfterSeconds: 0 };
  }

  /** Tokens that turned out to be used beyond the estimate count against the window afterwards. */
  async charge(keyId: string, tpm: number | null, extraTokens: number): Promise<void> {
    if (tpm === null || tpm <= 0 || extraTokens <= 0) return;
    await this.#limiter("tpm", tpm).penalty(keyId, extraTokens).catch(() => undefined);
  }
}

function refused(e: unknown, which: "rpm" | "tpm"): LimitCheck {
  if (e instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(e.msBeforeNext / 1000)), which };
  throw e;
}
