import { describe, expect, it } from "vitest";
import { checkResilienceConfig, validateHooks } from "../../../src/core/resilience/config.js";

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

describe("checkResilienceConfig", () => {
  it("accepts the defaults and every documented option", () => {
    expect(() => checkResilienceConfig({})).not.toThrow();
    expect(() =>
      checkResilienceConfig({
        retry: false,
        circuitBreaker: true,
        rateLimit: { requestsPerMinute: 60, tokensPerMinute: 1000, maxConcurrency: 2, freeModelsPerMinute: false, estimateTokens: () => 1 },
        fallbackModels: ["a/b"],
        onInsufficientCredits: "reduce-max-tokens",
        telemetry: false,
      }),
    ).not.toThrow();
  });

  it("names the bad setting", () => {
    expect(() => checkResilienceConfig({ circuitBreaker: { failureThreshold: 0 } })).toThrow(/circuitBreaker\.failureThreshold/);
    expect(() => checkResilienceConfig({ rateLimit: { requestsPerMinute: -1 } })).toThrow(/rateLimit\.requestsPerMinute/);
    expect(() => checkResilienceConfig({ rateLimit: { requestsPerMinute: 10, requestsBurst: 0 } })).toThrow(/rateLimit\.requestsBurst/);
    expect(() => checkResilienceConfig({ rateLimit: { maxConcurrency: 1.5 } })).toThrow(/maxConcurrency/);
    expect(() => checkResilienceConfig({ rateLimit: { freeModelsPerMinute: 0 } })).toThrow(/freeModelsPerMinute/);
    expect(() => checkResilienceConfig({ retry: { maxRetries: -1 } })).toThrow(/retry\.maxRetries/);
    expect(() => checkResilienceConfig({ fallbackModels: [""] })).toThrow(/fallbackModels/);
    expect(() => checkResilienceConfig({ telemetry: "yes" as never })).toThrow(/telemetry/);
  });

  it("checks only the limiter's own fields of rateLimit", () => {
    expect(() => checkResilienceConfig({ rateLimit: { window: { limit: -1, windowMs: 0 } } as never })).not.toThrow();
  });
});
