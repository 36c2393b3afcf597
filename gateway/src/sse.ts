/**
 * Faithful SSE forwarding, in one pass that also does the stream's accounting. The upstream body is split at
 * event boundaries and each event goes out as it arrived (same bytes), with three exceptions that make the
 * stream honest to an OpenAI SDK:
 * - `data: [DONE]` is held back until the caller's `finish` has run (the usage row is written first) and is
 *   only sent when the upstream really completed;
 * - an in-band error chunk (`{"error":{…}}`) is rewritten into OpenAI's error shape;
 * - a stream that breaks, ends early or times out gets an error event instead of `[DONE]`.
 * Keep-alive comments (`: OPENROUTER PROCESSING`) pass through as comments.
 *
 * Accounting reads what the usage row needs while the events go by, parsing JSON only where it is: the first
 * chunk (generation id, provider), a chunk carrying `"usage"` (tokens, `usage.cost`) and error chunks. Every
 * other chunk is forwarded without being parsed, or even decoded: a long answer costs a search for the blank
 * lines between events in the bytes as they came, not one `JSON.parse` per token twice over.
 */
import { errorBody } from "./errors.js";

export interface SseOutcome {
  /** The upstream sent `[DONE]` after no error event. */
  completed: boolean;
  /** An in-band error event came through. */
  inBandError: boolean;
  /** The client went away. */
  cancelled: boolean;
  /** Reading the upstream body failed (reset, timeout). */
  readFailed: boolean;
  /** The upstream went silent past a stream timeout (its message), and was cut off. */
  timedOut: string | undefined;
  ttftMs: number | undefined;
  /** The `id` of the first data chunk (the generation id). */
  firstChunkId: string | undefined;
  /** The last `usage` object the stream carried (OpenRouter sends it in the final chunk). */
  usage: Record<string, unknown> | undefined;
  /** `usage.cost` when it is a plausible charge; undefined when absent or impossible. */
  costUsd: number | undefined;
  provider: string | undefined;
}

export interface ForwardHooks {
  now: () => number;
  startedAt: number;
  /** Called once with the first chunk's id (to record the generation id before the stream ends). */
  onFirstChunk?: ((id: string | undefined) => void) | undefined;
}

/** The most a single call is taken to cost (USD): a larger `usage.cost` is a corrupt body, not a charge. */
const MAX_CALL_COST_USD = 10_000;

/** A reported cost if it is a plausible charge (a number, or a numeric string, between 0 and the cap). */
export function plausibleCost(value: unknown): number | undefined {
  const usd = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
  return usd >= 0 && usd <= MAX_CALL_COST_USD ? usd + 0 : undefined;
}

function isCommentOnly(event: string): boolean {
  for (const line of event.split("\n")) if (line !== "" && !line.startsWith(":")) return false;
  return true;
}

function dataOf(event: string): string {
  let data = "";
  let first = true;
  for (const line of event.split("\n")) {
    if (!line.startsWith("data:")) continue;
    const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
    data = first ? value : `${data}\n${value}`;
    first = false;
  }
  return data;
}

function parseObject(data: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(data) as unknown;
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    // Not JSON: forwarded as it is; the client's parser decides.
    return undefined;
  }
}

/** OpenAI-shaped error event from an upstream error object. */
export function errorEvent(message: string, code: string | number | null, status = 502): string {
  return `data: ${JSON.stringify(errorBody(status, message, code))}\n\n`;
}

/** What `feed` hands back: the bytes to send now (whole events), or text; empty when nothing is to go out yet. */
export type Forwarded = Uint8Array | string;

const LF = 10;
const CR = 13;
const COLON = 58;

/**
 * The forwarding state of one stream: `feed` takes upstream bytes and returns what to send now; `end`
 * returns what is left of a last event without its blank line. `closing` is the stream's last text.
 *
 * The common stream (LF line ends, one-line `data: ` events and `: comment` keep-alives) is handled on the
 * bytes as they came: the events of one read leave as one slice of that read, without being decoded and
 * encoded again. A CR anywhere switches the stream to the text path, which normalises line ends; an event of
 * another shape (several lines, `event:` or `id:` fields) takes the text path on its own.
 */
export class SseForwarder {
  readonly outcome: SseOutcome = {
    completed: false,
    inBandError: false,
    cancelled: false,
    readFailed: false,
    timedOut: undefined,
    ttftMs: undefined,
    firstChunkId: undefined,
    usage: undefined,
    costUsd: undefined,
    provider: undefined,
  };
  readonly #hooks: ForwardHooks;
  readonly #decoder = new TextDecoder();
  /** The text path's unsent text (after a CR was seen). */
  #buffer = "";
  #text = false;
  /** The byte path's unsent bytes: the start of an event whose blank line has not come yet. */
  #pending: Buffer | undefined;
  #sawDone = false;
  #sawData = false;
  /** Data events seen (comments excluded): what the stream timeouts count as progress. */
  dataEvents = 0;

  constructor(hooks: ForwardHooks) {
    this.#hooks = hooks;
  }

  feed(bytes: Uint8Array): Forwarded {
    if (this.#text) {
      this.#buffer += this.#decoder.decode(bytes, { stream: true });
      return this.#drain(false);
    }
    const incoming = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const buf = this.#pending === undefined ? incoming : Buffer.concat([this.#pending, incoming]);
    this.#pending = undefined;
    if (buf.indexOf(CR) !== -1) {
      this.#text = true;
      this.#buffer = this.#decoder.decode(buf, { stream: true });
      return this.#drain(false);
    }
    return this.#feedBytes(buf);
  }

  /** The upstream went silent past a timeout and is being cut off: the stream ends with this message. */
  timeout(message: string): void {
    this.outcome.timedOut = message;
  }

  /** The upstream ended (or failed, with `failed`; a timeout is a failure): what is left of the buffer, as a last event. */
  end(failed: boolean): string {
    if (this.#pending !== undefined) {
      this.#buffer += this.#decoder.decode(this.#pending, { stream: true });
      this.#pending = undefined;
    }
    if (failed || this.outcome.timedOut !== undefined) this.outcome.readFailed = true;
    else this.#buffer += this.#decoder.decode();
    const out = this.#drain(true);
    const o = this.outcome;
    o.completed = this.#sawDone && !o.inBandError && !o.readFailed;
    return out;
  }

  /** The text after `finish`'s tail: `[DONE]` for a completed stream, an error event for a broken one. */
  closing(): string {
    if (this.outcome.completed) return "data: [DONE]\n\n";
    if (this.outcome.inBandError) return "";
    if (this.outcome.timedOut !== undefined) return errorEvent(this.outcome.timedOut, "upstream_timeout", 504);
    return errorEvent("The upstream stream ended before the answer was complete.", "upstream_stream_incomplete");
  }

  /** The byte path: whole events go out as slices of `buf`; only `[DONE]`, error events and odd shapes are replaced. */
  #feedBytes(buf: Buffer): Forwarded {
    // The read as one-byte characters (a copy, not a decode): string searches run in the engine, with no
    // call into C++ per search, and an offset in `text` is the same offset in `buf`.
    const text = buf.toString("latin1");
    const length = text.length;
    // Replacements, when any: the untouched byte ranges between them and their texts, in order.
    let parts: Array<Buffer | string> | undefined;
    let copied = 0;
    let start = 0;
    // Where the next `"usage"` / `"error"` / `"provider"` is at or after `start` (-2: not searched yet,
    // -1: none left): one search of the read per key, not one per event.
    let usageAt = -2;
    let errorAt = -2;
    let providerAt = -2;
    for (;;) {
      const lf = text.indexOf("\n", start);
      if (lf === -1 || lf >= length - 1) break;
      // A one-line event ends at its first line end; any other runs to the next blank line.
      const oneLine = text.charCodeAt(lf + 1) === LF;
      const idx = oneLine ? lf : text.indexOf("\n\n", lf);
      if (idx === -1) break;
      const end = idx + 2;
      let replacement: string | undefined;
      if (oneLine && text.charCodeAt(start) === COLON) {
        // A keep-alive comment: forwarded as it is.
      } else if (oneLine && text.startsWith("data: ", start)) {
        this.dataEvents++;
        const from = start + 6;
        let parsed: Record<string, unknown> | undefined;
        if (idx - from === 6 && text.startsWith("[DONE]", from)) {
          this.#sawDone = true;
          replacement = "";
        } else if (!this.#sawData) {
          parsed = this.#first(buf.toString("utf8", from, idx));
        } else {
          if (usageAt !== -1 && usageAt < start) usageAt = text.indexOf('"usage"', start);
          if (errorAt !== -1 && errorAt < start) errorAt = text.indexOf('"error"', start);
          let interesting = (usageAt !== -1 && usageAt < idx) || (errorAt !== -1 && errorAt < idx);
          if (!interesting && this.outcome.provider === undefined) {
            if (providerAt !== -1 && providerAt < start) providerAt = text.indexOf('"provider"', start);
            interesting = providerAt !== -1 && providerAt < idx;
          }
          if (interesting) parsed = parseObject(buf.toString("utf8", from, idx));
        }
        if (parsed !== undefined) replacement = this.#account(parsed);
      } else {
        const event = buf.toString("utf8", start, end);
        const handled = this.#handle(event);
        if (handled !== event) replacement = handled;
      }
      if (replacement !== undefined) {
        parts ??= [];
        if (start > copied) parts.push(buf.subarray(copied, start));
        if (replacement !== "") parts.push(replacement);
        copied = end;
      }
      start = end;
    }
    // An event still waiting for its blank line is kept (copied: the read's buffer is not ours to hold).
    if (start < length) this.#pending = Buffer.from(buf.subarray(start));
    if (parts === undefined) return start === 0 ? "" : buf.subarray(0, start);
    if (start > copied) parts.push(buf.subarray(copied, start));
    if (parts.length === 0) return "";
    return parts.length === 1 && typeof parts[0] === "string" ? parts[0] : Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : p)));
  }

  #drain(final: boolean): string {
    if (this.#buffer.includes("\r")) this.#buffer = this.#buffer.replace(/\r\n?/g, "\n");
    let out = "";
    let start = 0;
    let idx: number;
    // One slice per event and one for the rest: no re-copying of the whole buffer per event.
    while ((idx = this.#buffer.indexOf("\n\n", start)) !== -1) {
      out += this.#handle(this.#buffer.slice(start, idx + 2));
      start = idx + 2;
    }
    this.#buffer = start === 0 ? this.#buffer : this.#buffer.slice(start);
    if (final && this.#buffer.trim() !== "") {
      out += this.#handle(`${this.#buffer}\n\n`);
      this.#buffer = "";
    }
    return out;
  }

  /** The text path's handling of one event (any shape); returns the text to send for it. */
  #handle(event: string): string {
    if (isCommentOnly(event)) return event;
    this.dataEvents++;
    const data = dataOf(event);
    if (data === "[DONE]") {
      this.#sawDone = true;
      return "";
    }
    const o = this.outcome;
    let parsed: Record<string, unknown> | undefined;
    if (!this.#sawData) parsed = this.#first(data);
    if (parsed === undefined && (data.includes('"usage"') || data.includes('"error"') || (o.provider === undefined && data.includes('"provider"')))) {
      parsed = parseObject(data);
    }
    if (parsed === undefined) return event;
    return this.#account(parsed) ?? event;
  }

  /** The first data event: time to first token, and the generation id (told to the hook at once). */
  #first(data: string): Record<string, unknown> | undefined {
    const o = this.outcome;
    this.#sawData = true;
    o.ttftMs = this.#hooks.now() - this.#hooks.startedAt;
    const parsed = parseObject(data);
    const id = parsed?.["id"];
    o.firstChunkId = typeof id === "string" ? id : undefined;
    this.#hooks.onFirstChunk?.(o.firstChunkId);
    return parsed;
  }

  /** What a parsed chunk tells the row (provider, usage, cost); an error chunk's OpenAI-shaped replacement. */
  #account(parsed: Record<string, unknown>): string | undefined {
    const o = this.outcome;
    const provider = parsed["provider"];
    if (typeof provider === "string" && provider !== "") o.provider = provider;
    const usage = parsed["usage"];
    if (typeof usage === "object" && usage !== null && !Array.isArray(usage)) {
      o.usage = usage as Record<string, unknown>;
      o.costUsd = plausibleCost(o.usage["cost"]);
    }
    const error = parsed["error"] as { message?: unknown; code?: unknown } | null | undefined;
    if (typeof error === "object" && error !== null) {
      o.inBandError = true;
      const message = typeof error.message === "string" ? error.message : "The upstream reported an error mid-stream.";
      const code = typeof error.code === "string" || typeof error.code === "number" ? error.code : "upstream_error";
      const status = typeof error.code === "number" && error.code >= 400 && error.code < 600 ? error.code : 502;
      return errorEvent(message, code, status);
    }
    return undefined;
  }
}
