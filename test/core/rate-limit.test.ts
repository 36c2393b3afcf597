import { describe, expect, it } from "vitest";
import { QueueAbortedError, RateLimiter, type LimiterClock } from "../../src/core/resilience/rate-limit.js";
import { SlidingWindow, TokenBucket } from "../../src/core/resilience/buckets.js";
import { estimateRequestTokens, isFreeModel } from "../../src/core/resilience/free-models.js";

/** Virtual time: sleeps resolve when `advance` passes their deadline. */
function virtualClock() {
  let t = 0;
  const timers: Array<{ at: number; resolve: () => void; reject: (e: unknown) => void; done: boolean }> = [];
  const clock: LimiterClock = {
    now: () => t,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        const timer = { at: t + ms, resolve, reject, done: false };
        timers.push(timer);
        signal?.addEventListener("abort", () => {
          timer.done = true;
          reject(signal.reason);
        });
      }),
  };
  const flush = () => new Promise<void>((r) => setTimeout(r, 0));
  async function advance(ms: number) {
    const end = t + ms;
    for (;;) {
      await flush();
      const next = timers.filter((x) => !x.done).sort((a, b) => a.at - b.at)[0];
      if (!next || next.at > end) break;
      t = next.at;
      next.done = true;
      next.resolve();
    }
    t = end;
    await flush();
  }
  return { clock, advance, now: () => t };
}

describe("TokenBucket", () => {
  it("starts full, refills at its rate, and computes the wait", () => {
    let t = 0;
    const b = new TokenBucket(2, 1 / 100, () => t);
    b.take(1);
    b.take(1);
    expect(b.waitFor(1)).toBe(100);
    t = 50;
    expect(b.waitFor(1)).toBe(50);
    t = 1000;
    expect(b.level).toBe(2); // capped
  });
  it("lets an oversized cost through once full, and refunds can go both ways", () => {
    let t = 0;
    const b = new TokenBucket(10, 1, () => t);
    expect(b.waitFor(50)).toBe(0);
    b.take(50);
    expect(b.level).toBe(-40);
    b.refund(45);
    expect(b.level).toBe(5);
    b.refund(100);
    expect(b.level).toBe(10);
  });
});

describe("SlidingWindow", () => {
  it("allows at most `limit` events per window", () => {
    let t = 0;
    const w = new SlidingWindow(2, 1000, () => t);
    w.take();
    t = 100;
    w.take();
    expect(w.waitFor()).toBe(900);
    t = 900;
    expect(w.waitFor()).toBe(100);
    t = 1000; // the event at 0 is a full window old
    expect(w.waitFor()).toBe(0);
    w.take();
    expect(w.waitFor()).toBe(100);
  });
});

describe("RateLimiter", () => {
  it("holds 100 queued calls in FIFO order under a 10-per-second bucket", async () => {
    const v = virtualClock();
    const limiter = new RateLimiter({ requestsPerMinute: 600, requestsBurst: 10 }, v.clock);
    const granted: Array<{ i: number; at: number }> = [];
    const all = Array.from({ length: 100 }, (_, i) =>
      limiter.acquire().then((p) => {
        granted.push({ i, at: v.now() });
        p.release();
      }),
    );
    await v.advance(0);
    expect(granted).toHaveLength(10);
    expect(limiter.queued).toBe(90);
    await v.advance(9_000);
    await Promise.all(all);
    expect(granted.map((g) => g.i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // 10 at once, then one every 100 ms: 90 more within 9 s.
    expect(granted[10]?.at).toBe(100);
    expect(granted[99]?.at).toBe(9_000);
    for (let s = 1; s <= 9; s++) {
      expect(granted.filter((g) => g.at > (s - 1) * 1000 && g.at <= s * 1000)).toHaveLength(10);
    }
  });

  it("caps concurrency and hands slots on in order", async () => {
    const v = virtualClock();
    const limiter = new RateLimiter({ maxConcurrency: 2 }, v.clock);
    const order: number[] = [];
    const permits = await Promise.all([limiter.acquire(), limiter.acquire()]);
    const third = limiter.acquire().then((p) => (order.push(3), p));
    const fourth = limiter.acquire().then((p) => (order.push(4), p));
    await v.advance(0);
    expect(limiter.active).toBe(2);
    expect(order).toEqual([]);
    permits[0]?.release();
    permits[0]?.release(); // idempotent
    await v.advance(0);
    expect(order).toEqual([3]);
    permits[1]?.release();
    await v.advance(0);
    expect(order).toEqual([3, 4]);
    (await third).release();
    (await fourth).release();
    expect(limiter.active).toBe(0);
  });

  it("a queued call leaves on abort and the queue moves on", async () => {
    const v = virtualClock();
    const limiter = new RateLimiter({ requestsPerMinute: 60, requestsBurst: 1 }, v.clock);
    await limiter.acquire();
    const controller = new AbortController();
    const aborted = limiter.acquire({ signal: controller.signal });
    const next = limiter.acquire();
    await v.advance(10);
    controller.abort("user");
    await expect(aborted).rejects.toBeInstanceOf(QueueAbortedError);
    expect(limiter.queued).toBe(1);
    await v.advance(990);
    const p = await next;
    expect(p.waitedMs).toBe(1000);
    await expect(limiter.acquire({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(QueueAbortedError);
  });

  it("charges estimated tokens and corrects them with the real usage", async () => {
    const v = virtualClock();
    const limiter = new RateLimiter({ tokensPerMinute: 6000 }, v.clock); // 100 tokens/s
    const first = await limiter.acquire({ tokens: 5000 });
    let secondAt: number | undefined;
    const second = limiter.acquire({ tokens: 3000 }).then((p) => ((secondAt = v.now()), p));
    await v.advance(0);
    expect(secondAt).toBeUndefined(); // 1000 left, 3000 needed: 20 s away
    first.settle(1000); // it really used 1000: 4000 back
    await v.advance(0);
    expect(secondAt).toBe(0);
    (await second).release();
    first.settle(0); // only the first settle counts
  });

  it("rejects bad options and bad token counts", async () => {
    const v = virtualClock();
    expect(() => new RateLimiter({ requestsPerMinute: 0 }, v.clock)).toThrow(/rateLimit\.requestsPerMinute/);
    expect(() => new RateLimiter({ maxConcurrency: 1.5 }, v.clock)).toThrow(/maxConcurrency/);
    await expect(new RateLimiter({}, v.clock).acquire({ tokens: -1 })).rejects.toThrow(/tokens/);
    expect(() => new RateLimiter(null as never, v.clock)).toThrow("rateLimit must be an object");
  });

  it("a queued call behind the head leaves on abort without disturbing the head", async () => {
    const v = virtualClock();
    const limiter = new RateLimiter({ requestsPerMinute: 60, requestsBurst: 1 }, v.clock);
    await limiter.acquire();
    const head = limiter.acquire();
    const controller = new AbortController();
    const behind = limiter.acquire({ signal: controller.signal });
    controller.abort("changed my mind");
    await expect(behind).rejects.toBeInstanceOf(QueueAbortedError);
    await v.advance(1000);
    expect((await head).waitedMs).toBe(1000);
    expect(limiter.queued).toBe(0);
  });

  it("a sliding window forgets events older than the window", () => {
    let t = 0;
    const window = new SlidingWindow(2, 1000, () => t);
    window.take();
    t = 500;
    window.take();
    expect(window.waitFor()).toBe(500);
    t = 1000;
    expect(window.waitFor()).toBe(0);
  });
});

describe("helpers", () => {
  it("isFreeModel", () => {
    expect(isFreeModel("meta-llama/llama-3.3-70b-instruct:free")).toBe(true);
    expect(isFreeModel("openrouter/free")).toBe(true);
    expect(isFreeModel("openai/gpt-4o")).toBe(false);
    expect(isFreeModel(undefined)).toBe(false);
  });
  it("estimateRequestTokens counts input chars / 4 plus the output budget", () => {
    const messages = [{ role: "user", content: "x".repeat(400) }];
    const inputOnly = estimateRequestTokens({ messages });
    expect(inputOnly).toBe(Math.ceil(JSON.stringify(messages).length / 4));
    expect(estimateRequestTokens({ messages, max_tokens: 100 })).toBe(inputOnly + 100);
    expect(estimateRequestTokens(undefined)).toBe(0);
  });
  it("estimateRequestTokens counts a prompt string as is, and nothing for what has no JSON text", () => {
    expect(estimateRequestTokens({ prompt: "x".repeat(40) })).toBe(10);
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(estimateRequestTokens({ input: cyclic, max_completion_tokens: 7 })).toBe(7);
    expect(estimateRequestTokens({ input: () => 1, max_output_tokens: 3, max_tokens: -1 })).toBe(3);
  });
});
