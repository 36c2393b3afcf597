/**
 * Contract tests: every recorded JSON exchange (test/fixtures/recorded, provenance in its SOURCES.md) is
 * replayed through the real client with an injected fetch, and we assert what a user would see. Streams are
 * replayed in stream-replay.test.ts; the recorded bodies are validated against the spec in schemas.test.ts.
 * Here we also validate the request bodies our client actually sends against the spec's request schemas.
 */
import { describe, expect, it } from "vitest";
import {
  AuthenticationError,
  BadRequestError,
  ContextLengthError,
  InsufficientCreditsError,
  NotFoundError,
  OpenRouter,
  OpenRouterError,
  PermissionDeniedError,
  RateLimitError,
  type ChatParams,
} from "../../src/index.js";
import { type Recorded, listFixtures, loadFixture, recordedJson, replayFetch } from "../helpers/fixtures.js";
import { validateRequest } from "../helpers/spec.js";

const KEY = "sk-or-v1-contract-test-key-000000000000";
const all = listFixtures().map((name) => ({ name, rec: loadFixture(name) }));
const isChatJson = (rec: Recorded) =>
  rec.request.path.endsWith("/chat/completions") && rec.response.status === 200 && rec.response.sse === undefined;
const isChatError = (rec: Recorded) => rec.request.path.endsWith("/chat/completions") && rec.response.status >= 400;

type Json = Record<string, unknown>;

/** The request body as a chat() call: the recorded body without `stream` (chat() never streams). */
function chatParams(rec: Recorded): ChatParams {
  const body = { ...(rec.request.body as Json) };
  delete body["stream"];
  return body as unknown as ChatParams;
}

function expectSentBodyValid(sentBody: unknown, path: string) {
  const check = validateRequest("post", path, sentBody);
  expect(check.errors, `request body sent to ${path} violates the spec`).toBe("");
  expect(check.valid).toBe(true);
}

describe("recorded chat completions (JSON) replay through client.chat", () => {
  const fixtures = all.filter(({ rec }) => isChatJson(rec));
  it("covers every recorded JSON chat exchange", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(39);
  });
  for (const { name, rec } of fixtures) {
    it(name, async () => {
      const { fetch, sent } = replayFetch(rec);
      const client = new OpenRouter({ apiKey: KEY, fetch });
      const result = await client.chat(chatParams(rec));
      // What went out: the same body, to the same path, valid per our spec.
      expect(sent).toHaveLength(1);
      expect(new URL(sent[0]!.url).pathname).toBe(rec.request.path);
      expect(sent[0]!.body).toEqual(chatParams(rec));
      expectSentBodyValid(sent[0]!.body, "/chat/completions");
      // What came back, derived independently from the recorded body.
      const raw = recordedJson(rec) as Json;
      const choice = (raw["choices"] as Json[])[0]!;
      const message = choice["message"] as Json;
      const usage = raw["usage"] as Json | undefined;
      expect(result.id).toBe(raw["id"]);
      expect(result.generationId).toBe(raw["id"]);
      expect(result.model).toBe(raw["model"]);
      expect(result.provider).toBe(raw["provider"]);
      expect(result.text).toBe(typeof message["content"] === "string" ? message["content"] : "");
      expect(result.finishReason).toBe(choice["finish_reason"]);
      expect(result.nativeFinishReason).toBe(choice["native_finish_reason"] ?? null);
      expect(result.usage).toEqual(usage);
      expect(result.cost).toBe(typeof usage?.["cost"] === "number" ? usage["cost"] : undefined);
      expect(result.reasoning).toBe(typeof message["reasoning"] === "string" && message["reasoning"] !== "" ? message["reasoning"] : undefined);
      expect(result.reasoningDetails).toEqual(message["reasoning_details"] ?? []);
      expect(result.annotations).toEqual(message["annotations"] ?? []);
      const calls = (message["tool_calls"] as Json[] | undefined) ?? [];
      expect(result.toolCalls.map((c) => ({ id: c.id, name: c.name, args: c.args }))).toEqual(
        calls.map((c) => {
          const fn = c["function"] as Json;
          const args = fn["arguments"] as string;
          return { id: c["id"], name: fn["name"], args: args === "" ? {} : JSON.parse(args) };
        }),
      );
      // The assistant message is ready to send back, and is itself valid request input.
      expect(result.message.role).toBe("assistant");
      expectSentBodyValid({ model: "x/y", messages: [{ role: "user", content: "q" }, result.message] }, "/chat/completions");
    });
  }

  it("spot checks: literal values a user would read", async () => {
    const run = async (name: string) => {
      const rec = loadFixture(name);
      return new OpenRouter({ apiKey: KEY, fetch: replayFetch(rec).fetch }).chat(chatParams(rec));
    };
    const basic = await run("chat-basic-01.json");
    expect(basic.text).toBe("2 + 2 = 4");
    expect(basic.provider).toBe("Amazon Bedrock");
    expect(basic.nativeFinishReason).toBe("end_turn");
    expect(basic.cost).toBe(0.000081);
    expect(basic.usage?.cost_details?.upstream_inference_prompt_cost).toBe(0.000016);

    const parallel = await run("chat-tool-calls-parallel-01.json");
    expect(parallel.finishReason).toBe("tool_calls");
    expect(parallel.toolCalls.map((c) => [c.name, c.args])).toEqual([
      ["weather", { latitude: "52.5200", longitude: "13.4050" }],
      ["best_language_to_learn", {}],
    ]);

    // May 2025: usage had no cost yet; the result says so rather than inventing one.
    const old = await run("chat-basic-02.json");
    expect(old.cost).toBeUndefined();
    expect(old.costSource).toBeUndefined();

    const search = await run("chat-web-search-01.json");
    expect(search.annotations.length).toBeGreaterThan(0);
    expect(search.annotations[0]).toMatchObject({ type: "url_citation" });
  });
});

describe("recorded errors replay through client.chat as typed errors", () => {
  const expected: Record<string, { cls: new (...a: never[]) => OpenRouterError; status: number; retryable: boolean; message: RegExp; provider?: string }> = {
    "error-400-context-length-01.json": { cls: ContextLengthError, status: 400, retryable: false, message: /maximum context length is 200000 tokens/ },
    "error-400-invalid-model-01.json": { cls: BadRequestError, status: 400, retryable: false, message: /not a valid model ID/ },
    "error-400-provider-01.json": { cls: BadRequestError, status: 400, retryable: false, message: /max_output_tokens/, provider: "OpenAI" },
    "error-400-provider-02.json": { cls: BadRequestError, status: 400, retryable: false, message: /Developer instruction is not enabled/, provider: "Google AI Studio" },
    "error-401-01.json": { cls: AuthenticationError, status: 401, retryable: false, message: /Missing Authentication header/ },
    "error-403-provider-01.json": { cls: PermissionDeniedError, status: 403, retryable: false, message: /Content violates usage guidelines/, provider: "xAI" },
    "error-404-01.json": { cls: NotFoundError, status: 404, retryable: false, message: /No endpoints found for featherless/ },
    "error-404-02.json": { cls: NotFoundError, status: 404, retryable: false, message: /support tool use/ },
    "error-404-03.json": { cls: NotFoundError, status: 404, retryable: false, message: /data policy/ },
    "error-404-04.json": { cls: NotFoundError, status: 404, retryable: false, message: /alpha period/ },
    "error-404-05.json": { cls: NotFoundError, status: 404, retryable: false, message: /deepseek-v3-base:free/ },
    "error-429-01.json": { cls: RateLimitError, status: 429, retryable: true, message: /temporarily rate-limited upstream/, provider: "Google" },
    "error-429-02.json": { cls: RateLimitError, status: 429, retryable: true, message: /free-models-per-min/ },
    "error-429-03.json": { cls: RateLimitError, status: 429, retryable: true, message: /temporarily rate-limited upstream/, provider: "Chutes" },
    "unverified/error-402-01.json": { cls: InsufficientCreditsError, status: 402, retryable: false, message: /never purchased credits/ },
    "unverified/error-402-02.json": { cls: InsufficientCreditsError, status: 402, retryable: false, message: /Insufficient credits/ },
  };
  const fixtures = all.filter(({ rec }) => isChatError(rec));
  it("every recorded chat error has an expectation", () => {
    expect(fixtures.map((f) => f.name).sort()).toEqual(Object.keys(expected).sort());
  });
  for (const { name, rec } of fixtures) {
    it(name, async () => {
      const want = expected[name]!;
      const client = new OpenRouter({ apiKey: KEY, fetch: replayFetch(rec).fetch, retry: false });
      const streamed = (rec.request.body as Json | null)?.["stream"] === true;
      const params = rec.request.body ? chatParams(rec) : ({ model: "x/y", messages: [{ role: "user", content: "q" }] } as ChatParams);
      // A stream:true request answered with a plain JSON error raises the same typed error as chat().
      const error = await (streamed ? client.chatStream(params).final() : client.chat(params)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(want.cls);
      const e = error as OpenRouterError;
      expect(e.status).toBe(want.status);
      expect(e.retryable).toBe(want.retryable);
      expect(e.message).toMatch(want.message);
      expect(e.message).toContain("POST /chat/completions");
      if (want.provider) expect(e.providerName).toBe(want.provider);
      const body = recordedJson(rec) as Json;
      if (typeof body["user_id"] === "string") expect(e.userId).toBe(body["user_id"]);
    });
  }

  it("the free-model 429 keeps the rate-limit metadata", async () => {
    const rec = loadFixture("error-429-02.json");
    const e = (await new OpenRouter({ apiKey: KEY, fetch: replayFetch(rec).fetch, retry: false }).chat(chatParams(rec)).catch((x: unknown) => x)) as RateLimitError;
    expect(e.metadata?.["headers"]).toMatchObject({ "X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "0" });
  });
});

describe("other recorded endpoints replay through the path-typed client.api", () => {
  const client = (rec: Recorded) => new OpenRouter({ apiKey: KEY, fetch: replayFetch(rec).fetch });

  for (const { name, rec } of all.filter(({ rec }) => rec.request.path.endsWith("/models"))) {
    it(`${name}: GET /models`, async () => {
      const { data, error } = await client(rec).api.GET("/models");
      expect(error).toBeUndefined();
      const recorded = recordedJson(rec) as { data: Array<{ id: string; pricing: { prompt: string } }> };
      expect(data?.data.map((m) => m.id)).toEqual(recorded.data.map((m) => m.id));
      // Prices are decimal strings on the wire and in our types.
      expect(typeof data?.data[0]?.pricing?.prompt).toBe("string");
    });
  }

  it("generation-01.json: GET /generation?id=", async () => {
    const rec = loadFixture("generation-01.json");
    const { fetch, sent } = replayFetch(rec);
    const id = new URL(rec.request.url).searchParams.get("id")!;
    const { data } = await new OpenRouter({ apiKey: KEY, fetch }).api.GET("/generation", { params: { query: { id } } });
    expect(new URL(sent[0]!.url).pathname + new URL(sent[0]!.url).search).toBe(rec.request.path);
    expect(data?.data.total_cost).toBe(0.0004688775);
    expect(data?.data.native_tokens_prompt).toBe(4884);
  });

  for (const { name, rec } of all.filter(({ rec }) => rec.request.path.endsWith("/embeddings") && rec.response.status === 200)) {
    it(`${name}: POST /embeddings`, async () => {
      const { fetch, sent } = replayFetch(rec);
      // prism recorded only the response; its request is described in `reconstructed` (see the fixture's notes).
      const body = rec.request.body ?? { model: "openai/text-embedding-3-small", input: "The food was delicious and the waiter...", dimensions: 256 };
      const { data, error } = await new OpenRouter({ apiKey: KEY, fetch }).api.POST("/embeddings", { body: body as never });
      expect(error).toBeUndefined();
      expectSentBodyValid(sent[0]!.body, "/embeddings");
      const recorded = recordedJson(rec) as { data: Array<{ embedding: unknown }>; usage?: unknown };
      expect(data?.data.length).toBe(recorded.data.length);
      expect(data?.data[0]?.embedding).toEqual(recorded.data[0]?.embedding);
      expect(data?.usage).toEqual(recorded.usage);
    });
  }

  it("error-400-embeddings-01.json: POST /embeddings error comes back as { error }", async () => {
    const rec = loadFixture("error-400-embeddings-01.json");
    const { data, error, response } = await client(rec).api.POST("/embeddings", { body: rec.request.body as never });
    expect(data).toBeUndefined();
    expect(response.status).toBe(400);
    expect(error?.error.message).toBe("Model no-such/embedding-model does not exist");
  });

  it("rerank-01.json: POST /rerank", async () => {
    const rec = loadFixture("rerank-01.json");
    const { fetch, sent } = replayFetch(rec);
    const { data } = await new OpenRouter({ apiKey: KEY, fetch }).api.POST("/rerank", { body: rec.request.body as never });
    expectSentBodyValid(sent[0]!.body, "/rerank");
    expect(data?.results.map((r) => r.index)).toEqual([1, 0]);
    expect(data?.usage?.cost).toBe(3.4e-7);
  });

  it("responses-01.json: POST /responses", async () => {
    const rec = loadFixture("responses-01.json");
    const { fetch, sent } = replayFetch(rec);
    const { data } = await new OpenRouter({ apiKey: KEY, fetch }).api.POST("/responses", { body: rec.request.body as never });
    expectSentBodyValid(sent[0]!.body, "/responses");
    const response = data as { status?: string; id?: string } | undefined;
    expect(response?.status).toBe("completed");
    expect(response?.id).toBe((recordedJson(rec) as Json)["id"]);
  });

  it("responses-01.json: POST /responses through client.responses.create", async () => {
    const rec = loadFixture("responses-01.json");
    const { fetch, sent } = replayFetch(rec);
    const client = new OpenRouter({ apiKey: KEY, fetch });
    const result = await client.responses.create(rec.request.body as never);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toEqual(rec.request.body);
    expectSentBodyValid(sent[0]!.body, "/responses");
    // Derived independently from the recorded body: the output_text parts of the message items.
    const raw = recordedJson(rec) as Json;
    const output = raw["output"] as Json[];
    const text = output
      .filter((item) => item["type"] === "message")
      .flatMap((item) => item["content"] as Json[])
      .filter((part) => part["type"] === "output_text")
      .map((part) => part["text"])
      .join("");
    const usage = raw["usage"] as Json;
    expect(result.text).toBe(text);
    expect(result.text).toBe("OK");
    expect(result.id).toBe(raw["id"]);
    expect(result.generationId).toBe(raw["id"]);
    expect(result.model).toBe(raw["model"]);
    expect(result.status).toBe("completed");
    expect(result.usage).toEqual(usage);
    expect(result.cost).toBe(usage["cost"]);
    expect(result.raw).toEqual(raw);
    expect(client.usage.snapshot().costUsd).toBe(usage["cost"]);
    expect(client.usage.snapshot().byModel[raw["model"] as string]?.cacheWriteTokens).toBe(4012);
  });

  for (const name of ["responses-stream-01.json", "responses-stream-02.json"]) {
    it(`${name}: POST /responses streamed, read as raw SSE`, async () => {
      const rec = loadFixture(name);
      const { response } = await client(rec).api.POST("/responses", { body: rec.request.body as never, parseAs: "stream" });
      expect(response.headers.get("content-type")).toContain("text/event-stream");
      const text = await response.text();
      expect(text).toBe(rec.response.sse);
      expect(text).toContain("response.completed");
    });
  }
});
