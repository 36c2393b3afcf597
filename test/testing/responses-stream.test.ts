/**
 * The stand-in's Responses API (src/testing/text-apis.ts, sse-events.ts): JSON answers and event streams
 * read with eventsource-parser, each event validated against the spec's ResponsesStreamEvent, shaped like
 * the recorded streams (test/fixtures/recorded/responses-stream-*.json): `data:` lines only, consecutive
 * `sequence_number`s, `response.created` first, `response.completed` and `[DONE]` last.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createMockOpenRouter } from "../../src/testing/index.js";
import { ROOT, validateResponse, validateSseData } from "../helpers/spec.js";
import { readStream } from "./sse.js";

const URL_ = "https://openrouter.ai/api/v1/responses";
const post = (mock: ReturnType<typeof createMockOpenRouter>, body: unknown, headers: Record<string, string> = {}) =>
  mock.fetch(URL_, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
const ask = { model: "openai/gpt-4o-mini", input: [{ role: "user", content: "What is 2+2?" }] };

function recordedTypes(file: string): string[] {
  const sse = (JSON.parse(readFileSync(`${ROOT}/test/fixtures/recorded/${file}`, "utf8")) as { response: { sse: string } }).response.sse;
  return sse
    .split("\n\n")
    .filter((b) => b.startsWith("data: {"))
    .map((b) => (JSON.parse(b.slice(6)) as { type: string }).type);
}

describe("POST /responses", () => {
  it("answers JSON that validates, with output_text and usage with cost", async () => {
    const mock = createMockOpenRouter({ scenarios: [{ reply: "4" }] });
    const response = await post(mock, ask);
    const body = await response.json();
    expect(response.status).toBe(200);
    expect(validateResponse("POST", "/responses", 200, body).errors).toBe("");
    expect(body).toMatchObject({ object: "response", status: "completed", output_text: "4", output: [{ type: "message", content: [{ type: "output_text", text: "4" }] }] });
    expect(body.usage.cost).toBeGreaterThan(0);
    expect(response.headers.get("x-generation-id")).toBe(body.id);
    expect(mock.generations.get(body.id)?.total_cost).toBe(body.usage.cost);
  });

  it("streams the recorded event sequence: every event validates, sequence numbers are consecutive, deltas add up", async () => {
    const mock = createMockOpenRouter({ scenarios: [{ reply: { text: "It is four.", reasoning: "Two plus two is four." } }] });
    const stream = await readStream(await post(mock, { ...ask, stream: true }));
    expect(stream.failure).toBeUndefined();
    const data = stream.events.filter((e) => e.data !== "[DONE]").map((e) => e.data);
    for (const event of data) expect(validateSseData("POST", "/responses", event).errors).toBe("");
    // Like the recordings: no `event:` names, the kind is `data.type`; then `[DONE]`.
    expect(stream.events.every((e) => e.event === undefined)).toBe(true);
    expect(stream.events[stream.events.length - 1]!.data).toBe("[DONE]");
    expect(data.map((d) => d.sequence_number)).toEqual(data.map((_, i) => i));
    const types = data.map((d) => d.type as string);
    expect(types.slice(0, 2)).toEqual(["response.created", "response.in_progress"]);
    expect(types[types.length - 1]).toBe("response.completed");
    // Every kind of event the stand-in sends here is one the real stream sent for the same kind of answer.
    const recorded = new Set(recordedTypes("responses-stream-02.json"));
    expect(types.filter((t) => !recorded.has(t))).toEqual([]);

    const text = data.filter((d) => d.type === "response.output_text.delta").map((d) => d.delta).join("");
    const reasoning = data.filter((d) => d.type === "response.reasoning_text.delta").map((d) => d.delta).join("");
    expect(text).toBe("It is four.");
    expect(reasoning).toBe("Two plus two is four.");
    const completed = data[data.length - 1].response;
    expect(completed.output_text).toBe("It is four.");
    expect(completed.usage.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
    expect(completed.usage.cost).toBeGreaterThan(0);
  });

  it("streams a function call: the item, argument deltas that join to the done arguments, status completed", async () => {
    const mock = createMockOpenRouter();
    const tools = [{ type: "function", name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }];
    const stream = await readStream(await post(mock, { model: "openai/gpt-4o-mini", input: "Weather in Paris?", tools, stream: true }));
    const data = stream.events.filter((e) => e.data !== "[DONE]").map((e) => e.data);
    for (const event of data) expect(validateSseData("POST", "/responses", event).errors).toBe("");
    const added = data.find((d) => d.type === "response.output_item.added" && d.item.type === "function_call");
    expect(added.item).toMatchObject({ name: "get_weather", arguments: "" });
    const deltas = data.filter((d) => d.type === "response.function_call_arguments.delta").map((d) => d.delta).join("");
    const done = data.find((d) => d.type === "response.function_call_arguments.done");
    expect(deltas).toBe(done.arguments);
    expect(JSON.parse(deltas)).toEqual({ city: "Paris" });
    const final = data[data.length - 1].response.output.find((o: { type: string }) => o.type === "function_call");
    expect(final).toMatchObject({ call_id: added.item.call_id, name: "get_weather", arguments: deltas });
  });

  it("reads instructions, function results and max_output_tokens like their chat equivalents", async () => {
    const mock = createMockOpenRouter();
    const answered = await (
      await post(mock, {
        model: "openai/gpt-4o-mini",
        input: [
          { role: "user", content: "Weather?" },
          { type: "function_call", call_id: "call_1", name: "get_weather", arguments: "{}" },
          { type: "function_call_output", call_id: "call_1", output: "Sunny, 21 C" },
        ],
      })
    ).json();
    expect(answered.output_text).toContain("Sunny, 21 C");
    const cut = await (await post(mock, { model: "openai/gpt-4o-mini", input: "one two three four five six seven eight", max_output_tokens: 3 })).json();
    expect(cut.status).toBe("incomplete");
    expect(validateResponse("POST", "/responses", 200, cut).errors).toBe("");
  });

  it("is stateless like the real endpoint: store: true or a previous_response_id gets a 400", async () => {
    const mock = createMockOpenRouter();
    for (const extra of [{ store: true }, { previous_response_id: "resp_1" }]) {
      const response = await post(mock, { ...ask, ...extra });
      expect(response.status).toBe(400);
      expect(validateResponse("POST", "/responses", 400, await response.json()).errors).toBe("");
    }
    expect((await post(mock, { ...ask, store: false, previous_response_id: null })).status).toBe(200);
  });

  it("a scenario can be limited to one API", async () => {
    const mock = createMockOpenRouter({ scenarios: [{ api: "chat", reply: "from chat" }, { api: "responses", reply: "from responses" }] });
    expect((await (await post(mock, ask)).json()).output_text).toBe("from responses");
  });
});
