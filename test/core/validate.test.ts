/**
 * Input checks (src/core/validate.ts) as a caller meets them through the public client: a local mistake
 * is an `InvalidArgumentError` raised before anything is sent (constructor mistakes at construction, call
 * mistakes at the call), never a retryable network error, never retried, never a request.
 */
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, OpenRouter, type OpenRouterOptions } from "../../src/index.js";
import { chatCompletion } from "../helpers/completions.js";

const KEY = "sk-or-v1-validate-test-0123456789abcdef";
const MODEL = "openai/gpt-4o-mini";
const messages = [{ role: "user" as const, content: "Hi" }];

const completion = chatCompletion({ model: MODEL });

/** A client whose fetch and backoff sleeps are counted; the fetch answers 200 with a completion. */
function counted(options: OpenRouterOptions = {}) {
  const calls = { fetch: 0, sleep: 0, bodies: [] as string[] };
  const client = new OpenRouter({
    apiKey: KEY,
    fetch: (async (_input: RequestInfo | URL, init?: RequestInit) => {
      calls.fetch++;
      calls.bodies.push(String(init?.body));
      return new Response(JSON.stringify(completion), { status: 200, headers: { "content-type": "application/json" } });
    }) as typeof fetch,
    sleep: async () => {
      calls.sleep++;
    },
    ...options,
  });
  return { client, calls };
}

/** Resolves with what the promise rejected with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<InvalidArgumentError> {
  const outcome = await promise.then(
    () => ({ ok: true as const }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error("expected a rejection");
  return outcome.error as InvalidArgumentError;
}

function expectLocalMistake(error: unknown, pattern: RegExp) {
  expect(error).toBeInstanceOf(InvalidArgumentError);
  const e = error as InvalidArgumentError;
  expect(e.kind).toBe("invalid_argument");
  expect(e.retryable).toBe(false);
  expect(e.message).toMatch(pattern);
}

describe("bodies JSON cannot encode", () => {
  it("max_tokens: 10n is an InvalidArgumentError at the call: nothing sent, nothing retried", async () => {
    const { client, calls } = counted();
    const params = { model: MODEL, messages, max_tokens: 10n } as unknown as Parameters<OpenRouter["chat"]>[0];
    expectLocalMistake(await rejection(client.chat(params)), /chat\(\): the parameters cannot be sent as JSON: .*BigInt/);
    expect(() => client.chatStream(params)).toThrow(InvalidArgumentError);
    expect(calls).toMatchObject({ fetch: 0, sleep: 0 });
  });

  it("a circular object in the body is an InvalidArgumentError at the call", async () => {
    const { client, calls } = counted();
    const metadata: Record<string, unknown> = { a: 1 };
    metadata["self"] = metadata;
    const params = { model: MODEL, messages, metadata } as unknown as Parameters<OpenRouter["chat"]>[0];
    expectLocalMistake(await rejection(client.chat(params)), /cannot be sent as JSON: .*circular/i);
    expect(() => client.chatStream(params)).toThrow(/circular/i);
    expect(calls).toMatchObject({ fetch: 0, sleep: 0 });
  });

  it("the body is serialised once per call, and retries resend the same text", async () => {
    let serialisations = 0;
    let attempt = 0;
    const bodies: string[] = [];
    const client = new OpenRouter({
      apiKey: KEY,
      sleep: async () => {},
      fetch: (async (_input: RequestInfo | URL, init?: RequestInit) => {
        bodies.push(String(init?.body));
        if (++attempt < 3) return new Response('{"error":{"code":503,"message":"busy"}}', { status: 503 });
        return new Response(JSON.stringify(completion), { status: 200 });
      }) as typeof fetch,
    });
    const counting = { role: "user", content: "Hi", toJSON: () => (serialisations++, { role: "user", content: "Hi" }) };
    const result = await client.chat({ model: MODEL, messages: [counting] as never });
    expect(result.attempts).toBe(3);
    expect(serialisations).toBe(1);
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!)).toEqual({ model: MODEL, messages });
  });
});

describe("header values fetch would refuse", () => {
  const bad: Array<[string, OpenRouterOptions]> = [
    ["headers with CR/LF", { headers: { "x-a": "one\r\nx-injected: two" } }],
    ["headers with a non-Latin-1 character", { headers: { "x-a": "naïve ✓" } }],
    ["headers with an invalid name", { headers: { "bad name": "v" } }],
    ["appName with an emoji", { appName: "My App 🚀" }],
    ["appName with a newline", { appName: "My\nApp" }],
    ["appUrl with a line break", { appUrl: "https://example.com\r\n" }],
    ["categories with a line break", { categories: ["cli-agent", "general\nchat"] }],
  ];
  for (const [what, options] of bad) {
    it(`${what}: InvalidArgumentError at construction`, () => {
      expect(() => new OpenRouter({ apiKey: KEY, fetch: async () => new Response(), ...options })).toThrow(InvalidArgumentError);
    });
  }

  it("an API key with a stray newline is refused at construction, without quoting the key", () => {
    let error: unknown;
    try {
      new OpenRouter({ apiKey: `${KEY}\n` });
    } catch (e) {
      error = e;
    }
    expectLocalMistake(error, /apiKey contains a line break/);
    expect(JSON.stringify(error) + String((error as Error).stack)).not.toContain(KEY);
  });

  it("Latin-1 values are fine (fetch accepts them)", () => {
    expect(() => new OpenRouter({ apiKey: KEY, appName: "Café", headers: { "x-a": "é" } })).not.toThrow();
  });

  it("per-call headers with CR/LF or non-Latin-1 are an InvalidArgumentError at the call, nothing sent", async () => {
    const { client, calls } = counted();
    expectLocalMistake(await rejection(client.chat({ model: MODEL, messages }, { headers: { "x-session": "a\r\nb" } })), /options\.headers.*line break/);
    expectLocalMistake(await rejection(client.chat({ model: MODEL, messages }, { headers: { "x-session": "€" } })), /outside Latin-1/);
    expect(() => client.chatStream({ model: MODEL, messages }, { headers: { "x-session": "\n" } })).toThrow(InvalidArgumentError);
    expect(calls).toMatchObject({ fetch: 0, sleep: 0 });
  });
});

describe("per-call timeouts", () => {
  for (const value of [-5, Number.NaN, Number.POSITIVE_INFINITY, "100"]) {
    it(`timeoutMs: ${String(value)} is an InvalidArgumentError at the call`, async () => {
      const { client, calls } = counted();
      expectLocalMistake(await rejection(client.chat({ model: MODEL, messages }, { timeoutMs: value as number })), /timeoutMs must be a number of milliseconds/);
      expect(() => client.chatStream({ model: MODEL, messages }, { idleTimeoutMs: value as number })).toThrow(/idleTimeoutMs/);
      expect(() => client.chatStream({ model: MODEL, messages }, { firstEventTimeoutMs: value as number })).toThrow(/firstEventTimeoutMs/);
      expect(calls.fetch).toBe(0);
    });
  }

  it("timeoutMs: 0 (disabled) and a positive value are accepted", async () => {
    const { client, calls } = counted();
    expect((await client.chat({ model: MODEL, messages }, { timeoutMs: 0 })).text).toBe("Hello!");
    expect((await client.chat({ model: MODEL, messages }, { timeoutMs: 5_000 })).text).toBe("Hello!");
    expect(calls.fetch).toBe(2);
  });
});

describe("baseUrl", () => {
  const refused: Array<[string, RegExp]> = [
    ["javascript:alert(1)", /http\(s\) URL/],
    ["file:///etc/passwd", /http\(s\) URL/],
    ["ftp://example.com/api", /http\(s\) URL/],
    ["data:text/plain,hi", /http\(s\) URL/],
    ["https://example.com/api/v1?tenant=1", /query string or fragment/],
    ["https://example.com/api/v1#x", /query string or fragment/],
    ["https://example.com/api/v1?", /query string or fragment/],
    ["https://user:secret@example.com/api/v1", /user name or password/],
  ];
  for (const [url, pattern] of refused) {
    it(`${url} is refused at construction`, () => {
      let error: unknown;
      try {
        new OpenRouter({ apiKey: KEY, baseUrl: url });
      } catch (e) {
        error = e;
      }
      expectLocalMistake(error, pattern);
    });
  }

  it("plain http to another machine is refused while a key is set", () => {
    expect(() => new OpenRouter({ apiKey: KEY, baseUrl: "http://proxy.example.com/api/v1" })).toThrow(/plain http to another machine.*allowInsecureHttp/);
    expect(() => new OpenRouter({ apiKey: KEY, baseUrl: "http://10.0.0.2:8080/api/v1" })).toThrow(InvalidArgumentError);
    expect(() => new OpenRouter({ apiKey: KEY, baseUrl: "http://128.0.0.1/api/v1" })).toThrow(InvalidArgumentError);
    expect(() => new OpenRouter({ apiKey: KEY, baseUrl: "http://localhost.example.com/api/v1" })).toThrow(InvalidArgumentError);
  });

  it("plain http is allowed to loopback, without a key, or with allowInsecureHttp: true", async () => {
    for (const url of ["http://127.0.0.1:9/v1", "http://127.9.8.7/v1", "http://localhost:8080/v1", "http://[::1]:9/v1"]) {
      expect(new OpenRouter({ apiKey: KEY, baseUrl: url }).baseUrl).toBe(url);
    }
    expect(new OpenRouter({ apiKey: undefined, baseUrl: "http://proxy.example.com/v1" }).baseUrl).toBe("http://proxy.example.com/v1");
    const { client, calls } = counted({ baseUrl: "http://proxy.example.com/api/v1", allowInsecureHttp: true });
    await client.chat({ model: MODEL, messages });
    expect(calls.fetch).toBe(1);
  });
});

describe("model ids and messages", () => {
  it("a 1 MB model id is refused before sending, and the message quotes a bounded excerpt", async () => {
    const { client, calls } = counted();
    const model = `openai/${"x".repeat(1024 * 1024)}`;
    const error = await rejection(client.chat({ model, messages }));
    expectLocalMistake(error, /params\.model is \d+ characters long/);
    expect(error.message.length).toBeLessThan(400);
    expect(JSON.stringify(error).length).toBeLessThan(2000);
    expect(() => client.chatStream({ model, messages })).toThrow(InvalidArgumentError);
    await expect(client.estimateCost({ model, messages })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(calls.fetch).toBe(0);
  });

  it("other messages that quote a huge caller value stay bounded", async () => {
    const { client } = counted();
    const huge = "y".repeat(1024 * 1024);
    const endpoints = await rejection(client.models.endpoints(huge));
    expect(endpoints).toBeInstanceOf(InvalidArgumentError);
    expect(endpoints.message.length).toBeLessThan(400);
    const role = await rejection(client.chat({ model: MODEL, messages: [{ role: huge, content: "x" }] as never }));
    expect(role.message.length).toBeLessThan(600);
  });

  const structural: Array<[string, unknown[], RegExp]> = [
    ["an unknown role", [{ role: "robot", content: "hi" }], /messages\[0\]\.role is "robot"; expected one of system, developer, user, assistant, tool/],
    ["a user message without content", [{ role: "user" }], /messages\[0\] \(user\) needs content/],
    ["a user message with null content", [{ role: "user", content: null }], /messages\[0\] \(user\) needs content/],
    ["a system message with numeric content", [{ role: "system", content: 5 }, { role: "user", content: "hi" }], /messages\[0\] \(system\) needs content/],
    [
      "a tool message without tool_call_id",
      [{ role: "user", content: "hi" }, { role: "assistant", content: null, tool_calls: [] }, { role: "tool", content: "42" }],
      /messages\[2\] \(tool\) needs the tool_call_id/,
    ],
    ["a message that is not an object", ["hi"], /messages\[0\] must be an object with a role/],
  ];
  for (const [what, msgs, pattern] of structural) {
    it(`${what} is an InvalidArgumentError before sending`, async () => {
      const { client, calls } = counted();
      expectLocalMistake(await rejection(client.chat({ model: MODEL, messages: msgs as never })), pattern);
      expect(() => client.chatStream({ model: MODEL, messages: msgs as never })).toThrow(pattern);
      expect(calls.fetch).toBe(0);
    });
  }

  it("well-formed histories pass: an assistant turn with only tool calls, and a tool answer", async () => {
    const { client, calls } = counted();
    await client.chat({
      model: MODEL,
      messages: [
        { role: "system", content: "Be brief" },
        { role: "user", content: [{ type: "text", text: "Weather?" }] },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "w", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "c1", content: "sunny" },
      ],
    });
    expect(calls.fetch).toBe(1);
  });
});

describe("checkKeySet", () => {
  const info = { method: "POST", path: "/responses", model: "openai/gpt-4o-mini" };
  it("refuses a keyless call to OpenRouter itself, naming what to do and the call", async () => {
    const { checkKeySet, DEFAULT_BASE_URL } = await import("../../src/core/validate.js");
    const { AuthenticationError } = await import("../../src/core/errors.js");
    expect(() => checkKeySet({ apiKey: undefined, baseUrl: DEFAULT_BASE_URL }, info)).toThrow(AuthenticationError);
    expect(() => checkKeySet({ apiKey: undefined, baseUrl: DEFAULT_BASE_URL }, info)).toThrow(/No API key.*POST \/responses, model openai\/gpt-4o-mini/);
  });

  it("lets a call with a key, or to another base URL (a proxy may add the key), through", async () => {
    const { checkKeySet, DEFAULT_BASE_URL } = await import("../../src/core/validate.js");
    expect(() => checkKeySet({ apiKey: "sk-or-v1-test", baseUrl: DEFAULT_BASE_URL }, info)).not.toThrow();
    expect(() => checkKeySet({ apiKey: undefined, baseUrl: "http://127.0.0.1:8080/api/v1" }, info)).not.toThrow();
  });
});
