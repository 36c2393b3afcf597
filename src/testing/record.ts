/**
 * `recordFetch` and `replayFetch`: record real exchanges with OpenRouter as fixture files (the same
 * format as `test/fixtures/recorded/*.json`) and answer from them later, offline.
 *
 * Redaction: the `authorization`, `cookie`, `set-cookie` and `x-api-key` header values are replaced,
 * and every secret (the bearer token of each request, the `apiKey` option, `OPENROUTER_API_KEY` from
 * the environment, and anything shaped like an OpenRouter key `sk-or-…`) is replaced by `REDACTED`
 * wherever it appears: URL, request body, response headers and body. The file never holds the key.
 */
import { mkdirSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import {
  closestRecordings,
  IGNORED_BODY_KEYS,
  keyOfRecording,
  loadRecordings,
  normaliseBody,
  normalisePath,
  responseOfRecording,
  type LoadedRecording,
  type RecordedExchange,
  type RequestKey,
} from "./fixtures.js";

/** Options of {@link recordFetch}. */
export interface RecordFetchOptions {
  /** Directory the fixture files are written to (created if missing). */
  dir: string;
  /** The fetch to wrap (default: `globalThis.fetch` at the time of the call). */
  fetch?: typeof globalThis.fetch;
  /** A secret to scrub in addition to the bearer tokens seen (e.g. the key from your config). */
  apiKey?: string;
  /** File name (without `.json`) for an exchange; default `<kind>-<nnn>`. Existing files are never overwritten. */
  name?: (exchange: RecordedExchange, index: number) => string;
  /** A description stored in each file. */
  description?: string;
}

/** The wrapped fetch, plus a way to wait until every file is written. */
export interface RecordingFetch {
  (input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Resolves when every exchange seen so far is on disk (streams are written when they end). */
  flush(): Promise<void>;
  /** Paths of the files written so far. */
  readonly files: readonly string[];
}

const SECRET_HEADERS = /^(authorization|cookie|set-cookie|x-api-key|proxy-authorization)$/i;
const KEY_SHAPE = /sk-or-[A-Za-z0-9_-]{8,}/g;

function scrubber(secrets: Iterable<string>): (text: string) => string {
  const list = [...new Set([...secrets].filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const s of list) out = out.split(s).join("REDACTED");
    return out.replace(KEY_SHAPE, "REDACTED");
  };
}

function headersObject(headers: Headers, scrub: (s: string) => string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  headers.forEach((value, name) => {
    const lower = name.toLowerCase();
    if (SECRET_HEADERS.test(lower)) {
      out[lower] = lower === "authorization" || lower === "proxy-authorization" ? "Bearer REDACTED" : "REDACTED";
    } else {
      out[lower] = scrub(value);
    }
  });
  const cookies = headers.getSetCookie?.() ?? [];
  if (cookies.length > 0) out["set-cookie"] = cookies.map(() => "REDACTED");
  return out;
}

function kindOf(path: string, body: unknown, status: number, isSse: boolean): string {
  const b = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  if (path.startsWith("/chat/completions")) {
    if (status >= 400) return "error";
    const tools = Array.isArray(b["tools"]) && b["tools"].length > 0;
    const format = (b["response_format"] as { type?: string } | undefined)?.type;
    const reasoning = b["reasoning"] !== undefined || b["reasoning_effort"] !== undefined;
    const suffix = tools ? "-tools" : format === "json_schema" || format === "json_object" ? "-structured" : reasoning ? "-reasoning" : "";
    if (isSse) return suffix === "-structured" ? "chat-stream" : `chat-stream${suffix}`;
    return `chat${suffix}`;
  }
  if (status >= 400) return "error";
  if (path.startsWith("/models") || path.startsWith("/model/")) return "models";
  if (path.startsWith("/embeddings")) return "embeddings";
  if (path.startsWith("/generation")) return "generation";
  if (path.startsWith("/responses")) return "responses";
  if (path.startsWith("/rerank")) return "rerank";
  return path.split(/[/?]/)[1] || "other";
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Wrap a real `fetch` so each exchange is saved as a fixture file with credentials redacted.
 * The caller's response is untouched: streams pass through as they arrive and are saved when they end.
 *
 * @example
 * const rec = recordFetch({ dir: "test/fixtures/mine" });
 * const client = new OpenRouter({ apiKey: process.env.OPENROUTER_API_KEY, fetch: rec });
 * await client.chat({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });
 * await rec.flush(); // test/fixtures/mine/chat-001.json
 */
export function recordFetch(options: RecordFetchOptions): RecordingFetch {
  if (!options || typeof options.dir !== "string" || options.dir === "") {
    throw new TypeError("recordFetch({ dir }): dir must be a non-empty directory path");
  }
  const dir = options.dir;
  const pending = new Set<Promise<void>>();
  const files: string[] = [];
  const failures: unknown[] = [];
  let counter = 0;
  const envKey = typeof process !== "undefined" ? process.env["OPENROUTER_API_KEY"] : undefined;

  const write = (exchange: RecordedExchange, scrub: (text: string) => string) => {
    mkdirSync(dir, { recursive: true });
    counter += 1;
    const base = options.name?.(exchange, counter) ?? `${exchange.kind ?? "exchange"}-${String(counter).padStart(3, "0")}`;
    if (!/^[\w.-]+$/.test(base)) throw new TypeError(`recordFetch: file name "${base}" must use letters, digits, ".", "_" or "-"`);
    let file = join(dir, `${base}.json`);
    for (let n = 2; existsSync(file); n++) file = join(dir, `${base}-${n}.json`);
    // Last line of defence: whatever field a secret slipped into, the bytes on disk never hold it.
    writeFileSync(file, `${scrub(JSON.stringify(exchange, null, 2))}\n`);
    files.push(file);
  };

  const recording = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const underlying = options.fetch ?? globalThis.fetch;
    const request = new Request(input, init);
    const requestText = request.method === "GET" || request.method === "HEAD" ? "" : await request.clone().text();
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    const scrub = scrubber([bearer, options.apiKey, envKey].filter((s): s is string => typeof s === "string"));
    const response = await underlying(request);

    const url = new URL(request.url);
    const requestBody = requestText === "" ? null : parseJson(requestText) ?? requestText;
    const base: Omit<RecordedExchange, "response"> = {
      source: `recordFetch ${new Date().toISOString()}`,
      provenance: { recorder: "openrouter-fetch/testing recordFetch", recorded_at: new Date().toUTCString() },
      kind: "",
      description: scrub(options.description ?? `${request.method} ${normalisePath(url.pathname + url.search)} -> ${response.status}`),
      request: {
        method: request.method,
        url: scrub(request.url),
        path: scrub(url.pathname + url.search),
        headers: headersObject(request.headers, scrub) as Record<string, string>,
        body: typeof requestBody === "string" ? scrub(requestBody) : JSON.parse(scrub(JSON.stringify(requestBody))),
      },
    };
    const isSse = (response.headers.get("content-type") ?? "").includes("text/event-stream");
    const kind = kindOf(normalisePath(url.pathname), requestBody, response.status, isSse);
    const responseHeaders = headersObject(response.headers, scrub);

    // Tee the body: the caller reads one branch as it arrives; the other is saved when complete.
    let forCaller = response;
    let saved: Promise<string>;
    if (response.body) {
      const [a, b] = response.body.tee();
      forCaller = new Response(a, { status: response.status, statusText: response.statusText, headers: response.headers });
      saved = new Response(b).text();
    } else {
      saved = Promise.resolve("");
    }
    const job: Promise<void> = saved
      .then(
        (text) => {
          const clean = scrub(text);
          const out: RecordedExchange = {
            ...base,
            kind,
            response: { status: response.status, status_text: response.statusText, headers: responseHeaders },
          };
          if (isSse) out.response.sse = clean;
          else {
            const parsed = parseJson(clean);
            if (parsed !== undefined) out.response.body = parsed;
            out.response.body_text = clean;
          }
          write(out, scrub);
        },
        (e: unknown) => {
          // The body failed (caller aborted, connection dropped): keep what is known, say why.
          write(
            {
              ...base,
              kind,
              notes: [`recording incomplete: ${scrub((e as Error)?.message ?? String(e))}`],
              response: { status: response.status, status_text: response.statusText, headers: responseHeaders },
            },
            scrub,
          );
        },
      )
      // Write failures surface from flush(), not as unhandled rejections.
      .catch((e: unknown) => void failures.push(e))
      .finally(() => pending.delete(job));
    pending.add(job);
    return forCaller;
  }) as RecordingFetch;

  recording.flush = async () => {
    while (pending.size > 0) await Promise.all([...pending]);
    const failure = failures.shift();
    if (failure !== undefined) throw failure;
  };
  Object.defineProperty(recording, "files", { get: () => [...files] });
  return recording;
}

/** Options of {@link replayFetch}. Give `dir`, `files` or `exchanges` (or several). */
export interface ReplayFetchOptions {
  dir?: string;
  files?: readonly string[];
  exchanges?: readonly RecordedExchange[];
  /** Top-level body keys ignored when matching (default: `["stream_options"]`). */
  ignoreBodyKeys?: readonly string[];
}

/** The replaying fetch, plus bookkeeping for assertions. */
export interface ReplayingFetch {
  (input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** The files (or `exchanges[i]`) answered so far, in order. */
  readonly used: readonly string[];
  /** Recordings never used (assert it is empty to catch stale fixtures). */
  unused(): string[];
}

/**
 * Thrown by {@link replayFetch} when no recording matches a request.
 *
 * @example
 * catch (e) { if (e instanceof ReplayMissError) console.error(e.closest); }
 */
export class ReplayMissError extends Error {
  override readonly name = "ReplayMissError";
  constructor(
    message: string,
    readonly method: string,
    readonly path: string,
    readonly closest: string[],
  ) {
    super(message);
  }
}

/**
 * A `fetch` that answers from recorded fixture files, matching method, path and normalised body
 * (see `fixtures.ts` for exactly what is normalised). Identical requests consume identical
 * recordings in file order, then the last one repeats. An unmatched request rejects with a
 * {@link ReplayMissError} naming the closest recordings and how they differ.
 *
 * @example
 * const client = new OpenRouter({ apiKey: "test", fetch: replayFetch({ dir: "test/fixtures/mine" }) });
 */
export function replayFetch(options: ReplayFetchOptions): ReplayingFetch {
  if (!options || (options.dir === undefined && options.files === undefined && options.exchanges === undefined)) {
    throw new TypeError("replayFetch(options): give dir, files or exchanges");
  }
  const ignore = options.ignoreBodyKeys ?? IGNORED_BODY_KEYS;
  const recordings: LoadedRecording[] = loadRecordings({
    ...(options.dir !== undefined ? { dir: options.dir } : {}),
    ...(options.files !== undefined ? { files: options.files } : {}),
    ...(options.exchanges !== undefined ? { exchanges: options.exchanges } : {}),
  });
  const keys = recordings.map((r) => keyOfRecording(r.exchange, ignore));
  const usedSet = new Set<number>();
  const used: string[] = [];

  const replay = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const text = request.method === "GET" || request.method === "HEAD" ? "" : await request.text();
    const url = new URL(request.url);
    const key: RequestKey = {
      method: request.method.toUpperCase(),
      path: normalisePath(url.pathname + url.search),
      body: normaliseBody(text, ignore),
    };
    const matches = keys
      .map((k, i) => ({ k, i }))
      .filter(({ k }) => k.method === key.method && k.path === key.path && k.body === key.body)
      .map(({ i }) => i);
    if (matches.length === 0) {
      const closest = closestRecordings(key, recordings);
      // The path is the caller's: scrub anything key-shaped before it reaches an error message.
      const path = key.path.replace(KEY_SHAPE, "REDACTED");
      throw new ReplayMissError(
        `replayFetch: no recording matches ${key.method} ${path}` +
          (closest.length > 0 ? `. Closest: ${closest.join("; ")}` : `. No recordings loaded`) +
          `. Matching uses method, path and the JSON body (key order ignored; ignored keys: ${ignore.join(", ") || "none"}).`,
        key.method,
        path,
        closest,
      );
    }
    const index = matches.find((i) => !usedSet.has(i)) ?? matches[matches.length - 1]!;
    usedSet.add(index);
    const rec = recordings[index]!;
    used.push(rec.file);
    if (request.signal.aborted) throw request.signal.reason;
    const r = responseOfRecording(rec.exchange);
    const encoder = new TextEncoder();
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = r.chunks[i++];
        if (chunk === undefined) controller.close();
        else controller.enqueue(encoder.encode(chunk));
      },
    });
    return new Response(r.status === 204 ? null : body, { status: r.status, statusText: r.statusText, headers: r.headers });
  }) as ReplayingFetch;

  Object.defineProperty(replay, "used", { get: () => [...used] });
  replay.unused = () => recordings.filter((_, i) => !usedSet.has(i)).map((r) => r.file);
  return replay;
}

/**
 * List fixture files in a directory (sorted), e.g. to assert what `recordFetch` wrote.
 *
 * @example
 * listRecordings("test/fixtures/mine") // ["test/fixtures/mine/chat-001.json"]
 */
export function listRecordings(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => join(dir, f));
}
