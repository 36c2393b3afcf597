/**
 * `lazyStream` (src/stream/lazy-stream.ts): nothing is loaded until the stream is used; `abort()` reaches the
 * loaded stream; a load that fails is reported by `final()` and the iterator, and `abort()` then stays quiet.
 */
import { describe, expect, it } from "vitest";
import { type AbortableStream, lazyStream } from "../../src/stream/lazy-stream.js";
import { fromGenerator } from "../../src/core/final-iterable.js";

function fake(): AbortableStream<number, string> & { aborted: unknown[] } {
  const inner = fromGenerator(async function* () {
    yield 1;
    return "done";
  }, "fake") as AbortableStream<number, string> & { aborted: unknown[] };
  inner.aborted = [];
  inner.abort = (reason) => void inner.aborted.push(reason);
  return inner;
}

describe("lazyStream", () => {
  it("loads on first use, once, and hands the events and the result through", async () => {
    let loads = 0;
    const inner = fake();
    const stream = lazyStream(async () => {
      loads++;
      return inner;
    });
    expect(loads).toBe(0);
    const events: number[] = [];
    for await (const n of stream) events.push(n);
    expect(events).toEqual([1]);
    expect(await stream.final()).toBe("done");
    expect(loads).toBe(1);
  });

  it("abort() reaches the stream once it has loaded", async () => {
    const inner = fake();
    const stream = lazyStream(async () => inner);
    stream.abort("stop");
    await stream.final().catch(() => undefined);
    expect(inner.aborted).toEqual(["stop"]);
  });

  it("a load that fails rejects final() and the first next(); abort() does not throw", async () => {
    const failure = new Error("bad input");
    const stream = lazyStream<number, string>(async () => Promise.reject(failure));
    expect(() => stream.abort()).not.toThrow();
    await expect(stream.final()).rejects.toBe(failure);
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toBe(failure);
  });
});
