import { describe, expect, it, vi } from "vitest";
import { deferred, lazyIterable } from "../../src/core/deferred.js";
import { type FinalIterable, fromGenerator } from "../../src/core/final-iterable.js";
import { collect } from "../helpers/collect.js";

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
