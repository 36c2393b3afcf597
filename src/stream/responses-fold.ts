/**
 * Folds the events of a `/responses` stream into the `Response` object they describe: the lifecycle snapshots
 * (`response.created`, `response.in_progress`), the output items with their text, reasoning and function-call
 * argument deltas, and the terminal event (`response.completed` / `response.incomplete`, or the failures
 * `response.failed` and `error`). The terminal `Response` is authoritative; the folded items stand in for its
 * output when it came without one, and make the partial result of a stream that failed.
 */
import type { ChatResult, ResultContext } from "../core/result.js";
import type { WireError } from "../core/wire-error.js";
import { type Json, isObject } from "../internal/json.js";
import { END, type EventFolder, PROGRESS, type Verdict } from "./event-types.js";
import { type ResponsesResult, type ResponsesStreamEvent, responsesChatView, responsesResult, responsesResultOf } from "./responses-result.js";

/** The event types of the `ResponsesStreamEvent` union; any other type is delivered as `{ type: "other" }`. */
const KNOWN = new Set([
  "response.created",
  "response.in_progress",
  "response.queued",
  "response.completed",
  "response.incomplete",
  "response.failed",
  "response.output_item.added",
  "response.output_item.done",
  "response.content_part.added",
  "response.content_part.done",
  "response.reasoning_summary_part.added",
  "response.reasoning_summary_part.done",
  "response.output_text.delta",
  "response.reasoning_text.delta",
  "response.reasoning_summary_text.delta",
  "response.function_call_arguments.delta",
  "response.refusal.delta",
  "response.output_text.done",
  "response.reasoning_text.done",
  "response.reasoning_summary_text.done",
  "response.refusal.done",
  "response.function_call_arguments.done",
  "error",
]);

/** Which part a text delta grows: the answer and reasoning text live in `content`, summaries in `summary`. */
const DELTA_PARTS: Record<string, { field: "content" | "summary"; part: string }> = {
  "response.output_text.delta": { field: "content", part: "output_text" },
  "response.reasoning_text.delta": { field: "content", part: "reasoning_text" },
  "response.refusal.delta": { field: "content", part: "refusal" },
  "response.reasoning_summary_text.delta": { field: "summary", part: "summary_text" },
};

const ITEM_TYPES: Record<string, string> = { content: "message", summary: "reasoning" };

/**
 * @example
 * const folder = new ResponsesFolder();
 * folder.fold({ type: "response.output_text.delta", output_index: 0, item_id: "m", content_index: 0, delta: "Hi" });
 */
export class ResponsesFolder implements EventFolder<ResponsesStreamEvent, ResponsesResult> {
  readonly terminal = "response.completed";
  textChars = 0;
  /** The latest lifecycle snapshot (`response.created` / `in_progress`). */
  #response: Json | undefined;
  /** The terminal event's `Response` (`completed`, `incomplete` or `failed`). */
  #final: Json | undefined;
  /** Output items by `output_index`, as folded from the events. */
  readonly #items: Json[] = [];

  get generationId(): string | undefined {
    const id = (this.#final ?? this.#response)?.["id"];
    return typeof id === "string" ? id : undefined;
  }

  event(payload: Json): ResponsesStreamEvent {
    return (KNOWN.has(payload["type"] as string) ? payload : { type: "other", event: payload }) as unknown as ResponsesStreamEvent;
  }

  fold(p: Json): Verdict {
    const type = p["type"];
    switch (type) {
      case "response.created":
      case "response.in_progress":
      case "response.queued":
        if (isObject(p["response"])) this.#response = p["response"];
        return PROGRESS;
      case "response.completed":
      case "response.incomplete":
        this.#final = isObject(p["response"]) ? p["response"] : {};
        return END;
      case "response.failed": {
        const response = (this.#final = isObject(p["response"]) ? p["response"] : {});
        const error = isObject(response["error"]) ? (response["error"] as WireError) : { message: "The response failed (response.failed)" };
        return typeof response["error_type"] === "string" && error.error_type === undefined ? { ...error, error_type: response["error_type"] } : error;
      }
      case "error":
        return { message: typeof p["message"] === "string" ? p["message"] : "The stream reported an error", ...(p["code"] !== undefined && p["code"] !== null && { code: p["code"] as string }), ...(isObject(p["metadata"]) && { metadata: p["metadata"] }) };
      case "response.output_item.added":
      case "response.output_item.done":
        if (isObject(p["item"]) && typeof p["output_index"] === "number") {
          // `added` is the start of an item the deltas grow (a copy, the event stays as sent); `done` is its final form.
          this.#items[p["output_index"]] = type === "response.output_item.added" ? structuredCloneJson(p["item"]) : p["item"];
        }
        return PROGRESS;
      case "response.content_part.added":
      case "response.reasoning_summary_part.added":
        this.#addPart(p, type === "response.content_part.added" ? "content" : "summary");
        return PROGRESS;
      case "response.function_call_arguments.delta":
        if (typeof p["delta"] === "string") {
          const item = this.#item(p, "function_call");
          item["arguments"] = (typeof item["arguments"] === "string" ? item["arguments"] : "") + p["delta"];
          this.textChars += p["delta"].length;
        }
        return PROGRESS;
      default: {
        const where = DELTA_PARTS[type as string];
        if (where !== undefined && typeof p["delta"] === "string") {
          const part = this.#part(p, where.field, where.part);
          part["text"] = (typeof part["text"] === "string" ? part["text"] : "") + p["delta"];
          this.textChars += p["delta"].length;
        }
        // Anything else (done events, annotations, server tool progress) moves the stream on without changing it.
        return PROGRESS;
      }
    }
  }

  result(ctx: ResultContext): ResponsesResult {
    return responsesResult(this.#snapshot(), ctx);
  }

  whole(body: Json, ctx: ResultContext): ResponsesResult {
    return responsesResult(body, ctx);
  }

  partial(ctx: ResultContext): ChatResult | undefined {
    if (this.#response === undefined && this.#final === undefined && this.#items.length === 0) return undefined;
    return responsesChatView(responsesResultOf(this.#snapshot(), ctx));
  }

  /** The terminal `Response` (else the latest snapshot), its output filled from the folded items when it has none. */
  #snapshot(): Json {
    const response = this.#final ?? this.#response ?? {};
    const output = response["output"];
    if (Array.isArray(output) && output.length > 0) return response;
    const items = this.#items.filter((item) => item !== undefined);
    return items.length > 0 || !Array.isArray(output) ? { ...response, output: items } : response;
  }

  #item(p: Json, type: string): Json {
    const index = typeof p["output_index"] === "number" ? p["output_index"] : this.#items.length;
    let item = this.#items[index];
    if (item === undefined) {
      // A delta for an item whose `output_item.added` never came: start it here rather than lose the text.
      item = this.#items[index] = { type, ...(typeof p["item_id"] === "string" && { id: p["item_id"] }) };
    }
    return item;
  }

  #addPart(p: Json, field: "content" | "summary"): void {
    if (!isObject(p["part"])) return;
    const list = this.#list(this.#item(p, ITEM_TYPES[field]!), field);
    list[indexOf(p, field, list.length)] = { ...p["part"] };
  }

  #part(p: Json, field: "content" | "summary", type: string): Json {
    const list = this.#list(this.#item(p, ITEM_TYPES[field]!), field);
    const index = indexOf(p, field, 0);
    return (list[index] ??= { type, text: "" });
  }

  #list(item: Json, field: "content" | "summary"): Json[] {
    if (!Array.isArray(item[field])) item[field] = [];
    return item[field] as Json[];
  }
}

/** The part index an event names (`content_index` or `summary_index`). */
function indexOf(p: Json, field: "content" | "summary", fallback: number): number {
  const index = p[field === "content" ? "content_index" : "summary_index"];
  return typeof index === "number" && index >= 0 ? index : fallback;
}

/** A deep copy of a JSON value (the event object stays untouched while the copy grows). */
function structuredCloneJson(value: Json): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

/** An idle instance kept for the life of the module, so V8 keeps this class's hidden class (see stream/keep-alive.ts). */
export const KEEP = new ResponsesFolder();
