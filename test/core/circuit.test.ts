import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../src/core/resilience/circuit.js";

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("CircuitBreaker", () => {
  it("opens after N consecutive retryable failures and names when it half-opens", () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 10_000 }, c.now);
    b.recordFailure("m", true);
    b.recordFailure("m", true);
    expect(b.state("m")).toBe("closed");
    expect(b.check("m")).toEqual({ allowed: true, probe: false });
    b.recordFailure("m", true);
    expect(b.state("m")).toBe("open");
    expect(b.check("m")).toEqual({ allowed: false, state: "open", retryAt: c.now() + 10_000 });
    expect(b.retryAt("m")).toBe(c.now() + 10_000);
    // Other models are unaffected.
    expect(b.check("other")).toEqual({ allowed: true, probe: false });
  });

  it("a success resets the run; non-retryable failures do not count", () => {
    const b = new CircuitBreaker({ failureThreshold: 2 }, clock().now);
    b.recordFailure("m", true);
    b.recordSuccess("m");
    b.recordFailure("m", true);
    b.recordFailure("m", false);
    expect(b.state("m")).toBe("closed");
    b.recordFailure("m", true);
    expect(b.state("m")).toBe("open");
  });

  it("forgets failures older than the window", () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 2, windowMs: 1000 }, c.now);
    b.recordFailure("m", true);
    c.advance(1500);
    b.recordFailure("m", true);
    expect(b.state("m")).toBe("closed");
    c.advance(10);
    b.recordFailure("m", true);
    expect(b.state("m")).toBe("open");
  });

  it("half-opens after the cooldown, lets exactly one probe through, closes on success", () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 5000 }, c.now);
    b.recordFailure("m", true);
    c.advance(5000);
    expect(b.state("m")).toBe("half-open");
    expect(b.check("m")).toEqual({ allowed: true, probe: true });
    const second = b.check("m");
    expect(second.allowed).toBe(false);
    b.recordSuccess("m");
    expect(b.state("m")).toBe("closed");
    expect(b.check("m")).toEqual({ allowed: true, probe: false });
  });

  it("a failed probe re-opens for a full cooldown; a released probe frees the slot", () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 5000 }, c.now);
    b.recordFailure("m", true);
    c.advance(5000);
    expect(b.check("m")).toMatchObject({ allowed: true, probe: true });
    b.recordFailure("m", true);
    expect(b.state("m")).toBe("open");
    expect(b.retryAt("m")).toBe(c.now() + 5000);
    c.advance(5000);
    expect(b.check("m")).toMatchObject({ allowed: true, probe: true });
    b.release("m");
    expect(b.check("m")).toMatchObject({ allowed: true, probe: true });
  });

  it("a failure reported after the cooldown without a probe re-opens it; releasing an unknown model is harmless", () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 5000 }, c.now);
    b.recordFailure("m", true);
    c.advance(6000);
    // An attempt that started before the circuit opened fails late: no probe was taken, the cooldown is over.
    b.recordFailure("m", true);
    expect(b.state("m")).toBe("open");
    expect(b.retryAt("m")).toBe(c.now() + 5000);
    expect(() => b.release("never-seen")).not.toThrow();
    expect(b.state("never-seen")).toBe("closed");
  });

  it("keeps state per instance", () => {
    const c = clock();
    const a = new CircuitBreaker({ failureThreshold: 1 }, c.now);
    const other = new CircuitBreaker({ failureThreshold: 1 }, c.now);
    a.recordFailure("m", true);
    expect(a.state("m")).toBe("open");
    expect(other.state("m")).toBe("closed");
  });

  it("rejects bad options", () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0 })).toThrow(/circuitBreaker\.failureThreshold/);
    expect(() => new CircuitBreaker({ cooldownMs: -5 })).toThrow(/circuitBreaker\.cooldownMs/);
    expect(() => new CircuitBreaker(null as never)).toThrow(/object/);
  });
});
