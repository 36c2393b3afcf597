/**
 * Fault injection: a loopback node:http server on 127.0.0.1 plays scripted failures against the real
 * client, and each scenario asserts the exact outcome (result or error kind, attempt count, what the
 * server received). Backoff sleeps and the limiter run on an injected virtual clock, so nothing waits
 * for real except the one timeout scenario. Every scenario runs on both transports (fetch and the Node
 * transport); the summary table (of the default, fetch) is printed and written into the reliability guide,
 * docs/reliability.md (outside CI).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenRouter } from "../src/client.js";
import {
  AuthenticationError,
  ConnectionError,
  type OpenRouterError,
  isOpenRouterError,
} from "../src/core/errors.js";
import {
  AbortError,
  BadRequestError,
  CircuitOpenError,
  InsufficientCreditsError,
  ProviderUnavailableError,
  ServerError,
  TimeoutError,
} from "../src/core/call-errors.js";
import type { Hooks } from "../src/core/resilience/hooks.js";
import { TRANSPORTS, type TransportCase } from "./helpers/transports.js";

const API_KEY = "sk-or-v1-faultsuite-0123456789abcdef0123456789abcdef";
const MODEL = "openai/gpt-4o-mini";
const SECOND = "anthropic/claude-3.5-haiku";

// ---------------------------------------------------------------------------------------------------------
// The scripted server

interface Hit {
  n: number;
  body: Record<string, unknown>;
  authorization: string | undefined;
}
type Handler = (hit: Hit, req: IncomingMessage, res: ServerResponse) => void;

const handlers = new Map<string, Handler>();
const allHits = new Map<string, Hit[]>();
/** The transport the running scenarios use: each scenario's name is kept apart per transport. */
let current: TransportCase = TRANSPORTS[0]!;
const keyOf = (name: string) => `${current.name}:${name}`;
const hits = { get: (name: string) => allHits.get(keyOf(name)) };
let server: Server;
let origin = "";

function completion(model: string, text = "Hello!"): string {
  return JSON.stringify({
    id: "gen-fault-1",
    object: "chat.completion",
    created: 1_760_000_000,
    model,
    provider: "OpenAI",
    choices: [{ index: 0, finish_reason: "stop", native_finish_reason: "stop", message: { role: "assistant", content: text } }],
    usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12, cost: 0.000021 },
  });
}

function sendJson(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): void {
  sendJson(res, status, JSON.stringify({ error: { code: status, message, ...extra } }), headers);
}

function sseChunk(model: string, content: string): string {
  return `data: ${JSON.stringify({
    id: "gen-fault-sse",
    object: "chat.completion.chunk",
    created: 1_760_000_000,
    model,
    choices: [{ index: 0, delta: { role: "assistant", content }, finish_reason: null }],
  })}\n\n`;
}

/** Registers a scenario and returns the base URL that routes to it. */
function scenario(name: string, handler: Handler): string {
  handlers.set(keyOf(name), handler);
  allHits.set(keyOf(name), []);
  return `${origin}/s/${encodeURIComponent(keyOf(name))}/api/v1`;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const match = /^\/s\/([^/]+)\/api\/v1/.exec(req.url ?? "");
    const name = match?.[1] ? decodeURIComponent(match[1]) : "";
    const handler = handlers.get(name);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (!handler) {
        sendError(res, 404, `no scenario ${name}`);
        return;
      }
      const text = Buffer.concat(chunks).toString("utf8");
      const list = allHits.get(name) ?? [];
      const hit: Hit = {
        n: list.length + 1,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
        authorization: req.headers.authorization,
      };
      list.push(hit);
      allHits.set(name, list);
      handler(hit, req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

// ---------------------------------------------------------------------------------------------------------
// Virtual time, the client, and what the suite collects

interface VirtualTime {
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  sleeps: number[];
  advance: (ms: number) => void;
}

/**
 * Sleeps move the virtual clock instead of waiting. The clock moves on the next macrotask, after
 * everything already scheduled at the current instant (a grant and its hooks) has run.
 */
function virtualTime(): VirtualTime {
  let t = 1_800_000_000_000;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) throw signal.reason;
      t += ms;
    },
    random: () => 0.5,
    sleeps,
    advance: (ms) => {
      t += ms;
    },
  };
}

const collectedErrors: unknown[] = [];
const collectedHookPayloads: unknown[] = [];

/** Hooks that keep every payload for the key-leak test and count attempts. */
function recordingHooks(extra: Hooks = {}): Hooks {
  return {
    ...(extra.includeContent !== undefined && { includeContent: extra.includeContent }),
    onRequest: (e) => {
      collectedHookPayloads.push(e);
      extra.onRequest?.(e);
    },
    onResponse: (e) => void collectedHookPayloads.push(e),
    onError: (e) => void collectedHookPayloads.push(e),
    onRetry: (e) => {
      collectedHookPayloads.push(e);
      extra.onRetry?.(e);
    },
    onFallback: (e) => {
      collectedHookPayloads.push(e);
      extra.onFallback?.(e);
    },
    onResult: (e) => {
      collectedHookPayloads.push(e);
      extra.onResult?.(e);
    },
  };
}

type ClientOptions = NonNullable<ConstructorParameters<typeof OpenRouter>[0]>;

/**
 * The one place that knows how the client takes the resilience options and the injected clock.
 */
function makeClient(baseUrl: string, time: VirtualTime, options: Omit<ClientOptions, "apiKey" | "baseUrl"> = {}): OpenRouter {
  const { hooks, ...rest } = options;
  const opts: ClientOptions = {
    apiKey: API_KEY,
    ...current.at(baseUrl),
    hooks: recordingHooks(hooks ?? {}),
    now: time.now,
    sleep: time.sleep,
    random: time.random,
    ...rest,
  };
  return new OpenRouter(opts);
}

const messages = [{ role: "user" as const, content: "Say hello" }];

async function failure(p: Promise<unknown>): Promise<OpenRouterError> {
  const e = await p.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => error,
  );
  collectedErrors.push(e);
  if (!isOpenRouterError(e)) throw e;
  return e;
}

// ---------------------------------------------------------------------------------------------------------
// The summary table

interface Row {
  scenario: string;
  outcome: string;
  attempts: number | string;
}
const rows: Row[] = [];
function record(scenario: string, outcome: string, attempts: number | string | undefined): void {
  if (current.name !== "fetch") return;
  rows.push({ scenario, outcome, attempts: attempts ?? "?" });
}

function table(): string {
  const head = "| scenario | outcome | attempts |\n|---|---|---|";
  const body = rows.map((r) => `| ${r.scenario} | ${r.outcome} | ${r.attempts} |`).join("\n");
  return `${head}\n${body}`;
}

// The reliability guide shows the table from the last local run; CI (a fresh clone) leaves it be.
const DOC = join(import.meta.dirname, "..", "docs", "reliability.md");
const START = "<!-- fault-table:start -->";
const END = "<!-- fault-table:end -->";

afterAll(() => {
  if (rows.length === 0) return;
  const text = table();
  console.log(`\nFault-injection summary\n${text}\n`);
  if (process.env["CI"]) return;
  let doc: string;
  try {
    doc = readFileSync(DOC, "utf8");
  } catch {
    return; // the doc is written by hand; without it there is nothing to update
  }
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a === -1 || b === -1 || b < a) return;
  const next = `${doc.slice(0, a + START.length)}\n${text}\n${doc.slice(b)}`;
  if (next !== doc) writeFileSync(DOC, next);
});

// ---------------------------------------------------------------------------------------------------------
// Scenarios

describe.each(TRANSPORTS)("on the $name transport", (t) => {
  beforeAll(() => {
    current = t;
  });

  describe("fault injection against the real client", () => {
    it("429 with Retry-After: 1 waits exactly 1 s, then succeeds", async () => {
      const time = virtualTime();
      const url = scenario("429-retry-after-seconds", (hit, _req, res) =>
        hit.n === 1 ? sendError(res, 429, "Rate limit exceeded: free-models-per-min. ", {}, { "retry-after": "1" }) : sendJson(res, 200, completion(MODEL)),
      );
      const result = await makeClient(url, time).chat({ model: MODEL, messages });
      expect(result.text).toBe("Hello!");
      expect(hits.get("429-retry-after-seconds")).toHaveLength(2);
      expect(time.sleeps).toEqual([1000]);
      record("429 with `Retry-After: 1`", "ok after waiting the 1000 ms asked for", hits.get("429-retry-after-seconds")?.length);
    });

    it("429 with an HTTP-date Retry-After waits until that date", async () => {
      const time = virtualTime();
      const url = scenario("429-retry-after-date", (hit, _req, res) =>
        hit.n === 1
          ? sendError(res, 429, "Rate limit exceeded", {}, { "retry-after": new Date(Date.now() + 3000).toUTCString() })
          : sendJson(res, 200, completion(MODEL)),
      );
      const result = await makeClient(url, time).chat({ model: MODEL, messages });
      expect(result.text).toBe("Hello!");
      expect(hits.get("429-retry-after-date")).toHaveLength(2);
      // The date has one-second resolution and is read against the real clock: 2-3 s from now.
      expect(time.sleeps).toHaveLength(1);
      expect(time.sleeps[0]).toBeGreaterThanOrEqual(1500);
      expect(time.sleeps[0]).toBeLessThanOrEqual(3000);
      record("429 with an HTTP-date `Retry-After`", "ok after waiting until the date", hits.get("429-retry-after-date")?.length);
    });

    it("503 twice, then 200", async () => {
      const time = virtualTime();
      const retries: number[] = [];
      const url = scenario("503x2", (hit, _req, res) =>
        hit.n <= 2 ? sendError(res, 503, "No instances available", { metadata: { error_type: "provider_overloaded" } }) : sendJson(res, 200, completion(MODEL)),
      );
      const result = await makeClient(url, time, { hooks: { onRetry: (e) => void retries.push(e.status ?? 0) } }).chat({ model: MODEL, messages });
      expect(result.text).toBe("Hello!");
      expect(retries).toEqual([503, 503]);
      expect(hits.get("503x2")).toHaveLength(3);
      expect(time.sleeps).toEqual([250, 500]); // full jitter with random() = 0.5 of 500 ms, 1000 ms
      record("503 ×2 then 200", `ok; backoff ${time.sleeps.join(" ms, ")} ms`, hits.get("503x2")?.length);
    });

    it("500 forever gives up after maxRetries with the attempt count", async () => {
      const time = virtualTime();
      const url = scenario("500-forever", (_hit, _req, res) => sendError(res, 500, "Internal Server Error"));
      const error = await failure(makeClient(url, time, { retry: { maxRetries: 3 } }).chat({ model: MODEL, messages }));
      expect(error).toBeInstanceOf(ServerError);
      expect(error.attempts).toBe(4);
      expect(error.message).toContain("POST /chat/completions");
      expect(hits.get("500-forever")).toHaveLength(4);
      record("500 forever (`maxRetries: 3`)", `${error.name} after ${error.attempts} attempts`, hits.get("500-forever")?.length);
    });

    it.each([
      [400, BadRequestError, "Invalid request: messages must not be empty"],
      [401, AuthenticationError, "No auth credentials found"],
      [402, InsufficientCreditsError, "Insufficient credits. Add more using https://openrouter.ai/settings/credits"],
    ])("%d is not retried", async (status, Cls, message) => {
      const time = virtualTime();
      const name = `no-retry-${status}`;
      const url = scenario(name, (_hit, _req, res) => sendError(res, status, message));
      const error = await failure(makeClient(url, time).chat({ model: MODEL, messages }));
      expect(error).toBeInstanceOf(Cls);
      expect(error.attempts).toBe(1);
      expect(hits.get(name)).toHaveLength(1);
      expect(time.sleeps).toEqual([]);
      record(`${status}`, `${error.name}, no retry`, error.attempts);
    });

    it("connection reset before headers is retried", async () => {
      const time = virtualTime();
      const url = scenario("reset-before-headers", (hit, req, res) => {
        if (hit.n === 1) req.socket.destroy();
        else sendJson(res, 200, completion(MODEL));
      });
      const result = await makeClient(url, time).chat({ model: MODEL, messages });
      expect(result.text).toBe("Hello!");
      expect(hits.get("reset-before-headers")).toHaveLength(2);
      record("connection reset before headers", "ConnectionError retried, then ok", hits.get("reset-before-headers")?.length);
    });

    it("connection refused: a ConnectionError that keeps the code, retried like any network failure", async () => {
      const time = virtualTime();
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const error = await failure(makeClient(`http://127.0.0.1:${port}/api/v1`, time, { retry: { maxRetries: 2 } }).chat({ model: MODEL, messages }));
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error.message).toMatch(/ECONNREFUSED/);
      expect(error.retryable).toBe(true);
      expect(error.attempts).toBe(3);
      // The cause keeps the code (on fetch's inner cause, or on undici's own error), and nothing else.
      expect(inspect(error.cause)).toMatch(/code: 'ECONNREFUSED'/);
      record("connection refused (`maxRetries: 2`)", `${error.name} (ECONNREFUSED) after ${error.attempts} attempts`, error.attempts);
    });

    it("a socket hang-up on every attempt ends in a ConnectionError after the retries", async () => {
      const time = virtualTime();
      const url = scenario("hang-up", (_hit, req) => req.socket.end());
      const error = await failure(makeClient(url, time, { retry: { maxRetries: 1 } }).chat({ model: MODEL, messages }));
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error.message).toMatch(/^Network error: /);
      expect(error.attempts).toBe(2);
      expect(hits.get("hang-up")).toHaveLength(2);
      record("socket hang-up, every attempt (`maxRetries: 1`)", `${error.name} after ${error.attempts} attempts`, hits.get("hang-up")?.length);
    });

    it("connection reset after headers, before the body, is retried (a non-streamed body is all or nothing)", async () => {
      const time = virtualTime();
      const url = scenario("reset-after-headers", (hit, req, res) => {
        if (hit.n === 1) {
          res.writeHead(200, { "content-type": "application/json", "content-length": "5000" });
          res.write('{"id":"gen-');
          setTimeout(() => req.socket.destroy(), 10);
        } else sendJson(res, 200, completion(MODEL));
      });
      const result = await makeClient(url, time).chat({ model: MODEL, messages });
      expect(result.text).toBe("Hello!");
      expect(hits.get("reset-after-headers")).toHaveLength(2);
      record("connection reset after headers, before the body", "ConnectionError retried, then ok", hits.get("reset-after-headers")?.length);
    });

    it("connection reset mid-stream after 3 events: no retry, the partial text is kept", async () => {
      const time = virtualTime();
      const url = scenario("reset-mid-stream", (_hit, req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(sseChunk(MODEL, "Hel"));
        res.write(sseChunk(MODEL, "lo, "));
        res.write(sseChunk(MODEL, "wor"));
        setTimeout(() => req.socket.destroy(), 20);
      });
      const stream = makeClient(url, time).chatStream({ model: MODEL, messages });
      const seen: string[] = [];
      const error = await failure(
        (async () => {
          for await (const event of stream) if (event.type === "content") seen.push(event.text);
        })(),
      );
      expect(error).toBeInstanceOf(ConnectionError);
      expect(seen).toEqual(["Hel", "lo, ", "wor"]);
      expect(error.partial?.text).toBe("Hello, wor");
      expect(hits.get("reset-mid-stream")).toHaveLength(1);
      record("connection reset mid-stream after 3 events", `${error.name}, partial \`${error.partial?.text ?? ""}\` kept, not re-sent`, hits.get("reset-mid-stream")?.length);
    });

    it("a first byte slower than timeoutMs ends with TimeoutError and is not retried", async () => {
      const time = virtualTime();
      const url = scenario("slow-first-byte", (_hit, _req, res) => {
        const timer = setTimeout(() => sendJson(res, 200, completion(MODEL)), 3000);
        res.on("close", () => clearTimeout(timer));
      });
      const error = await failure(makeClient(url, time, { timeoutMs: 150 }).chat({ model: MODEL, messages }));
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error.name).toBe("TimeoutError");
      expect(error.attempts).toBe(1);
      expect(hits.get("slow-first-byte")).toHaveLength(1);
      record("first byte slower than `timeoutMs`", "TimeoutError (the call's budget is spent: no retry)", error.attempts);
    });

    it("a truncated JSON body is retried", async () => {
      const time = virtualTime();
      const url = scenario("truncated-json", (hit, _req, res) =>
        hit.n === 1 ? sendJson(res, 200, completion(MODEL).slice(0, 60)) : sendJson(res, 200, completion(MODEL)),
      );
      const errors: string[] = [];
      const result = await makeClient(url, time, {
        hooks: { onRetry: (e) => void errors.push(e.error.kind) },
      }).chat({ model: MODEL, messages });
      expect(result.text).toBe("Hello!");
      expect(errors).toEqual(["invalid_response"]);
      expect(hits.get("truncated-json")).toHaveLength(2);
      record("truncated JSON body (200)", "InvalidResponseError retried, then ok", hits.get("truncated-json")?.length);
    });

    it("an HTML 502 page from an edge proxy becomes a clear ProviderUnavailableError", async () => {
      const time = virtualTime();
      const html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n";
      const url = scenario("html-502", (_hit, _req, res) => {
        res.writeHead(502, { "content-type": "text/html" });
        res.end(html);
      });
      const error = await failure(makeClient(url, time, { retry: { maxRetries: 1 } }).chat({ model: MODEL, messages }));
      expect(error).toBeInstanceOf(ProviderUnavailableError);
      expect(error.status).toBe(502);
      expect(error.message).toContain("502 Bad Gateway");
      expect(error.message).not.toContain("<");
      expect(error.attempts).toBe(2);
      expect(hits.get("html-502")).toHaveLength(2);
      record("HTML 502 page from an edge proxy (`maxRetries: 1`)", `${error.name} \"${error.message.split(" (")[0]}\", tags stripped`, hits.get("html-502")?.length);
    });

    it("availability.retryable: false stops at once", async () => {
      const time = virtualTime();
      const url = scenario("availability-final", (_hit, _req, res) =>
        sendError(res, 503, "No endpoints available for this model", {
          availability: { code: "temporarily_unavailable", retryable: false, requested_models: [MODEL], docs_url: "https://openrouter.ai/docs" },
        }),
      );
      const error = await failure(makeClient(url, time).chat({ model: MODEL, messages }));
      expect(error).toBeInstanceOf(ProviderUnavailableError);
      expect(error.retryable).toBe(false);
      expect(error.attempts).toBe(1);
      expect(hits.get("availability-final")).toHaveLength(1);
      record("`availability.retryable: false`", `${error.name}, no retry`, error.attempts);
    });

    it("the daily free-model cap is final, with OpenRouter's message", async () => {
      const time = virtualTime();
      const url = scenario("free-daily", (_hit, _req, res) =>
        sendError(res, 429, "Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 free model requests per day", {}, { "retry-after": "60" }),
      );
      const error = await failure(makeClient(url, time).chat({ model: "meta-llama/llama-3.3-70b-instruct:free", messages }));
      expect(error.kind).toBe("rate_limit");
      expect(error.message).toContain("free-models-per-day");
      expect(error.attempts).toBe(1);
      expect(time.sleeps).toEqual([]);
      record("429 `free-models-per-day`", "RateLimitError, not retried", error.attempts);
    });

    it("an abort during the backoff sleep ends with AbortError at once", async () => {
      const time = virtualTime();
      const controller = new AbortController();
      // This sleep never ends by itself: only the abort releases it.
      const sleep = (_ms: number, signal?: AbortSignal) =>
        new Promise<void>((_resolve, reject) => {
          signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
          setTimeout(() => controller.abort(), 5);
        });
      const url = scenario("abort-in-backoff", (_hit, _req, res) => sendError(res, 503, "Overloaded"));
      const client = makeClient(url, { ...time, sleep });
      const error = await failure(client.chat({ model: MODEL, messages }, { signal: controller.signal }));
      expect(error).toBeInstanceOf(AbortError);
      expect(error.kind).toBe("aborted");
      expect(error.attempts).toBe(1);
      expect(hits.get("abort-in-backoff")).toHaveLength(1);
      record("abort during the backoff sleep", "AbortError, no further request", error.attempts);
    });

    it("the circuit opens after 3 failures, fails fast, and closes after one successful probe", async () => {
      const time = virtualTime();
      let healthy = false;
      const url = scenario("circuit", (_hit, _req, res) => (healthy ? sendJson(res, 200, completion(MODEL)) : sendError(res, 503, "Overloaded")));
      const client = makeClient(url, time, { retry: false, circuitBreaker: { failureThreshold: 3, cooldownMs: 30_000 } });
      for (let i = 0; i < 3; i++) await failure(client.chat({ model: MODEL, messages }));
      const fast = await failure(client.chat({ model: MODEL, messages }));
      expect(fast).toBeInstanceOf(CircuitOpenError);
      expect(fast.message).toContain(MODEL);
      expect(fast.retryAfterMs).toBe(30_000);
      expect(hits.get("circuit")).toHaveLength(3); // the fast failure sent nothing
      time.advance(30_000);
      healthy = true;
      const probe = await client.chat({ model: MODEL, messages });
      expect(probe.text).toBe("Hello!");
      const after = await client.chat({ model: MODEL, messages });
      expect(after.text).toBe("Hello!");
      expect(hits.get("circuit")).toHaveLength(5);
      record("circuit breaker (`failureThreshold: 3`)", "3 × 503; then CircuitOpenError without a request; after 30 s one probe succeeds and closes it", "3 + 0 + 1");
    });

    it("402 'can only afford 512' is retried once with max_tokens: 512", async () => {
      const time = virtualTime();
      const url = scenario("afford-512", (hit, _req, res) =>
        hit.body["max_tokens"] === 512
          ? sendJson(res, 200, completion(MODEL))
          : sendError(
              res,
              402,
              "This request requires more credits, or fewer max_tokens. You requested up to 4096 tokens, but can only afford 512. To increase, visit https://openrouter.ai/settings/credits and add more credits",
            ),
      );
      const result = await makeClient(url, time, { onInsufficientCredits: "reduce-max-tokens" }).chat({ model: MODEL, messages, max_tokens: 4096 });
      expect(result.text).toBe("Hello!");
      expect(hits.get("afford-512")?.map((h) => h.body["max_tokens"])).toEqual([4096, 512]);
      record("402 \"can only afford 512\" (`reduce-max-tokens`)", "retried once with `max_tokens: 512`, ok", hits.get("afford-512")?.length);
    });

    it("falls back to the second model after the first returns 503 three times", async () => {
      const time = virtualTime();
      const fallbacks: Array<[string, string]> = [];
      const url = scenario("fallback", (hit, _req, res) =>
        hit.body["model"] === MODEL ? sendError(res, 503, "Overloaded") : sendJson(res, 200, completion(String(hit.body["model"]), "Hi from the second model")),
      );
      const result = await makeClient(url, time, {
        fallbackModels: [SECOND],
        hooks: { onFallback: (e) => void fallbacks.push([e.fromModel, e.toModel]) },
      }).chat({ model: MODEL, messages });
      expect(result.text).toBe("Hi from the second model");
      expect(result.model).toBe(SECOND);
      expect(fallbacks).toEqual([[MODEL, SECOND]]);
      expect(hits.get("fallback")?.map((h) => h.body["model"])).toEqual([MODEL, MODEL, MODEL, SECOND]);
      record("fallback after 503 ×3", `ok from ${result.model}`, hits.get("fallback")?.length);
    });

    it("the rate limiter holds 100 queued calls in FIFO order under a 10-per-second bucket", async () => {
      const time = virtualTime();
      const granted: Array<{ id: number; at: number }> = [];
      const url = scenario("rate-limit-fifo", (hit, _req, res) => sendJson(res, 200, completion(MODEL, String(hit.body["user"]))));
      const client = makeClient(url, time, {
        rateLimit: { requestsPerMinute: 600, requestsBurst: 10 },
        hooks: {
          onRequest: () => {
            granted.push({ id: granted.length, at: time.now() });
          },
        },
      });
      const start = time.now();
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => client.chat({ model: MODEL, messages: [{ role: "user", content: `call ${i}` }], user: `u${i}` })),
      );
      // Nothing lost, and each call got its own answer.
      expect(results.map((r) => r.text)).toEqual(Array.from({ length: 100 }, (_, i) => `u${i}`));
      expect(hits.get("rate-limit-fifo")).toHaveLength(100);
      // FIFO: the i-th grant carries the i-th call's body.
      const sentOrder = (hits.get("rate-limit-fifo") ?? []).map((h) => Number(String(h.body["user"]).slice(1)));
      expect(new Set(sentOrder).size).toBe(100);
      const offsets = granted.map((g) => g.at - start);
      expect(offsets.slice(0, 10).every((o) => o === 0)).toBe(true);
      expect(offsets.slice(10)).toEqual(Array.from({ length: 90 }, (_, i) => (i + 1) * 100));
      record("100 queued calls, 10/s bucket (virtual clock)", "all 100 ok, granted FIFO: 10 at once, then one per 100 ms", hits.get("rate-limit-fifo")?.length);
    });

    it("requests are granted in FIFO order (grant order = call order)", async () => {
      const time = virtualTime();
      const order: string[] = [];
      const url = scenario("rate-limit-order", (_hit, _req, res) => sendJson(res, 200, completion(MODEL)));
      const client = makeClient(url, time, {
        rateLimit: { requestsPerMinute: 600, requestsBurst: 1 },
        hooks: { includeContent: true, onRequest: (e) => void order.push(String(e.body?.["user"])) },
      });
      await Promise.all(Array.from({ length: 20 }, (_, i) => client.chat({ model: MODEL, messages, user: `u${i}` })));
      expect(order).toEqual(Array.from({ length: 20 }, (_, i) => `u${i}`));
    });
  });

  describe("the API key never leaks", () => {
    it("an upstream error that echoes the Authorization header is scrubbed", async () => {
      const time = virtualTime();
      const url = scenario("echo-key", (hit, _req, res) =>
        sendError(res, 400, `Invalid header: Authorization: ${hit.authorization ?? ""}`, { metadata: { raw: `got ${hit.authorization ?? ""}` } }),
      );
      const error = await failure(makeClient(url, time).chat({ model: MODEL, messages }));
      expect(error.status).toBe(400);
      expect(hits.get("echo-key")?.[0]?.authorization).toBe(`Bearer ${API_KEY}`);
    });

    it("appears in no error and no hook payload of this suite", () => {
      expect(collectedErrors.length).toBeGreaterThan(10);
      expect(collectedHookPayloads.length).toBeGreaterThan(100);
      const secretParts = [API_KEY, API_KEY.slice("sk-or-v1-".length)];
      const leaks: string[] = [];
      const views = (value: unknown): string[] => {
        const out = [inspect(value, { depth: 8, showHidden: true, getters: true })];
        try {
          out.push(JSON.stringify(value) ?? "");
        } catch {
          // cyclic: inspect covers it
        }
        if (value instanceof Error) {
          out.push(String(value), value.message, value.stack ?? "");
          let cause: unknown = (value as { cause?: unknown }).cause;
          for (let depth = 0; cause !== undefined && depth < 10; depth++) {
            out.push(String(cause), inspect(cause, { depth: 8, showHidden: true }));
            try {
              out.push(JSON.stringify(cause) ?? "");
            } catch {
              // ignore
            }
            cause = (cause as { cause?: unknown } | null)?.cause;
          }
        }
        return out;
      };
      [...collectedErrors, ...collectedHookPayloads].forEach((value, i) => {
        for (const text of views(value)) {
          for (const secret of secretParts) if (text.includes(secret)) leaks.push(`#${i}: ${text.slice(0, 200)}`);
        }
      });
      expect(leaks).toEqual([]);
    });
  });
});
