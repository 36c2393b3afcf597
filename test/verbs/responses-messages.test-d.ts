/**
 * Type tests for `client.responses` and `client.messages`: params typed from the spec, results typed, and
 * stream events narrowed by `type` (a wrong field or event name is a compile error).
 */
import { describe, expectTypeOf, it } from "vitest";
import { type MessagesResult, type MessagesStreamEvent, OpenRouter, type ResponsesResult, type ResponsesStreamEvent } from "../../src/index.js";

const client = new OpenRouter({ apiKey: "sk-or-test" });

describe("client.responses", () => {
  it("create takes the spec's request and resolves with a ResponsesResult", () => {
    expectTypeOf(client.responses.create({ model: "openai/gpt-4o-mini", input: "hi", max_output_tokens: 100 })).resolves.toEqualTypeOf<ResponsesResult>();
    // @ts-expect-error input is required
    void client.responses.create({ model: "openai/gpt-4o-mini" });
    // @ts-expect-error max_output_tokens is a number
    void client.responses.create({ model: "openai/gpt-4o-mini", input: "hi", max_output_tokens: "100" });
  });

  it("stream events narrow on type", async () => {
    const stream = client.responses.stream({ model: "openai/gpt-4o-mini", input: "hi" });
    expectTypeOf(stream.final()).resolves.toEqualTypeOf<ResponsesResult>();
    expectTypeOf(stream.abort).toBeFunction();
    for await (const event of stream) {
      expectTypeOf(event).toEqualTypeOf<ResponsesStreamEvent>();
      if (event.type === "response.output_text.delta") expectTypeOf(event.delta).toEqualTypeOf<string>();
      if (event.type === "response.completed") expectTypeOf(event.response.output).toBeArray();
      if (event.type === "other") expectTypeOf(event.event.type).toEqualTypeOf<string>();
      // @ts-expect-error not an event type
      if (event.type === "response.output_text") break;
    }
  });
});

describe("client.messages", () => {
  it("create takes the spec's request (roles user and assistant) and resolves with a MessagesResult", () => {
    expectTypeOf(client.messages.create({ model: "anthropic/claude-haiku-4.5", max_tokens: 10, messages: [{ role: "user", content: "hi" }] })).resolves.toEqualTypeOf<MessagesResult>();
    // @ts-expect-error the system prompt goes in `system`, not in messages
    void client.messages.create({ model: "anthropic/claude-haiku-4.5", messages: [{ role: "system", content: "hi" }] });
    // @ts-expect-error model is required
    void client.messages.create({ messages: [{ role: "user", content: "hi" }] });
  });

  it("stream events and their deltas narrow on type", async () => {
    for await (const event of client.messages.stream({ model: "anthropic/claude-haiku-4.5", messages: [{ role: "user", content: "hi" }] })) {
      expectTypeOf(event).toEqualTypeOf<MessagesStreamEvent>();
      if (event.type === "content_block_delta" && event.delta.type === "text_delta") expectTypeOf(event.delta.text).toEqualTypeOf<string>();
      if (event.type === "message_delta") expectTypeOf(event.delta.stop_reason).toEqualTypeOf<string | null | undefined>();
    }
  });
});
