/**
 * Property-style test: every recorded chat stream, cut into network reads at random byte boundaries (seeded,
 * reproducible), gives exactly the same events and the same result as the stream served in one piece. Cuts
 * land inside multi-byte UTF-8 characters, between CR and LF, inside `data:` prefixes and inside [DONE]. The
 * same holds for the CRLF and CR-only forms of each stream, and with a BOM or leading whitespace in front.
 */
import { describe, expect, it } from "vitest";
import { OpenRouter, isOpenRouterError, type ChatResult } from "../../src/index.js";
import type { ChatStreamEvent } from "../../src/stream/chat-stream.js";
import { listFixtures, loadFixture, recordedHeaders, type Recorded } from "../helpers/fixtures.js";
// mulberry32, seeded: a failing seed can be replayed.
import { seededRandom } from "../../src/testing/ids.js";

const fixtures = listFixtures()
  .map((name) => ({ name, rec: loadFixture(name) }))
  .filter(({ rec }) => rec.response.sse !== undefined && rec.request.path.endsWith("/chat/completions"));

const SEEDS = 24;
const encoder = new TextEncoder();

/** Cut points: mostly small reads (1..16 bytes), sometimes big ones, as real sockets do. */
function randomCuts(length: number, seed: number): number[] {
  const random = seededRandom(seed);
  const cuts: number[] = [];
  let at = 0;
  while (at < length) {
    const size = random() < 0.8 ? 1 + Math.floor(random() * 16) : 1 + Math.floor(random() * 2048);
    at = Math.min(length, at + size);
    cuts.push(at);
  }
  return cuts;
}

/** Cuts between CR and LF, inside multi-byte characters and inside the `data:` field name. */
function awkwardCuts(bytes: Uint8Array): { cuts: number[]; crlf: number; insideChars: number } {
  const cuts: number[] = [];
  let crlf = 0;
  let insideChars = 0;
  for (let i = 1; i < bytes.length; i++) {
    if (bytes[i - 1] === 13 && bytes[i] === 10) {
      cuts.push(i);
      crlf++;
    } else if ((bytes[i]! & 0xc0) === 0x80) {
      cuts.push(i);
      insideChars++;
    } else if (bytes[i - 3] === 0x64 && bytes[i - 2] === 0x61 && bytes[i - 1] === 0x74 && bytes[i] === 0x61) {
      cuts.push(i); // "dat|a:"
    }
  }
  cuts.push(bytes.length);
  return { cuts, crlf, insideChars };
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const to of cuts) {
    parts.push(bytes.subarray(from, to));
    from = to;
  }
  return parts;
}

/** Replays the reads through the real client; returns a comparable summary of everything observable. */
async function run(rec: Recorded, reads: Uint8Array[]) {
  const fetchImpl = async () => {
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (i < reads.length) controller.enqueue(reads[i++]!.slice());
        else controller.close();
      },
    });
    return new Response(body, { status: 200, headers: recordedHeaders(rec) });
  };
  const client = new OpenRouter({ apiKey: "sk-or-test", fetch: fetchImpl as typeof fetch });
  const stream = client.chatStream({ model: "m", messages: [{ role: "user", content: "hi" }] });
  const events: unknown[] = [];
  let failure: unknown;
  try {
    for await (const event of stream) events.push(comparableEvent(event));
  } catch (e) {
    failure = e;
  }
  return {
    outcome: stream.outcome,
    events,
    error: isOpenRouterError(failure)
      ? { name: failure.name, message: failure.message, generationId: failure.generationId, partial: comparable(failure.partial) }
      : failure,
  };
}

function comparable(r: ChatResult | undefined) {
  if (!r) return r;
  const { headers, timing, ...rest } = r;
  return rest;
}

function comparableEvent(e: ChatStreamEvent) {
  return e.type === "done" ? { type: "done", result: comparable(e.result) } : e;
}

const variants: { name: string; transform: (sse: string) => string }[] = [
  { name: "as recorded (LF)", transform: (s) => s },
  // JSON payloads never hold a raw newline, so rewriting every LF only changes the line endings.
  { name: "CRLF", transform: (s) => s.replace(/\n/g, "\r\n") },
  { name: "CR only", transform: (s) => s.replace(/\n/g, "\r") },
  { name: "BOM + leading whitespace", transform: (s) => `\uFEFF \n\n  \t\n${s}` },
];

describe("re-chunked recorded streams give identical results", () => {
  it("has streams to re-chunk, some with multi-byte characters", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(22);
    expect(fixtures.filter((f) => /[^\x00-\x7f]/.test(f.rec.response.sse!)).length).toBeGreaterThanOrEqual(3);
  });

  for (const { name, rec } of fixtures) {
    it(`${name}: ${SEEDS} random chunkings, awkward cuts and 1-byte reads x ${variants.length} variants (LF, CRLF, CR, BOM)`, async () => {
      const baseline = await run(rec, [encoder.encode(rec.response.sse!)]);
      expect(baseline.outcome === "completed" || baseline.outcome === "error").toBe(true);
      for (const variant of variants) {
        const bytes = encoder.encode(variant.transform(rec.response.sse!));
        const oneByte = await run(rec, split(bytes, Array.from({ length: bytes.length }, (_, i) => i + 1)));
        expect(oneByte, `${variant.name}, 1-byte reads`).toEqual(baseline);
        // Awkward cuts on purpose: between every CR and LF, inside every multi-byte character, after "dat".
        const awkward = awkwardCuts(bytes);
        if (variant.name === "CRLF") expect(awkward.crlf).toBeGreaterThan(0);
        if (/[^\x00-\x7f]/.test(rec.response.sse!)) expect(awkward.insideChars).toBeGreaterThan(0);
        expect(await run(rec, split(bytes, awkward.cuts)), `${variant.name}, awkward cuts`).toEqual(baseline);
        for (let seed = 1; seed <= SEEDS; seed++) {
          const got = await run(rec, split(bytes, randomCuts(bytes.length, seed * 7919 + name.length)));
          expect(got, `${variant.name}, seed ${seed}`).toEqual(baseline);
        }
      }
    });
  }
});

describe("re-chunking: targeted cuts", () => {
  it("every cut position inside a multi-byte character of stream-tool-result-01 (°) decodes the same text", async () => {
    const rec = fixtures.find((f) => f.name === "stream-tool-result-01.json")!.rec;
    const bytes = encoder.encode(rec.response.sse!);
    const baseline = await run(rec, [bytes]);
    const continuation = [...bytes.keys()].filter((i) => (bytes[i]! & 0xc0) === 0x80);
    expect(continuation.length).toBeGreaterThan(0);
    for (const at of continuation) {
      const got = await run(rec, split(bytes, [at, bytes.length]));
      expect(got).toEqual(baseline);
    }
    const done = baseline.events[baseline.events.length - 1] as { result: { text: string } };
    expect(done.result.text).toContain("15°C");
  });

  it("a 4-byte character split over four reads (emoji in a content delta)", async () => {
    const rec = fixtures.find((f) => f.name === "stream-basic-03.json")!.rec;
    const sse = rec.response.sse!.replace('"content":"OK"', '"content":"OK 🎉 ok"');
    const bytes = encoder.encode(sse);
    const start = bytes.findIndex((b) => b === 0xf0);
    const got = await run(rec, split(bytes, [start + 1, start + 2, start + 3, bytes.length]));
    const done = got.events[got.events.length - 1] as { result: { text: string } };
    expect(done.result.text).toBe("OK 🎉 ok");
  });
});
