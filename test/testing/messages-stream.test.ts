/**
 * The stand-in's Anthropic Messages API (src/testing/text-apis.ts): JSON answers that validate against the
 * spec, and streams read with eventsource-parser in Anthropic's shape (`event:` names equal to `data.type`,
 * `message_start`, `ping`, content blocks with their deltas, `message_delta` with usage and cost,
 * `message_stop`), ending with OpenRouter's `event: data` / `data: [DONE]`.
 */
import { describe, expect, it } from "vitest";
import { createMockOpenRouter } from "../../src/testing/index.js";
import { validateResponse } from "../helpers/spec.js";
import { readStream } from "./sse.js";

const URL_ = "https://openrouter.ai/api/v1/messages";
const post = (mock: ReturnType<typeof createMockOpenRouter>, body: unknown) =>
  mock.fetch(URL_, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const ask = { model: "anthropic/claude-haiku-4.5", max_tokens: 200, messages: [{ role: "user", content: "What is 2+2?" }] };

describe("POST /messages", () => {
  it("answers a Messages object that validates, with text content, stop_reason and usage", async () => {
    const mock = createMockOpenRouter({ scenarios: [{ reply: "4" }] });
    const response = await post(mock, ask);
    const body = await response.json();
    expect(validateResponse("POST", "/messages", 200, body).errors).toBe("");
    expect(body).toMatchObject({ type: "message", role: "assistant", content: [{ type: "text", text: "4" }], stop_reason: "end_turn" });
    expect(body.usage.input_tokens).toBeGreaterThan(0);
    expect(body.usage.output_tokens).toBe(1);
  });

  it("streams Anthropic's events with ping, thinking and text blocks, and usage with cost at the end", async () => {
    const mock = createMockOpenRouter({ scenarios: [{ reply: { text: "It is four.", reasoning: "Two and two." } }] });
    const stream = await readStream(await post(mock, { ...ask, stream: true, thinking: { type: "enabled", budget_tokens: 1024 } }));
    expect(stream.failure).toBeUndefined();
    const last = stream.events[stream.events.length - 1]!;
    expect(last).toEqual({ event: "data", data: "[DONE]" });
    const events = stream.events.slice(0, -1);
    for (const e of events) expect(e.event).toBe(e.data.type);
    const names = events.map((e) => e.event);
    expect(names.slice(0, 2)).toEqual(["message_start", "ping"]);
    expect(names.slice(-2)).toEqual(["message_delta", "message_stop"]);
    const starts = events.filter((e) => e.event === "content_block_start").map((e) => e.data.content_block.type);
    expect(starts).toEqual(["thinking", "text"]);
    expect(names.filter((n) => n === "content_block_stop")).toHaveLength(2);

    const deltas = events.filter((e) => e.event === "content_block_delta").map((e) => e.data.delta);
    expect(deltas.filter((d) => d.type === "thinking_delta").map((d) => d.thinking).join("")).toBe("Two and two.");
    expect(deltas.some((d) => d.type === "signature_delta")).toBe(true);
    expect(deltas.filter((d) => d.type === "text_delta").map((d) => d.text).join("")).toBe("It is four.");

    const start = events[0]!.data.message;
    expect(start).toMatchObject({ role: "assistant", content: [], stop_reason: null });
    const delta = events.find((e) => e.event === "message_delta")!.data;
    expect(delta.delta.stop_reason).toBe("end_turn");
    expect(delta.usage.output_tokens).toBeGreaterThan(0);
    expect(delta.usage.cost).toBeGreaterThan(0);
    expect(mock.generations.get(start.id)?.total_cost).toBe(delta.usage.cost);
  });

  it("streams a tool call as tool_use with input_json_delta fragments that parse to the input", async () => {
    const mock = createMockOpenRouter();
    const tools = [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }];
    const body = { ...ask, messages: [{ role: "user", content: "Weather in Paris?" }], tools, stream: true };
    const events = (await readStream(await post(mock, body))).events.slice(0, -1);
    const start = events.find((e) => e.event === "content_block_start")!.data.content_block;
    expect(start).toMatchObject({ type: "tool_use", name: "get_weather", input: {} });
    const json = events.filter((e) => e.data.delta?.type === "input_json_delta").map((e) => e.data.delta.partial_json).join("");
    expect(JSON.parse(json)).toEqual({ city: "Paris" });
    expect(events.find((e) => e.event === "message_delta")!.data.delta.stop_reason).toBe("tool_use");
  });

  it("reads tool results and the system prompt like chat", async () => {
    const mock = createMockOpenRouter();
    const body = await (
      await post(mock, {
        ...ask,
        system: "Be brief.",
        messages: [
          { role: "user", content: "Weather?" },
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: {} }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "Sunny" }] },
        ],
      })
    ).json();
    expect(body.content[0].text).toContain("Sunny");
  });

  it("answers a scripted error and status faults in Anthropic's error envelope", async () => {
    const mock = createMockOpenRouter({ scenarios: [{ api: "messages", reply: { error: { status: 503, message: "No provider" } } }] });
    const failed = await post(mock, ask);
    expect(failed.status).toBe(503);
    expect(await failed.json()).toMatchObject({ type: "error", error: { type: "api_error", message: "No provider" } });
    const limited = await mock.fetch(URL_, { method: "POST", headers: { "content-type": "application/json", "x-mock-fault": "rate-limit-429" }, body: JSON.stringify(ask) });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    const body = await limited.json();
    expect(validateResponse("POST", "/messages", 429, body).errors).toBe("");
    expect(body.error.type).toBe("rate_limit_error");
  });
});
