/**
 * `ResponsesFolder` (src/stream/responses-fold.ts) and the result it builds (responses-result.ts): events
 * folded into the `Response` they describe, the terminal `Response` taken as authoritative, and what a stream
 * that failed keeps.
 */
import { describe, expect, it } from "vitest";
import { END, PROGRESS } from "../../src/stream/event-types.js";
import { ResponsesFolder } from "../../src/stream/responses-fold.js";

const ctx = { headers: new Headers({ "x-generation-id": "gen-header" }), method: "POST", path: "/responses", model: "m/asked" };
const delta = (type: string, delta: string, extra: Record<string, unknown> = {}) => ({ type, item_id: "i", output_index: 0, content_index: 0, delta, ...extra });

describe("ResponsesFolder", () => {
  it("grows items from their deltas, even without output_item.added, and keeps the partial result", () => {
    const folder = new ResponsesFolder();
    expect(folder.partial(ctx)).toBeUndefined();
    expect(folder.fold({ type: "response.created", response: { id: "gen-1", status: "in_progress", output: [] } })).toBe(PROGRESS);
    folder.fold(delta("response.reasoning_summary_text.delta", "Think", { summary_index: 0 }));
    folder.fold({ ...delta("response.output_text.delta", "Hel"), output_index: 1 });
    folder.fold({ ...delta("response.output_text.delta", "lo"), output_index: 1 });
    folder.fold({ type: "response.function_call_arguments.delta", item_id: "fc", output_index: 2, delta: '{"a":' });
    expect(folder.textChars).toBe("Think".length + "Hello".length + '{"a":'.length);
    const partial = folder.partial(ctx)!;
    expect(partial.text).toBe("Hello");
    expect(partial.reasoning).toBe("Think");
    expect(partial.generationId).toBe("gen-1");
    expect(partial.toolCalls[0]).toMatchObject({ arguments: '{"a":', args: undefined });
    expect((partial.raw as unknown as { output: unknown[] }).output).toHaveLength(3);
  });

  it("takes the terminal Response as the result; its output is filled from the items only when it has none", () => {
    const folder = new ResponsesFolder();
    folder.fold({ type: "response.output_item.added", output_index: 0, item: { type: "message", id: "m", content: [] } });
    folder.fold({ type: "response.content_part.added", item_id: "m", output_index: 0, content_index: 0, part: { type: "output_text", text: "" } });
    folder.fold(delta("response.output_text.delta", "streamed"));
    expect(folder.fold({ type: "response.completed", response: { id: "gen-2", status: "completed", output: [], usage: { input_tokens: 1, output_tokens: 2, cost: 0.5 } } })).toBe(END);
    const result = folder.result(ctx);
    expect(result.text).toBe("streamed");
    expect(result.cost).toBe(0.5);
    expect(result.model).toBe("m/asked");

    const authoritative = new ResponsesFolder();
    authoritative.fold(delta("response.output_text.delta", "from deltas"));
    authoritative.fold({ type: "response.completed", response: { id: "gen-3", output: [{ type: "message", content: [{ type: "output_text", text: "final" }] }], output_text: "" } });
    expect(authoritative.result(ctx).text).toBe("final");
  });

  it("an output_item.added event is copied before it grows: the event delivered to the caller stays as sent", () => {
    const folder = new ResponsesFolder();
    const added = { type: "response.output_item.added", output_index: 0, item: { type: "function_call", id: "fc", arguments: "" } };
    folder.fold(added);
    folder.fold({ type: "response.function_call_arguments.delta", item_id: "fc", output_index: 0, delta: "{}" });
    expect(added.item.arguments).toBe("");
  });

  it("response.failed and error are in-band errors: the wire error, with the error type of the response", () => {
    const failed = new ResponsesFolder();
    expect(failed.fold({ type: "response.failed", response: { id: "g", output: [], error: { code: "server_error", message: "down" }, error_type: "provider_unavailable" } })).toEqual({
      code: "server_error",
      message: "down",
      error_type: "provider_unavailable",
    });
    expect(new ResponsesFolder().fold({ type: "error", code: "rate_limit_exceeded", message: "slow down", param: null })).toEqual({ code: "rate_limit_exceeded", message: "slow down" });
  });

  it("unknown event types are delivered as { type: 'other', event } and change nothing", () => {
    const folder = new ResponsesFolder();
    const odd = { type: "response.output_text.annotation.added", annotation: { url: "https://example.com" } };
    expect(folder.fold(odd)).toBe(PROGRESS);
    expect(folder.event(odd)).toEqual({ type: "other", event: odd });
    const known = { type: "response.output_text.delta", item_id: "i", output_index: 0, delta: "x" };
    expect(folder.event(known)).toBe(known);
  });
});
