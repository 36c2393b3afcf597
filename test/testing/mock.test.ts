/**
 * The OpenRouter stand-in (src/testing/mock.ts): wire fidelity (every body it emits validates against
 * the spec), request validation, auth, scripted scenarios, recordings, deterministic usage and the
 * catalogue/accounting endpoints. Runs over the in-process fetch and over the loopback server.
 */
import { describe, expect, it } from "vitest";
import { createMockOpenRouter, countTokens, promptTokens, findModel, BUILTIN_MODELS, type MockOpenRouter } from "../../src/testing/index.js";
import { OpenRouter } from "../../src/index.js";
import { validateResponse, validateSchema, validateSseData } from "../helpers/spec.js";
import { mocksClosedAfterEach, sseDataOf } from "../helpers/mocks.js";

const CHAT = "https://openrouter.ai/api/v1/chat/completions";
const hi = { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] };

function post(mock: MockOpenRouter, body: unknown, headers: Record<string, string> = {}) {
  return mock.fetch(CHAT, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}

const mockWith = mocksClosedAfterEach();

describe("request validation", () => {
  it("rejects a malformed chat request with OpenRouter's error shape", async () => {
    const mock = mockWith();
    const res = await post(mock, { model: "openai/gpt-4o-mini", messages: [] });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: number; message: string; metadata: { error_type: string } } };
    expect(validateResponse("POST", "/chat/completions", 400, body).errors).toBe("");
    expect(body.error.code).toBe(400);
    expect(body.error.message).toContain("/messages");
    expect(body.error.metadata.error_type).toBe("invalid_request");
  });

  it("rejects a tool message without tool_call_id and a temperature out of range", async () => {
    const mock = mockWith();
    const noId = await post(mock, { model: "openai/gpt-4o-mini", messages: [{ role: "tool", content: "42" }] });
    expect(noId.status).toBe(400);
    expect(((await noId.json()) as { error: { message: string } }).error.message).toMatch(/tool_call_id|messages\/0/);
    const hot = await post(mock, { ...hi, temperature: 7 });
    expect(hot.status).toBe(400);
    expect(((await hot.json()) as { error: { message: string } }).error.message).toContain("temperature");
  });

  it("answers 400 for a body that is not JSON and for an unknown model id", async () => {
    const mock = mockWith();
    const notJson = await mock.fetch(CHAT, { method: "POST", body: "{nope" });
    expect(notJson.status).toBe(400);
    const unknown = await post(mock, { ...hi, model: "openai/gpt-nonexistent" });
    expect(unknown.status).toBe(400);
    const body = (await unknown.json()) as { error: { message: string } };
    expect(body.error.message).toBe("openai/gpt-nonexistent is not a valid model ID");
    expect(validateResponse("POST", "/chat/completions", 400, body).errors).toBe("");
  });

  it("answers 401 without or with a wrong bearer token when apiKey is set, never echoing it", async () => {
    const mock = mockWith({ apiKey: "sk-or-v1-secret-test-key" });
    const missing = await post(mock, hi);
    expect(missing.status).toBe(401);
    expect(await missing.text()).toContain("Missing Authentication header");
    const wrong = await post(mock, hi, { authorization: "Bearer nope" });
    expect(wrong.status).toBe(401);
    expect(validateResponse("POST", "/chat/completions", 401, await wrong.json()).errors).toBe("");
    const right = await post(mock, hi, { authorization: "Bearer sk-or-v1-secret-test-key" });
    expect(right.status).toBe(200);
    // The model list is public, as on the real service.
    expect((await mock.fetch("https://openrouter.ai/api/v1/models")).status).toBe(200);
    expect(JSON.stringify(mock.requests)).not.toContain("secret-test-key");
  });
});

describe("chat completions", () => {
  it("emits a JSON completion that validates against the spec, with X-Generation-Id and a gen- id", async () => {
    const mock = mockWith();
    const res = await post(mock, hi);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; choices: Array<{ message: { content: string } }>; usage: { cost: number } };
    expect(validateResponse("POST", "/chat/completions", 200, body).errors).toBe("");
    expect(body.id).toMatch(/^gen-\d{10}-[A-Za-z0-9]{20}$/);
    expect(res.headers.get("x-generation-id")).toBe(body.id);
    expect(body.choices[0]?.message.content).toContain('You said: "Hi"');
  });

  it("computes usage deterministically from the tokenizer and the catalogue prices", async () => {
    const mock = mockWith({ scenarios: [{ reply: "Four words, one comma." }] });
    const body = (await (await post(mock, hi)).json()) as {
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number; cost: number };
    };
    // "Hi" is one token; 3 per message and 3 per request on top.
    expect(body.usage.prompt_tokens).toBe(7);
    expect(body.usage.prompt_tokens).toBe(promptTokens(hi));
    expect(body.usage.completion_tokens).toBe(countTokens("Four words, one comma.")); // 6
    expect(body.usage.completion_tokens).toBe(6);
    expect(body.usage.total_tokens).toBe(13);
    // openai/gpt-4o-mini: 0.00000015 per prompt token, 0.0000006 per completion token.
    expect(body.usage.cost).toBeCloseTo(7 * 0.00000015 + 6 * 0.0000006, 15);
    expect(mock.totalCost).toBeCloseTo(body.usage.cost, 15);
  });

  it("streams SSE whose every data payload validates: comment, deltas, usage chunk with choices [] and cost, [DONE]", async () => {
    const mock = mockWith({ scenarios: [{ reply: "One two three four" }] });
    const res = await post(mock, { ...hi, stream: true });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const text = await res.text();
    expect(text.startsWith(": OPENROUTER PROCESSING\n\n")).toBe(true);
    const data = sseDataOf(text);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1) as Array<{ id: string; choices: Array<{ delta: { content?: string }; finish_reason: string | null }>; usage?: { cost: number } }>;
    for (const chunk of chunks) expect(validateSseData("POST", "/chat/completions", chunk).errors).toBe("");
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("One two three four");
    expect(chunks.filter((c) => (c.choices[0]?.delta.content ?? "") !== "").length).toBeGreaterThan(1);
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage?.cost).toBeGreaterThan(0);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(new Set(chunks.map((c) => c.id))).toEqual(new Set([res.headers.get("x-generation-id")]));
  });

  it("streams tool calls with id and name first, then argument fragments that join to the JSON", async () => {
    const mock = mockWith({
      scenarios: [{ reply: { toolCalls: [{ name: "get_weather", arguments: { city: "Paris", unit: "celsius" }, id: "call_1" }] } }],
    });
    const text = await (await post(mock, { ...hi, stream: true })).text();
    const chunks = sseDataOf(text).slice(0, -1) as Array<{
      choices: Array<{ delta: { tool_calls?: Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }> }; finish_reason: string | null }>;
    }>;
    for (const chunk of chunks) expect(validateSseData("POST", "/chat/completions", chunk).errors).toBe("");
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(deltas[0]).toMatchObject({ index: 0, id: "call_1", function: { name: "get_weather", arguments: "" } });
    expect(deltas.slice(1).every((d) => d.id === undefined && d.function?.name === undefined)).toBe(true);
    expect(deltas.length).toBeGreaterThan(2);
    expect(JSON.parse(deltas.map((d) => d.function?.arguments ?? "").join(""))).toEqual({ city: "Paris", unit: "celsius" });
    expect(chunks.some((c) => c.choices[0]?.finish_reason === "tool_calls")).toBe(true);
  });

  it("cuts the text at max_tokens with finish_reason length", async () => {
    const mock = mockWith({ scenarios: [{ reply: "one two three four five six" }] });
    const body = (await (await post(mock, { ...hi, max_tokens: 3 })).json()) as {
      choices: Array<{ finish_reason: string; message: { content: string } }>;
      usage: { completion_tokens: number };
    };
    expect(body.choices[0]?.finish_reason).toBe("length");
    expect(body.choices[0]?.message.content).toBe("one two three");
    expect(body.usage.completion_tokens).toBe(3);
  });
});

describe("scenarios", () => {
  it("matches per model and per matcher function, first match wins", async () => {
    const mock = mockWith({
      scenarios: [
        { model: "anthropic/claude-haiku-4.5", reply: "from haiku" },
        { match: (req) => req.lastUserText.includes("weather"), reply: "sunny" },
        { model: /^openai\//, reply: "from openai" },
      ],
    });
    const text = async (body: unknown) =>
      ((await (await post(mock, body)).json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content;
    expect(await text({ ...hi, model: "anthropic/claude-haiku-4.5" })).toBe("from haiku");
    expect(await text({ ...hi, messages: [{ role: "user", content: "the weather?" }] })).toBe("sunny");
    expect(await text(hi)).toBe("from openai");
    expect(await text({ ...hi, model: "google/gemini-2.5-flash" })).toContain("You said");
  });

  it("consumes a sequence in order and repeats the last reply", async () => {
    const mock = mockWith({ scenarios: [{ reply: [{ toolCalls: [{ name: "lookup", arguments: { q: "x" } }] }, "done"] }] });
    const finish = async () =>
      ((await (await post(mock, hi)).json()) as { choices: Array<{ finish_reason: string; message: { content: string | null } }> }).choices[0];
    expect((await finish())?.finish_reason).toBe("tool_calls");
    expect((await finish())?.message.content).toBe("done");
    expect((await finish())?.message.content).toBe("done");
  });

  it("answers with a handler, structured JSON, reasoning and scripted errors", async () => {
    const mock = mockWith({
      scenarios: [
        { model: "openai/gpt-4o", reply: (req) => ({ json: { n: req.index, model: req.model } }) },
        { model: "anthropic/claude-haiku-4.5", reply: { text: "4", reasoning: "2 plus 2 is 4" } },
        { model: "google/gemini-2.5-flash", reply: { error: { status: 503, message: "No provider available", metadata: { error_type: "provider_overloaded" } } } },
      ],
    });
    const structured = (await (await post(mock, { ...hi, model: "openai/gpt-4o" })).json()) as { choices: Array<{ message: { content: string } }> };
    expect(JSON.parse(structured.choices[0]!.message.content)).toEqual({ n: 1, model: "openai/gpt-4o" });
    const reasoned = (await (await post(mock, { ...hi, model: "anthropic/claude-haiku-4.5" })).json()) as {
      choices: Array<{ message: { reasoning: string; reasoning_details: Array<{ type: string }> } }>;
      usage: { completion_tokens_details: { reasoning_tokens: number } };
    };
    expect(validateResponse("POST", "/chat/completions", 200, reasoned).errors).toBe("");
    expect(reasoned.choices[0]?.message.reasoning).toBe("2 plus 2 is 4");
    expect(reasoned.choices[0]?.message.reasoning_details[0]?.type).toBe("reasoning.text");
    expect(reasoned.usage.completion_tokens_details.reasoning_tokens).toBe(countTokens("2 plus 2 is 4"));
    const failed = await post(mock, { ...hi, model: "google/gemini-2.5-flash" });
    expect(failed.status).toBe(503);
    expect(validateResponse("POST", "/chat/completions", 503, await failed.json()).errors).toBe("");
  });

  it("by default calls an offered tool with schema-valid arguments, then answers from the tool result", async () => {
    const mock = mockWith();
    const tools = [{
      type: "function",
      function: {
        name: "get_weather",
        parameters: { type: "object", properties: { city: { type: "string" }, unit: { enum: ["celsius", "fahrenheit"] } }, required: ["city", "unit"] },
      },
    }];
    const first = (await (await post(mock, { ...hi, messages: [{ role: "user", content: "What is the weather in Paris?" }], tools })).json()) as {
      choices: Array<{ message: { tool_calls: Array<{ id: string; function: { name: string; arguments: string } }> } }>;
    };
    const call = first.choices[0]!.message.tool_calls[0]!;
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris", unit: "celsius" });
    const second = (await (await post(mock, {
      ...hi,
      tools,
      messages: [
        { role: "user", content: "What is the weather in Paris?" },
        { role: "assistant", content: null, tool_calls: [{ id: call.id, type: "function", function: call.function }] },
        { role: "tool", tool_call_id: call.id, content: "18°C and sunny" },
      ],
    })).json()) as { choices: Array<{ message: { content: string } }> };
    expect(second.choices[0]?.message.content).toContain("18°C and sunny");
  });

  it("by default fills a json_schema response format with a value matching the schema", async () => {
    const mock = mockWith();
    const schema = {
      type: "object",
      properties: { name: { type: "string" }, age: { type: "integer", minimum: 18 }, tags: { type: "array", items: { type: "string" } } },
      required: ["name", "age", "tags"],
      additionalProperties: false,
    };
    const body = (await (await post(mock, { ...hi, response_format: { type: "json_schema", json_schema: { name: "person", strict: true, schema } } })).json()) as {
      choices: Array<{ message: { content: string } }>;
    };
    const value = JSON.parse(body.choices[0]!.message.content) as { name: string; age: number; tags: string[] };
    expect(typeof value.name).toBe("string");
    expect(value.age).toBeGreaterThanOrEqual(18);
    expect(Array.isArray(value.tags)).toBe(true);
  });
});

describe("catalogue and accounting endpoints", () => {
  it("lists text models with decimal-string prices and a :free variant; embeddings only with output_modalities=all", async () => {
    const mock = mockWith();
    const list = (await (await mock.fetch("https://openrouter.ai/api/v1/models")).json()) as {
      data: Array<{ id: string; pricing: Record<string, string>; supported_parameters: string[] }>;
    };
    expect(validateResponse("GET", "/models", 200, list).errors).toBe("");
    const ids = list.data.map((m) => m.id);
    expect(ids).toContain("openai/gpt-4o-mini");
    expect(ids.some((id) => id.endsWith(":free"))).toBe(true);
    expect(ids).not.toContain("openai/text-embedding-3-small");
    for (const m of list.data) expect(m.pricing["prompt"]).toMatch(/^\d+(\.\d+)?$/);
    const all = (await (await mock.fetch("https://openrouter.ai/api/v1/models?output_modalities=all")).json()) as { data: Array<{ id: string }> };
    expect(all.data.map((m) => m.id)).toContain("openai/text-embedding-3-small");
    const tools = (await (await mock.fetch("https://openrouter.ai/api/v1/models?supported_parameters=reasoning")).json()) as { data: Array<{ id: string }> };
    expect(tools.data.map((m) => m.id).sort()).toEqual(["anthropic/claude-haiku-4.5", "google/gemini-2.5-flash"]);
    const count = (await (await mock.fetch("https://openrouter.ai/api/v1/models/count")).json()) as { data: { count: number } };
    expect(count.data.count).toBe(list.data.length);
    expect(validateResponse("GET", "/models/count", 200, count).errors).toBe("");
  });

  it("serves one model and its endpoints, 404 for unknown ones", async () => {
    const mock = mockWith();
    const one = await mock.fetch("https://openrouter.ai/api/v1/model/openai/gpt-4o-mini");
    expect(validateResponse("GET", "/model/{author}/{slug}", 200, await one.json()).errors).toBe("");
    const endpoints = (await (await mock.fetch("https://openrouter.ai/api/v1/models/openai/gpt-4o-mini/endpoints")).json()) as {
      data: { endpoints: Array<{ provider_name: string; pricing: Record<string, string> }> };
    };
    expect(validateResponse("GET", "/models/{author}/{slug}/endpoints", 200, endpoints).errors).toBe("");
    expect(endpoints.data.endpoints[0]?.provider_name).toBe("OpenAI");
    expect((await mock.fetch("https://openrouter.ai/api/v1/model/nobody/nothing")).status).toBe(404);
  });

  it("reports stats for generations it served and 404 for unknown ids", async () => {
    const mock = mockWith();
    const chat = await post(mock, { ...hi, stream: true });
    await chat.text();
    const id = chat.headers.get("x-generation-id")!;
    const res = await mock.fetch(`https://openrouter.ai/api/v1/generation?id=${id}`);
    const stats = (await res.json()) as { data: { id: string; total_cost: number; streamed: boolean; tokens_prompt: number } };
    expect(validateResponse("GET", "/generation", 200, stats).errors).toBe("");
    expect(stats.data).toMatchObject({ id, streamed: true, tokens_prompt: 7 });
    expect(stats.data.total_cost).toBe(mock.generations.get(id)?.total_cost);
    const unknown = await mock.fetch("https://openrouter.ai/api/v1/generation?id=gen-0-nope");
    expect(unknown.status).toBe(404);
    expect(validateResponse("GET", "/generation", 404, await unknown.json()).errors).toBe("");
  });

  it("serves key and credits reflecting what was spent", async () => {
    const mock = mockWith({ credits: 25 });
    const spent = ((await (await post(mock, hi)).json()) as { usage: { cost: number } }).usage.cost;
    const key = (await (await mock.fetch("https://openrouter.ai/api/v1/key")).json()) as { data: { usage: number } };
    expect(validateResponse("GET", "/key", 200, key).errors).toBe("");
    expect(key.data.usage).toBeCloseTo(spent, 15);
    const credits = (await (await mock.fetch("https://openrouter.ai/api/v1/credits")).json()) as { data: { total_credits: number; total_usage: number } };
    expect(validateResponse("GET", "/credits", 200, credits).errors).toBe("");
    expect(credits.data).toEqual({ total_credits: 25, total_usage: spent });
  });

  it("returns deterministic embeddings, as floats or base64 of the same float32 values", async () => {
    const mock = mockWith();
    const embed = async (extra: object) =>
      (await (await mock.fetch("https://openrouter.ai/api/v1/embeddings", {
        method: "POST",
        body: JSON.stringify({ model: "openai/text-embedding-3-small", input: ["alpha", "beta"], dimensions: 8, ...extra }),
      })).json()) as { data: Array<{ embedding: number[] | string; index: number }>; usage: { prompt_tokens: number } };
    const a = await embed({});
    expect(validateResponse("POST", "/embeddings", 200, a).errors).toBe("");
    const b = await embed({});
    expect(a.data).toEqual(b.data);
    expect(a.data[0]?.embedding).toHaveLength(8);
    expect(a.data[0]?.embedding).not.toEqual(a.data[1]?.embedding);
    expect(a.usage.prompt_tokens).toBe(2);
    const base64 = await embed({ encoding_format: "base64" });
    const bytes = Buffer.from(base64.data[0]!.embedding as string, "base64");
    const floats = Array.from({ length: 8 }, (_, i) => bytes.readFloatLE(i * 4));
    expect(floats).toEqual(a.data[0]?.embedding);
    const badModel = await mock.fetch("https://openrouter.ai/api/v1/embeddings", { method: "POST", body: JSON.stringify({ model: "no-such/model", input: "x" }) });
    expect(badModel.status).toBe(400);
  });
});

describe("transports and recordings", () => {
  it("answers the same over the loopback server as in process", async () => {
    const clock = () => 1_780_000_000_000;
    const inProcess = mockWith({ now: clock, seed: 7 });
    const served = mockWith({ now: clock, seed: 7 });
    const { baseUrl, url } = await served.listen();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const body = JSON.stringify({ ...hi, stream: true });
    const a = await (await inProcess.fetch(CHAT, { method: "POST", body })).text();
    const b = await (await fetch(`${baseUrl}/chat/completions`, { method: "POST", body, headers: { "content-type": "application/json" } })).text();
    expect(b).toBe(a);
    expect(b).toContain("gen-1780000000-");
  });

  it("aborting mid-stream errors the body reader with the abort reason (in process)", async () => {
    const mock = mockWith({ scenarios: [{ reply: "a b c d e f g h" }], chunkDelayMs: 2 });
    const ac = new AbortController();
    const aborted = await mock.fetch(CHAT, { method: "POST", body: JSON.stringify({ ...hi, stream: true }), signal: ac.signal });
    const reader = aborted.body!.getReader();
    await reader.read();
    ac.abort(new Error("caller stopped"));
    const drain = async () => {
      for (;;) if ((await reader.read()).done) return "completed";
    };
    await expect(drain()).rejects.toThrow("caller stopped");
  });

  it("works as the real client's fetch: chat, stream and cost agree with the wire", async () => {
    const mock = mockWith({ scenarios: [{ reply: "Paris is the capital of France." }] });
    const client = new OpenRouter({ apiKey: "test", fetch: mock.fetch });
    const result = await client.chat(hi as never);
    expect(result.text).toBe("Paris is the capital of France.");
    expect(result.cost).toBe(mock.generations.get(result.generationId!)?.total_cost);
    const stream = client.chatStream(hi as never);
    const final = await stream.final();
    expect(final.text).toBe(result.text);
    expect(final.usage).toEqual(result.usage);
    expect(final.cost).toBe(result.cost);
  });

  it("answers from recorded fixture files when a request matches one", async () => {
    const mock = mockWith({ recordings: ["test/fixtures/recorded/chat-basic-01.json"] });
    const res = await post(mock, { model: "anthropic/claude-haiku-4.5", stream: false, messages: [{ role: "user", content: "What's 2 + 2?" }] });
    expect(res.headers.get("x-generation-id")).toBe("gen-1780944464-aVi4x8Mw2aEBGnCL6z99");
    const text = await res.text();
    expect(text.startsWith("\n")).toBe(true); // recorded whitespace keep-alive is served byte for byte
    expect(JSON.parse(text).choices[0].message.content).toBe("2 + 2 = 4");
    // Anything else falls through to the stand-in.
    expect((await post(mock, hi)).headers.get("x-generation-id")).not.toBe("gen-1780944464-aVi4x8Mw2aEBGnCL6z99");
  });

  it("rejects bad options with clear messages", async () => {
    expect(() => createMockOpenRouter({ chunkDelayMs: -1 })).toThrow(/chunkDelayMs must be a non-negative number/);
    expect(() => createMockOpenRouter({ scenarios: [{ reply: 42 as never }] })).toThrow(/scenarios\[0\]\.reply: a reply must be a string or an object/);
    expect(() => createMockOpenRouter({ scenarios: [{ reply: { toolCalls: [{ name: "" }] } }] })).toThrow(/every tool call needs a name/);
    expect(() => createMockOpenRouter({ recordings: ["/nonexistent/file.json"] })).toThrow(/Cannot read recording \/nonexistent\/file\.json/);
    await expect(mockWith().listen(70_000)).rejects.toThrow(/port must be an integer/);
  });

  it("exposes a catalogue that resolves routing variants to their base model", () => {
    expect(findModel(BUILTIN_MODELS, "openai/gpt-4o-mini:nitro")?.id).toBe("openai/gpt-4o-mini");
    expect(findModel(BUILTIN_MODELS, "meta-llama/llama-3.3-70b-instruct:free")?.pricing["prompt"]).toBe("0");
    expect(findModel(BUILTIN_MODELS, "nobody/nothing")).toBeUndefined();
  });

  it("validates its catalogue entries against the spec's Model schema", () => {
    for (const m of BUILTIN_MODELS) expect(validateSchema("Model", m).errors).toBe("");
  });
});

describe("stand-in options, routing of models and the less used endpoints", () => {
  const API = "https://openrouter.ai/api/v1";
  const getJson = async (mock: MockOpenRouter, path: string, init: RequestInit = {}) => {
    const response = await mock.fetch(`${API}${path}`, init);
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  it("rejects bad options with a message naming the option", () => {
    expect(() => createMockOpenRouter(null as never)).toThrow(/options must be an object/);
    expect(() => createMockOpenRouter({ now: 5 as never })).toThrow(/now must be a function/);
    expect(() => createMockOpenRouter({ sleep: "soon" as never })).toThrow(/sleep must be a function/);
    expect(() => createMockOpenRouter({ unknownModels: "maybe" as never })).toThrow(/unknownModels must be "reject" or "accept"/);
    expect(() => createMockOpenRouter({ scenarios: {} as never })).toThrow(/scenarios must be an array/);
    expect(() => createMockOpenRouter({ scenarios: [null as never] })).toThrow(/scenarios\[0\] must be an object/);
    expect(() => createMockOpenRouter({ chunkDelayMs: -1 })).toThrow(/chunkDelayMs must be a non-negative number/);
  });

  it("serves only the given catalogue with replaceModels", async () => {
    const only = { ...findModel(BUILTIN_MODELS, "openai/gpt-4o-mini")!, id: "acme/tiny", canonical_slug: "acme/tiny", name: "Acme: Tiny" };
    const mock = mockWith({ models: [only], replaceModels: true });
    const { body } = await getJson(mock, "/models");
    expect(body["data"].map((m: { id: string }) => m.id)).toEqual(["acme/tiny"]);
    expect((await post(mock, hi)).status).toBe(400);
    const ok = await post(mock, { ...hi, model: "acme/tiny" });
    expect(ok.status).toBe(200);
  });

  it("answers with the first known model of `models`, the default model without any, and scenario models by pattern", async () => {
    const mock = mockWith({ validate: false, scenarios: [{ model: /^acme\//, reply: "from acme" }] });
    const fallback = (await (await post(mock, { models: ["nobody/nothing", "anthropic/claude-haiku-4.5"], messages: hi.messages })).json()) as { model: string };
    expect(fallback.model).toBe("anthropic/claude-haiku-4.5");
    const none = (await (await post(mock, { messages: hi.messages })).json()) as { model: string };
    expect(none.model).toBe("openai/gpt-4o-mini");
    const scripted = (await (await post(mock, { ...hi, model: "acme/anything" })).json()) as { choices: Array<{ message: { content: string } }> };
    expect(scripted.choices[0]!.message.content).toBe("from acme");
    const unknown = (await (await post(mock, { models: ["nobody/a", "nobody/b"], messages: hi.messages })).json()) as { error: { message: string } };
    expect(unknown.error.message).toBe("nobody/a is not a valid model ID");
  });

  it("accepts unknown models when told to", async () => {
    const mock = mockWith({ unknownModels: "accept" });
    const response = await post(mock, { ...hi, model: "someone/new-model" });
    expect(response.status).toBe(200);
    // Priced and reported like the default model, but the request's id reaches the reply.
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]!.message.content).toContain("answering as someone/new-model");
  });

  it("refuses a prompt longer than the model's context, as OpenRouter does", async () => {
    const small = { ...findModel(BUILTIN_MODELS, "openai/gpt-4o-mini")!, id: "acme/small", canonical_slug: "acme/small", context_length: 20 };
    const mock = mockWith({ models: [small] });
    const response = await post(mock, { model: "acme/small", messages: [{ role: "user", content: "word ".repeat(50) }] });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string; metadata: { error_type: string } } };
    expect(body.error.message).toMatch(/maximum context length is 20 tokens/);
    expect(body.error.metadata.error_type).toBe("context_length_exceeded");
  });

  it("rejects a body that is not a JSON object, and skips validation when told", async () => {
    const mock = mockWith();
    for (const text of ["not json", "[1,2]", "null"]) {
      const response = await mock.fetch(`${API}/chat/completions`, { method: "POST", body: text });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toBe("Invalid JSON body: expected a JSON object");
    }
    expect((await post(mock, { ...hi, temperature: "hot" })).status).toBe(400);
    expect((await post(mockWith({ validate: false }), { ...hi, temperature: "hot" })).status).toBe(200);
  });

  it("serves embedding models, endpoints, generations and credits, with clear 4xx answers", async () => {
    const mock = mockWith();
    const embeddingModels = await getJson(mock, "/embeddings/models");
    expect(embeddingModels.status).toBe(200);
    expect(embeddingModels.body["data"].length).toBeGreaterThan(0);
    expect(embeddingModels.body["data"].every((m: MockModelLike) => m.architecture.output_modalities.includes("embeddings"))).toBe(true);
    expect((await getJson(mock, "/models/openai/gpt-4o-mini/endpoints")).body["data"]).toBeDefined();
    const missing = await getJson(mock, "/models/nobody/nothing/endpoints");
    expect(missing).toMatchObject({ status: 404, body: { error: { message: "Model nobody/nothing not found" } } });
    expect(await getJson(mock, "/model/nobody/nothing")).toMatchObject({ status: 404 });
    expect(await getJson(mock, "/generation")).toMatchObject({ status: 400, body: { error: { message: "Missing required query parameter: id" } } });
    expect(await getJson(mock, "/generation?id=gen-none")).toMatchObject({ status: 404 });
    expect(await getJson(mock, "/credits")).toMatchObject({ status: 200, body: { data: { total_credits: 10, total_usage: 0 } } });
    const notEmbedding = await mock.fetch(`${API}/embeddings`, { method: "POST", body: JSON.stringify({ model: "openai/gpt-4o-mini", input: "x" }) });
    expect(notEmbedding.status).toBe(400);
    expect(await getJson(mock, "/nothing-here")).toMatchObject({ status: 404, body: { error: { message: expect.stringContaining("is not served by the OpenRouter stand-in") } } });
  });

  it("answers a CORS preflight without authentication, allowing what the page asks for", async () => {
    const mock = mockWith({ apiKey: "sk-or-v1-secret-0123456789" });
    const asked = await mock.fetch(`${API}/chat/completions`, { method: "OPTIONS", headers: { "access-control-request-headers": "authorization, content-type" } });
    expect(asked.status).toBe(204);
    expect(asked.headers.get("access-control-allow-origin")).toBe("*");
    expect(asked.headers.get("access-control-allow-headers")).toBe("authorization, content-type");
    expect(asked.headers.get("access-control-allow-methods")).toBe("GET, POST, PUT, PATCH, DELETE, OPTIONS"); // every method the spec has (files, keys and presets use PUT/PATCH/DELETE)
    const bare = await mock.fetch(`${API}/chat/completions`, { method: "OPTIONS" });
    expect(bare.headers.get("access-control-allow-headers")).toBe("*");
    // Every answer is readable cross-origin, errors included.
    const denied = await post(mock, hi);
    expect(denied.status).toBe(401);
    expect(denied.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("starts once: a second listen() gives the same address", async () => {
    const mock = mockWith();
    const first = await mock.listen();
    const second = await mock.start();
    expect(second).toBe(first);
    expect(mock.url).toBe(first.url);
    await mock.close();
    expect(mock.url).toBeUndefined();
    await expect(mock.listen(70000)).rejects.toThrow(/port must be an integer 0-65535/);
  });
});

interface MockModelLike {
  architecture: { output_modalities: string[] };
}

describe("the stand-in on the wire: delays, aborts and its own failures", () => {
  const API = "https://openrouter.ai/api/v1";

  it("rejects an in-process call whose signal is already aborted, with the caller's reason", async () => {
    const mock = mockWith();
    const controller = new AbortController();
    controller.abort(new Error("not any more"));
    await expect(mock.fetch(CHAT, { method: "POST", body: JSON.stringify(hi), signal: controller.signal })).rejects.toThrow("not any more");
  });

  it("gives up a slow first byte over the socket when the caller leaves, and keeps serving", async () => {
    const mock = mockWith({ sleep: (_ms, signal) => new Promise((_resolve, reject) => signal?.addEventListener("abort", () => reject(signal.reason), { once: true })) });
    const { baseUrl } = await mock.listen();
    const controller = new AbortController();
    const slow = fetch(`${baseUrl}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-mock-fault": "slow-first-byte;delay=60000" },
      body: JSON.stringify(hi),
      signal: controller.signal,
    });
    // The request is logged once the stand-in has planned it; leave then.
    while (mock.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await expect(slow).rejects.toThrow();
    const next = await fetch(`${baseUrl}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(hi) });
    expect(next.status).toBe(200);
  });

  it("answers 500 naming its own failure when a scripted handler throws over the socket", async () => {
    const mock = mockWith({
      scenarios: [
        {
          reply: () => {
            throw new Error("the handler broke");
          },
        },
      ],
    });
    const { baseUrl } = await mock.listen();
    const response = await fetch(`${baseUrl}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(hi) });
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe("Stand-in failure: the handler broke");
  });

  it("reports providers' own finish reasons and cuts replies at max_tokens", async () => {
    const mock = mockWith({ scenarios: [{ reply: "one two three four five six seven eight" }] });
    const body = async (model: string, extra: Record<string, unknown> = {}) =>
      (await (await post(mock, { ...hi, model, ...extra })).json()) as { choices: Array<{ finish_reason: string; native_finish_reason: string; message: { content: string } }> };
    expect((await body("anthropic/claude-haiku-4.5")).choices[0]!.native_finish_reason).toBe("end_turn");
    expect((await body("google/gemini-2.5-flash")).choices[0]!.native_finish_reason).toBe("STOP");
    const cut = (await body("google/gemini-2.5-flash", { max_tokens: 3 })).choices[0]!;
    expect(cut.finish_reason).toBe("length");
    expect(cut.native_finish_reason).toBe("MAX_TOKENS");
    expect(cut.message.content.trim()).toBe("one two three");
  });

  it("embeds non-string inputs by their JSON text and answers base64 when asked", async () => {
    const mock = mockWith();
    const embed = async (input: unknown, extra: Record<string, unknown> = {}) =>
      (await (await mock.fetch(`${API}/embeddings`, { method: "POST", body: JSON.stringify({ model: "openai/text-embedding-3-small", input, ...extra }) })).json()) as {
        data: Array<{ embedding: number[] | string }>;
      };
    const tokens = await embed([[1, 2, 3]]);
    expect(tokens.data).toHaveLength(1);
    const same = await embed("[1,2,3]");
    expect(same.data[0]!.embedding).toEqual(tokens.data[0]!.embedding);
    const b64 = await embed("hi", { encoding_format: "base64", dimensions: 4 });
    expect(typeof b64.data[0]!.embedding).toBe("string");
    expect(Buffer.from(b64.data[0]!.embedding as string, "base64").byteLength).toBe(16);
  });
});

describe("the stand-in answering from recordings, with faults", () => {
  const recorded = {
    request: { method: "GET", path: "/api/v1/credits", body: null },
    response: { status: 200, headers: { "content-type": "application/json" }, body: { data: { total_credits: 99, total_usage: 1 } } },
  };

  it("takes recordings as a folder, as exchanges, and repeats the last match", async () => {
    const fromDir = mockWith({ recordings: "test/fixtures/recorded" });
    const res = await post(fromDir, { model: "anthropic/claude-haiku-4.5", stream: false, messages: [{ role: "user", content: "What's 2 + 2?" }] });
    expect(JSON.parse(await res.text()).choices[0].message.content).toBe("2 + 2 = 4");
    const fromExchanges = mockWith({ recordings: [recorded as never] });
    for (let i = 0; i < 2; i++) {
      const credits = await fromExchanges.fetch("https://openrouter.ai/api/v1/credits");
      expect(((await credits.json()) as { data: { total_credits: number } }).data.total_credits).toBe(99);
    }
  });

  it("applies a header fault to any endpoint, and a slow first byte to a recorded answer", async () => {
    const waits: number[] = [];
    const mock = mockWith({ recordings: [recorded as never], sleep: async (ms) => void waits.push(ms) });
    const limited = await mock.fetch("https://openrouter.ai/api/v1/models", { headers: { "x-mock-fault": "rate-limit-429" } });
    expect(limited.status).toBe(429);
    expect(mock.requests.at(-1)?.faults).toEqual(["rate-limit-429"]);
    const slow = await mock.fetch("https://openrouter.ai/api/v1/credits", { headers: { "x-mock-fault": "slow-first-byte" } });
    expect(slow.status).toBe(200);
    // Without a delay parameter the first byte waits a second.
    expect(waits).toEqual([1000]);
  });

  it("skips a configured fault whose times are used up", async () => {
    const mock = mockWith({ faults: [{ fault: "overloaded-529", times: 0 }] });
    expect((await post(mock, hi)).status).toBe(200);
  });
});

describe("the stand-in's replies: finish reasons, empty parts and unknown models", () => {
  type Completion = { model: string; choices: Array<{ finish_reason: string; native_finish_reason: string; message: { content: string | null; reasoning?: string; tool_calls?: Array<{ function: { arguments: string } }> } }> };
  const complete = async (mock: MockOpenRouter, body: Record<string, unknown>) => (await (await post(mock, { ...hi, ...body })).json()) as Completion;

  it("passes a finish reason the provider has no word for through as is", async () => {
    const mock = mockWith({ scenarios: [{ reply: { text: "filtered", finishReason: "content_filter" } }] });
    for (const model of ["anthropic/claude-haiku-4.5", "google/gemini-2.5-flash"]) {
      const choice = (await complete(mock, { model })).choices[0]!;
      expect(choice.finish_reason).toBe("content_filter");
      expect(choice.native_finish_reason).toBe("content_filter");
    }
  });

  it("answers an empty content for a reasoning-only reply, and {} for a tool call without arguments", async () => {
    const mock = mockWith({ scenarios: [{ model: "openai/gpt-4o-mini", reply: { reasoning: "thinking it over" } }, { reply: { toolCalls: [{ name: "ping" }] } }] });
    const thought = (await complete(mock, {})).choices[0]!;
    expect(thought.message.content).toBe("");
    expect(thought.message.reasoning).toBe("thinking it over");
    const call = (await complete(mock, { model: "anthropic/claude-haiku-4.5" })).choices[0]!;
    expect(call.message.content).toBeNull();
    expect(call.message.tool_calls?.[0]?.function.arguments).toBe("{}");
  });

  it("streams a tool call whose arguments are empty, and reasoning before the content", async () => {
    const mock = mockWith({ scenarios: [{ model: "openai/gpt-4o-mini", reply: { toolCalls: [{ name: "ping", arguments: "" }] } }, { reply: { text: "done", reasoning: "first think" } }] });
    const client = new OpenRouter({ apiKey: "sk-or-v1-test", fetch: mock.fetch, retry: false } as ConstructorParameters<typeof OpenRouter>[0]);
    const call = await client.chatStream({ model: "openai/gpt-4o-mini", messages: hi.messages as never }).final();
    expect(call.toolCalls.map((c) => [c.name, c.arguments])).toEqual([["ping", ""]]);
    const events: string[] = [];
    for await (const e of client.chatStream({ model: "anthropic/claude-haiku-4.5", messages: hi.messages as never })) events.push(e.type);
    expect(events.indexOf("reasoning")).toBeGreaterThanOrEqual(0);
    expect(events.indexOf("reasoning")).toBeLessThan(events.indexOf("content"));
  });

  it("reports an accepted unknown model by its own id when even the default model is not in the catalogue", async () => {
    const only = { ...findModel(BUILTIN_MODELS, "openai/gpt-4o-mini")!, id: "acme/tiny", canonical_slug: "acme/tiny" };
    const mock = mockWith({ models: [only], replaceModels: true, unknownModels: "accept", defaultModel: "acme/missing" });
    expect((await complete(mock, { model: "someone/else" })).model).toBe("someone/else");
  });
});
