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
 * other chunk is forwarded without being parsed at all, so a long answer costs string splitting, not one
 * `JSON.parse` per token twice over.
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

/**
 * The forwarding state of one stream: `feed` takes upstream bytes and returns the text to send now; `end`
 * returns what is left of a last event without its blank line. `closing` is the stream's last text.
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
  #buffer = "";
  #sawDone = false;
  #sawData = false;
  /** Data events seen (comments excluded): what the stream timeouts count as progress. */
  dataEvents = 0;

  constructor(hooks: ForwardHooks) {
    this.#hooks = hooks;
  }

  feed(bytes: Uint8Array): string {
    this.#buffer += this.#decoder.decode(bytes, { stream: true });
    return this.#drain(false);
  }

  /** The upstream went silent past a timeout and is being cut off: the stream ends with this message. */
  timeout(message: string): void {
    this.outcome.timedOut = message;
  }

  /** The upstream ended (or failed, with `failed`; a timeout is a failure): what is left of the buffer, as a last event. */
  end(failed: boolean): string {
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
    if (!this.#sawData) {
      this.#sawData = true;
      o.ttftMs = this.#hooks.now() - this.#hooks.startedAt;
      parsed = parseObject(data);
      const id = parsed?.["id"];
      o.firstChunkId = typeof id === "string" ? id : undefined;
      this.#hooks.onFirstChunk?.(o.firstChunkId);
    }
    if (parsed === undefined && (data.includes('"usage"') || data.includes('"error"') || (o.provider === undefined && data.includes('"provider"')))) {
      parsed = parseObject(data);
    }
    if (parsed === undefined) return event;
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
    return event;
  }
}
