/**
 * What the agents need from a client, as interfaces: the agents never import the client (it sits a layer
 * above them), and an `OpenRouter` satisfies these structurally, so every existing call site still compiles.
 * Types only: importing this file loads no code.
 */
import type { ChatResult, ChatRequest } from "../core/result.js";
import type { Call } from "../core/types.js";
import type { RetryOptions } from "../core/retry.js";
import type { ChatStream } from "../stream/chat-stream.js";

/** Chat parameters: the spec's request body, without `stream` (use `chatStream` for that). */
export type ChatParams = Omit<ChatRequest, "stream">;

/** Options for one call; the same shape as the client's `CallOptions`. */
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
  onInsufficientCredits?: "throw" | "reduce-max-tokens" | undefined;
}

/** The chat verbs structured outputs, the tool loop and conversations call: an `OpenRouter`, or a stand-in. */
export interface ChatCaller {
  chat(params: ChatParams, options?: CallOptions): Promise<ChatResult>;
  chatStream(params: ChatParams, options?: CallOptions): ChatStream;
}

/**
 * Runs one JSON request through the client's request path and hands back the parsed 2xx body with its
 * headers; HTTP failures come back as the typed error, thrown. `embed` takes one of these.
 */
export type JsonCaller = <T>(call: Call) => Promise<{ value: T; headers: Headers }>;
