/**
 * The Messages API verbs behind `client.messages` (loaded on first use): the request checks and the Messages
 * side of the text-API runner (result, folder, chat-shaped view).
 */
import { InvalidArgumentError } from "../core/errors.js";
import type { CallOptions } from "../core/types.js";
import { checkModelId } from "../core/validate.js";
import { quote } from "../internal/quote.js";
import { MessagesFolder } from "../stream/messages-fold.js";
import { type MessagesParams, type MessagesResult, type MessagesStreamEvent, messagesChatView, messagesResult } from "../stream/messages-result.js";
import type { EventStream } from "../stream/event-stream.js";
import type { VerbContext } from "./context.js";
import { type TextApi, createText, streamText } from "./text-api-run.js";

const MESSAGES: TextApi<MessagesStreamEvent, MessagesResult> = {
  path: "/messages",
  shape: "messages",
  what: "MessagesStream",
  result: messagesResult,
  chatView: messagesChatView,
  folder: () => new MessagesFolder(),
};

/**
 * Checks what OpenRouter would reject with a 400 after a round trip: the model, the messages (user and
 * assistant turns with content; the system prompt goes in `system`), `max_tokens`. Returns the body to send.
 */
export function messagesBody(params: unknown, verb: string, stream: boolean): Record<string, unknown> {
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    throw new InvalidArgumentError(`${verb}() needs a parameters object with model and messages`);
  }
  const p = params as Record<string, unknown>;
  checkModelId(`${verb}(): params.model`, p["model"]);
  const messages = p["messages"];
  if (!Array.isArray(messages) || messages.length === 0) throw new InvalidArgumentError(`${verb}() needs at least one message in params.messages`);
  messages.forEach((m: unknown, i) => {
    const o = (typeof m === "object" && m !== null ? m : {}) as Record<string, unknown>;
    if (o["role"] !== "user" && o["role"] !== "assistant") {
      const hint = o["role"] === "system" ? "; put the system prompt in params.system" : "";
      throw new InvalidArgumentError(`${verb}(): params.messages[${i}].role is ${quote(o["role"])}; expected "user" or "assistant"${hint}`);
    }
    if (typeof o["content"] !== "string" && !Array.isArray(o["content"])) {
      throw new InvalidArgumentError(`${verb}(): params.messages[${i}] (${o["role"]}) needs content: a string or an array of blocks; got ${quote(o["content"])}`);
    }
  });
  const max = p["max_tokens"];
  if (max !== undefined && (typeof max !== "number" || !Number.isInteger(max) || max < 1)) {
    throw new InvalidArgumentError(`${verb}(): params.max_tokens must be a positive integer; got ${quote(max)}`);
  }
  const system = p["system"];
  if (system !== undefined && typeof system !== "string" && !Array.isArray(system)) {
    throw new InvalidArgumentError(`${verb}(): params.system must be a string or an array of text blocks`);
  }
  if (p["stream"] !== undefined && p["stream"] !== stream) {
    throw new InvalidArgumentError(stream ? `${verb}() always streams: leave params.stream out` : `${verb}() does not stream: call messages.stream() for stream: true`);
  }
  return p;
}

/** `client.messages.create`. */
export function create(ctx: VerbContext, params: MessagesParams, options: CallOptions = {}): Promise<MessagesResult> {
  return createText(ctx, MESSAGES, messagesBody(params, "messages.create", false), options, "messages.create");
}

/** `client.messages.stream`. */
export function stream(ctx: VerbContext, params: MessagesParams, options: CallOptions = {}): EventStream<MessagesStreamEvent, MessagesResult> {
  return streamText(ctx, MESSAGES, messagesBody(params, "messages.stream", true), options, "messages.stream");
}
