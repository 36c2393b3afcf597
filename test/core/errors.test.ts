import { describe, expect, it } from "vitest";
import {
  AuthenticationError,
  NotFoundError,
  OpenRouterError,
  isOpenRouterError,
} from "../../src/core/errors.js";
import {
  BadRequestError,
  ContextLengthError,
  InsufficientCreditsError,
  InvalidResponseError,
  ModerationError,
  PermissionDeniedError,
  ProviderUnavailableError,
  RateLimitError,
  ServerError,
  StreamError,
  TimeoutError,
  parseAffordableTokens,
} from "../../src/core/call-errors.js";
import { parseRetryAfter } from "../../src/core/retry-timing.js";
import { errorFromResponse, errorFromWire } from "../../src/core/wire-error.js";
import { isRetryable } from "../../src/core/retry.js";

const info = { method: "POST", path: "/chat/completions", model: "openai/gpt-4o" };
const json = (body: unknown) => JSON.stringify(body);

describe("errorFromResponse: status and error_type mapping", () => {
  const cases: Array<[number, unknown, new (...a: never[]) => OpenRouterError, string]> = [
    [401, { error: { code: 401, message: "No auth credentials found" } }, AuthenticationError, "authentication"],
    [402, { error: { code: 402, message: "Insufficient credits" } }, InsufficientCreditsError, "insufficient_credits"],
    [403, { error: { code: 403, message: "Key needs management", metadata: {} } }, PermissionDeniedError, "permission_denied"],
    [404, { error: { code: 404, message: "No endpoints found for x/y." } }, NotFoundError, "not_found"],
    [408, { error: { code: 408, message: "Timed out" } }, TimeoutError, "timeout"],
    [400, { error: { code: 400, message: "bad field" } }, BadRequestError, "invalid_request"],
    [413, { error: { code: 413, message: "too large" } }, BadRequestError, "invalid_request"],
    [429, { error: { code: 429, message: "Rate limit exceeded" } }, RateLimitError, "rate_limit"],
    [500, { error: { code: 500, message: "Internal Server Error" } }, ServerError, "server"],
    [502, { error: { code: 502, message: "Bad gateway" } }, ProviderUnavailableError, "provider_unavailable"],
    [503, { error: { code: 503, message: "Overloaded" } }, ProviderUnavailableError, "provider_unavailable"],
    [504, { error: { code: 504, message: "Gateway timeout" } }, TimeoutError, "timeout"],
    [524, { error: { code: 524, message: "A timeout occurred" } }, TimeoutError, "timeout"],
    [529, { error: { code: 529, message: "Overloaded" } }, ProviderUnavailableError, "provider_unavailable"],
  ];
  for (const [status, body, Cls, kind] of cases) {
    it(`${status} -> ${Cls.name}`, () => {
      const e = errorFromResponse(status, new Headers(), json(body), info);
      expect(e).toBeInstanceOf(Cls);
      expect(e).toBeInstanceOf(OpenRouterError);
      expect(e.kind).toBe(kind);
      expect(e.status).toBe(status);
      expect(e.message).toContain("POST /chat/completions");
      expect(e.message).toContain("openai/gpt-4o");
    });
  }

  it("retryable follows the status", () => {
    expect(errorFromResponse(429, new Headers(), "", info).retryable).toBe(true);
    expect(errorFromResponse(503, new Headers(), "", info).retryable).toBe(true);
    expect(errorFromResponse(400, new Headers(), "", info).retryable).toBe(false);
    expect(errorFromResponse(401, new Headers(), "", info).retryable).toBe(false);
    expect(errorFromResponse(402, new Headers(), "", info).retryable).toBe(false);
  });

  it("context length by error_type and by message", () => {
    const byType = errorFromResponse(400, new Headers(), json({ error: { code: 400, message: "x", metadata: { error_type: "context_length_exceeded" } } }), info);
    expect(byType).toBeInstanceOf(ContextLengthError);
    expect(byType.errorType).toBe("context_length_exceeded");
    const byMessage = errorFromResponse(400, new Headers(), json({ error: { code: 400, message: "This endpoint's maximum context length is 200000 tokens." } }), info);
    expect(byMessage).toBeInstanceOf(ContextLengthError);
  });

  it("moderation 403 keeps reasons and the flagged input", () => {
    const e = errorFromResponse(
      403,
      new Headers(),
      json({ error: { code: 403, message: "Input flagged", metadata: { reasons: ["violence"], flagged_input: "…", provider_name: "OpenAI", model_slug: "x" } } }),
      info,
    );
    expect(e).toBeInstanceOf(ModerationError);
    expect((e as ModerationError).reasons).toEqual(["violence"]);
    expect((e as ModerationError).flaggedInput).toBe("…");
    expect(e.providerName).toBe("OpenAI");
  });

  it("uses the detail in metadata.raw when the message is the generic 'Provider returned error'", () => {
    const raw = JSON.stringify({ error: { message: "Invalid 'max_output_tokens': integer below minimum value.", type: "invalid_request_error" } });
    const e = errorFromResponse(400, new Headers(), json({ error: { code: 400, message: "Provider returned error", metadata: { provider_name: "OpenAI", raw } } }), info);
    expect(e.message).toContain("Invalid 'max_output_tokens'");
    expect(e.message).toContain("(OpenAI)");
    expect(e.providerName).toBe("OpenAI");
    const plain = errorFromResponse(429, new Headers(), json({ error: { code: 429, message: "Provider returned error", metadata: { raw: "rate-limited upstream" } } }), info);
    expect(plain.message).toContain("rate-limited upstream");
  });

  it("error.code may be a string; the HTTP status still decides the class", () => {
    const e = errorFromResponse(500, new Headers(), json({ error: { code: "server_error", message: "boom" } }), info);
    expect(e.code).toBe("server_error");
    expect(e.status).toBe(500);
    expect(e).toBeInstanceOf(ServerError);
  });

  it("availability errors without code: retryable and retry_after from the body", () => {
    const e = errorFromResponse(
      503,
      new Headers(),
      json({ error: { message: "Temporarily unavailable", error_type: "provider_overloaded", http_status: 503, availability: { retryable: true, retry_after: 7, requested_models: ["a/b"] } } }),
      info,
    );
    expect(e).toBeInstanceOf(ProviderUnavailableError);
    expect(e.retryable).toBe(true);
    expect(e.retryAfterMs).toBe(7000);
    expect(e.code).toBeUndefined();
    const notRetryable = errorFromResponse(
      429,
      new Headers(),
      json({ error: { code: 429, message: "capacity", availability: { code: "capacity_exhausted", retryable: false } } }),
      info,
    );
    expect(notRetryable).toBeInstanceOf(RateLimitError);
    expect(notRetryable.retryable).toBe(false);
    expect(notRetryable.errorType).toBe("capacity_exhausted");
  });

  it("Retry-After header wins over the body and accepts HTTP dates", () => {
    const now = Date.parse("2026-11-22T10:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("Sun, 22 Nov 2026 10:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("Sun, 22 Nov 2026 09:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("1 2", now)).toBeUndefined();
    const e = errorFromResponse(429, new Headers({ "retry-after": "2" }), json({ error: { code: 429, message: "slow down" } }), info);
    expect(e.retryAfterMs).toBe(2000);
  });

  it("the daily free-model cap is not retryable", () => {
    const e = errorFromResponse(429, new Headers(), json({ error: { code: 429, message: "Rate limit exceeded: free-models-per-day. Add 10 credits" } }), info);
    expect(e).toBeInstanceOf(RateLimitError);
    expect(e.retryable).toBe(false);
  });

  it("an HTML page from an edge proxy becomes a typed error with a readable snippet", () => {
    const e = errorFromResponse(502, new Headers({ "content-type": "text/html" }), "<html><body><h1>502 Bad Gateway</h1><p>cloudflare</p></body></html>", info);
    expect(e).toBeInstanceOf(ProviderUnavailableError);
    expect(e.message).toContain("502 Bad Gateway");
    expect(e.message).not.toContain("<h1>");
  });

  it("an empty body still gives a typed error", () => {
    const e = errorFromResponse(503, new Headers(), "", info);
    expect(e).toBeInstanceOf(ProviderUnavailableError);
    expect(e.message).toContain("empty body");
  });

  it("402 affordability: the affordable token count is parsed", () => {
    const msg = "This request requires more credits, or fewer max_tokens. You requested up to 4096 tokens, but can only afford 512.";
    const e = errorFromResponse(402, new Headers(), json({ error: { code: 402, message: msg } }), info);
    expect(e).toBeInstanceOf(InsufficientCreditsError);
    expect((e as InsufficientCreditsError).affordableTokens).toBe(512);
    expect(parseAffordableTokens("no number here")).toBeUndefined();
  });

  it("OpenRouter's own 429 without Retry-After: the wait comes from X-RateLimit-Reset (epoch ms)", () => {
    const now = Date.now();
    const e = errorFromResponse(429, new Headers({ "x-ratelimit-reset": String(now + 4000) }), json({ error: { code: 429, message: "Rate limit exceeded: free-models-per-min." } }), info);
    expect(e.retryAfterMs).toBeGreaterThan(3000);
    expect(e.retryAfterMs).toBeLessThanOrEqual(4000);
  });

  it("keeps X-Generation-Id and user_id", () => {
    const e = errorFromResponse(400, new Headers({ "x-generation-id": "gen-1" }), json({ error: { code: 400, message: "x" }, user_id: "user_1" }), info);
    expect(e.generationId).toBe("gen-1");
    expect(e.userId).toBe("user_1");
  });
});

describe("in-band errors", () => {
  it("an unknown in-band error is a StreamError with the code as status", () => {
    const e = errorFromWire({ code: 400, message: "Token limit reached" }, { ...info, inBand: true });
    expect(e.status).toBe(400);
    const s = errorFromWire({ code: "server_error", message: "boom" }, { ...info, inBand: true });
    expect(s).toBeInstanceOf(StreamError);
    expect(s.kind).toBe("stream");
  });
  it("error_type still classifies in-band errors", () => {
    const e = errorFromWire({ code: 429, message: "Rate limit exceeded", metadata: { error_type: "rate_limit_exceeded" } }, { ...info, inBand: true });
    expect(e).toBeInstanceOf(RateLimitError);
    expect(e.retryable).toBe(true);
  });
});

describe("retryable is decided once: error.retryable === isRetryable(error)", () => {
  const cases: [string, number | undefined, Record<string, unknown> | undefined, string, boolean][] = [
    ["503", 503, undefined, "Service unavailable", true],
    ["429", 429, undefined, "Rate limit exceeded", true],
    ["429 daily free cap", 429, undefined, "Rate limit exceeded: free-models-per-day", false],
    ["400", 400, undefined, "Invalid request", false],
    ["400 marked availability.retryable: true", 400, { code: "temporarily_unavailable", retryable: true }, "Model warming up", true],
    ["503 marked availability.retryable: false", 503, { code: "no_endpoints", retryable: false }, "No endpoints", false],
    ["401 marked availability.retryable: true", 401, { retryable: true }, "No auth", false],
    ["403 marked availability.retryable: true", 403, { retryable: true }, "Region", false],
    ["404", 404, undefined, "Not found", false],
    ["524", 524, undefined, "Provider timed out", true],
  ];
  it.each(cases)("%s (through the wire and through the response)", (_name, status, availability, message, expected) => {
    const wire = { code: status ?? 500, message, ...(availability && { availability }) };
    const fromWire = errorFromWire(wire, { ...info, ...(status !== undefined && { status }) });
    expect(fromWire.retryable).toBe(expected);
    expect(isRetryable(fromWire)).toBe(expected);
    const fromResponse = errorFromResponse(status ?? 500, new Headers(), json({ error: wire }), info);
    expect(fromResponse.retryable).toBe(isRetryable(fromResponse));
    expect(fromResponse.retryable).toBe(expected);
  });
  it("in-band errors: a StreamError's flag follows its code, and the policy then defers to it", () => {
    const down = errorFromWire({ code: 502, message: "Provider error" }, { ...info, inBand: true });
    const odd = errorFromWire({ code: "server_error", message: "boom" }, { ...info, inBand: true });
    expect([down.retryable, isRetryable(down)]).toEqual([true, true]);
    expect([odd.retryable, isRetryable(odd)]).toEqual([false, false]);
  });
  it("errors built directly agree with the policy, kind by kind", () => {
    const built = [
      new ServerError("x", info),
      new RateLimitError("x", info),
      new ProviderUnavailableError("x", info),
      new TimeoutError("x", info),
      new TimeoutError("x", { ...info, status: 408 }),
      new BadRequestError("x", { ...info, status: 400 }),
      new AuthenticationError("x", { ...info, status: 401 }),
      new InvalidResponseError("x", { ...info, status: 200 }),
      new OpenRouterError("x", info),
    ];
    for (const e of built) expect([e.name, e.status, e.retryable]).toEqual([e.name, e.status, isRetryable(e)]);
  });
});

describe("isOpenRouterError", () => {
  it("matches our errors and look-alikes from another realm, not plain errors", () => {
    expect(isOpenRouterError(new RateLimitError("x"))).toBe(true);
    expect(isOpenRouterError({ name: "RateLimitError", kind: "rate_limit", retryable: true, message: "x" })).toBe(true);
    expect(isOpenRouterError(new Error("x"))).toBe(false);
    expect(isOpenRouterError(null)).toBe(false);
  });
  it("subclasses keep their names for logs", () => {
    expect(new InvalidResponseError("x").name).toBe("InvalidResponseError");
    expect(String(new NotFoundError("gone"))).toBe("NotFoundError: gone");
    expect(new NotFoundError("gone").toJSON()).toMatchObject({ name: "NotFoundError", kind: "not_found", message: "gone" });
  });
});

describe("every verb throws only typed errors for a 2xx body it cannot use", async () => {
  const { OpenRouter } = await import("../../src/index.js");
  type Client = InstanceType<typeof OpenRouter>;
  const html = () => new Response("<!doctype html><html><body>Just a moment…</body></html>", { status: 200, headers: { "content-type": "text/html" } });
  const emptyObject = () => new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
  const cut = () => new Response('{"data": [{"id": "a/b"', { status: 200, headers: { "content-type": "application/json" } });
  const messages = [{ role: "user" as const, content: "Hi" }];
  const verbs: Array<[string, (client: (extra?: { validateModel?: boolean }) => Client) => Promise<unknown>]> = [
    ["generation()", (c) => c().generation("gen-1")],
    ["models.list()", (c) => c().models.list()],
    ["models.get()", (c) => c().models.get("a/b")],
    ["models.endpoints()", (c) => c().models.endpoints("a/b")],
    ["estimateCost()", (c) => c().estimateCost({ model: "a/b", messages, max_tokens: 10 })],
    ["validateModel: true", (c) => c({ validateModel: true }).chat({ model: "a/b", messages })],
    ["embed()", (c) => c().embed("hi", { model: "a/e" })],
    ["chat()", (c) => c().chat({ model: "a/b", messages })],
    ["client.api.GET()", (c) => c().api.GET("/models")],
    ["client.api.POST()", (c) => c().api.POST("/embeddings", { body: { model: "a/e", input: "hi" } })],
    ["client.api.request()", (c) => c().api.request("get", "/key")],
  ];
  const clientsAnswering = (respond: () => Response) => (extra: { validateModel?: boolean } = {}) =>
    new OpenRouter({ apiKey: "sk-or-v1-typed-errors-test", retry: false, ...extra, fetch: (async () => respond()) as typeof globalThis.fetch });

  for (const [bodyName, respond] of [
    ["an HTML page", html],
    ["JSON cut short", cut],
  ] as const) {
    for (const [name, call] of verbs) {
      it(`${name} on ${bodyName}: InvalidResponseError`, async () => {
        const error = await call(clientsAnswering(respond)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidResponseError);
        expect((error as Error).name).toBe("InvalidResponseError");
      });
    }
  }
  // client.api hands a JSON body back as data, whatever its shape: only the verbs know what they expected.
  for (const [name, call] of verbs.filter(([n]) => !n.startsWith("client.api"))) {
    it(`${name} on {}: InvalidResponseError, not a TypeError`, async () => {
      const error = await call(clientsAnswering(emptyObject)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidResponseError);
    });
  }
});

describe("an error built anywhere is scrubbed of the live clients' keys", async () => {
  const { OpenRouter } = await import("../../src/index.js");
  const { inspect } = await import("node:util");
  const key = "custom-gateway-key-7f3a9b2c1d0e";
  // Any client holding the key registers it; the error below is built without any reference to the client.
  const client = new OpenRouter({ apiKey: key, baseUrl: "http://127.0.0.1:9/api/v1" });

  it("message, stack, metadata, fields and the cause chain", () => {
    const cause = new SyntaxError(`Unexpected token in "${key}"`, { cause: new Error(`deeper ${key}`) });
    const error = new ServerError(`echo ${key}`, { metadata: { raw: `{"key":"${key}"}`, list: [key] }, errorType: key, cause });
    const texts = [error.message, error.stack ?? "", String(error), JSON.stringify(error), inspect(error, { depth: Infinity, showHidden: true })];
    const c = error.cause as Error & { cause: Error };
    texts.push(c.message, c.stack ?? "", c.cause.message, c.cause.stack ?? "", JSON.stringify(error.metadata), String(error.errorType));
    for (const text of texts) expect(text).not.toContain(key);
    expect(error.message).toBe("echo [REDACTED]");
    expect(c).toBeInstanceOf(SyntaxError);
    expect(client.baseUrl).toContain("127.0.0.1");
  });

  it("keeps a cause that holds no secret as it is (identity), and the model's output on partial", () => {
    const reason = new DOMException("The operation was aborted.", "AbortError");
    const partial = { text: `model said ${key}`, raw: { choices: [{ error: { message: key } }] } } as never;
    const error = new StreamError("aborted", { cause: reason, partial });
    expect(error.cause).toBe(reason);
    expect((error.partial as { text: string }).text).toBe(`model said ${key}`);
    expect(JSON.stringify((error.partial as { raw: unknown }).raw)).not.toContain(key);
    expect(JSON.stringify(error)).not.toContain(key);
    expect(inspect(error, { depth: Infinity })).not.toContain(key);
  });
});
