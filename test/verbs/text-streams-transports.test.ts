/**
 * The Responses and Messages streams on both transports (`fetch` and the Node transport): the same stand-in
 * answers, streamed through the event-stream reader that reads the transport seam's body directly. Each case
 * checks the text as it arrived, the terminal event, an in-band error with the partial output kept, and a
 * stream cut before its terminal event failing as a truncation, never a success.
 */
import { describe, expect, it } from "vitest";
import { ConnectionError, OpenRouter, type OpenRouterError, isOpenRouterError } from "../../src/index.js";
import { createMockOpenRouter } from "../../src/testing/index.js";
import { TRANSPORTS } from "../helpers/transports.js";
import { collect } from "../helpers/collect.js";

const KEY = "sk-or-v1-text-streams-transports-0123456789abcdef";
const MODEL = "openai/gpt-4o-mini";

type Event = { type: string; delta?: unknown };

/** The text the deltas carried: Responses' `response.output_text.delta`, Messages' `text_delta` blocks. */
function streamedText(events: Event[]): string {
  let text = "";
  for (const e of events) {
    if (e.type === "response.output_text.delta" && typeof e.delta === "string") text += e.delta;
    const d = e.delta as { type?: string; text?: string } | undefined;
    if (e.type === "content_block_delta" && d?.type === "text_delta" && typeof d.text === "string") text += d.text;
  }
  return text;
}

const APIS = [
  {
    api: "responses",
    open: (client: OpenRouter, input: string) => client.responses.stream({ model: MODEL, input }) as unknown as AsyncIterable<Event> & { final(): Promise<{ text: string }> },
    terminal: "response.completed",
  },
  {
    api: "messages",
    open: (client: OpenRouter, input: string) =>
      client.messages.stream({ model: MODEL, max_tokens: 64, messages: [{ role: "user", content: input }] }) as unknown as AsyncIterable<Event> & { final(): Promise<{ text: string }> },
    terminal: "message_stop",
  },
] as const;

describe.each(TRANSPORTS)("Responses and Messages streams on the $name transport", (transport) => {
  describe.each(APIS)("$api", ({ open, terminal }) => {
    it("streams the text and ends with the terminal event; final() gives the same text", async () => {
      const mock = createMockOpenRouter({ apiKey: KEY, scenarios: [{ reply: "Four, as ever — ünïcödé too." }] });
      const client = new OpenRouter({ apiKey: KEY, ...transport.serve(mock.fetch) });
      const stream = open(client, "What is 2+2?");
      const { events, error } = await collect(stream);
      expect(error).toBeUndefined();
      expect(streamedText(events)).toBe("Four, as ever — ünïcödé too.");
      expect(events[events.length - 1]!.type).toBe(terminal);
      expect((await stream.final()).text).toBe("Four, as ever — ünïcödé too.");
    });

    it("an in-band error is the typed error with the partial text", async () => {
      const mock = createMockOpenRouter({ apiKey: KEY, scenarios: [{ reply: "one two three four five six", faults: [{ fault: "midstream-error", afterChunks: 3 }] }] });
      const client = new OpenRouter({ apiKey: KEY, ...transport.serve(mock.fetch) });
      const { events, error } = await collect(open(client, "Count"));
      expect(isOpenRouterError(error)).toBe(true);
      expect((error as OpenRouterError).partial?.text).toBe(streamedText(events));
      expect(streamedText(events).length).toBeGreaterThan(0);
    });

    it("a stream cut before its terminal event is a ConnectionError, never a success", async () => {
      const mock = createMockOpenRouter({ apiKey: KEY, scenarios: [{ reply: "one two three four five six", faults: [{ fault: "truncate", afterChunks: 3 }] }] });
      const client = new OpenRouter({ apiKey: KEY, retry: false, ...transport.serve(mock.fetch) });
      const { events, error } = await collect(open(client, "Count"));
      expect(error).toBeInstanceOf(ConnectionError);
      expect(events.some((e) => e.type === terminal)).toBe(false);
      expect((error as OpenRouterError).partial?.text).toBe(streamedText(events));
    });
  });
});
