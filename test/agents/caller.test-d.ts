/**
 * Type tests: the agents need only the caller interfaces, and the client satisfies them structurally, so
 * every call site that hands an `OpenRouter` in still compiles, and a stand-in with the two verbs does too.
 */
import { describe, expectTypeOf, it } from "vitest";
import type { CallOptions as AgentCallOptions, ChatCaller, ChatParams as AgentChatParams } from "../../src/agents/caller.js";
import { runTools } from "../../src/agents/agent.js";
import { structured } from "../../src/agents/structured.js";
import { type CallOptions, type ChatParams, Conversation, OpenRouter } from "../../src/index.js";

const client = new OpenRouter({ apiKey: "sk-or-test" });

describe("ChatCaller", () => {
  it("is satisfied by an OpenRouter, so agents take the client as before", () => {
    expectTypeOf(client).toExtend<ChatCaller>();
    void new Conversation(client, { model: "openai/gpt-4o-mini" });
    void runTools(client, { model: "m/x", messages: [{ role: "user", content: "hi" }], tools: [] });
    void structured(client, { model: "m/x", messages: [{ role: "user", content: "hi" }], schema: { type: "object" } });
  });

  it("has the client's parameter and option types", () => {
    expectTypeOf<AgentChatParams>().toEqualTypeOf<ChatParams>();
    expectTypeOf<AgentCallOptions>().toEqualTypeOf<CallOptions>();
  });

  it("refuses an object without the chat verbs", () => {
    // @ts-expect-error: no chatStream
    void new Conversation({ chat: client.chat.bind(client) }, { model: "m/x" });
    // @ts-expect-error: not a caller at all
    void runTools({ api: client.api }, { model: "m/x", messages: [], tools: [] });
  });
});
