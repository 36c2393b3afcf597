/**
 * structuredStream() must do work linear in the length of the answer: it used to re-parse the whole text on
 * every content event (20,000 events took close to a minute). The partial-JSON parser is wrapped to count the
 * characters it is fed; the test asserts that count, never a time, and stops early once it is clearly
 * quadratic so a regression fails in seconds rather than minutes.
 */
import { describe, expect, it, vi } from "vitest";
import { OpenRouter } from "../../src/index.js";

const work = vi.hoisted(() => ({ chars: 0, calls: 0 }));

vi.mock("../../src/agents/partial-json.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/agents/partial-json.js")>();
  return {
    ...actual,
    parsePartialJson: (text: string) => {
      work.chars += text.length;
      work.calls++;
      return actual.parsePartialJson(text);
    },
  };
});

const encoder = new TextEncoder();
const schema = { type: "object", properties: { items: { type: "array", items: { type: "string" } } }, required: ["items"] } as const;

/** An SSE body of one content event per piece, 200 events per network read. */
function sseOf(pieces: string[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i >= pieces.length) {
        controller.enqueue(encoder.encode(`data: ${JSON.stringify({ id: "gen-w", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\ndata: [DONE]\n\n`));
        controller.close();
        return;
      }
      let text = "";
      for (const end = Math.min(i + 200, pieces.length); i < end; i++) {
        text += `data: ${JSON.stringify({ id: "gen-w", choices: [{ index: 0, delta: { content: pieces[i] }, finish_reason: null }] })}\n\n`;
      }
      controller.enqueue(encoder.encode(text));
    },
  });
}

describe("structuredStream() work", () => {
  it(
    "20,000 content events: the parser is fed a number of characters linear in the answer's length",
    async () => {
      const count = 20_000;
      const pieces = ['{"items":['];
      for (let i = 0; i < count; i++) pieces.push(`"w${i % 10}"${i === count - 1 ? "" : ","}`);
      pieces.push("]}");
      const length = pieces.join("").length;
      const client = new OpenRouter({
        apiKey: "sk-or-v1-work-test-0123456789abcdef",
        retry: false,
        fetch: (async () => new Response(sseOf(pieces), { headers: { "content-type": "text/event-stream" } })) as typeof fetch,
      });
      // Linear: a bounded number of passes over the text (the quadratic version feeds ~1,000 × the length).
      const budget = 20 * length;
      work.chars = 0;
      work.calls = 0;
      const stream = client.structuredStream({ model: "test/model", messages: [{ role: "user", content: "list" }], schema });
      let partials = 0;
      let last: unknown;
      for await (const event of stream) {
        if (event.type === "partial") {
          partials++;
          last = event.data;
        }
        if (work.chars > budget) break; // clearly not linear: stop now rather than after a minute
      }
      expect(work.chars, `parser fed ${work.chars} characters in ${work.calls} calls for a ${length}-character answer`).toBeLessThanOrEqual(budget);
      // Previews still come often (every event while the text is short, then every eighth of growth) ...
      expect(partials).toBeGreaterThan(100);
      // ... and the last one shows the whole answer.
      expect((last as { items: string[] }).items).toHaveLength(count);
      const { data } = await stream.final();
      expect(data.items).toHaveLength(count);
    },
    60_000,
  );

  it("a short answer still gets a preview on every event", async () => {
    const pieces = ['{"na', 'me":"A', "da", '","age":3', "6}"];
    const client = new OpenRouter({
      apiKey: "sk-or-v1-work-test-0123456789abcdef",
      retry: false,
      fetch: (async () => new Response(sseOf(pieces), { headers: { "content-type": "text/event-stream" } })) as typeof fetch,
    });
    const person = { type: "object", properties: { name: { type: "string" }, age: { type: "integer" } } } as const;
    const seen: unknown[] = [];
    for await (const e of client.structuredStream({ model: "test/model", messages: [{ role: "user", content: "who" }], schema: person })) {
      if (e.type === "partial") seen.push(e.data);
    }
    // One preview per event that changed it ('","age":3' does not: the number may still grow).
    expect(seen).toEqual([{}, { name: "A" }, { name: "Ada" }, { name: "Ada", age: 36 }]);
  });
});
