/**
 * Folds the events of a `/messages` stream into the `Message` they describe: `message_start` gives the message,
 * each content block starts, grows by its deltas (text, thinking and its signature, tool input as JSON
 * fragments, citations) and stops; `message_delta` brings the stop reason and the final usage with the cost;
 * `message_stop` ends it. `ping` is a keep-alive; an `error` event is the in-band failure.
 */
import type { ChatResult, ResultContext } from "../core/result.js";
import type { WireError } from "../core/wire-error.js";
import { type Json, isObject } from "../internal/json.js";
import { END, type EventFolder, KEEP_ALIVE, PROGRESS, type Verdict } from "./event-types.js";
import { type ContentBlock, type MessagesResult, type MessagesStreamEvent, messagesChatView, messagesResult, messagesResultOf } from "./messages-result.js";

const KNOWN = new Set(["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop", "ping", "error"]);

/**
 * @example
 * const folder = new MessagesFolder();
 * folder.fold({ type: "message_start", message: { id: "msg_1", content: [] } });
 */
export class MessagesFolder implements EventFolder<MessagesStreamEvent, MessagesResult> {
  readonly terminal = "message_stop";
  textChars = 0;
  #message: Json | undefined;
  readonly #blocks: ContentBlock[] = [];
  /** The `input_json_delta` fragments of each tool_use block, parsed when the block stops. */
  readonly #json = new Map<number, string>();
  #stopReason: unknown;
  #stopSequence: unknown;
  #usage: Json | undefined;

  get generationId(): string | undefined {
    const id = this.#message?.["id"];
    return typeof id === "string" ? id : undefined;
  }

  event(payload: Json): MessagesStreamEvent {
    return (KNOWN.has(payload["type"] as string) ? payload : { type: "other", event: payload }) as unknown as MessagesStreamEvent;
  }

  fold(p: Json): Verdict {
    switch (p["type"]) {
      case "ping":
        return KEEP_ALIVE;
      case "message_start": {
        const message = isObject(p["message"]) ? p["message"] : {};
        this.#message = message;
        if (isObject(message["usage"])) this.#usage = { ...message["usage"] };
        // Anthropic's message_start may carry content already; the blocks events follow after it.
        if (Array.isArray(message["content"])) for (const block of message["content"]) if (isObject(block)) this.#blocks.push({ ...(block as ContentBlock) });
        return PROGRESS;
      }
      case "content_block_start":
        if (isObject(p["content_block"])) this.#blocks[indexOf(p, this.#blocks.length)] = { ...(p["content_block"] as ContentBlock) };
        return PROGRESS;
      case "content_block_delta":
        this.#delta(indexOf(p, this.#blocks.length - 1), isObject(p["delta"]) ? p["delta"] : {});
        return PROGRESS;
      case "content_block_stop":
        this.#finishJson(indexOf(p, -1));
        return PROGRESS;
      case "message_delta": {
        const delta = isObject(p["delta"]) ? p["delta"] : {};
        if ("stop_reason" in delta) this.#stopReason = delta["stop_reason"];
        if ("stop_sequence" in delta) this.#stopSequence = delta["stop_sequence"];
        if (isObject(p["usage"])) this.#usage = { ...this.#usage, ...p["usage"] };
        return PROGRESS;
      }
      case "message_stop":
        return END;
      case "error": {
        const error = isObject(p["error"]) ? p["error"] : {};
        return { ...(error as WireError), message: typeof error["message"] === "string" ? error["message"] : "The stream reported an error" };
      }
      default:
        return PROGRESS;
    }
  }

  result(ctx: ResultContext): MessagesResult {
    return messagesResult(this.#snapshot(), ctx);
  }

  whole(body: Json, ctx: ResultContext): MessagesResult {
    return messagesResult(body, ctx);
  }

  partial(ctx: ResultContext): ChatResult | undefined {
    if (this.#message === undefined && this.#blocks.length === 0) return undefined;
    return messagesChatView(messagesResultOf(this.#snapshot(), ctx));
  }

  #snapshot(): Json {
    for (const index of this.#json.keys()) this.#finishJson(index);
    const message: Json = { ...this.#message, content: this.#blocks.filter((block) => block !== undefined) };
    if (this.#stopReason !== undefined) message["stop_reason"] = this.#stopReason;
    if (this.#stopSequence !== undefined) message["stop_sequence"] = this.#stopSequence;
    if (this.#usage !== undefined) message["usage"] = this.#usage;
    return message;
  }

  #delta(index: number, delta: Json): void {
    const block = (this.#blocks[index] ??= { type: deltaBlockType(delta["type"]) });
    const grow = (field: string, piece: unknown) => {
      if (typeof piece !== "string") return;
      block[field] = (typeof block[field] === "string" ? block[field] : "") + piece;
      this.textChars += piece.length;
    };
    switch (delta["type"]) {
      case "text_delta":
        grow("text", delta["text"]);
        break;
      case "thinking_delta":
        grow("thinking", delta["thinking"]);
        break;
      case "signature_delta":
        if (typeof delta["signature"] === "string") block.signature = (block.signature ?? "") + delta["signature"];
        break;
      case "input_json_delta":
        if (typeof delta["partial_json"] === "string") {
          this.#json.set(index, (this.#json.get(index) ?? "") + delta["partial_json"]);
          this.textChars += delta["partial_json"].length;
        }
        break;
      case "citations_delta":
        if (delta["citation"] !== undefined) block["citations"] = [...(Array.isArray(block["citations"]) ? block["citations"] : []), delta["citation"]];
        break;
      default:
        break;
    }
  }

  /** A tool_use block's JSON fragments as its `input`; kept as the raw text when they do not parse. */
  #finishJson(index: number): void {
    const text = this.#json.get(index);
    const block = this.#blocks[index];
    if (text === undefined || block === undefined) return;
    this.#json.delete(index);
    try {
      block.input = text.trim() === "" ? {} : JSON.parse(text);
    } catch {
      block.input = text;
    }
  }
}

function indexOf(p: Json, fallback: number): number {
  const index = p["index"];
  return typeof index === "number" && index >= 0 ? index : Math.max(0, fallback);
}

function deltaBlockType(type: unknown): string {
  return type === "thinking_delta" || type === "signature_delta" ? "thinking" : type === "input_json_delta" ? "tool_use" : "text";
}

/** An idle instance kept for the life of the module, so V8 keeps this class's hidden class (see stream/keep-alive.ts). */
export const KEEP = new MessagesFolder();
