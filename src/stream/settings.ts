/**
 * `ChatStreamInit` checked (options.ts) and filled with what a stream machine runs with, once per stream: the
 * request info of its errors and its clock. Loaded with the stream reader, not with `ChatStream`.
 */
import type { RequestInfo } from "../core/errors.js";
import type { ChatStreamInit } from "./events.js";
import { type StreamLimits, checkStreamInit } from "./options.js";

export interface StreamSettings extends StreamLimits {
  info: RequestInfo;
  now: () => number;
}

type Perf = { performance?: { now?: () => number } };
/** Shared by every stream (no clock closure per stream); reads the global at call time, so fakes apply. */
const performanceNow = (): number => (globalThis as Perf).performance!.now!();
const dateNow = (): number => Date.now();

function defaultClock(): () => number {
  return typeof (globalThis as Perf).performance?.now === "function" ? performanceNow : dateNow;
}

/** Throws `InvalidArgumentError` for a bad init, before anything is sent. */
export function streamSettings(init: ChatStreamInit): StreamSettings {
  const { firstEventTimeoutMs, idleTimeoutMs, maxBufferSize, maxResponseBytes } = checkStreamInit(init);
  // Property by property, not by spreading conditional objects: V8 gives an object built from several spreads a
  // hidden class of its own (~200 bytes per open stream); these share one.
  const info: RequestInfo = {};
  const given = init.info;
  if (given?.method !== undefined) info.method = given.method;
  if (given?.path !== undefined) info.path = given.path;
  if (given?.model !== undefined) info.model = given.model;
  return { info, now: init.now ?? defaultClock(), firstEventTimeoutMs, idleTimeoutMs, maxBufferSize, maxResponseBytes };
}
