/**
 * Unit tests for the SSE reader: bytes in, `data:` payloads out, whatever the cut between network reads (line
 * ends CR / LF / CRLF, a CRLF split across reads, multi-byte characters split across reads, a BOM), comments,
 * multi-line data, the buffer cap and the flush at the end of the body.
 */
import { describe, expect, it } from "vitest";
import { SseReader, cutOff } from "../../src/stream/sse.js";

const encoder = new TextEncoder();

/** Feeds `reads` (strings are UTF-8 encoded; byte arrays as they are) and records what the sink heard. */
function run(reads: (string | Uint8Array)[], maxBufferSize = 1 << 20) {
  const data: string[] = [];
  const tails: boolean[] = [];
  const overflows: string[] = [];
  let comments = 0;
  const reader: SseReader = new SseReader(
    {
      sseData: (d) => {
        data.push(d);
        tails.push(reader.ending);
      },
      sseComment: () => {
        comments++;
      },
      sseOverflow: (m) => {
        overflows.push(m);
      },
    },
    maxBufferSize,
  );
  for (const r of reads) reader.push(typeof r === "string" ? encoder.encode(r) : r);
  reader.end();
  return { data, tails, comments, overflows };
}

/** Every way of cutting `bytes` into two reads, plus one read per byte. */
function cuts(bytes: Uint8Array): Uint8Array[][] {
  const out: Uint8Array[][] = [[bytes], Array.from(bytes, (b) => Uint8Array.of(b))];
  for (let i = 1; i < bytes.length; i++) out.push([bytes.slice(0, i), bytes.slice(i)]);
  return out;
}

describe("SseReader", () => {
  it("hands over each event's data, one call per event", () => {
    expect(run(['data: {"a":1}\n\ndata: [DONE]\n\n']).data).toEqual(['{"a":1}', "[DONE]"]);
  });

  it("gives the same payloads for every cut between reads, with LF, CRLF and CR line ends", () => {
    const text = 'data: {"t":"héllo 🚀 ✓"}\n\n: OPENROUTER PROCESSING\n\ndata: one\ndata: two\n\nevent: x\nid: 7\nretry: 10\ndata:tight\n\n';
    for (const eol of ["\n", "\r\n", "\r"]) {
      const bytes = encoder.encode(text.replace(/\n/g, eol));
      for (const reads of cuts(bytes)) {
        const { data, comments } = run(reads);
        expect(data).toEqual(['{"t":"héllo 🚀 ✓"}', "one\ntwo", "tight"]);
        expect(comments).toBe(1);
      }
    }
  });

  it("decodes a multi-byte character cut anywhere across reads, and replaces invalid bytes as a streaming decoder does", () => {
    const text = "data: é✓🚀 end\n\n";
    for (const reads of cuts(encoder.encode(text))) expect(run(reads).data).toEqual(["é✓🚀 end"]);
    // A lone lead byte followed by ASCII, and a stray continuation byte: U+FFFD each, as TextDecoder gives.
    const bad = Uint8Array.of(...encoder.encode("data: a"), 0xe2, ...encoder.encode("b"), 0x80, ...encoder.encode("c\n\n"));
    const want = new TextDecoder().decode(bad).slice(6, -2);
    for (const reads of cuts(bad)) expect(run(reads).data).toEqual([want]);
  });

  it("drops a BOM and blank lines before the first event, but keeps U+FEFF inside the stream", () => {
    const bom = Uint8Array.of(0xef, 0xbb, 0xbf);
    const rest = encoder.encode("\n\ndata: a\uFEFFb\n\n");
    const bytes = new Uint8Array([...bom, ...rest]);
    for (const reads of cuts(bytes)) expect(run(reads).data).toEqual(["a\uFEFFb"]);
  });

  it("treats a field named data without a colon as an empty data line, and ignores events without data", () => {
    expect(run(["data\ndata: x\n\nevent: ping\n\n:\n\n"]).data).toEqual(["\nx"]);
  });

  it("flushes a last event without its blank line at the end of the body, flagged as ending", () => {
    expect(run(["data: a\n\ndata: b"])).toMatchObject({ data: ["a", "b"], tails: [false, true] });
    expect(run(["data: a\n\ndata: b\r"])).toMatchObject({ data: ["a", "b"], tails: [false, true] });
    expect(run(["data: a\n"])).toMatchObject({ data: ["a"], tails: [true] });
    // A character cut off by the end of the body comes out as U+FFFD.
    expect(run([Uint8Array.of(...encoder.encode("data: x"), 0xf0, 0x9f)]).data).toEqual(["x\uFFFD"]);
  });

  it("stops at an unfinished line or event longer than maxBufferSize and reports it once", () => {
    const huge = "x".repeat(3000);
    const { data, overflows } = run([`data: ${huge.slice(0, 2000)}`, `${huge.slice(2000)}\n\n`, "data: after\n\n"], 1000);
    expect(data).toEqual([]);
    expect(overflows).toEqual(["Buffered data exceeded max buffer size of 1000 characters"]);
    expect(run(["data: a\ndata: b\n"], 2).overflows).toHaveLength(1);
    expect(run(["data: small\n\n"], 1000).overflows).toEqual([]);
  });

  it("cutOff counts the bytes of a character the read cut off", () => {
    const rocket = encoder.encode("🚀"); // 4 bytes
    expect(cutOff(encoder.encode("abc"))).toBe(0);
    expect(cutOff(rocket)).toBe(0);
    expect(cutOff(rocket.slice(0, 1))).toBe(1);
    expect(cutOff(rocket.slice(0, 3))).toBe(3);
    expect(cutOff(encoder.encode("é").slice(0, 1))).toBe(1);
    expect(cutOff(Uint8Array.of(0x80, 0x80))).toBe(0); // stray continuation bytes: nothing to wait for
    expect(cutOff(new Uint8Array(0))).toBe(0);
  });
});
