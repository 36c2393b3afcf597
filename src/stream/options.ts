/**
 * `ChatStreamInit` checked, once per stream: a bad init throws `InvalidArgumentError` before anything is sent;
 * and a stream's timeouts from the call's, the client's and the default ones (`streamTimeouts`).
 * `ChatStream` runs this at once for the first stream, before the stream reader's code has loaded; the
 * settings a machine runs with (the request info, the clock) are built by settings.ts, loaded with that code.
 */
import { InvalidArgumentError } from "../core/errors.js";
import { DEFAULT_MAX_RESPONSE_BYTES, checkMaxResponseBytes } from "../core/response-limit.js";
import { isObject } from "../internal/json.js";
import { DEFAULT_FIRST_EVENT_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS } from "../core/timeouts.js";
import type { ChatStreamInit } from "./events.js";

const DEFAULT_MAX_BUFFER = 32 * 1024 * 1024;

/**
 * `ChatStreamInit` as the client builds it (not public): with the request's controller, whose signal `open`
 * receives and which the stream aborts when it ends early. The client hands the same controller to the call's
 * deadline, which aborts it at the total timeout: one controller per stream instead of two.
 */
export interface OwnedStreamInit extends ChatStreamInit {
  controller?: AbortController | undefined;
}

/** The limits of a checked init, with their defaults. */
export interface StreamLimits {
  firstEventTimeoutMs: number;
  idleTimeoutMs: number;
  maxBufferSize: number;
  maxResponseBytes: number;
}

/** 0 for "none"; throws for anything that is not a positive number of milliseconds. */
export function checkTimeout(name: string, value: unknown): number {
  if (value === undefined || value === 0 || value === Infinity) return 0;
  if (typeof value !== "number" || !(value > 0)) {
    throw new InvalidArgumentError(`${name} must be a positive number of milliseconds (or 0 / undefined for none), got ${String(value)}`);
  }
  return value;
}

/**
 * Throws `InvalidArgumentError` for a bad init, before anything is sent; its limits otherwise.
 *
 * @example
 * checkStreamInit({ open, idleTimeoutMs: 30_000 }); // { firstEventTimeoutMs: 0, idleTimeoutMs: 30000, … }
 */
export function checkStreamInit(init: ChatStreamInit): StreamLimits {
  if (!isObject(init) || typeof init.open !== "function") {
    throw new InvalidArgumentError("new ChatStream(init): init.open must be a function (signal) => Promise<Response>");
  }
  if (init.now !== undefined && typeof init.now !== "function") throw new InvalidArgumentError("ChatStream: init.now must be a function");
  const firstEventTimeoutMs = checkTimeout("firstEventTimeoutMs", init.firstEventTimeoutMs);
  const idleTimeoutMs = checkTimeout("idleTimeoutMs", init.idleTimeoutMs);
  const maxResponseBytes = checkMaxResponseBytes(init.maxResponseBytes) ?? DEFAULT_MAX_RESPONSE_BYTES;
  // One event cannot usefully be much larger than the whole answer may be (twice it, for the JSON around
  // the text): a small maxResponseBytes also keeps the parser from buffering a huge event first.
  const maxBufferSize = init.maxBufferSize ?? Math.min(DEFAULT_MAX_BUFFER, 2 * maxResponseBytes + 65_536);
  if (!(maxBufferSize > 0)) throw new InvalidArgumentError(`maxBufferSize must be a positive number, got ${String(maxBufferSize)}`);
  return { firstEventTimeoutMs, idleTimeoutMs, maxBufferSize, maxResponseBytes };
}

/** The stream timeouts a call or a client may set; undefined where not set. */
interface StreamTimeouts {
  readonly firstEventTimeoutMs?: number | undefined;
  readonly idleTimeoutMs?: number | undefined;
}

/**
 * A stream's timeouts: the call's, else the client's, else the defaults. An idle timeout chosen without a
 * first-event one keeps its documented meaning (counted from the response headers, it also bounds the wait
 * for the first event), so the first-event default applies only when neither was chosen. `options` are the
 * call's (`CallOptions`), `resolved` the client's (`ResolvedOptions`).
 */
export function streamTimeouts(options: StreamTimeouts, resolved: StreamTimeouts): { firstEventTimeoutMs: number; idleTimeoutMs: number } {
  const first = options.firstEventTimeoutMs ?? resolved.firstEventTimeoutMs;
  const idle = options.idleTimeoutMs ?? resolved.idleTimeoutMs;
  return { firstEventTimeoutMs: first ?? (idle === undefined ? DEFAULT_FIRST_EVENT_TIMEOUT_MS : 0), idleTimeoutMs: idle ?? DEFAULT_IDLE_TIMEOUT_MS };
}
