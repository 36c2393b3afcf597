/**
 * `client.messages`: the Anthropic Messages API (`POST /messages`) on OpenRouter. A tiny facade: the code
 * behind each method (messages-impl.ts and the stream it builds) is loaded on first use.
 */
import type { CallOptions } from "../core/types.js";
import { type AbortableStream, lazyStream } from "../stream/lazy-stream.js";
import type { MessagesParams, MessagesResult, MessagesStreamEvent } from "../stream/messages-result.js";
import type { VerbContext } from "./context.js";

/** A streamed Messages call: its typed events (read once), `final()` for the result, `abort()`. */
export type MessagesStream = AbortableStream<MessagesStreamEvent, MessagesResult>;

/** The Messages API (Anthropic's format). */
export interface Messages {
  /**
   * One message (not streamed). Throws a typed `OpenRouterError` on failure; bad input is an
   * `InvalidArgumentError` and nothing is sent.
   *
   * @example
   * const { text, usage, cost } = await client.messages.create({ model: "anthropic/claude-haiku-4.5", max_tokens: 200, messages: [{ role: "user", content: "Hi" }] });
   */
  create(params: MessagesParams, options?: CallOptions): Promise<MessagesResult>;
  /**
   * A streamed message: iterate its typed events, or `await stream.final()` for the result. Bad input
   * rejects the first `next()` / `final()` with an `InvalidArgumentError`, and nothing is sent.
   *
   * @example
   * for await (const e of client.messages.stream(params)) if (e.type === "content_block_delta" && e.delta.type === "text_delta") process.stdout.write(e.delta.text);
   */
  stream(params: MessagesParams, options?: CallOptions): MessagesStream;
}

export function messagesNamespace(ctx: VerbContext): Messages {
  const load = () => import("./responses-messages-impl.js");
  return {
    create: (params, options) => load().then((m) => m.createMessage(ctx, params, options)),
    stream: (params, options) => lazyStream(() => load().then((m) => m.streamMessage(ctx, params, options))),
  };
}
