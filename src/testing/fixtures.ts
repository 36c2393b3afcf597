/**
 * The recorded-exchange fixture format (the same one as `test/fixtures/recorded/*.json`), loading,
 * request normalisation and matching. Shared by `replayFetch` and the stand-in's `recordings` option.
 *
 * What "the same request" means when matching a live request against a recording:
 * - the method is equal;
 * - the path is equal after dropping everything up to and including `/api/v1` (so a recording made
 *   against `https://openrouter.ai/api/v1` matches a stand-in base URL) and after sorting the query
 *   parameters;
 * - the JSON bodies are deep-equal after sorting object keys and dropping the keys in
 *   `IGNORED_BODY_KEYS` (default: `stream_options`, a deprecated no-op that clients add or leave out).
 *   Non-JSON bodies compare as text; an empty body equals `null`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * Keys dropped from both bodies before comparing (top level only).
 *
 * @example
 * normaliseBody({ a: 1, stream_options: {} }, IGNORED_BODY_KEYS) // '{"a":1}'
 */
export const IGNORED_BODY_KEYS: readonly string[] = ["stream_options"];

/** One recorded HTTP exchange, as stored in a fixture file. */
export interface RecordedExchange {
  source?: string;
  provenance?: Record<string, unknown>;
  kind?: string;
  description?: string;
  notes?: string[];
  request: {
    method: string;
    url?: string;
    path: string;
    headers?: Record<string, string | string[]>;
    body?: unknown;
    reconstructed?: string;
  };
  response: {
    status: number;
    status_text?: string;
    headers?: Record<string, string | string[]>;
    body?: unknown;
    body_text?: string;
    sse?: string;
    sse_chunks?: string[];
    pasted_text?: string;
  };
}

/** A recording together with the file it came from (for error messages). */
export interface LoadedRecording {
  file: string;
  exchange: RecordedExchange;
}

function isExchange(value: unknown): value is RecordedExchange {
  const v = value as RecordedExchange | null;
  return (
    !!v && typeof v === "object" && !!v.request && typeof v.request.method === "string" &&
    typeof v.request.path === "string" && !!v.response && typeof v.response.status === "number"
  );
}

/**
 * Load recordings from a directory (every `*.json`, recursively), a list of files, or in-memory
 * exchanges. Files that are not exchanges fail loudly, naming the file.
 *
 * @example
 * const recs = loadRecordings({ dir: "test/fixtures/recorded" });
 */
export function loadRecordings(source: {
  dir?: string;
  files?: readonly string[];
  exchanges?: readonly RecordedExchange[];
}): LoadedRecording[] {
  const out: LoadedRecording[] = [];
  const files: string[] = [...(source.files ?? [])];
  if (source.dir !== undefined) {
    const walk = (dir: string) => {
      for (const name of readdirSync(dir).sort()) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (name.endsWith(".json")) files.push(full);
      }
    };
    walk(source.dir);
  }
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new Error(`Cannot read recording ${file}: ${(e as Error).message}`);
    }
    if (!isExchange(parsed)) {
      throw new Error(`${file} is not a recorded exchange (needs request.method, request.path, response.status)`);
    }
    out.push({ file, exchange: parsed });
  }
  (source.exchanges ?? []).forEach((exchange, i) => {
    if (!isExchange(exchange)) throw new TypeError(`recordings[${i}] is not a recorded exchange`);
    out.push({ file: `recordings[${i}]`, exchange });
  });
  return out;
}

/**
 * Normalise a request path: drop the scheme/host and anything up to `/api/v1`, sort the query.
 *
 * @example
 * normalisePath("https://openrouter.ai/api/v1/generation?id=x") // "/generation?id=x"
 */
export function normalisePath(pathOrUrl: string): string {
  const url = new URL(pathOrUrl, "http://x.invalid");
  let path = url.pathname;
  const at = path.indexOf("/api/v1");
  if (at >= 0) path = path.slice(at + "/api/v1".length) || "/";
  const params = [...url.searchParams.entries()].sort(([a, av], [b, bv]) => (a === b ? av.localeCompare(bv) : a.localeCompare(b)));
  const query = new URLSearchParams(params).toString();
  return query ? `${path}?${query}` : path;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/**
 * Normalise a request body for matching: parse JSON text, drop ignored top-level keys, sort keys.
 * Returns a canonical JSON string (or the raw text for non-JSON bodies, `"null"` for none).
 *
 * @example
 * normaliseBody('{"b":1,"a":2,"stream_options":{}}') === normaliseBody({ a: 2, b: 1 }) // true
 */
export function normaliseBody(body: unknown, ignore: readonly string[] = IGNORED_BODY_KEYS): string {
  let value = body;
  if (typeof value === "string") {
    const text = value;
    if (text.trim() === "") return "null";
    try {
      value = JSON.parse(text);
    } catch {
      return text;
    }
  }
  if (value === undefined || value === null) return "null";
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const copy = { ...(value as Record<string, unknown>) };
    for (const key of ignore) delete copy[key];
    value = copy;
  }
  return JSON.stringify(sortKeys(value));
}

/** The parts of a live request that matching looks at. */
export interface RequestKey {
  method: string;
  path: string;
  body: string;
}

/**
 * Build the match key of a recording.
 *
 * @example
 * keyOfRecording(exchange) // { method: "POST", path: "/chat/completions", body: '{"messages":[…],"model":"…"}' }
 */
export function keyOfRecording(rec: RecordedExchange, ignore?: readonly string[]): RequestKey {
  return {
    method: rec.request.method.toUpperCase(),
    path: normalisePath(rec.request.path || rec.request.url || "/"),
    body: normaliseBody(rec.request.body, ignore),
  };
}

function firstDifference(a: unknown, b: unknown, path = ""): string | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) === !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of [...keys].sort()) {
      const d = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}/${key}`);
      if (d !== undefined) return d;
    }
  }
  return path || "/";
}

function countDifferences(a: unknown, b: unknown): number {
  if (JSON.stringify(a) === JSON.stringify(b)) return 0;
  if (a && b && typeof a === "object" && typeof b === "object") {
    let n = 0;
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      n += countDifferences((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]);
    }
    return n;
  }
  return 1;
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Describe the recordings closest to an unmatched request (same method and path first, then the
 * fewest differing body fields), naming the file and the first differing field of each.
 *
 * @example
 * closestRecordings(key, recordings, 3) // ["chat-basic-01.json (body differs at /messages/0/content)", …]
 */
export function closestRecordings(key: RequestKey, recordings: readonly LoadedRecording[], limit = 3): string[] {
  const wanted = parseOr(key.body);
  return recordings
    .map((rec) => {
      const k = keyOfRecording(rec.exchange);
      const got = parseOr(k.body);
      const score =
        (k.method === key.method ? 0 : 1000) + (k.path.split("?")[0] === key.path.split("?")[0] ? 0 : 500) +
        (k.path === key.path ? 0 : 50) + countDifferences(wanted, got);
      let why: string;
      if (k.method !== key.method || k.path !== key.path) why = `${k.method} ${k.path}`;
      else why = `body differs at ${firstDifference(wanted, got) ?? "/"}`;
      return { score, text: `${rec.file} (${why})` };
    })
    .sort((a, b) => a.score - b.score)
    .slice(0, limit)
    .map((r) => r.text);
}

/** Headers that describe the original wire framing and must not be replayed. */
const FRAMING_HEADERS = new Set(["content-length", "transfer-encoding", "content-encoding", "connection"]);

/**
 * Turn a recording's response into a status, headers and body chunks ready to serve.
 *
 * @example
 * const { status, headers, chunks } = responseOfRecording(exchange);
 */
export function responseOfRecording(rec: RecordedExchange): {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  chunks: string[];
} {
  const r = rec.response;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(r.headers ?? {})) {
    if (FRAMING_HEADERS.has(name.toLowerCase())) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  let chunks: string[];
  if (r.sse !== undefined) {
    chunks = r.sse_chunks && r.sse_chunks.join("") === r.sse ? [...r.sse_chunks] : [r.sse];
    headers["content-type"] ??= "text/event-stream";
  } else if (r.body_text !== undefined) {
    chunks = [r.body_text];
    headers["content-type"] ??= "application/json";
  } else if (r.body !== undefined) {
    chunks = [JSON.stringify(r.body)];
    headers["content-type"] ??= "application/json";
  } else {
    chunks = [];
  }
  return { status: r.status, statusText: r.status_text ?? "", headers, chunks };
}
