/**
 * `EventStream` (src/stream/event-stream.ts, event-machine.ts, event-types.ts) on its own, with a small test
 * folder: one outcome per stream reported once, events that are not JSON or have no type, a folder that throws,
 * an `open` that fails, the read-once rule, and no timer left behind.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConnectionError, InvalidArgumentError, InvalidResponseError, type OpenRouterError } from "../../src/index.js";
import { responseOf } from "../../src/core/transport.js";
import type { ResultContext } from "../../src/core/result.js";
import { EventStream, type EventFolder, type EventStreamSettled, END, PROGRESS } from "../../src/stream/event-stream.js";

type Json = Record<string, unknown>;

/** Counts `tick` events; `done` ends the stream; `boom` makes the folder throw. */
class TickFolder implements EventFolder<Json, { ticks: number; id: string | undefined }> {
  readonly terminal = "done";
  textChars = 0;
  ticks = 0;
  generationId: string | undefined = undefined;
  fold(p: Json) {
    if (p["type"] === "boom") throw new Error("folder bug");
    if (p["type"] === "tick") this.ticks++;
    return p["type"] === "done" ? END : PROGRESS;
  }
  event(p: Json) {
    return p;
  }
  result(ctx: ResultContext) {
    return { ticks: this.ticks, id: ctx.headers.get("x-generation-id") ?? undefined };
  }
  whole(body: Json) {
    return { ticks: Number(body["ticks"]), id: undefined };
  }
  partial() {
    return undefined;
  }
}

function streamOf(body: string, extra: { open?: (signal: AbortSignal) => Promise<never>; idleTimeoutMs?: number } = {}) {
  const settled: EventStreamSettled<{ ticks: number; id: string | undefined }>[] = [];
  const stream = new EventStream({
    what: "TickStream",
    folder: new TickFolder(),
    info: { method: "POST", path: "/ticks" },
    open: extra.open ?? (async () => responseOf(new Response(body, { headers: { "content-type": "text/event-stream", "x-generation-id": "gen-t" } }))),
    onSettled: (s) => void settled.push(s),
    ...(extra.idleTimeoutMs !== undefined && { idleTimeoutMs: extra.idleTimeoutMs }),
  });
  return { stream, settled };
}

const sse = (...types: string[]) => types.map((type) => `data: {"type":"${type}"}\n\n`).join("");

afterEach(() => {
  vi.useRealTimers();
});

describe("EventStream", () => {
  it("completes at the terminal event, reports once, and final() gives the same result every time", async () => {
    const { stream, settled } = streamOf(sse("tick", "tick", "done") + "data: [DONE]\n\n");
    const events: Json[] = [];
    for await (const e of stream) events.push(e);
    expect(events.map((e) => e["type"])).toEqual(["tick", "tick", "done"]);
    expect(await stream.final()).toEqual({ ticks: 2, id: "gen-t" });
    expect(await stream.final()).toEqual({ ticks: 2, id: "gen-t" });
    expect(settled).toEqual([{ outcome: "completed", result: { ticks: 2, id: "gen-t" } }]);
    expect(stream.outcome).toBe("completed");
    expect(stream.done).toBe(true);
  });

  it("is read once: a second iterator is an InvalidArgumentError naming the stream", async () => {
    const { stream } = streamOf(sse("done"));
    for await (const _ of stream) void _;
    expect(() => stream[Symbol.asyncIterator]()).toThrow(InvalidArgumentError);
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/TickStream/);
  });

  it("a payload that is not JSON, or has no type, is an InvalidResponseError", async () => {
    for (const body of [sse("tick") + "data: not json\n\n" + sse("done"), sse("tick") + 'data: {"no":"type"}\n\n' + sse("done")]) {
      const { stream, settled } = streamOf(body);
      const error = await stream.final().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(settled.map((s) => s.outcome)).toEqual(["error"]);
    }
  });

  it("a folder that throws ends the stream with an InvalidResponseError, never an unhandled rejection", async () => {
    const { stream } = streamOf(sse("tick", "boom", "done"));
    const error = (await stream.final().catch((e: unknown) => e)) as OpenRouterError;
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toContain("folder bug");
  });

  it("an open that fails with an untyped error is a ConnectionError (outcome failed)", async () => {
    const { stream, settled } = streamOf("", { open: async () => Promise.reject(new TypeError("fetch failed")) });
    const error = (await stream.final().catch((e: unknown) => e)) as OpenRouterError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain("fetch failed");
    expect(settled[0]!.outcome).toBe("failed");
  });

  it("an empty body is a truncation 'before any data event'", async () => {
    const { stream } = streamOf(": keep-alive only\n\n");
    const error = (await stream.final().catch((e: unknown) => e)) as OpenRouterError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toMatch(/before any data event/);
  });

  it("leaves no timer behind once it has ended", async () => {
    vi.useFakeTimers();
    const { stream } = streamOf(sse("tick", "done"), { idleTimeoutMs: 500 });
    await stream.final();
    expect(vi.getTimerCount()).toBe(0);
  });
});
