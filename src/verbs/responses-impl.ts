/**
 * The Responses API verbs behind `client.responses` (loaded on first use): the request checks and the
 * Responses side of the text-API runner (result, folder, chat-shaped view).
 */
import { InvalidArgumentError } from "../core/errors.js";
import type { CallOptions } from "../core/types.js";
import { checkModelId } from "../core/validate.js";
import { quote } from "../internal/quote.js";
import { ResponsesFolder } from "../stream/responses-fold.js";
import { type ResponsesParams, type ResponsesResult, type ResponsesStreamEvent, responsesChatView, responsesResult } from "../stream/responses-result.js";
import type { EventStream } from "../stream/event-stream.js";
import type { VerbContext } from "./context.js";
import { type TextApi, createText, streamText } from "./text-api-run.js";

const RESPONSES: TextApi<ResponsesStreamEvent, ResponsesResult> = {
  path: "/responses",
  shape: "responses",
  what: "ResponsesStream",
  result: responsesResult,
  chatView: responsesChatView,
  folder: () => new ResponsesFolder(),
};

/** A count of tokens: a positive integer, or null/undefined for the default. */
function checkTokens(where: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) throw new InvalidArgumentError(`${where} must be a positive integer; got ${quote(value)}`);
}

/**
 * Checks what OpenRouter would reject with a 400 after a round trip: the shape of `input`, the model id, the
 * stateless endpoint's `store` / `previous_response_id`, token limits. Returns the body to send.
 */
export function responsesBody(params: unknown, verb: string, stream: boolean): Record<string, unknown> {
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    throw new InvalidArgumentError(`${verb}() needs a parameters object with input`);
  }
  const p = params as Record<string, unknown>;
  const input = p["input"];
  if (typeof input === "string") {
    if (input === "") throw new InvalidArgumentError(`${verb}(): params.input is an empty string`);
  } else if (Array.isArray(input) && input.length > 0) {
    input.forEach((item, i) => {
      if (typeof item !== "object" || item === null || Array.isArray(item)) throw new InvalidArgumentError(`${verb}(): params.input[${i}] must be an object (a message or an item with a type)`);
      const o = item as Record<string, unknown>;
      if (typeof o["type"] !== "string" && typeof o["role"] !== "string") throw new InvalidArgumentError(`${verb}(): params.input[${i}] needs a role (a message) or a type (an item)`);
      if (typeof o["role"] === "string" && o["type"] === undefined && typeof o["content"] !== "string" && !Array.isArray(o["content"])) {
        throw new InvalidArgumentError(`${verb}(): params.input[${i}] (${o["role"]}) needs content: a string or an array of parts; got ${quote(o["content"])}`);
      }
    });
  } else {
    throw new InvalidArgumentError(`${verb}() needs params.input: a string or a non-empty array of messages and items; got ${quote(input)}`);
  }
  if (p["model"] !== undefined) checkModelId(`${verb}(): params.model`, p["model"]);
  if (p["models"] !== undefined && (!Array.isArray(p["models"]) || p["models"].some((m) => typeof m !== "string"))) {
    throw new InvalidArgumentError(`${verb}(): params.models must be an array of model ids`);
  }
  if (p["instructions"] !== undefined && p["instructions"] !== null && typeof p["instructions"] !== "string") {
    throw new InvalidArgumentError(`${verb}(): params.instructions must be a string`);
  }
  checkTokens(`${verb}(): params.max_output_tokens`, p["max_output_tokens"]);
  // OpenRouter's Responses endpoint is stateless: it answers both with a 400.
  if (p["store"] === true) throw new InvalidArgumentError(`${verb}(): OpenRouter's Responses API is stateless; store: true is not supported`);
  if (p["previous_response_id"] !== undefined && p["previous_response_id"] !== null) {
    throw new InvalidArgumentError(`${verb}(): OpenRouter's Responses API is stateless; send the earlier turns in input instead of previous_response_id`);
  }
  if (p["stream"] !== undefined && p["stream"] !== stream) {
    throw new InvalidArgumentError(stream ? `${verb}() always streams: leave params.stream out` : `${verb}() does not stream: call responses.stream() for stream: true`);
  }
  return p;
}

/** `client.responses.create`. */
export function create(ctx: VerbContext, params: ResponsesParams, options: CallOptions = {}): Promise<ResponsesResult> {
  return createText(ctx, RESPONSES, responsesBody(params, "responses.create", false), options, "responses.create");
}

/** `client.responses.stream`. */
export function stream(ctx: VerbContext, params: ResponsesParams, options: CallOptions = {}): EventStream<ResponsesStreamEvent, ResponsesResult> {
  return streamText(ctx, RESPONSES, responsesBody(params, "responses.stream", true), options, "responses.stream");
}
