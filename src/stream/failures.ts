/**
 * The errors a chat stream ends with, one builder each, so the machine reads as a state machine. Every one
 * takes the request's info and (after the first data event) what arrived, as `partial`.
 */
import {
  ConnectionError,
  OpenRouterError,
  describe,
  isOpenRouterError,
  type RequestInfo,
} from "../core/errors.js";
import {
  AbortError,
  InvalidResponseError,
  TimeoutError,
} from "../core/call-errors.js";
import { errorFromWire, type WireError } from "../core/wire-error.js";
import type { ChatResult } from "../core/result.js";
import { stripCause } from "../core/transport.js";
import { isObject } from "../internal/json.js";
import { excerpt } from "./non-sse.js";
import type { StreamOutcome } from "./events.js";
import type { StreamTimers } from "./timers.js";

/** What every stream error carries besides its message. */
export type ErrorInit = { method?: string; path?: string; model?: string; generationId?: string; partial?: ChatResult };

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function closedEarly(info: RequestInfo, init: ErrorInit): AbortError {
  return new AbortError(
    `The stream was closed early: the loop reading it ended (break, return or throw) before the answer was complete; what arrived is on error.partial${describe(info)}`,
    init,
  );
}

export function aborted(info: RequestInfo, init: ErrorInit, reason: unknown): AbortError {
  return new AbortError(`The stream was aborted${describe(info)}`, { ...init, ...(reason !== undefined && { cause: reason }) });
}

/** `open` rejected: a typed error passes through as is; anything else is a connection failure. */
export function openFailure(e: unknown, info: RequestInfo): OpenRouterError {
  if (isOpenRouterError(e)) return e;
  return new ConnectionError(`The request failed before the stream started: ${messageOf(e)}${describe(info)}`, { ...info, cause: stripCause(e) });
}

export function internalFailure(e: unknown, info: RequestInfo, init: ErrorInit): InvalidResponseError {
  return new InvalidResponseError(`The stream could not be processed: ${messageOf(e)}${describe(info)}`, { ...init, cause: e });
}

/** A body read rejected mid-stream: a platform timeout, or the connection dropped. */
export function readFailure(e: unknown, info: RequestInfo, init: ErrorInit): { outcome: StreamOutcome; error: OpenRouterError } {
  // stripCause: the platform's error can hold socket and request details; keep name, message and code.
  const cause = stripCause(e);
  const name = isObject(e) || e instanceof Error ? (e as { name?: unknown }).name : undefined;
  if (name === "TimeoutError") {
    return { outcome: "timeout", error: new TimeoutError(`The stream timed out mid-body${describe(info)}`, { ...init, cause }) };
  }
  return {
    outcome: "truncated",
    error: new ConnectionError(`The connection dropped mid-stream (truncated): ${messageOf(e)}${describe(info)}`, { ...init, cause }),
  };
}

export function endedEarly(why: string, info: RequestInfo, init: ErrorInit): ConnectionError {
  return new ConnectionError(`The stream ended ${why} (truncated)${describe(info)}`, init);
}

export function overflow(maxBufferSize: number, message: string, info: RequestInfo, init: ErrorInit): InvalidResponseError {
  return new InvalidResponseError(`The stream sent an event larger than maxBufferSize (${maxBufferSize} characters): ${message}${describe(info)}`, init);
}

/** A `data:` payload that is not JSON (`notJson`) or not an object. */
export function badEvent(data: string, notJson: boolean, info: RequestInfo, init: ErrorInit): InvalidResponseError {
  return new InvalidResponseError(`A stream event is ${notJson ? "not JSON" : "not a chunk object"}: ${excerpt(data)}${describe(info)}`, init);
}

export function assemblyFailure(e: unknown, info: RequestInfo): OpenRouterError {
  if (isOpenRouterError(e)) return e;
  return new InvalidResponseError(`The streamed completion could not be assembled: ${String(e)}${describe(info)}`, { ...info, cause: e });
}

/** A JSON body that is not a completion. */
export function notAChunk(problem: string, info: RequestInfo, init: ErrorInit): InvalidResponseError {
  return new InvalidResponseError(`${problem}${describe(info)}`, init);
}

export function timedOut(kind: "first" | "idle", timers: StreamTimers, info: RequestInfo, init: ErrorInit): TimeoutError {
  const what =
    kind === "first"
      ? `No data event within firstEventTimeoutMs (${timers.firstEventTimeoutMs} ms)`
      : `No data event for idleTimeoutMs (${timers.idleTimeoutMs} ms)`;
  return new TimeoutError(`${what}${timers.note()}${describe(info)}`, init);
}

/** An error chunk (top-level `error`, a choice's `error`, or `finish_reason: "error"`): the typed error it stands for. */
export function inBand(wire: WireError, info: RequestInfo, headers: Headers | undefined, init: ErrorInit): OpenRouterError {
  return errorFromWire(wire, {
    ...info,
    inBand: true,
    ...(headers && { headers }),
    ...(init.generationId !== undefined && { generationId: init.generationId }),
    ...(init.partial !== undefined && { partial: init.partial }),
  });
}
