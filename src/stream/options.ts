/** `ChatStreamInit` checked and filled with defaults, once per stream. */
import { InvalidArgumentError, type RequestInfo } from "../core/errors.js";
import { DEFAULT_MAX_RESPONSE_BYTES, checkMaxResponseBytes } from "../core/body.js";
import { isObject } from "../internal/json.js";
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

export interface StreamSettings {
  info: RequestInfo;
  now: () => number;
  firstEventTimeoutMs: number;
  idleTimeoutMs: number;
  maxBufferSize: number;
  maxResponseBytes: number;
}

type Perf = { performance?: { now?: () => number } };
/** Shared by every stream (no clock closure per stream); reads the global at call time, so fakes apply. */
const performanceNow = (): number => (globalThis as Perf).performance!.now!();
const dateNow = (): number => Date.now();

function defaultClock(): () => number {
  return typeof (globalThis as Perf).performance?.now === "function" ? performanceNow : dateNow;
}

/** 0 for "none"; throws for anything that is not a positive number of milliseconds. */
export function checkTimeout(name: string, value: unknown): number {
  if (value === undefined || value === 0 || value === Infinity) return 0;
  if (typeof value !== "number" || !(value > 0)) {
    throw new InvalidArgumentError(`${name} must be a positive number of milliseconds (or 0 / undefined for none), got ${String(value)}`);
  }
  return value;
}

/** Throws `InvalidArgumentError` for a bad init, before anything is sent. */
export function streamSettings(init: ChatStreamInit): StreamSettings {
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
  // Property by property, not by spreading conditional objects: V8 gives an object built from several spreads a
  // hidden class of its own (~200 bytes per open stream); these share one.
  const info: RequestInfo = {};
  const given = init.info;
  if (given?.method !== undefined) info.method = given.method;
  if (given?.path !== undefined) info.path = given.path;
  if (given?.model !== undefined) info.model = given.model;
  return { info, now: init.now ?? defaultClock(), firstEventTimeoutMs, idleTimeoutMs, maxBufferSize, maxResponseBytes };
}

