import { describe, expect, it } from "vitest";
import { ChunkAccumulator, type EventSink } from "../../src/stream/accumulator.js";
import type { ChatStreamEvent } from "../../src/stream/events.js";

function sink(delivering = true) {
  const events: ChatStreamEvent[] = [];
  let skipped = 0;
  const out: EventSink = { delivering, push: (e) => events.push(e), skip: () => void skipped++ };
  return { out, events, skipped: () => skipped };
}

const choice = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ choices: [{ index: 0, delta, ...extra }] });

describe("ChunkAccumulator", () => {
  it("retire() keeps nothing of the stream: every field is back to a fresh accumulator's, and no event goes out", () => {
    const { out, events } = sink();
    const acc = new ChunkAccumulator(out);
    acc.fold({ id: "gen-1", model: "m", provider: "P", created: 1780944361, system_fingerprint: "fp", service_tier: "flex", ...choice({ role: "assistant", content: "secret answer", reasoning: "secret thought", reasoning_details: [{ type: "reasoning.text", text: "secret" }], refusal: "no" }) });
    acc.fold(choice({ tool_calls: [{ index: 0, id: "a", function: { name: "f", arguments: "{}" } }], annotations: [{ type: "url_citation" }], images: [{ type: "image_url" }], audio: { data: "QQ==" } }, { logprobs: { content: [{ token: "x" }] } }));
    acc.fold({ ...choice({}, { finish_reason: "stop", native_finish_reason: "end_turn" }), usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3, cost: 0.5 }, openrouter_metadata: { x: 1 } });
    const result = acc.toResponse(undefined) as { choices: { message: { content: string } }[] };
    const eventsBefore = events.length;
    acc.retire();
    const { out: retiredOut, ...fields } = acc as unknown as Record<string, unknown>;
    const { out: freshOut, ...freshFields } = new ChunkAccumulator(out) as unknown as Record<string, unknown>;
    expect(freshOut).toBe(out);
    expect(retiredOut).not.toBe(out);
    expect(fields).toEqual(freshFields);
    expect(Object.keys(fields)).toEqual(Object.keys(freshFields));
    // The assembled response is the caller's and stays whole.
    expect(result.choices[0]!.message.content).toBe("secret answer");
    acc.fold(choice({ content: "later" }));
    expect(events).toHaveLength(eventsBefore);
  });


  it("turns deltas into events and assembles the message, counting text against the limit", () => {
    const { out, events } = sink();
    const acc = new ChunkAccumulator(out);
    acc.fold({ id: "gen-1", model: "m", ...choice({ role: "assistant", content: "Hel" }) });
    acc.fold(choice({ content: "lo", refusal: "no" }));
    acc.fold(choice({}, { finish_reason: "stop" }));
    expect(events).toEqual([
      { type: "content", text: "Hel" },
      { type: "content", text: "lo" },
      { type: "refusal", text: "no" },
      { type: "finish", finishReason: "stop", nativeFinishReason: null },
    ]);
    expect(acc.textChars).toBe(7);
    expect(acc.sawToken).toBe(true);
    const raw = acc.toResponse(undefined) as { id: string; choices: { message: Record<string, unknown>; finish_reason: string }[] };
    expect(raw.id).toBe("gen-1");
    expect(raw.choices[0]!.message).toMatchObject({ role: "assistant", content: "Hello", refusal: "no" });
    expect(raw.choices[0]!.finish_reason).toBe("stop");
  });

  it("joins tool-call fragments by index, and without an index by id or onto the last call", () => {
    const { out, events } = sink();
    const acc = new ChunkAccumulator(out);
    acc.fold(choice({ tool_calls: [{ index: 0, id: "a", function: { name: "f", arguments: '{"x":' } }] }));
    acc.fold(choice({ tool_calls: [{ index: 0, function: { arguments: "1}" } }] }));
    acc.fold(choice({ tool_calls: [{ id: "b", function: { name: "g", arguments: "{" } }] }));
    acc.fold(choice({ tool_calls: [{ function: { arguments: "}" } }] }));
    expect(events.map((e) => (e.type === "tool_call" ? e.index : -1))).toEqual([0, 0, 1, 1]);
    const raw = acc.toResponse(undefined) as { choices: { message: { tool_calls: { id: string; function: { name: string; arguments: string } }[]; content: unknown } }[] };
    const calls = raw.choices[0]!.message.tool_calls;
    expect(calls.map((c) => [c.id, c.function.name, c.function.arguments])).toEqual([
      ["a", "f", '{"x":1}'],
      ["b", "g", "{}"],
    ]);
    expect(raw.choices[0]!.message.content).toBeNull();
  });

  it("merges reasoning details per (type, index): text pieces are concatenated, the signature kept", () => {
    const { out } = sink();
    const acc = new ChunkAccumulator(out);
    acc.fold(choice({ reasoning_details: [{ type: "reasoning.text", index: 0, text: "Thi" }] }));
    acc.fold(choice({ reasoning_details: [{ type: "reasoning.text", index: 0, text: "nk", signature: "sig" }] }));
    const raw = acc.toResponse(undefined) as { choices: { message: { reasoning_details: unknown[] } }[] };
    expect(raw.choices[0]!.message.reasoning_details).toEqual([{ type: "reasoning.text", index: 0, text: "Think", signature: "sig" }]);
  });

  it("builds no events for a sink that does not deliver, only counts them as skipped", () => {
    const { out, events, skipped } = sink(false);
    const acc = new ChunkAccumulator(out);
    acc.fold(choice({ content: "a" }));
    acc.fold({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
    expect(events).toEqual([]);
    expect(skipped()).toBe(2);
  });

  it("reports a choice error and keeps it for the assembled response", () => {
    const acc = new ChunkAccumulator(sink().out);
    expect(acc.fold(choice({ content: "x" }))).toBe(false);
    expect(acc.fold(choice({}, { error: { code: 502, message: "upstream died" }, finish_reason: "error" }))).toBe(true);
    expect(acc.choiceError?.message).toBe("upstream died");
  });

  it("takes the id from the headers when no chunk carried one", () => {
    const acc = new ChunkAccumulator(sink().out);
    acc.fold(choice({ content: "x" }));
    expect((acc.toResponse("gen-from-header") as { id: string }).id).toBe("gen-from-header");
  });
});
