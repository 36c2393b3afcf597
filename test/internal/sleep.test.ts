import { describe, expect, it } from "vitest";
import { SleepAbortedError, abortableSleep } from "../../src/internal/sleep.js";

describe("abortableSleep", () => {
  it("resolves after the delay", async () => {
    await expect(abortableSleep(1)).resolves.toBeUndefined();
  });
  it("rejects at once for an aborted signal and on abort mid-sleep", async () => {
    await expect(abortableSleep(10, AbortSignal.abort("x"))).rejects.toBeInstanceOf(SleepAbortedError);
    const controller = new AbortController();
    const wait = abortableSleep(60_000, controller.signal);
    controller.abort(new Error("stop"));
    const error = await wait.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SleepAbortedError);
    expect((error as SleepAbortedError).reason).toBeInstanceOf(Error);
  });
  it("rejects a bad duration", async () => {
    await expect(abortableSleep(-1)).rejects.toThrow(RangeError);
  });
});
