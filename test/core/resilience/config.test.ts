import { describe, expect, it } from "vitest";
import { validateHooks } from "../../../src/core/resilience/config.js";

describe("validateHooks", () => {
  it("accepts callbacks and undefined", () => {
    const hooks = { onRetry: () => {} };
    expect(validateHooks(hooks)).toBe(hooks);
    expect(validateHooks(undefined)).toBeUndefined();
  });
  it("names the bad field", () => {
    expect(() => validateHooks({ onRetry: 42 })).toThrow(/hooks\.onRetry must be a function/);
    expect(() => validateHooks({ includeContent: "yes" })).toThrow(/includeContent/);
    expect(() => validateHooks("x")).toThrow(/object/);
  });
});
