/**
 * A per-model circuit breaker. After `failureThreshold` consecutive retryable failures of one
 * model within `windowMs` its circuit opens and calls to that model fail fast (so a fallback
 * model is tried at once instead of waiting through another round of retries). After
 * `cooldownMs` it half-opens: exactly one probe call goes through; success closes the circuit,
 * a retryable failure opens it again for another cooldown.
 *
 * The breaker only decides; the resilience layer turns a refusal into a `CircuitOpenError`.
 * State lives in the instance, so every client has its own.
 *
 * @module
 */
import { type CircuitBreakerOptions, circuitSettings } from "./config.js";

export type { CircuitBreakerOptions };

/** `closed`: calls flow; `open`: calls fail fast; `half-open`: one probe is allowed. */
export type CircuitState = "closed" | "open" | "half-open";

/** The breaker's answer for one attempt. */
export type CircuitDecision =
  | { readonly allowed: true; readonly probe: boolean }
  | { readonly allowed: false; readonly state: "open" | "half-open"; readonly retryAt: number };

interface ModelCircuit {
  failures: number[]; // timestamps of the current run of consecutive retryable failures
  openedAt: number | undefined;
  retryAt: number | undefined;
  probing: boolean;
}

/**
 * Per-model circuit breaker on an injected clock.
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 10_000 });
 * const decision = breaker.check("openai/gpt-4o");
 * if (decision.allowed) {
 *   try { await call(); breaker.recordSuccess("openai/gpt-4o"); }
 *   catch (e) { breaker.recordFailure("openai/gpt-4o", isRetryable(e)); throw e; }
 * }
 * ```
 */
export class CircuitBreaker {
  readonly failureThreshold: number;
  readonly windowMs: number;
  readonly cooldownMs: number;
  readonly #now: () => number;
  readonly #circuits = new Map<string, ModelCircuit>();

  constructor(options: CircuitBreakerOptions = {}, now: () => number = Date.now) {
    ({ failureThreshold: this.failureThreshold, windowMs: this.windowMs, cooldownMs: this.cooldownMs } = circuitSettings(options));
    this.#now = now;
  }

  #get(model: string): ModelCircuit {
    let c = this.#circuits.get(model);
    if (!c) {
      c = { failures: [], openedAt: undefined, retryAt: undefined, probing: false };
      this.#circuits.set(model, c);
    }
    return c;
  }

  /**
   * The current state of `model`'s circuit.
   *
   * @example
   * ```ts
   * breaker.state("openai/gpt-4o"); // "closed"
   * ```
   */
  state(model: string): CircuitState {
    const c = this.#circuits.get(model);
    if (!c || c.retryAt === undefined) return "closed";
    return this.#now() >= c.retryAt ? "half-open" : "open";
  }

  /**
   * When `model`'s circuit half-opens (epoch ms), or `undefined` while it is closed.
   *
   * @example
   * ```ts
   * breaker.retryAt("openai/gpt-4o"); // undefined
   * ```
   */
  retryAt(model: string): number | undefined {
    return this.#circuits.get(model)?.retryAt;
  }

  /**
   * Ask before an attempt. When it answers `{allowed: true, probe: true}` this attempt is the one
   * probe of a half-open circuit, and the caller must report its outcome (success, failure or
   * {@link CircuitBreaker.release}) so the next probe can go.
   *
   * @example
   * ```ts
   * const d = breaker.check("openai/gpt-4o");
   * if (!d.allowed) console.log(`open until ${new Date(d.retryAt).toISOString()}`);
   * ```
   */
  check(model: string): CircuitDecision {
    const c = this.#circuits.get(model);
    if (!c || c.retryAt === undefined) return { allowed: true, probe: false };
    const now = this.#now();
    if (now < c.retryAt) return { allowed: false, state: "open", retryAt: c.retryAt };
    if (c.probing) return { allowed: false, state: "half-open", retryAt: now + this.cooldownMs };
    c.probing = true;
    return { allowed: true, probe: true };
  }

  /**
   * The model answered: close its circuit and forget its failures.
   *
   * @example
   * ```ts
   * breaker.recordSuccess("openai/gpt-4o");
   * ```
   */
  recordSuccess(model: string): void {
    this.#circuits.delete(model);
  }

  /**
   * The model failed. Only retryable failures (overload, outage, network) count towards opening;
   * a non-retryable one (400, 401, …) says nothing about the model's health and just frees the
   * probe slot.
   *
   * @example
   * ```ts
   * breaker.recordFailure("openai/gpt-4o", true);
   * ```
   */
  recordFailure(model: string, retryable: boolean): void {
    const c = this.#get(model);
    const wasProbe = c.probing;
    c.probing = false;
    if (!retryable) return;
    const now = this.#now();
    if (wasProbe || (c.retryAt !== undefined && now >= c.retryAt)) {
      // The probe failed: open again for a full cooldown.
      c.openedAt = now;
      c.retryAt = now + this.cooldownMs;
      c.failures = [now];
      return;
    }
    c.failures = c.failures.filter((t) => now - t < this.windowMs);
    c.failures.push(now);
    if (c.failures.length >= this.failureThreshold && c.retryAt === undefined) {
      c.openedAt = now;
      c.retryAt = now + this.cooldownMs;
    }
  }

  /**
   * The attempt ended without a verdict (for example the caller aborted): free the probe slot.
   *
   * @example
   * ```ts
   * breaker.release("openai/gpt-4o");
   * ```
   */
  release(model: string): void {
    const c = this.#circuits.get(model);
    if (c) c.probing = false;
  }
}
