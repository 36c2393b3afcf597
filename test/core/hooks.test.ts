import { describe, expect, it } from "vitest";
import { contentFreeError, emitHook, type Hooks, type RetryEvent } from "../../src/core/resilience/hooks.js";
import { ModerationError, RateLimitError, StreamError } from "../../src/core/call-errors.js";
import type { ChatResult } from "../../src/core/result.js";

const error = new RateLimitError("Rate limit exceeded (POST /chat/completions, model m, status 429)", { status: 429 });
const retryEvent: RetryEvent = {
  requestId: "req-1",
  method: "POST",
  path: "/chat/completions",
  model: "m",
  stream: false,
  attempt: 1,
  nextAttempt: 2,
  delayMs: 1000,
  status: 429,
  error,
  reason: "retry",
};

describe("emitHook", () => {
  it("calls the named hook with the event", () => {
    const seen: RetryEvent[] = [];
    emitHook({ onRetry: (e) => void seen.push(e) }, "onRetry", retryEvent);
    expect(seen).toEqual([retryEvent]);
  });
  it("does nothing without hooks or without that hook", () => {
    expect(() => emitHook(undefined, "onRetry", retryEvent)).not.toThrow();
    expect(() => emitHook({}, "onRetry", retryEvent)).not.toThrow();
  });
  it("swallows a throwing hook and a rejecting async hook", async () => {
    const hooks: Hooks = {
      onRetry: () => {
        throw new Error("logger broke");
      },
      onResult: async () => {
        throw new Error("async logger broke");
      },
    };
    expect(() => emitHook(hooks, "onRetry", retryEvent)).not.toThrow();
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    emitHook(hooks, "onResult", {
      requestId: "req-1",
      method: "POST",
      path: "/chat/completions",
      model: "m",
      stream: false,
      attempts: 1,
      durationMs: 5,
      usage: undefined,
      cost: undefined,
      generationId: undefined,
      provider: undefined,
      finishReason: "stop",
      fallbacks: [],
    });
    await new Promise((r) => setTimeout(r, 10));
    process.off("unhandledRejection", onUnhandled);
    expect(unhandled).toEqual([]);
  });
});

describe("contentFreeError", () => {
  it("drops the partial text but keeps class, message and fields", () => {
    const e = new StreamError("Provider error mid-generation (status 502)", { status: 502, retryable: true });
    e.partial = { text: "the secret half-answer" } as ChatResult;
    const clean = contentFreeError(e);
    expect(clean).not.toBe(e);
    expect(clean).toBeInstanceOf(StreamError);
    expect(clean.message).toBe(e.message);
    expect(clean.kind).toBe("stream");
    expect(clean.status).toBe(502);
    expect(clean.partial).toBeUndefined();
    expect(e.partial?.text).toBe("the secret half-answer"); // the caller's error is untouched
    expect(JSON.stringify(clean)).not.toContain("secret");
  });
  it("drops a moderation error's flagged input excerpt", () => {
    const e = new ModerationError("flagged", { status: 403, metadata: { reasons: ["harassment"], flagged_input: "my private prompt" } });
    const clean = contentFreeError(e);
    expect(clean.reasons).toEqual(["harassment"]);
    expect(clean.metadata).toEqual({ reasons: ["harassment"] });
    expect(e.metadata?.["flagged_input"]).toBe("my private prompt");
  });
  it("returns errors without content as they are", () => {
    expect(contentFreeError(error)).toBe(error);
  });
});
