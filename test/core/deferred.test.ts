import { describe, expect, it, vi } from "vitest";
import { deferred, lazyIterable, once } from "../../src/core/deferred.js";
import { type FinalIterable, fromGenerator } from "../../src/core/final-iterable.js";
import { collect } from "../helpers/collect.js";
import { collectGarbage } from "../helpers/gc.js";

describe("deferred", () => {
  it("loads the implementation once, on first use, and delegates to it", async () => {
    const load = vi.fn(
      async (): Promise<FinalIterable<number, string>> =>
        fromGenerator(async function* () {
          yield 5;
          return "loaded";
        }, "lazy()"),
    );
    const stream = deferred(load);
    expect(load).not.toHaveBeenCalled();
    expect((await collect(stream)).events).toEqual([5]);
    await expect(stream.final()).resolves.toBe("loaded");
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("rejects with the load failure", async () => {
    const stream = deferred<number, string>(() => Promise.reject(new Error("no chunk")));
    await expect(stream.final()).rejects.toThrow("no chunk");
  });

  it("keeps its former name as an alias", () => {
    expect(lazyIterable).toBe(deferred);
  });
});

describe("once", () => {
  it("calls its loader once, returns that result every time, and lets go of the loader (and what it holds)", async () => {
    let calls = 0;
    let held: WeakRef<object> | undefined;
    const get = (() => {
      const params = { input: "x".repeat(10_000) };
      held = new WeakRef(params);
      return once(() => {
        calls++;
        return params.input.length;
      });
    })();
    expect(calls).toBe(0);
    expect(get()).toBe(10_000);
    expect(get()).toBe(10_000);
    expect(calls).toBe(1);
    await collectGarbage();
    expect(held!.deref()).toBeUndefined();
  });
});
