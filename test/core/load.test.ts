import { describe, expect, it } from "vitest";
import { ConnectionError, isOpenRouterError } from "../../src/core/errors.js";
import { lazy } from "../../src/core/load.js";

describe("lazy (code loaded on first use)", () => {
  it("loads once for concurrent callers and keeps the module for synchronous use", async () => {
    let loads = 0;
    const mod = { answer: 42 };
    const get = lazy("a test module", async () => {
      loads++;
      return mod;
    });
    expect(get.value).toBeUndefined();
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(mod);
    expect(b).toBe(mod);
    expect(get.value).toBe(mod);
    await get();
    expect(loads).toBe(1);
  });

  it("turns a failed load into a typed ConnectionError with the cause, and tries again on the next call", async () => {
    let attempt = 0;
    const cause = new TypeError("Failed to fetch dynamically imported module: /chunk-abc.js");
    const get = lazy("the model catalogue", async () => {
      if (++attempt === 1) throw cause;
      return { ok: true };
    });
    const error = await get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(isOpenRouterError(error) && error.kind).toBe("network");
    expect((error as Error).message).toMatch(/Could not load the model catalogue/);
    expect((error as Error).cause).toBe(cause);
    expect(get.value).toBeUndefined();
    await expect(get()).resolves.toEqual({ ok: true });
    expect(attempt).toBe(2);
  });
});
