/**
 * The one-pass SSE forwarder: the app gets the upstream's events byte for byte (split wherever the network
 * split them), `[DONE]` only for a completed stream, OpenAI-shaped error events; and the same pass reads the
 * usage row's facts (generation id, provider, tokens, cost) without a second parser, and counts the data events
 * the stream timeouts take as progress.
 */
import { describe, expect, it } from "vitest";
import { SseForwarder, plausibleCost, type Forwarded } from "../src/sse.js";

const enc = new TextEncoder();
const chunk = (i: number, extra: Record<string, unknown> = {}) =>
  `data: ${JSON.stringify({ id: "gen-1", object: "chat.completion.chunk", provider: i === 0 ? "Prov" : undefined, choices: [{ index: 0, delta: { content: `tök${i} ` } }], ...extra })}\n\n`;
const usage = { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10, cost: 0.0000123, completion_tokens_details: { reasoning_tokens: 1 } };
const body = chunk(0) + ": OPENROUTER PROCESSING\n\n" + chunk(1) + chunk(2, { choices: [], usage }) + "data: [DONE]\n\n";

function forwarder(firstIds: Array<string | undefined> = []) {
  let t = 100;
  return new SseForwarder({ now: () => (t += 5), startedAt: 100, onFirstChunk: (id) => firstIds.push(id) });
}

/** What the forwarder handed back, as text (the byte path hands back slices of the reads). */
const text = (out: Forwarded) => (typeof out === "string" ? out : Buffer.from(out).toString("utf8"));

/** Feeds the bytes split at every `step` bytes (inside events, lines and multi-byte characters). */
function run(bytes: Uint8Array, step: number, f = forwarder()): { out: string; f: SseForwarder } {
  let out = "";
  for (let i = 0; i < bytes.length; i += step) out += text(f.feed(bytes.subarray(i, i + step)));
  out += f.end(false);
  return { out: out + f.closing(), f };
}

describe("SseForwarder", () => {
  it("forwards every event unchanged however the bytes were split, holding [DONE] for the end", () => {
    const bytes = enc.encode(body);
    for (const step of [1, 2, 3, 7, 64, bytes.length]) {
      const { out, f } = run(bytes, step);
      expect(out).toBe(body);
      expect(f.outcome.completed).toBe(true);
    }
  });

  it("reads the row's facts in the same pass: first id (once), provider, tokens, plausible cost, TTFT", () => {
    const ids: Array<string | undefined> = [];
    const { f } = run(enc.encode(body), 5, forwarder(ids));
    expect(ids).toEqual(["gen-1"]);
    expect(f.outcome).toMatchObject({ firstChunkId: "gen-1", provider: "Prov", usage, costUsd: 0.0000123, ttftMs: 5, inBandError: false });
  });

  it("CRLF line ends are normalised; a comment-only stream end is not [DONE]", () => {
    const { out, f } = run(enc.encode(chunk(0).replace(/\n/g, "\r\n") + ": ping\r\n\r\n"), 4);
    expect(out.startsWith(chunk(0) + ": ping\n\n")).toBe(true);
    expect(f.outcome.completed).toBe(false);
    expect(out).toContain('"code":"upstream_stream_incomplete"');
    expect(out).not.toContain("[DONE]");
  });

  it("an in-band error becomes an OpenAI-shaped error event and no [DONE] follows", () => {
    const err = `data: ${JSON.stringify({ id: "gen-1", error: { message: "Provider fell over", code: 503 } })}\n\n`;
    const bytes = enc.encode(chunk(0) + chunk(1) + err + "data: [DONE]\n\n");
    for (const step of [9, bytes.length]) {
      const { out, f } = run(bytes, step);
      expect(f.outcome).toMatchObject({ inBandError: true, completed: false });
      expect(out).toBe(`${chunk(0)}${chunk(1)}data: ${JSON.stringify({ error: { message: "Provider fell over", type: "api_error", code: 503 } })}\n\n`);
    }
  });

  it("a read failure or a missing [DONE] ends with an error event, keeping what came before", () => {
    const f = forwarder();
    const first = f.feed(enc.encode(chunk(0) + "data: {\"id\":\"gen-1\",\"cho"));
    expect(text(first)).toBe(chunk(0));
    const rest = f.end(true);
    expect(f.outcome).toMatchObject({ readFailed: true, completed: false, usage: undefined, costUsd: undefined });
    expect(rest).toBe('data: {"id":"gen-1","cho\n\n');
    expect(f.closing()).toContain("upstream_stream_incomplete");
  });

  it("counts data events, never comments (what the stream timeouts take as progress); a timeout ends with its own error event", () => {
    const f = forwarder();
    f.feed(enc.encode(": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\n"));
    expect(f.dataEvents).toBe(0);
    f.feed(enc.encode(chunk(0) + ": OPENROUTER PROCESSING\n\n" + chunk(1)));
    expect(f.dataEvents).toBe(2);
    f.timeout("No data event for idleTimeoutMs (5 ms) from the upstream.");
    f.end(false);
    expect(f.outcome).toMatchObject({ readFailed: true, completed: false, timedOut: "No data event for idleTimeoutMs (5 ms) from the upstream." });
    const closing = f.closing();
    expect(closing).toContain('"code":"upstream_timeout"');
    expect(closing).toContain("idleTimeoutMs (5 ms)");
    expect(closing).not.toContain("[DONE]");
  });

  it("events of other shapes (fields, several data lines) pass unchanged among one-line ones, in one read or split", () => {
    const odd = 'event: message\ndata: {"id":"gen-1",\ndata: "x":1}\n\n' + "id: 7\ndata: [DONE]\n\n";
    const stream = chunk(0) + odd.slice(0, odd.indexOf("id: 7")) + chunk(1) + chunk(2, { choices: [], usage }) + odd.slice(odd.indexOf("id: 7"));
    const expected = stream.replace("id: 7\ndata: [DONE]\n\n", "") + "data: [DONE]\n\n";
    for (const step of [3, 50, stream.length]) {
      const { out, f } = run(enc.encode(stream), step);
      expect(out).toBe(expected);
      expect(f.outcome).toMatchObject({ completed: true, usage, costUsd: 0.0000123, provider: "Prov" });
      expect(f.dataEvents).toBe(5);
    }
  });

  it("a provider named only after the first chunk is still read, in one read or split", () => {
    const later = (i: number, extra: Record<string, unknown> = {}) => `data: ${JSON.stringify({ id: "gen-1", choices: [{ index: 0, delta: { content: `t${i}` } }], ...extra })}\n\n`;
    const stream = later(0) + later(1, { provider: "Late" }) + later(2, { provider: "Other" }) + "data: [DONE]\n\n";
    for (const step of [5, stream.length]) {
      const { out, f } = run(enc.encode(stream), step);
      expect(out).toBe(stream);
      expect(f.outcome).toMatchObject({ provider: "Late", firstChunkId: "gen-1", completed: true });
    }
  });

  it("an impossible usage.cost is not a cost", () => {
    expect([plausibleCost(0.5), plausibleCost("0.25"), plausibleCost(0)]).toEqual([0.5, 0.25, 0]);
    expect([plausibleCost(-1), plausibleCost("abc"), plausibleCost(1e9), plausibleCost(null), plausibleCost(""), plausibleCost(Number.NaN)]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    const { f } = run(enc.encode(chunk(0, { usage: { ...usage, cost: -5 } }) + "data: [DONE]\n\n"), 11);
    expect(f.outcome.costUsd).toBeUndefined();
    expect(f.outcome.usage?.["prompt_tokens"]).toBe(7);
  });
});
