/**
 * `MessagesFolder` (src/stream/messages-fold.ts) and the result it builds (messages-result.ts): blocks grown
 * by their deltas, tool input joined and parsed at the block's end, the final usage merged, `ping` a keep-alive.
 */
import { describe, expect, it } from "vitest";
import { END, KEEP_ALIVE, PROGRESS } from "../../src/stream/event-types.js";
import { MessagesFolder } from "../../src/stream/messages-fold.js";
import { messagesChatUsage } from "../../src/stream/messages-result.js";

const ctx = { headers: new Headers(), method: "POST", path: "/messages", model: "anthropic/claude" };

describe("MessagesFolder", () => {
  it("assembles thinking with its signature, text and a tool_use whose JSON fragments become its input", () => {
    const folder = new MessagesFolder();
    folder.fold({ type: "message_start", message: { id: "gen-m", model: "anthropic/claude", content: [], usage: { input_tokens: 10, output_tokens: 0 } } });
    expect(folder.fold({ type: "ping" })).toBe(KEEP_ALIVE);
    folder.fold({ type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } });
    folder.fold({ type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Hmm." } });
    folder.fold({ type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "sig" } });
    folder.fold({ type: "content_block_stop", index: 0 });
    folder.fold({ type: "content_block_start", index: 1, content_block: { type: "text", text: "" } });
    folder.fold({ type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "Hi " } });
    folder.fold({ type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "there" } });
    folder.fold({ type: "content_block_start", index: 2, content_block: { type: "tool_use", id: "toolu_1", name: "f", input: {} } });
    folder.fold({ type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: '{"city":' } });
    folder.fold({ type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: '"Paris"}' } });
    folder.fold({ type: "content_block_stop", index: 2 });
    expect(folder.fold({ type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 7, cost: 0.25 } })).toBe(PROGRESS);
    expect(folder.fold({ type: "message_stop" })).toBe(END);
    const result = folder.result(ctx);
    expect(result.thinking).toBe("Hmm.");
    expect(result.content[0]).toEqual({ type: "thinking", thinking: "Hmm.", signature: "sig" });
    expect(result.text).toBe("Hi there");
    expect(result.toolUses).toEqual([{ id: "toolu_1", name: "f", input: { city: "Paris" } }]);
    expect(result.stopReason).toBe("tool_use");
    expect(result.usage).toEqual({ input_tokens: 10, output_tokens: 7, cost: 0.25 });
    expect(result.cost).toBe(0.25);
    expect(folder.textChars).toBe("Hmm.".length + "Hi there".length + '{"city":"Paris"}'.length);
  });

  it("a partial stream keeps its text, and tool JSON that does not parse stays as the raw text", () => {
    const folder = new MessagesFolder();
    folder.fold({ type: "message_start", message: { id: "gen-p", content: [] } });
    folder.fold({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "cut" } });
    folder.fold({ type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "t", name: "f", input: {} } });
    folder.fold({ type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"ci' } });
    const partial = folder.partial(ctx)!;
    expect(partial.text).toBe("cut");
    expect(partial.generationId).toBe("gen-p");
    expect(partial.toolCalls[0]).toMatchObject({ name: "f", args: '{"ci' });
  });

  it("the error event is the wire error; unknown events are delivered as other", () => {
    const folder = new MessagesFolder();
    expect(folder.fold({ type: "error", error: { type: "overloaded_error", message: "Overloaded", error_type: "provider_unavailable" } })).toMatchObject({ message: "Overloaded", error_type: "provider_unavailable" });
    expect(folder.event({ type: "future_event", x: 1 })).toEqual({ type: "other", event: { type: "future_event", x: 1 } });
  });

  it("the usage in chat's names counts cached input tokens as prompt tokens", () => {
    expect(messagesChatUsage({ input_tokens: 5, output_tokens: 3, cache_read_input_tokens: 100, cache_creation_input_tokens: 20, cost: 0.1 })).toEqual({
      prompt_tokens: 125,
      completion_tokens: 3,
      total_tokens: 128,
      prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 20 },
      cost: 0.1,
    });
  });
});
