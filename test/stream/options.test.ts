import { describe, expect, it } from "vitest";
import { checkStreamInit, checkTimeout } from "../../src/stream/options.js";
import { InvalidArgumentError } from "../../src/core/errors.js";

const open = async () => new Response("");

describe("checkStreamInit", () => {
  it("fills the limits' defaults", () => {
    expect(checkStreamInit({ open })).toEqual({ firstEventTimeoutMs: 0, idleTimeoutMs: 0, maxBufferSize: 32 * 1024 * 1024, maxResponseBytes: 64 * 1024 * 1024 });
    expect(checkStreamInit({ open, maxResponseBytes: 1000, idleTimeoutMs: 5 })).toMatchObject({ idleTimeoutMs: 5, maxBufferSize: 67_536, maxResponseBytes: 1000 });
  });

  it.each([
    [{ open: 1 }, /init\.open must be a function/],
    [{ open, now: 1 }, /init\.now must be a function/],
    [{ open, idleTimeoutMs: -1 }, /idleTimeoutMs must be a positive number/],
    [{ open, maxResponseBytes: 0 }, /maxResponseBytes/],
    [{ open, maxBufferSize: 0 }, /maxBufferSize must be a positive number/],
  ])("refuses %j", (init, message) => {
    expect(() => checkStreamInit(init as never)).toThrow(InvalidArgumentError);
    expect(() => checkStreamInit(init as never)).toThrow(message);
  });

  it("takes 0, undefined and Infinity as no timeout", () => {
    expect([0, undefined, Number.POSITIVE_INFINITY].map((v) => checkTimeout("idleTimeoutMs", v))).toEqual([0, 0, 0]);
  });
});

describe("streamTimeouts", () => {
  it("takes the call's, else the client's, else the defaults; an idle timeout alone also bounds the first event", async () => {
    const { streamTimeouts } = await import("../../src/stream/options.js");
    const none = { firstEventTimeoutMs: undefined, idleTimeoutMs: undefined };
    expect(streamTimeouts({}, none)).toEqual({ firstEventTimeoutMs: 5 * 60_000, idleTimeoutMs: 2 * 60_000 });
    expect(streamTimeouts({ idleTimeoutMs: 1000 }, none)).toEqual({ firstEventTimeoutMs: 0, idleTimeoutMs: 1000 });
    expect(streamTimeouts({ firstEventTimeoutMs: 5 }, { firstEventTimeoutMs: 7, idleTimeoutMs: 9 })).toEqual({ firstEventTimeoutMs: 5, idleTimeoutMs: 9 });
  });
});
