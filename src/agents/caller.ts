/**
 * What the agents need from a client, as interfaces: the agents never import the client (it sits a layer
 * above them), and an `OpenRouter` satisfies these structurally, so every existing call site still compiles.
 * Types only: importing this file loads no code.
 */
import type { ChatResult } from "../core/result.js";
import type { Call, CallOptions, ChatParams } from "../core/types.js";
import type { ChatStream } from "../stream/chat-stream.js";

// The call option and parameter types are core's: the client's verbs take exactly these.
export type { CallOptions, ChatParams };

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
