/**
 * The deadline of a call (src/core/deadline.ts), on fake timers: the caller's signal and the timeout merged into
 * one abort, the typed error it gives, and the real `AbortSignal` made only when something asks for it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AbortError, TimeoutError } from "../../src/index.js";
import { Deadline } from "../../src/core/deadline.js";

const info = { method: "POST", path: "/chat/completions" };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** Counts `new AbortController()` while `run` runs. */
function controllersMadeBy(run: () => void): number {
  const Original = globalThis.AbortController;
  let made = 0;
  class Counted extends Original {
    constructor() {
      super();
      made++;
    }
  }
  globalThis.AbortController = Counted;
  try {
    run();
  } finally {
    globalThis.AbortController = Original;
  }
  return made;
}

describe("Deadline", () => {
  it("with neither a timeout nor a caller's signal: no timer, never aborts, no signal", () => {
    const deadline = new Deadline(undefined, undefined);
    expect([deadline.timeoutMs, deadline.aborted, deadline.signal]).toEqual([undefined, false, undefined]);
    expect(new Deadline(undefined, 0).timeoutMs).toBeUndefined();
  });

  it("without a timeout, the caller's signal is the call's signal", () => {
    const caller = new AbortController();
    const deadline = new Deadline(caller.signal, undefined);
    expect(deadline.signal).toBe(caller.signal);
    caller.abort(new Error("stop"));
    expect(deadline.aborted).toBe(true);
    expect((deadline.reason as Error).message).toBe("stop");
    expect(deadline.failure(info)).toBeInstanceOf(AbortError);
  });

  it("makes no AbortController until its signal is read", () => {
    let deadline!: Deadline;
    expect(controllersMadeBy(() => (deadline = new Deadline(undefined, 1000)))).toBe(0);
    expect(controllersMadeBy(() => deadline.signal)).toBe(1);
    // Made once: the same signal every time.
    expect(deadline.signal).toBe(deadline.signal);
    deadline.clear();
  });

  it("at the timeout: listeners fire once, the signal aborts, and the failure is a TimeoutError", () => {
    const deadline = new Deadline(undefined, 1000);
    const fired: unknown[] = [];
    const listener = { handleEvent: () => fired.push(deadline.reason) };
    deadline.addEventListener("abort", listener);
    const signal = deadline.signal!;
    vi.advanceTimersByTime(999);
    expect([deadline.aborted, signal.aborted, fired.length]).toEqual([false, false, 0]);
    vi.advanceTimersByTime(1);
    expect([deadline.aborted, signal.aborted]).toEqual([true, true]);
    expect(fired).toHaveLength(1);
    expect((fired[0] as DOMException).name).toBe("TimeoutError");
    const error = deadline.failure(info);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toContain("1000 ms");
  });

  it("a signal first read after the abort is already aborted, with the same reason", () => {
    const deadline = new Deadline(undefined, 50);
    vi.advanceTimersByTime(50);
    const signal = deadline.signal!;
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(deadline.reason);
  });

  it("the caller's abort reaches listeners and the signal, and is an AbortError, not a timeout", () => {
    const caller = new AbortController();
    const deadline = new Deadline(caller.signal, 1000);
    const calls: string[] = [];
    deadline.addEventListener("abort", () => calls.push("fn"));
    deadline.addEventListener("abort", { handleEvent: () => calls.push("object") });
    caller.abort(new Error("user"));
    expect(calls).toEqual(["fn", "object"]);
    expect(deadline.signal!.aborted).toBe(true);
    expect(deadline.failure(info)).toBeInstanceOf(AbortError);
    // The timer firing later changes nothing.
    vi.advanceTimersByTime(1000);
    expect(calls).toHaveLength(2);
    expect(deadline.failure(info)).toBeInstanceOf(AbortError);
  });

  it("an already aborted caller's signal aborts the deadline at once", () => {
    const caller = new AbortController();
    caller.abort("early");
    const deadline = new Deadline(caller.signal, 1000);
    expect([deadline.aborted, deadline.reason]).toEqual([true, "early"]);
    deadline.clear();
  });

  it("a removed listener is not called; clear() stops the timer", () => {
    const deadline = new Deadline(undefined, 100);
    const first = vi.fn();
    const second = vi.fn();
    deadline.addEventListener("abort", first);
    deadline.addEventListener("abort", second);
    deadline.removeEventListener("abort", first);
    deadline.removeEventListener("abort", second);
    vi.advanceTimersByTime(100);
    expect(first).not.toHaveBeenCalled();
    expect(second).not.toHaveBeenCalled();

    const cleared = new Deadline(undefined, 100);
    cleared.clear();
    vi.advanceTimersByTime(1000);
    expect(cleared.aborted).toBe(false);
  });

  it("after clear(), the caller's abort still aborts (a stream's body outlives its deadline's timer)", () => {
    const caller = new AbortController();
    const deadline = new Deadline(caller.signal, 1000);
    const listener = vi.fn();
    deadline.addEventListener("abort", listener);
    deadline.clear();
    caller.abort();
    expect(listener).toHaveBeenCalledTimes(1);
  });

  describe("with the caller's own controller handed over", () => {
    it("makes no controller and no listener: the caller's signal is the call's, and the timer aborts it", () => {
      const caller = new AbortController();
      const listen = vi.spyOn(caller.signal, "addEventListener");
      let deadline!: Deadline;
      expect(controllersMadeBy(() => (deadline = new Deadline(caller.signal, 1000, caller)))).toBe(0);
      expect(listen).not.toHaveBeenCalled();
      expect([deadline.signal, deadline.ownsCallerSignal]).toEqual([caller.signal, true]);
      vi.advanceTimersByTime(999);
      expect(caller.signal.aborted).toBe(false);
      vi.advanceTimersByTime(1);
      expect([deadline.aborted, caller.signal.aborted]).toEqual([true, true]);
      expect((caller.signal.reason as DOMException).name).toBe("TimeoutError");
      expect(deadline.reason).toBe(caller.signal.reason);
      expect(deadline.failure(info)).toBeInstanceOf(TimeoutError);
    });

    it("the caller's abort is an AbortError, and the timer firing later changes nothing", () => {
      const caller = new AbortController();
      const deadline = new Deadline(caller.signal, 1000, caller);
      caller.abort(new Error("user"));
      expect([deadline.aborted, (deadline.reason as Error).message]).toEqual([true, "user"]);
      vi.advanceTimersByTime(1000);
      expect((caller.signal.reason as Error).message).toBe("user");
      expect(deadline.failure(info)).toBeInstanceOf(AbortError);
    });

    it("clear() stops the timer: the caller's controller is left to the caller", () => {
      const caller = new AbortController();
      const deadline = new Deadline(caller.signal, 100, caller);
      deadline.clear();
      vi.advanceTimersByTime(1000);
      expect([deadline.aborted, caller.signal.aborted]).toEqual([false, false]);
    });

    it("a controller that is not the signal's own is not taken: the deadline follows the signal as usual", () => {
      const caller = new AbortController();
      const other = new AbortController();
      const deadline = new Deadline(caller.signal, 1000, other);
      expect(deadline.ownsCallerSignal).toBe(false);
      vi.advanceTimersByTime(1000);
      expect([deadline.aborted, caller.signal.aborted, other.signal.aborted]).toEqual([true, false, false]);
    });
  });
});
