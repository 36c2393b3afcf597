import { describe, expect, it, vi } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import {
  EventChannel,
  fromGenerator,
  iterableWithFinal,
  type ChannelSource,
} from "../../src/core/final-iterable.js";

/** A producer that hands out `events` one per pull (asynchronously), then ends with `result` (or fails). */
function counter(events: number[], end: { result: string } | { error: Error }) {
  let i = 0;
  const cancel = vi.fn<(reason: unknown) => void>();
  const source: ChannelSource = {
    pull: () =>
      Promise.resolve().then(() => {
        if (i < events.length) channel.push(events[i++]!);
        else if ("result" in end) channel.end(end.result);
        else channel.fail(end.error);
      }),
    cancel: (reason) => {
      cancel(reason);
      channel.fail(new Error("cancelled"));
    },
  };
  const channel = new EventChannel<number, string>("Counter", source);
  return { channel, cancel, pulled: () => i };
}

async function collect<E>(iterable: AsyncIterable<E>): Promise<E[]> {
  const out: E[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}

describe("EventChannel", () => {
  it("delivers the pushed events in order and final() resolves with the result", async () => {
    const { channel } = counter([1, 2, 3], { result: "ok" });
    expect(await collect(channel)).toEqual([1, 2, 3]);
    await expect(channel.final()).resolves.toBe("ok");
  });

  it("delivers the queued events before the failure", async () => {
    const events: number[] = [];
    const channel = new EventChannel<number, string>("Batch", {
      pull: () => {
        channel.push(1);
        channel.push(2);
        channel.fail(new Error("boom"));
        return undefined;
      },
      cancel() {},
    });
    await expect(
      (async () => {
        for await (const e of channel) events.push(e);
      })(),
    ).rejects.toThrow("boom");
    expect(events).toEqual([1, 2]);
    await expect(channel.final()).rejects.toThrow("boom");
  });

  it("final() alone pulls to the end and builds no events; iterating afterwards is an error", async () => {
    const { channel, pulled } = counter([1, 2], { result: "done" });
    await expect(channel.final()).resolves.toBe("done");
    expect(pulled()).toBe(2);
    expect(channel.delivering).toBe(false);
    expect(() => channel[Symbol.asyncIterator]()).toThrow(/final\(\) has already consumed events of this Counter/);
  });

  it("final() before the loop starts steals nothing", async () => {
    const { channel } = counter([1, 2], { result: "done" });
    const final = channel.final();
    // Nothing was produced yet, so an iterator may still take over.
    expect(await collect(channel)).toEqual([1, 2]);
    await expect(final).resolves.toBe("done");
  });

  it("is read once: a second iterator throws, while and after the first runs", async () => {
    const { channel } = counter([1], { result: "r" });
    const it1 = channel[Symbol.asyncIterator]();
    expect(() => channel[Symbol.asyncIterator]()).toThrow(InvalidArgumentError);
    expect(() => channel[Symbol.asyncIterator]()).toThrow(/already being iterated/);
    await collect(it1);
    expect(() => channel[Symbol.asyncIterator]()).toThrow(/already been consumed/);
  });

  it("its iterator is itself iterable (for await over the iterator works)", async () => {
    const { channel } = counter([7, 8], { result: "r" });
    expect(await collect(channel[Symbol.asyncIterator]())).toEqual([7, 8]);
  });

  it("break cancels the producer once; final() then rejects with what the producer ended with", async () => {
    const { channel, cancel } = counter([1, 2, 3], { result: "never" });
    for await (const e of channel) if (e === 1) break;
    expect(cancel).toHaveBeenCalledTimes(1);
    await expect(channel.final()).rejects.toThrow("cancelled");
  });

  it("break after the end changes nothing", async () => {
    const cancel = vi.fn();
    const channel = new EventChannel<number, string>("Sync", {
      pull: () => {
        channel.push(1);
        channel.end("kept");
        return undefined;
      },
      cancel,
    });
    for await (const e of channel) if (e === 1) break;
    expect(cancel).not.toHaveBeenCalled();
    await expect(channel.final()).resolves.toBe("kept");
  });

  it("a producer whose pull rejects fails the channel (final() never hangs)", async () => {
    const channel = new EventChannel<number, string>("Broken", { pull: () => Promise.reject(new Error("pull failed")), cancel() {} });
    await expect(channel.final()).rejects.toThrow("pull failed");
  });
});

describe("fromGenerator", () => {
  it("runs nothing until read, yields the events and resolves final() with the return value", async () => {
    const started = vi.fn();
    const stream = fromGenerator(async function* () {
      started();
      yield 1;
      yield 2;
      return "done";
    }, "demo()");
    expect(started).not.toHaveBeenCalled();
    expect(await collect(stream)).toEqual([1, 2]);
    await expect(stream.final()).resolves.toBe("done");
  });

  it("final() without a loop runs the generator to the end", async () => {
    const stream = fromGenerator(async function* () {
      yield "a";
      return 42;
    }, "demo()");
    await expect(stream.final()).resolves.toBe(42);
  });

  it("the generator's error rejects the loop and final()", async () => {
    const stream = fromGenerator(async function* () {
      yield 1;
      throw new Error("gen failed");
    }, "demo()");
    await expect(collect(stream)).rejects.toThrow("gen failed");
    await expect(stream.final()).rejects.toThrow("gen failed");
  });

  it("break runs the generator's finally before the loop exits, and final() rejects", async () => {
    const cleaned = vi.fn();
    const stream = fromGenerator(async function* () {
      try {
        yield 1;
        yield 2;
        return "never";
      } finally {
        cleaned();
      }
    }, "demo()");
    for await (const e of stream) if (e === 1) break;
    expect(cleaned).toHaveBeenCalledTimes(1);
    await expect(stream.final()).rejects.toThrow(/demo\(\): iteration stopped before the end/);
  });

  it("break right after the event that carries the result still resolves final()", async () => {
    type Ev = { type: "delta" } | { type: "done"; result: string };
    const stream = fromGenerator<Ev, string>(
      async function* () {
        yield { type: "delta" };
        yield { type: "done", result: "R" };
        return "R";
      },
      "demo()",
      (e) => (e.type === "done" ? e.result : undefined),
    );
    for await (const e of stream) if (e.type === "done") break;
    await expect(stream.final()).resolves.toBe("R");
  });

  it("is read once", async () => {
    const stream = fromGenerator(async function* () {
      yield 1;
      return "r";
    }, "demo()");
    stream[Symbol.asyncIterator]();
    expect(() => stream[Symbol.asyncIterator]()).toThrow(InvalidArgumentError);
  });

  it("keeps its former name as an alias", () => {
    expect(iterableWithFinal).toBe(fromGenerator);
  });
});
