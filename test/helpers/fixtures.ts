/**
 * Recorded OpenRouter exchanges (test/fixtures/recorded, provenance in its SOURCES.md) and an injected
 * `fetch` that answers with one of them, so the real client is exercised end to end without a network.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Usage } from "../../src/core/result.js";

export const FIXTURE_DIR = join(import.meta.dirname, "..", "fixtures", "recorded");

export interface Recorded {
  source: string;
  kind: string;
  description: string;
  request: { method: string; url: string; path: string; headers?: Record<string, string>; body: unknown };
  response: {
    status: number;
    headers?: Record<string, string | string[]>;
    body?: unknown;
    body_text?: string;
    sse?: string;
    sse_chunks?: string[];
  };
}

/** Every fixture file, as a name relative to the fixture dir (e.g. "unverified/error-402-01.json"). */
export function listFixtures(): string[] {
  const top = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith(".json"));
  const unverified = readdirSync(join(FIXTURE_DIR, "unverified"))
    .filter((f) => f.endsWith(".json"))
    .map((f) => `unverified/${f}`);
  return [...top, ...unverified].sort();
}

export function loadFixture(name: string): Recorded {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, name), "utf8")) as Recorded;
}

/** The recorded response headers, minus the framing ones that described the original wire body. */
export function recordedHeaders(rec: Recorded): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(rec.response.headers ?? {})) {
    if (["content-length", "transfer-encoding", "content-encoding", "connection"].includes(name)) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  if (!headers.has("content-type")) headers.set("content-type", rec.response.sse !== undefined ? "text/event-stream" : "application/json");
  return headers;
}

/** The body bytes as recorded: raw text where the recorder kept it, else the parsed JSON re-serialised. */
export function recordedBody(rec: Recorded): string {
  if (rec.response.sse !== undefined) return rec.response.sse;
  if (rec.response.body_text !== undefined) return rec.response.body_text;
  return rec.response.body === undefined ? "" : JSON.stringify(rec.response.body);
}

/** The parsed JSON body of a non-SSE response. */
export function recordedJson(rec: Recorded): unknown {
  if (rec.response.body_text !== undefined) return JSON.parse(rec.response.body_text);
  return rec.response.body;
}

export interface SentRequest {
  url: string;
  method: string;
  headers: Headers;
  body: unknown;
}

/**
 * A fetch that answers every request with the recording and keeps what the client sent. It checks nothing
 * itself: tests assert on `sent`.
 */
export function replayFetch(rec: Recorded): { fetch: typeof fetch; sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const text = await request.text();
    sent.push({ url: request.url, method: request.method, headers: request.headers, body: text ? JSON.parse(text) : undefined });
    const status = rec.response.status;
    const body = recordedBody(rec);
    if (rec.response.sse_chunks) {
      const encoder = new TextEncoder();
      const chunks = rec.response.sse_chunks;
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
          controller.close();
        },
      });
      return new Response(stream, { status, headers: recordedHeaders(rec) });
    }
    return new Response(status === 204 ? null : body, { status, headers: recordedHeaders(rec) });
  };
  return { fetch: fetchImpl as typeof fetch, sent };
}

/** The usage a recording reports: the JSON body's, or the last SSE chunk that carried one. */
export function recordedUsage(rec: Recorded): Usage | undefined {
  const body = rec.response.body as { usage?: Usage } | undefined;
  if (body?.usage) return body.usage;
  let usage: Usage | undefined;
  for (const line of (rec.response.sse ?? "").split(/\r?\n/)) {
    if (!line.startsWith("data: {")) continue;
    const chunk = JSON.parse(line.slice(6)) as { usage?: Usage };
    if (chunk.usage) usage = chunk.usage;
  }
  return usage;
}
