/**
 * Types shared by every layer of the request path. Types only (and the one path constant every chat verb
 * uses): importing this file loads no other module.
 */
import type { components } from "../generated/openrouter.js";
import type { RetryOptions } from "./retry.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** One request as a verb describes it, built once per call; the pipeline runs it (per model on fallback). */
export interface Call {
  verb: string;
  method: HttpMethod;
  path: string;
  body?: Record<string, unknown>;
  /** `body` as JSON text, when the caller already has it (client.api): never stringified again. */
  serialized?: string;
  /**
   * A body that is not JSON (multipart uploads, audio): its content type, and a factory called once per
   * attempt, so a retry sends the whole body again (a stream cannot be replayed). Replaces `body`.
   */
  upload?: Upload;
  model?: string;
  stream: boolean;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /**
   * `signal`'s own controller, when the caller lets the call abort it (a stream hands over the controller of its
   * request): the deadline then aborts it at the timeout rather than make a second controller that follows `signal`.
   */
  signalController?: AbortController;
  timeoutMs?: number;
  retry?: RetryOptions | false;
  fallbackModels?: readonly string[];
  onInsufficientCredits?: InsufficientCreditsPolicy;
}

/** A non-JSON request body; see `Call.upload`. */
export interface Upload {
  contentType: string;
  /** Made fresh for each attempt. */
  body: () => Uint8Array | ReadableStream<Uint8Array>;
  /** Its size in bytes when known up front (sent as content-length). */
  length?: number;
}

/** Where the request was going, so a message can say which call failed. */
export interface RequestInfo {
  method?: string;
  path?: string;
  model?: string;
}

/** What to do with a 402 "… can only afford N": throw, or retry once with `max_tokens: N`. */
export type InsufficientCreditsPolicy = "throw" | "reduce-max-tokens";

/** Options for one call. */
export interface CallOptions {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  headers?: Record<string, string> | undefined;
  firstEventTimeoutMs?: number | undefined;
  idleTimeoutMs?: number | undefined;
  /** Replaces the client's `maxResponseBytes` for this call. */
  maxResponseBytes?: number | undefined;
  retry?: RetryOptions | false | undefined;
  /** Replaces the client's `fallbackModels` for this call; `false` for none. */
  fallbackModels?: readonly string[] | false | undefined;
  onInsufficientCredits?: InsufficientCreditsPolicy | undefined;
}

/** Chat parameters: the spec's request body, without `stream` (use `chatStream` for that). */
export type ChatParams = Omit<components["schemas"]["ChatRequest"], "stream">;

/** The chat completions endpoint, relative to the base URL. */
export const CHAT_PATH = "/chat/completions";
