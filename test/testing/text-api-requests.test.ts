/**
 * src/testing/text-apis.ts, request side and less common answers: Responses and Messages requests are read as
 * the equivalent chat request (system prompts, content parts, tool results, images, tools, tool choice,
 * structured output, limits), which a user sees through scenario matchers and the default reply; tool calls,
 * length cuts and unparseable tool arguments come back in each API's own shape, valid against the spec.
 */
import { describe, expect, it } from "vitest";
import { createMockOpenRouter, type MockChatRequest } from "../../src/testing/index.js";
import { validateResponse } from "../helpers/spec.js";
import { readStream } from "./sse.js";

const BASE = "https://openrouter.ai/api/v1";
const post = (mock: ReturnType<typeof createMockOpenRouter>, path: string, body: unknown) =>
  mock.fetch(`${BASE}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const weather = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };

describe("Responses requests", () => {
  it("reads instructions, role items with content parts and function_call_output items as chat messages", async () => {
    const seen: MockChatRequest[] = [];
    const mock = createMockOpenRouter({ scenarios: [{ api: "responses", match: (r) => (seen.push(r), true), reply: "ok" }] });
    const response = await post(mock, "/responses", {
      model: "openai/gpt-4o-mini",
      instructions: "Be terse.",
      input: [
        { role: "user", content: [{ type: "input_text", text: "first line" }, { type: "input_text", text: "second line" }] },
        { type: "function_call", call_id: "call_1", name: "get_weather", arguments: "{}" },
        { type: "function_call_output", call_id: "call_1", output: "sunny" },
        { role: "user", content: [{ type: "input_image", image_url: "https://example.com/a.png" }, { type: "input_text", text: "and now?" }] },
      ],
    });
    expect(response.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.api).toBe("responses");
    expect(seen[0]!.lastUserText).toBe("and now?");
    expect(validateResponse("POST", "/responses", 200, await response.json()).errors).toBe("");
  });

  it("a forced function tool gets a function_call item whose arguments fit the tool's parameters", async () => {
    const mock = createMockOpenRouter();
    const response = await post(mock, "/responses", {
      model: "openai/gpt-4o-mini",
      input: "Weather in Paris?",
      tools: [{ type: "function", name: "get_weather", description: "Weather", parameters: weather }, { type: "web_search_preview" }],
      tool_choice: { type: "function", name: "get_weather" },
    });
    const body = await response.json();
    expect(response.status).toBe(200);
    expect(validateResponse("POST", "/responses", 200, body).errors).toBe("");
    const call = body.output.find((o: { type: string }) => o.type === "function_call");
    expect(call).toMatchObject({ name: "get_weather", status: "completed" });
    expect(typeof JSON.parse(call.arguments).city).toBe("string");
  });

  it("streams a tool call as function_call_arguments deltas that add up to the arguments", async () => {
    const mock = createMockOpenRouter({ scenarios: [{ reply: { toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }] } }] });
    const stream = await readStream(
      await post(mock, "/responses", { model: "openai/gpt-4o-mini", input: "Weather?", stream: true, tools: [{ type: "function", name: "get_weather", parameters: weather }] }),
    );
    const data = stream.events.filter((e) => e.data !== "[DONE]").map((e) => e.data as { type: string; delta?: string; arguments?: string });
    const deltas = data.filter((d) => d.type === "response.function_call_arguments.delta").map((d) => d.delta).join("");
    const done = data.find((d) => d.type === "response.function_call_arguments.done");
    expect(JSON.parse(deltas)).toEqual({ city: "Paris" });
    expect(done?.arguments).toBe(deltas);
    expect(data.at(-1)?.type).toBe("response.completed");
  });

  it("text.format json_schema gives output_text that is JSON for the schema; json_object gives JSON", async () => {
    const mock = createMockOpenRouter();
    const schema = { type: "object", properties: { answer: { type: "integer" } }, required: ["answer"], additionalProperties: false };
    const strict = await (await post(mock, "/responses", { model: "openai/gpt-4o-mini", input: "2+2?", text: { format: { type: "json_schema", name: "sum", schema } } })).json();
    expect(Number.isInteger(JSON.parse(strict.output_text).answer)).toBe(true);
    const loose = await (await post(mock, "/responses", { model: "openai/gpt-4o-mini", input: "2+2?", text: { format: { type: "json_object" } } })).json();
    expect(() => JSON.parse(loose.output_text)).not.toThrow();
  });

  it("a reply longer than max_output_tokens is incomplete, and the stream ends with response.incomplete", async () => {
    const long = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ");
    const mock = createMockOpenRouter({ scenarios: [{ reply: long }] });
    const ask = { model: "openai/gpt-4o-mini", input: "Count", max_output_tokens: 16, metadata: { run: "1" }, temperature: 0.5 };
    const body = await (await post(mock, "/responses", ask)).json();
    expect(validateResponse("POST", "/responses", 200, body).errors).toBe("");
    expect(body).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, max_output_tokens: 16, temperature: 0.5, metadata: { run: "1" } });
    const stream = await readStream(await post(mock, "/responses", { ...ask, stream: true }));
    const types = stream.events.filter((e) => e.data !== "[DONE]").map((e) => (e.data as { type: string }).type);
    expect(types.at(-1)).toBe("response.incomplete");
  });
});

describe("Messages requests", () => {
  const ask = { model: "anthropic/claude-haiku-4.5", max_tokens: 200 };

  it("reads a block system prompt, image blocks and tool_result blocks as chat messages", async () => {
    const seen: MockChatRequest[] = [];
    const mock = createMockOpenRouter({ scenarios: [{ api: "messages", match: (r) => (seen.push(r), true), reply: "done" }] });
    const response = await post(mock, "/messages", {
      ...ask,
      system: [{ type: "text", text: "Be terse." }],
      messages: [
        { role: "user", content: [{ type: "image", source: { type: "url", url: "https://example.com/a.png" } }, { type: "text", text: "What is this?" }] },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "look", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "a cat" }] }] },
      ],
    });
    const body = await response.json();
    expect(response.status).toBe(200);
    expect(validateResponse("POST", "/messages", 200, body).errors).toBe("");
    expect(body.content).toEqual([{ type: "text", text: "done" }]);
    expect(seen[0]!.api).toBe("messages");
    expect(seen[0]!.lastUserText).toBe("What is this?");
  });

  it("tool_choice {type: tool} forces that tool: a tool_use block with input fitting input_schema", async () => {
    const mock = createMockOpenRouter();
    const body = await (
      await post(mock, "/messages", {
        ...ask,
        messages: [{ role: "user", content: "Weather in Paris?" }],
        tools: [{ name: "get_weather", description: "Weather", input_schema: weather }],
        tool_choice: { type: "tool", name: "get_weather" },
      })
    ).json();
    expect(validateResponse("POST", "/messages", 200, body).errors).toBe("");
    expect(body.stop_reason).toBe("tool_use");
    const use = body.content.find((b: { type: string }) => b.type === "tool_use");
    expect(use.name).toBe("get_weather");
    expect(typeof use.input.city).toBe("string");
  });

  it("tool_choice none answers with text even when tools are given", async () => {
    const mock = createMockOpenRouter();
    const body = await (
      await post(mock, "/messages", { ...ask, messages: [{ role: "user", content: "Hi" }], tools: [{ name: "get_weather", input_schema: weather }], tool_choice: { type: "none" } })
    ).json();
    expect(body.content.every((b: { type: string }) => b.type !== "tool_use")).toBe(true);
    expect(body.stop_reason).toBe("end_turn");
  });

  it("a scripted tool call with arguments that are not JSON gives a tool_use block with empty input", async () => {
    const mock = createMockOpenRouter({ scenarios: [{ reply: { toolCalls: [{ name: "get_weather", arguments: "{not json" }] } }] });
    const body = await (await post(mock, "/messages", { ...ask, messages: [{ role: "user", content: "Hi" }], tools: [{ name: "get_weather", input_schema: weather }], tool_choice: { type: "auto" } })).json();
    expect(body.content).toEqual([expect.objectContaining({ type: "tool_use", name: "get_weather", input: {} })]);
  });

  it("streams a tool_use block as input_json_delta fragments that add up to the input, then stop_reason tool_use", async () => {
    const mock = createMockOpenRouter({ scenarios: [{ reply: { toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] } }] });
    const stream = await readStream(await post(mock, "/messages", { ...ask, stream: true, messages: [{ role: "user", content: "Hi" }], tools: [{ name: "get_weather", input_schema: weather }] }));
    const data = stream.events.filter((e) => e.data !== "[DONE]").map((e) => e.data as { type: string; delta?: { type: string; partial_json?: string; stop_reason?: string } });
    const json = data.filter((d) => d.delta?.type === "input_json_delta").map((d) => d.delta!.partial_json).join("");
    expect(JSON.parse(json)).toEqual({ city: "Oslo" });
    expect(data.find((d) => d.type === "message_delta")?.delta?.stop_reason).toBe("tool_use");
  });

  it("a reply cut at max_tokens has stop_reason max_tokens", async () => {
    const mock = createMockOpenRouter({ scenarios: [{ reply: "one two three four five six seven eight nine ten" }] });
    const body = await (await post(mock, "/messages", { ...ask, max_tokens: 3, messages: [{ role: "user", content: "Count" }] })).json();
    expect(validateResponse("POST", "/messages", 200, body).errors).toBe("");
    expect(body.stop_reason).toBe("max_tokens");
  });
});

describe("less common request shapes", () => {
  it("Responses: an assistant item and a tool output item without text still read as messages; the last user text is matched", async () => {
    const seen: MockChatRequest[] = [];
    const mock = createMockOpenRouter({ scenarios: [{ match: (r) => (seen.push(r), true), reply: "ok" }] });
    const response = await post(mock, "/responses", {
      model: "openai/gpt-4o-mini",
      input: [
        { role: "user", content: "question one" },
        { role: "assistant", content: [{ type: "output_text", text: "answer one" }] },
        { type: "function_call_output", call_id: "call_9", output: "" },
        { role: "user", content: "question two" },
      ],
    });
    expect(response.status).toBe(200);
    expect(seen[0]!.lastUserText).toBe("question two");
  });

  it("Messages: a string system prompt, string tool_result content and tool_choice any answer in Messages shape", async () => {
    const seen: MockChatRequest[] = [];
    const mock = createMockOpenRouter({ scenarios: [{ match: (r) => (seen.push(r), true), reply: "fine" }] });
    const response = await post(mock, "/messages", {
      model: "anthropic/claude-haiku-4.5",
      max_tokens: 100,
      system: "Be terse.",
      tools: [{ name: "look", input_schema: { type: "object" } }],
      tool_choice: { type: "any" },
      messages: [
        { role: "user", content: "Look at it." },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_2", name: "look", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_2", content: "a dog" }] },
        { role: "user", content: "And?" },
      ],
    });
    const body = await response.json();
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(validateResponse("POST", "/messages", 200, body).errors).toBe("");
    expect(seen[0]!.lastUserText).toBe("And?");
  });

  it("a scripted tool call with empty arguments streams no argument deltas in either API", async () => {
    const reply = { toolCalls: [{ name: "ping", arguments: "" }] };
    const mock = createMockOpenRouter({ scenarios: [{ reply }] });
    const r = await readStream(await post(mock, "/responses", { model: "openai/gpt-4o-mini", input: "Hi", stream: true, tools: [{ type: "function", name: "ping", parameters: { type: "object" } }] }));
    const types = r.events.filter((e) => e.data !== "[DONE]").map((e) => (e.data as { type: string }).type);
    expect(types).toContain("response.function_call_arguments.done");
    expect(types).not.toContain("response.function_call_arguments.delta");
  });
});
