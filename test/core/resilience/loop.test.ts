/**
 * The retry and fallback loop (src/core/resilience/loop.ts) and the fast path in front of it (run.ts): a plain
 * call's first attempt is sent by run.ts, and its failure must be judged exactly as if the loop had sent it.
 */
import { describe, expect, it } from "vitest";
import { OpenRouterError } from "../../../src/core/errors.js";
import { AbortError, InsufficientCreditsError, ServerError } from "../../../src/core/call-errors.js";
import { type SendRequest, createResilience } from "../../../src/core/resilience/run.js";
import { runLoop } from "../../../src/core/resilience/loop.js";

const chat = (model = "openai/gpt-4o"): SendRequest => ({ method: "POST", path: "/chat/completions", model, stream: false, body: { model, max_tokens: 100 } });
const unavailable = () => new ServerError("upstream down", { status: 503 });
const noSleep = async () => {};

describe("the fast path's first attempt", () => {
  it("a first-time success is one attempt with nothing to report", async () => {
    const resilience = createResilience({ sleep: noSleep });
    const seen: Array<[SendRequest, number]> = [];
    const original = chat();
    const run = await resilience.run(original, {}, async (req, n) => {
      seen.push([req, n]);
      return "value";
    });
    expect(seen).toEqual([[original, 1]]);
    expect([run.value, run.attempts, run.model, run.fallbacks]).toEqual(["value", 1, "openai/gpt-4o", []]);
    expect(run.requestId).toMatch(/^req-\d+$/);
    // Nothing to settle: reporting is harmless and idempotent.
    run.recordResult({ model: "openai/gpt-4o" });
    run.recordError(new Error("late"));
  });

  it("a retryable failure goes on to the loop: attempt numbers continue, backoff, then success", async () => {
    const sleeps: number[] = [];
    const resilience = createResilience({ retry: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 10 }, random: () => 0.5, sleep: async (ms) => void sleeps.push(ms) });
    const numbers: number[] = [];
    const run = await resilience.run(chat(), {}, async (_req, n) => {
      numbers.push(n);
      if (n === 1) throw unavailable();
      return "ok";
    });
    expect(numbers).toEqual([1, 2]);
    expect(run.attempts).toBe(2);
    expect(sleeps).toHaveLength(1);
  });

  it("a failure that is not retried keeps the loop's verdict: the typed error with attempts = 1", async () => {
    const resilience = createResilience({ retry: false, sleep: noSleep });
    const error = await resilience.run(chat(), {}, async () => Promise.reject(unavailable())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as OpenRouterError).attempts).toBe(1);
  });

  it("a failure falls back to the next model, as from the loop's own first attempt", async () => {
    const resilience = createResilience({ retry: false, fallbackModels: ["anthropic/claude-sonnet-4"], sleep: noSleep });
    const models: Array<string | undefined> = [];
    const run = await resilience.run(chat(), {}, async (req) => {
      models.push(req.model);
      if (models.length === 1) throw unavailable();
      return "ok";
    });
    expect(models).toEqual(["openai/gpt-4o", "anthropic/claude-sonnet-4"]);
    expect(run.model).toBe("anthropic/claude-sonnet-4");
    expect(run.fallbacks.map((f) => f.model)).toEqual(["openai/gpt-4o"]);
    expect(run.attempts).toBe(2);
  });

  it("a 402 with an affordable max_tokens is retried once with it lowered (reduce-max-tokens)", async () => {
    const resilience = createResilience({ retry: false, onInsufficientCredits: "reduce-max-tokens", sleep: noSleep });
    const bodies: unknown[] = [];
    await resilience.run(chat(), {}, async (req) => {
      bodies.push(req.body);
      if (bodies.length === 1) throw new InsufficientCreditsError("can only afford 40", { status: 402, affordableTokens: 40 });
      return "ok";
    });
    expect(bodies).toEqual([
      { model: "openai/gpt-4o", max_tokens: 100 },
      { model: "openai/gpt-4o", max_tokens: 40 },
    ]);
  });

  it("a thrown non-OpenRouterError passes through untouched", async () => {
    const resilience = createResilience({ sleep: noSleep });
    const bug = new RangeError("a bug in the attempt");
    await expect(resilience.run(chat(), {}, async () => Promise.reject(bug))).rejects.toBe(bug);
  });

  it("a call aborted before its first attempt sends nothing and fails with the loop's abort error", async () => {
    const resilience = createResilience({ sleep: noSleep });
    const controller = new AbortController();
    controller.abort();
    let sent = 0;
    const error = await resilience
      .run(chat(), { signal: controller.signal }, async () => {
        sent++;
        return "ok";
      })
      .catch((e: unknown) => e);
    expect(sent).toBe(0);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as OpenRouterError).attempts).toBe(0);
  });

  it("hooks take the loop from the first attempt, so onRequest sees it", async () => {
    const requests: number[] = [];
    const resilience = createResilience({ sleep: noSleep, hooks: { onRequest: (e) => void requests.push(e.attempt) } });
    await resilience.run(chat(), {}, async () => "ok");
    expect(requests).toEqual([1]);
  });
});

describe("runLoop", () => {
  it("judges a handed-over first failure without sending it again", async () => {
    const now = () => 0;
    const sent: number[] = [];
    const result = await runLoop(
      {
        circuit: undefined,
        limiter: undefined,
        freePacer: undefined,
        hooks: undefined,
        tracing: false,
        includeContent: false,
        forHooks: (e) => e,
        reporting: { hooks: undefined, includeContent: false, forHooks: (e) => e, now },
        now,
        sleep: noSleep,
        random: () => 0,
        estimate: () => 0,
        startSpan: () => Promise.reject(new Error("no spans here")),
        baseUrl: undefined,
      },
      {
        original: chat(),
        call: {},
        attempt: async (_req, n) => {
          sent.push(n);
          return "second";
        },
        policy: { maxRetries: 1, baseDelayMs: 0, maxDelayMs: 0, maxElapsedMs: 60_000 },
        fallbackList: [],
        insufficient: "throw",
        requestId: "req-x",
        started: 0,
        firstFailure: { thrown: unavailable() },
      },
    );
    expect(sent).toEqual([2]);
    expect([result.value, result.attempts, result.requestId]).toEqual(["second", 2, "req-x"]);
  });
});
