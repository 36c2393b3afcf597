/**
 * src/testing/sse-events.ts: how an event list becomes a wire plan under each stream fault, checked on the
 * plan itself (where the pause sits, what is dropped), which the stream tests cannot see from outside.
 */
import { describe, expect, it } from "vitest";
import type { FaultOptions } from "../../src/testing/faults.js";
import { eventStreamPlan, type MockStreamEvent } from "../../src/testing/sse-events.js";

const events: MockStreamEvent[] = [
  { data: { type: "response.created", sequence_number: 0 } },
  { data: { type: "response.output_text.delta", sequence_number: 1, delta: "a" } },
  { data: { type: "response.output_text.delta", sequence_number: 2, delta: "b" } },
  { data: { type: "response.output_text.delta", sequence_number: 3, delta: "c" } },
  { data: { type: "response.completed", sequence_number: 4 } },
  { raw: "data: [DONE]\n\n" },
];
const options = { api: "responses" as const, headers: {}, sseComments: 0, chunkDelayMs: 0, trailingEvents: 2, scripted: false };
const plan = (faults: FaultOptions[]) => eventStreamPlan(events, faults, options).plan;

describe("eventStreamPlan", () => {
  it("without faults writes every event in order and ends cleanly", () => {
    const p = plan([]);
    expect(p.chunks.map((c) => c.text)).toEqual([
      ...events.slice(0, 5).map((e) => `data: ${JSON.stringify((e as { data: unknown }).data)}\n\n`),
      "data: [DONE]\n\n",
    ]);
    expect(p.end).toBe("close");
  });

  it("stall puts the pause on the delta after `afterChunks` deltas", () => {
    const p = plan([{ fault: "stall", afterChunks: 1, delayMs: 7_000 }]);
    const delayed = p.chunks.filter((c) => c.delayMs);
    expect(delayed).toHaveLength(1);
    expect(delayed[0]!.text).toContain('"delta":"b"');
    expect(delayed[0]!.delayMs).toBe(7_000);
  });

  it("midstream-error keeps `afterChunks` deltas, then the in-band error with the next sequence number", () => {
    const p = plan([{ fault: "midstream-error", afterChunks: 2 }]);
    const texts = p.chunks.map((c) => c.text);
    expect(texts.filter((t) => t.includes("output_text.delta"))).toHaveLength(2);
    expect(JSON.parse(texts[texts.length - 1]!.slice(6))).toMatchObject({ type: "error", sequence_number: 3 });
    expect(texts.join("")).not.toContain("response.completed");
  });

  it("truncate drops the ending even when the content is shorter than afterChunks; mode reset resets", () => {
    const p = plan([{ fault: "truncate", afterChunks: 10, mode: "reset" }]);
    expect(p.chunks.map((c) => c.text).join("")).not.toMatch(/response\.completed|\[DONE\]/);
    expect(p.chunks.filter((c) => c.text.includes("output_text.delta"))).toHaveLength(3);
    expect(p.end).toBe("reset");
  });

  it("Messages framing: event names before data, and an `event: error` for midstream errors", () => {
    const messages: MockStreamEvent[] = [
      { event: "message_start", data: { type: "message_start" } },
      { event: "content_block_delta", data: { type: "content_block_delta", delta: { type: "text_delta", text: "x" } } },
      { event: "message_stop", data: { type: "message_stop" } },
    ];
    const p = eventStreamPlan(messages, [{ fault: "midstream-error", afterChunks: 1 }], { ...options, api: "messages", trailingEvents: 1 }).plan;
    const texts = p.chunks.map((c) => c.text);
    expect(texts[0]).toBe('event: message_start\ndata: {"type":"message_start"}\n\n');
    expect(texts[texts.length - 1]).toMatch(/^event: error\ndata: \{"type":"error","error":\{"type":"api_error"/);
  });
});
