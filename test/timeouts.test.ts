/**
 * The client's default deadlines, from the outside and on fake timers: a stream that only ever sends keep-alive
 * comments ends, a stream that stalls after its first data event ends, a plain chat that never answers ends;
 * and `0` turns each deadline off (client-wide or per call). On both transports: on the Node transport the same
 * handlers answer through a loopback server.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  DEFAULT_FIRST_EVENT_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  InvalidArgumentError,
  OpenRouter,
  type OpenRouterError,
  TimeoutError,
} from "../src/index.js";
import { TRANSPORTS } from "./helpers/transports.js";
import { runtime } from "../src/core/lazy-pipeline.js";

const KEY = "sk-or-v1-timeouts-test-0123456789abcdef";
const MODEL = "test/model";
const messages = [{ role: "user" as const, content: "Hi" }];
const encoder = new TextEncoder();
const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** A streaming fetch whose body the test writes to by hand. */
function manualStreamFetch() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
  });
  const fetch = async () => new Response(body, { headers: { "content-type": "text/event-stream" } });
  return {
    fetch,
    push: (text: string) => {
      try {
        controller.enqueue(encoder.encode(text));
      } catch {
        // cancelled by the client: nothing more to send
      }
    },
  };
}

/** A fetch that never answers and rejects only when its signal aborts. */
const silentFetch = (_url: unknown, init?: RequestInit) =>
  new Promise<Response>((_resolve, reject) => {
    init?.signal?.addEventListener("abort", () => reject(init.signal?.reason), { once: true });
  });

const content = (text: string) => `data: ${JSON.stringify({ id: "gen-t-1", choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;

/** Sends a keep-alive comment every 10 s for `ms`. */
async function keepAlive(push: (text: string) => void, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 10 * SECOND) {
    push(": OPENROUTER PROCESSING\n\n");
    await vi.advanceTimersByTimeAsync(10 * SECOND);
  }
}

// The client loads its request pipeline, retry loop and stream reader with import() on first use
// (core/lazy-pipeline.ts, core/resilience/lazy.ts, stream/chat-stream.ts), which takes real time: loaded here,
// before any fake clock starts, so each test's request goes out at fake time zero.
beforeAll(async () => {
  await Promise.all([runtime(), import("../src/core/resilience/run.js"), import("../src/stream/machine.js")]);
});

afterEach(() => {
  vi.useRealTimers();
});

describe.each(TRANSPORTS)("on the $name transport", (t) => {
  describe("default deadlines", () => {
    it("the defaults are documented constants that allow long first tokens", () => {
      expect(DEFAULT_FIRST_EVENT_TIMEOUT_MS).toBe(5 * MINUTE);
      expect(DEFAULT_IDLE_TIMEOUT_MS).toBe(2 * MINUTE);
      expect(DEFAULT_TIMEOUT_MS).toBe(10 * MINUTE);
    });

    it("a stream that sends only keep-alive comments ends with a TimeoutError after the first-event default", async () => {
      vi.useFakeTimers();
      const server = manualStreamFetch();
      const stream = new OpenRouter({ apiKey: KEY, ...t.serve(server.fetch) }).chatStream({ model: MODEL, messages });
      const settled = stream.final().catch((e: unknown) => e);
      await keepAlive(server.push, DEFAULT_FIRST_EVENT_TIMEOUT_MS - 20 * SECOND);
      expect(stream.done).toBe(false);
      await keepAlive(server.push, 30 * SECOND);
      const error = (await settled) as OpenRouterError;
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error.message).toMatch(/No data event within firstEventTimeoutMs \(300000 ms\)/);
      expect(stream.outcome).toBe("timeout");
    });

    it("a stream that stalls after its first data event ends after the idle default; comments do not count", async () => {
      vi.useFakeTimers();
      const server = manualStreamFetch();
      const stream = new OpenRouter({ apiKey: KEY, ...t.serve(server.fetch) }).chatStream({ model: MODEL, messages });
      const settled = stream.final().catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(3 * MINUTE); // a long first token is fine
      server.push(content("Hel"));
      await keepAlive(server.push, DEFAULT_IDLE_TIMEOUT_MS - 20 * SECOND);
      expect(stream.done).toBe(false);
      await keepAlive(server.push, 30 * SECOND);
      const error = (await settled) as OpenRouterError;
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error.message).toMatch(/idleTimeoutMs \(120000 ms\)/);
      expect(error.partial?.text).toBe("Hel");
    });

    it("a plain chat that never answers ends with a TimeoutError after the default total timeout", async () => {
      vi.useFakeTimers();
      const call = new OpenRouter({ apiKey: KEY, ...t.serve(silentFetch) }).chat({ model: MODEL, messages }).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(DEFAULT_TIMEOUT_MS - SECOND);
      let settled = false;
      void call.then(() => (settled = true));
      await vi.advanceTimersByTimeAsync(0);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(2 * SECOND);
      const error = (await call) as OpenRouterError;
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error.message).toMatch(/timed out after 600000 ms/);
    });

    it("a stream whose response never comes ends with a TimeoutError at the total timeout", async () => {
      vi.useFakeTimers();
      // The stream's own timeouts off: only the call's total timeout covers the wait for the response headers.
      const client = new OpenRouter({ apiKey: KEY, ...t.serve(silentFetch), retry: false });
      const stream = client.chatStream({ model: MODEL, messages }, { timeoutMs: 30 * SECOND, firstEventTimeoutMs: 0, idleTimeoutMs: 0 });
      const settled = stream.final().catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(29 * SECOND);
      expect(stream.done).toBe(false);
      await vi.advanceTimersByTimeAsync(2 * SECOND);
      const error = (await settled) as OpenRouterError;
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error.message).toMatch(/timed out after 30000 ms/);
      expect(stream.outcome).toBe("failed");
    });
  });

  describe("0 turns a deadline off", () => {
    it("client-wide: a silent stream and a silent chat are still waiting an hour later", async () => {
      vi.useFakeTimers();
      const server = manualStreamFetch();
      const ac = new AbortController();
      const client = new OpenRouter({ apiKey: KEY, ...t.serve(server.fetch), timeoutMs: 0, firstEventTimeoutMs: 0, idleTimeoutMs: 0 });
      const stream = client.chatStream({ model: MODEL, messages }, { signal: ac.signal });
      const settled = stream.final().catch((e: unknown) => e);
      await keepAlive(server.push, 30 * MINUTE);
      server.push(content("a"));
      await keepAlive(server.push, 30 * MINUTE);
      expect(stream.done).toBe(false);

      const chatClient = new OpenRouter({ apiKey: KEY, ...t.serve(silentFetch), timeoutMs: 0, retry: false });
      let chatSettled = false;
      const chat = chatClient.chat({ model: MODEL, messages }, { signal: ac.signal }).finally(() => (chatSettled = true)).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(60 * MINUTE);
      expect(chatSettled).toBe(false);

      ac.abort();
      expect((await settled) as OpenRouterError).toMatchObject({ kind: "aborted" });
      expect((await chat) as OpenRouterError).toMatchObject({ kind: "aborted" });
    });

    it("per call, over the client's defaults", async () => {
      vi.useFakeTimers();
      const server = manualStreamFetch();
      const ac = new AbortController();
      const stream = new OpenRouter({ apiKey: KEY, ...t.serve(server.fetch) }).chatStream(
        { model: MODEL, messages },
        { signal: ac.signal, firstEventTimeoutMs: 0, idleTimeoutMs: 0 },
      );
      const settled = stream.final().catch((e: unknown) => e);
      await keepAlive(server.push, 20 * MINUTE);
      expect(stream.done).toBe(false);
      ac.abort();
      expect((await settled) as OpenRouterError).toMatchObject({ kind: "aborted" });
    });

  });
});

describe("timeout options", () => {
  it("negative or non-numeric timeouts are still refused", () => {
    expect(() => new OpenRouter({ apiKey: KEY, timeoutMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => new OpenRouter({ apiKey: KEY, idleTimeoutMs: Number.NaN })).toThrow(/idleTimeoutMs/);
    expect(() => new OpenRouter({ apiKey: KEY, firstEventTimeoutMs: "5" as unknown as number })).toThrow(/firstEventTimeoutMs/);
  });
});
