import { describe, expect, it } from "vitest";
import { Conversation } from "../../src/agents/conversation.js";
import { text, imageUrl } from "../../src/core/content.js";
import { OpenRouter } from "../../src/index.js";
import type { ChatMessage } from "../../src/core/result.js";
import { defineTool } from "../../src/agents/tools.js";
import { chatCompletion } from "../helpers/completions.js";

// A scripted model behind an injected fetch; replies echo a counter so turns are distinguishable.
function scripted(replies: Array<{ text?: string; calls?: Array<{ id: string; name: string; args: unknown }> }> = []) {
  const requests: Array<Record<string, unknown>> = [];
  const fetch = async (_input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
    requests.push(body);
    const reply = replies.shift() ?? { text: `reply ${requests.length}` };
    const usage = { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25, cost: 0.0001 };
    const toolCalls = reply.calls?.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: JSON.stringify(c.args) } }));
    if (body["stream"] === true) {
      const chunk = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
      const base = { id: "gen-s", object: "chat.completion.chunk", created: 1, model: "m/x" };
      const sse =
        chunk({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: reply.text }, finish_reason: null }] }) +
        chunk({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }) +
        chunk({ ...base, choices: [], usage }) +
        "data: [DONE]\n\n";
      return new Response(sse, { headers: { "content-type": "text/event-stream" } });
    }
    return Response.json(chatCompletion({ id: `gen-${requests.length}`, content: reply.text ?? null, toolCalls, usage }));
  };
  return { client: new OpenRouter({ apiKey: "sk-or-test", baseUrl: "http://127.0.0.1:9/api/v1", fetch }), requests };
}

const roles = (messages: unknown) => (messages as ChatMessage[]).map((m) => m.role);

describe("Conversation", () => {
  it("sends the system prompt and history, appends replies, sums usage and cost", async () => {
    const { client, requests } = scripted();
    const chat = new Conversation(client, { model: "m/x", system: "Be brief.", params: { temperature: 0.2 } });
    const first = await chat.send("Hi, I'm Ada.");
    expect(first.text).toBe("reply 1");
    await chat.send("What's my name?");
    expect(requests[1]?.["messages"]).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi, I'm Ada." },
      { role: "assistant", content: "reply 1" },
      { role: "user", content: "What's my name?" },
    ]);
    expect(requests[1]?.["model"]).toBe("m/x");
    expect(requests[1]?.["temperature"]).toBe(0.2);
    expect(chat.messages).toHaveLength(4);
    expect(chat.usage?.total_tokens).toBe(50);
    expect(chat.cost).toBeCloseTo(0.0002);
  });

  it("user() queues multimodal content; send() without content sends it", async () => {
    const { client, requests } = scripted();
    const chat = new Conversation(client, { model: "m/x" });
    chat.user([text("What is this?"), imageUrl("https://e.com/a.png")]);
    await chat.send();
    expect((requests[0]?.["messages"] as ChatMessage[])[0]).toEqual({
      role: "user",
      content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "https://e.com/a.png" } }],
    });
    await expect(new Conversation(client, { model: "m/x" }).send()).rejects.toThrow(/nothing to send/);
    expect(() => chat.user(42 as never)).toThrow(/content must be a string or an array/);
  });

  it("stream() yields events and appends the reply when done", async () => {
    const { client } = scripted([{ text: "streamed answer" }]);
    const chat = new Conversation(client, { model: "m/x" });
    let textOut = "";
    for await (const e of chat.stream("Tell me")) if (e.type === "content") textOut += e.text;
    expect(textOut).toBe("streamed answer");
    expect(chat.messages.at(-1)).toEqual({ role: "assistant", content: "streamed answer" });
    expect(chat.usage?.total_tokens).toBe(25);
    const s2 = chat.stream("Again");
    await s2.final();
    expect(chat.messages).toHaveLength(4);
    expect(chat.usage?.total_tokens).toBe(50);
  });

  it("runTools() adds the tool transcript to the history", async () => {
    const add = defineTool({
      name: "add",
      parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"], additionalProperties: false },
      execute: ({ a, b }) => a + b,
    });
    const { client, requests } = scripted([{ calls: [{ id: "t1", name: "add", args: { a: 2, b: 3 } }] }, { text: "5" }]);
    const chat = new Conversation(client, { model: "m/x", system: "Use tools." });
    const run = await chat.runTools({ tools: [add] }, "2+3?");
    expect(run.text).toBe("5");
    expect(roles(chat.messages)).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(chat.messages[2]).toEqual({ role: "tool", tool_call_id: "t1", content: "5" });
    expect(roles(requests[0]?.["messages"])).toEqual(["system", "user"]);
    expect(chat.usage?.total_tokens).toBe(50);
  });

  it("round-trips through JSON (text and object), keeping usage, cost, params and budget", async () => {
    const { client, requests } = scripted();
    const chat = new Conversation(client, { model: "m/x", system: "S", params: { temperature: 0 }, historyBudget: 5000 });
    await chat.send("one");
    await chat.send([text("two")]);
    const saved = JSON.stringify(chat);
    const restored = Conversation.fromJSON(client, saved);
    expect(restored.toJSON()).toEqual(chat.toJSON());
    expect(Conversation.fromJSON(client, JSON.parse(saved)).toJSON()).toEqual(chat.toJSON());
    expect(restored.cost).toBeCloseTo(0.0002);
    await restored.send("three");
    expect(roles(requests.at(-1)?.["messages"])).toEqual(["system", "user", "assistant", "user", "assistant", "user"]);
    expect(requests.at(-1)?.["temperature"]).toBe(0);
    expect(restored.usage?.total_tokens).toBe(75);
  });

  it("fromJSON() rejects what is not a snapshot, naming the problem", () => {
    const { client } = scripted();
    expect(() => Conversation.fromJSON(client, "{not json")).toThrow(/not JSON/);
    expect(() => Conversation.fromJSON(client, { version: 2, model: "m", messages: [] })).toThrow(/\/version must be <= 1/);
    expect(() => Conversation.fromJSON(client, { version: 1, model: "m", messages: [{ role: "robot" }] })).toThrow(/\/messages\/0\/role/);
    expect(() => Conversation.fromJSON(client, { version: 1, messages: [] })).toThrow(/required property 'model'/);
  });

  it("trims the oldest turns to the budget, never the system prompt nor a tool call without its result", async () => {
    const { client, requests } = scripted();
    // One token per message keeps the arithmetic obvious.
    const estimate = (messages: readonly ChatMessage[]) => messages.length;
    const history: ChatMessage[] = [
      { role: "user", content: "q1" },
      { role: "assistant", content: null, tool_calls: [{ id: "a", type: "function", function: { name: "f", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "a", content: "r" },
      { role: "assistant", content: "a1" },
      { role: "user", content: "q2" },
      { role: "assistant", content: "a2" },
    ] as ChatMessage[];
    const chat = new Conversation(client, { model: "m/x", system: "S", messages: history, historyBudget: 5, estimate });
    chat.user("q3");
    // system + [q2, a2] + [q3] = 4 <= 5; adding the 4-message tool turn would make 8.
    expect(chat.window().map((m) => (m as { content: unknown }).content)).toEqual(["S", "q2", "a2", "q3"]);
    await chat.send();
    expect(roles(requests[0]?.["messages"])).toEqual(["system", "user", "assistant", "user"]);
    // Nothing is lost from the history itself.
    expect(chat.messages).toHaveLength(8);

    // With room for the tool turn it goes whole: the tool message is never sent without its call.
    chat.historyBudget = 9;
    const window = chat.window();
    expect(roles(window)).toEqual(["system", "user", "assistant", "tool", "assistant", "user", "assistant", "user", "assistant"]);
    chat.historyBudget = 8;
    expect(roles(chat.window())).not.toContain("tool");
    // The latest turn always goes, even alone over the budget.
    chat.historyBudget = 1;
    expect(roles(chat.window())).toEqual(["system", "user", "assistant"]);
  });

  it("uses estimateTokens by default", () => {
    const { client } = scripted();
    const long = "word ".repeat(400);
    const chat = new Conversation(client, { model: "m/x", historyBudget: 150 });
    chat.user(long).user("short question");
    expect(chat.window()).toEqual([{ role: "user", content: "short question" }]);
  });

  it("validates constructor options", () => {
    const { client } = scripted();
    expect(() => new Conversation(client, { model: "" })).toThrow(/model must be a non-empty string/);
    expect(() => new Conversation(client, { model: "m", historyBudget: 0 })).toThrow(/historyBudget/);
    expect(() => new Conversation(null as never, { model: "m" })).toThrow(/client must be/);
  });
});

describe("Conversation: the less travelled paths", () => {
  it("rejects options that are not an object, a non-string system prompt and non-array messages", () => {
    const { client } = scripted();
    expect(() => new Conversation(client, null as never)).toThrow(/options with a model are required/);
    expect(() => new Conversation(client, { model: "m", system: 42 as never })).toThrow(/options\.system must be a string/);
    expect(() => new Conversation(client, { model: "m", messages: "hello" as never })).toThrow(/options\.messages must be an array/);
  });

  it("sends what user() queued when stream() and runTools() get no content", async () => {
    const { client, requests } = scripted([{ text: "streamed" }, { text: "no tools needed" }]);
    const chat = new Conversation(client, { model: "m/x" });
    chat.user("queued for the stream");
    await chat.stream().final();
    expect((requests[0]?.["messages"] as ChatMessage[]).at(-1)).toEqual({ role: "user", content: "queued for the stream" });
    chat.user("queued for the tools");
    const run = await chat.runTools({ tools: [] });
    expect(run.text).toBe("no tools needed");
    expect((requests[1]?.["messages"] as ChatMessage[]).at(-1)).toEqual({ role: "user", content: "queued for the tools" });
    expect(roles(chat.messages)).toEqual(["user", "assistant", "user", "assistant"]);
  });

  it("records a streamed reply once, whether it was iterated, then final() asked", async () => {
    const { client } = scripted([{ text: "once" }]);
    const chat = new Conversation(client, { model: "m/x" });
    const stream = chat.stream("Hi");
    for await (const _event of stream) {
      // read to the end
    }
    const result = await stream.final();
    expect(result.text).toBe("once");
    expect(chat.messages).toEqual([{ role: "user", content: "Hi" }, { role: "assistant", content: "once" }]);
    expect(chat.usage?.total_tokens).toBe(25);
  });

  it("leaves cost unknown when the server reports none, and restores with a custom estimate", async () => {
    const fetch = async () =>
      Response.json({
        id: "gen-1",
        object: "chat.completion",
        created: 1,
        model: "m/x",
        choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "free" } }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
    const client = new OpenRouter({ apiKey: "sk-or-test", baseUrl: "http://127.0.0.1:9/api/v1", fetch });
    const chat = new Conversation(client, { model: "m/x", historyBudget: 2 });
    await chat.send("one");
    expect(chat.cost).toBeUndefined();
    expect(chat.toJSON().cost).toBeUndefined();
    // One token per message: a budget of 2 cannot hold the first turn (2 messages) plus the new one.
    const restored = Conversation.fromJSON(client, chat.toJSON(), { estimate: (messages) => messages.length });
    restored.user("two");
    expect(restored.window()).toEqual([{ role: "user", content: "two" }]);
    // The estimate given to fromJSON() is the one used: one that counts nothing keeps everything.
    expect(Conversation.fromJSON(client, chat.toJSON(), { estimate: () => 0 }).user("two").window()).toHaveLength(3);
  });
});
