/**
 * Every recorded OpenRouter exchange in test/fixtures/recorded/ is checked against spec/openrouter.yaml:
 * - the response body against the response schema the spec declares for that method, path and status
 *   (JSON: `body_text` when recorded, else `body`; SSE: every `data:` payload against the stream's
 *   `x-sse-data` schema, i.e. ChatStreamChunk or ResponsesStreamEvent);
 * - the request body against the operation's request schema.
 * A spec that disagrees with reality fails here.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createParser } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import {
  ROOT,
  validateRequest,
  validateResponse,
  validateResponseDescribed,
  validateSseData,
  validateSseDataDescribed,
} from "../helpers/spec.js";

const DIR = resolve(ROOT, "test/fixtures/recorded");

interface Recording {
  file: string;
  request: { method: string; url: string; body: unknown };
  response: { status: number; body?: unknown; body_text?: string; sse?: string };
}

function loadRecordings(): Recording[] {
  const files = [
    ...readdirSync(DIR).filter((f) => f.endsWith(".json")),
    ...readdirSync(join(DIR, "unverified"))
      .filter((f) => f.endsWith(".json"))
      .map((f) => `unverified/${f}`),
  ].sort();
  return files.map((file) => ({ file, ...(JSON.parse(readFileSync(join(DIR, file), "utf8")) as Omit<Recording, "file">) }));
}

/** The spec path of a recorded URL (strip the /api/v1 base and the query). */
function specPath(url: string): string {
  const { pathname } = new URL(url);
  if (!pathname.startsWith("/api/v1/")) throw new Error(`unexpected recorded URL ${url}`);
  return pathname.slice("/api/v1".length);
}

/** The `data:` payloads of an SSE body, parsed with the same SSE parser the client uses. */
function sseData(sse: string): string[] {
  const out: string[] = [];
  const parser = createParser({ onEvent: (event) => out.push(event.data) });
  parser.feed(sse);
  parser.reset({ consume: true });
  return out;
}

/**
 * Fields some recorders' clients add to chat requests that OpenRouter does not document, by recording. The spec
 * keeps ChatRequest closed, so such requests are validated with the field removed (and shown to be rejected with
 * it). Empty today: req_llm's `n: 1` (14 recordings) was accepted by OpenRouter, so the spec now describes `n`.
 */
const UNDOCUMENTED_REQUEST_FIELDS: Record<string, string[]> = {};

const recordings = loadRecordings();

describe("recorded fixtures", () => {
  it("are all present (89 recorded exchanges + 2 user-pasted bodies in unverified/, with SOURCES.md)", () => {
    expect(recordings.filter((r) => !r.file.startsWith("unverified/"))).toHaveLength(89);
    expect(recordings.filter((r) => r.file.startsWith("unverified/"))).toHaveLength(2);
    expect(readFileSync(join(DIR, "SOURCES.md"), "utf8")).toContain("provenance");
  });

  it("every recording of a GET carries no request body and every POST that kept one is an object", () => {
    for (const r of recordings) {
      if (r.request.method === "GET") expect(r.request.body, r.file).toBeNull();
      else if (r.request.body !== null) expect(typeof r.request.body, r.file).toBe("object");
    }
  });
});

describe.each(recordings)("$file", (rec) => {
  const method = rec.request.method;
  const path = specPath(rec.request.url);

  if (rec.response.sse !== undefined) {
    const payloads = sseData(rec.response.sse).filter((d) => d !== "[DONE]");
    it(`every SSE data payload matches the ${method} ${path} stream schema`, () => {
      expect(payloads.length).toBeGreaterThan(0);
      for (const [i, data] of payloads.entries()) {
        const result = validateSseData(method, path, JSON.parse(data));
        expect(result.errors, `${rec.file} event #${i}: ${data.slice(0, 300)}`).toBe("");
      }
    });
    it("the spec describes every field of every SSE payload", () => {
      for (const [i, data] of payloads.entries()) {
        const result = validateSseDataDescribed(method, path, JSON.parse(data));
        expect(result.errors, `${rec.file} event #${i}`).toBe("");
      }
    });
  } else {
    // body_text keeps the wire bytes (incl. leading keep-alive whitespace, which JSON.parse accepts).
    const body: unknown =
      rec.response.body_text !== undefined ? JSON.parse(rec.response.body_text) : rec.response.body;
    it(`the ${rec.response.status} body matches the ${method} ${path} response schema`, () => {
      expect(body).toBeDefined();
      const result = validateResponse(method, path, rec.response.status, body);
      expect(result.errors).toBe("");
    });
    it("the spec describes every field of the body", () => {
      expect(validateResponseDescribed(method, path, rec.response.status, body).errors).toBe("");
    });
  }

  if (rec.request.body !== null && rec.request.body !== undefined) {
    const extra = UNDOCUMENTED_REQUEST_FIELDS[rec.file] ?? [];
    it(
      extra.length > 0
        ? `the request matches the request schema once the undocumented ${extra.join(", ")} is removed`
        : "the request body matches the request schema",
      () => {
        const body = structuredClone(rec.request.body) as Record<string, unknown>;
        if (extra.length > 0) {
          // With the field the closed ChatRequest must reject it, which proves the exception is needed.
          expect(validateRequest(method, path, body).valid).toBe(false);
          for (const key of extra) {
            expect(body).toHaveProperty(key);
            delete body[key];
          }
        }
        expect(validateRequest(method, path, body).errors).toBe("");
      },
    );
  }
});
