import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../../src/core/errors.js";
import { ServerError } from "../../../src/core/call-errors.js";
import { lazyResilience } from "../../../src/core/resilience/lazy.js";
import type { SendRequest } from "../../../src/core/resilience/run.js";
import { OpenRouter } from "../../../src/index.js";

const req: SendRequest = { method: "POST", path: "/chat/completions", model: "openai/gpt-4o", stream: false, body: { model: "openai/gpt-4o" } };

describe("lazyResilience (the run loop loaded on the first call)", () => {
  it.each([
    ["a breaker threshold of 0", { circuitBreaker: { failureThreshold: 0 } }, /failureThreshold/],
    ["a breaker that is neither boolean nor object", { circuitBreaker: "on" }, /circuitBreaker/],
    ["a concurrency cap of 0", { rateLimit: { maxConcurrency: 0 } }, /maxConcurrency/],
    ["a negative requests per minute", { rateLimit: { requestsPerMinute: -1 } }, /requestsPerMinute/],
    ["a free-model pace of 0", { rateLimit: { freeModelsPerMinute: 0 } }, /freeModelsPerMinute/],
    ["a token estimate that is not a function", { rateLimit: { estimateTokens: 3 } }, /estimateTokens/],
    ["a retry count below 0", { retry: { maxRetries: -1 } }, /maxRetries/],
    ["a hook that is not a function", { hooks: { onError: "log" } }, /onError/],
    ["telemetry of the wrong type", { telemetry: "yes" }, /telemetry/],
  ])("refuses %s when built, before any call", (_what, config, message) => {
    expect(() => lazyResilience(config as never)).toThrow(InvalidArgumentError);
    expect(() => lazyResilience(config as never)).toThrow(message);
    // The client's constructor checks the same settings.
    expect(() => new OpenRouter({ apiKey: "sk-or-v1-test", ...(config as object) })).toThrow(InvalidArgumentError);
  });

  it("has no breaker or limiter to inspect until the first call, then the configured ones", async () => {
    const resilience = lazyResilience({ circuitBreaker: true, rateLimit: { maxConcurrency: 2 } });
    expect(resilience.circuit).toBeUndefined();
    expect(resilience.limiter).toBeUndefined();
    const { value, attempts } = await resilience.run(req, {}, async () => "ok");
    expect(value).toBe("ok");
    expect(attempts).toBe(1);
    expect(resilience.circuit?.state("openai/gpt-4o")).toBe("closed");
    expect(resilience.limiter?.active).toBe(0);
  });

  it("retries and types failures the same before and after the loop has loaded", async () => {
    const resilience = lazyResilience({ retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 }, sleep: async () => undefined });
    for (let round = 0; round < 2; round++) {
      let n = 0;
      const { value, attempts } = await resilience.run(req, {}, async () => {
        if (++n === 1) throw new ServerError("boom", { status: 500 });
        return "second";
      });
      expect([value, attempts]).toEqual(["second", 2]);
      await expect(resilience.run(req, { retry: false }, async () => Promise.reject(new ServerError("down", { status: 500 })))).rejects.toBeInstanceOf(ServerError);
    }
  });
});
