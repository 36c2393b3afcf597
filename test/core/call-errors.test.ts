import { describe, expect, it } from "vitest";
import {
  AbortError,
  CONTEXT_PATTERN,
  CONTEXT_TYPES,
  InsufficientCreditsError,
  ModerationError,
  RateLimitError,
  TimeoutError,
} from "../../src/core/call-errors.js";
import { OpenRouterError, isOpenRouterError } from "../../src/core/errors.js";

describe("call-errors", () => {
  it("are OpenRouterErrors named after their class, with the kind's retry flag", () => {
    const abort = new AbortError("stopped");
    expect(abort).toBeInstanceOf(OpenRouterError);
    expect(isOpenRouterError(abort)).toBe(true);
    expect(AbortError.name).toBe("AbortError");
    expect(abort.name).toBe("AbortError");
    expect(abort.retryable).toBe(false);
    expect(new TimeoutError("no answer").retryable).toBe(false);
    expect(new TimeoutError("gateway timeout", { status: 504 }).retryable).toBe(true);
  });

  it("keeps each class's own fields", () => {
    expect(new InsufficientCreditsError("You requested up to 4096 tokens, but can only afford 1,024.").affordableTokens).toBe(1024);
    const moderation = new ModerationError("flagged", { metadata: { reasons: ["violence", 3], flagged_input: "x" } });
    expect(moderation.reasons).toEqual(["violence"]);
    expect(moderation.flaggedInput).toBe("x");
    const limited = new RateLimitError("slow down", { status: 429 });
    limited.rateLimit = { limit: 10, remaining: 0, resetMs: 1000 } as never;
    expect(limited.toJSON()["rateLimit"]).toEqual({ limit: 10, remaining: 0, resetMs: 1000 });
  });

  it("recognises the context-window wording", () => {
    expect(CONTEXT_TYPES.has("context_length_exceeded")).toBe(true);
    expect(CONTEXT_PATTERN.test("This model's maximum context length is 8192 tokens")).toBe(true);
  });
});
