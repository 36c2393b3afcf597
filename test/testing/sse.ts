/**
 * Test helper: read a stand-in stream the way a client does, with eventsource-parser: every event (name and
 * raw data) and every comment, in order, and whether the body ended cleanly or with an error.
 */
import { createParser } from "eventsource-parser";

export interface ParsedStream {
  items: Array<{ kind: "event"; event: string | undefined; data: string } | { kind: "comment"; text: string }>;
  /** Only the events, with `data` parsed as JSON where it is JSON. */
  events: Array<{ event: string | undefined; data: any }>;
  /** The error the body ended with (a reset connection), if any. */
  failure: unknown;
}

export async function readStream(response: Response): Promise<ParsedStream> {
  const items: ParsedStream["items"] = [];
  const parser = createParser({
    onEvent: (e) => items.push({ kind: "event", event: e.event, data: e.data }),
    onComment: (text) => items.push({ kind: "comment", text }),
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let failure: unknown;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(value);
    }
  } catch (e) {
    failure = e;
  }
  const events = items
    .filter((i): i is { kind: "event"; event: string | undefined; data: string } => i.kind === "event")
    .map((e) => {
      try {
        return { event: e.event, data: JSON.parse(e.data) };
      } catch {
        return { event: e.event, data: e.data };
      }
    });
  return { items, events, failure };
}
