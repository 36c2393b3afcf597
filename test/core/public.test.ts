/**
 * core/public.ts: the package entry's error classes that only a running call throws are the modules' own
 * (same identity), reached through this file only so bundlers can leave them in the request's lazy code.
 */
import { describe, expect, it } from "vitest";
import * as face from "../../src/core/public.js";
import * as entry from "../../src/index.js";
import * as callErrors from "../../src/core/call-errors.js";
import { ResponseTooLargeError } from "../../src/core/body.js";
import { OpenRouterError } from "../../src/core/errors.js";

describe("core/public", () => {
  it("exports the classes themselves, and the package entry exports these", () => {
    for (const [name, cls] of Object.entries(face)) {
      const own = name === "ResponseTooLargeError" ? ResponseTooLargeError : callErrors[name as keyof typeof callErrors];
      expect(cls, name).toBe(own);
      expect((entry as Record<string, unknown>)[name], name).toBe(own);
      expect((cls as { name: string }).name).toBe(name);
    }
    expect(Object.keys(face).sort()).toEqual(
      [...Object.keys(callErrors).filter((n) => n.endsWith("Error")), "ResponseTooLargeError"].sort(),
    );
  });

  it("keeps instanceof, the kind and the retry flag of each class", () => {
    const e: face.RateLimitError = new callErrors.RateLimitError("slow down", { status: 429 });
    expect(e).toBeInstanceOf(entry.RateLimitError);
    expect(e).toBeInstanceOf(OpenRouterError);
    expect(e.kind).toBe("rate_limit");
    expect(e.retryable).toBe(true);
    const tooLarge = new face.ResponseTooLargeError("too big", { limit: 10 });
    expect(tooLarge).toBeInstanceOf(entry.InvalidResponseError);
    expect(tooLarge.retryable).toBe(false);
  });
});
