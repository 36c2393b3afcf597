/**
 * The budget hold of a Responses or Messages call: the same worst case chat reserves (accounting/guards.ts),
 * priced from the API's own fields with the client's model catalogue. Loaded only when a budget is set, so the
 * estimator stays out of a call without one.
 */
import type { BudgetReservation } from "../accounting/usage.js";
import type { EstimateParams } from "../accounting/cost.js";
import { candidateIds, reserveWorstCase } from "../accounting/guards.js";
import type { CallOptions } from "../core/types.js";
import { type Json, isObject } from "../internal/json.js";
import type { VerbContext } from "./context.js";

/** The text APIs whose bodies this module can price. */
export type TextApiShape = "responses" | "messages";

// The APIs' media parts, named as the chat estimator prices them (a flat count per image or file), so a base64
// payload is not priced as text.
const MEDIA: Record<string, string> = { image: "image_url", input_image: "image_url", document: "file", input_file: "file", input_audio: "input_audio" };

/** Text parts and blocks as chat `text` parts, media as chat media parts; anything else is priced as its JSON. */
function chatParts(content: unknown): unknown {
  if (!Array.isArray(content)) return content;
  return content.map((part) => {
    if (!isObject(part)) return part;
    if (typeof part["text"] === "string") return { type: "text", text: part["text"] };
    const media = typeof part["type"] === "string" ? MEDIA[part["type"]] : undefined;
    return media !== undefined ? { type: media } : part;
  });
}

/** A message with content as a chat message; any other item is priced as its JSON text (tool outputs, calls, …). */
function asMessage(item: unknown): unknown {
  if (isObject(item) && typeof item["role"] === "string" && (typeof item["content"] === "string" || Array.isArray(item["content"]))) {
    return { ...item, content: chatParts(item["content"]) };
  }
  return { role: "user", content: JSON.stringify(item) };
}

/** A Responses or Messages body as the chat-shaped request the estimator reads. */
export function estimateParamsOf(shape: TextApiShape, body: Json): EstimateParams {
  const messages: unknown[] = [];
  let maxTokens: unknown;
  if (shape === "responses") {
    if (typeof body["instructions"] === "string") messages.push({ role: "system", content: body["instructions"] });
    const input = body["input"];
    if (typeof input === "string") messages.push({ role: "user", content: input });
    else if (Array.isArray(input)) for (const item of input) messages.push(asMessage(item));
    maxTokens = body["max_output_tokens"];
  } else {
    const system = body["system"];
    if (system !== undefined && system !== null) messages.push({ role: "system", content: chatParts(system) });
    if (Array.isArray(body["messages"])) for (const m of body["messages"]) messages.push(asMessage(m));
    maxTokens = body["max_tokens"];
  }
  const tools = Array.isArray(body["tools"]) ? body["tools"] : undefined;
  const model = typeof body["model"] === "string" ? body["model"] : undefined;
  return {
    messages,
    ...(tools && { tools }),
    ...(body["reasoning"] !== undefined && { reasoning: body["reasoning"] }),
    ...(typeof maxTokens === "number" && { max_tokens: maxTokens }),
    ...(isObject(body["provider"]) && { provider: body["provider"] as EstimateParams["provider"] }),
    ...(model !== undefined && { model }),
  };
}

/**
 * Reserves the call's worst case on the client's budget (see `reserveWorstCase`): the caller settles the hold
 * with `usage.record` / `recordFailure`, or releases it.
 *
 * @throws BudgetExceededError before anything is sent when the worst case does not fit what is left.
 */
export async function reserveTextCall(ctx: VerbContext, shape: TextApiShape, body: Json, signal: AbortSignal | undefined, fallbackModels: CallOptions["fallbackModels"]): Promise<BudgetReservation | undefined> {
  const ids = candidateIds(body);
  const budgetUsd = ctx.options.preSend.budgetUsd;
  // A spent budget refuses at once, with no catalogue request.
  ctx.usage.assertBudget(ids[0] ?? "(default model)", undefined, budgetUsd);
  return reserveWorstCase({
    ids,
    estimate: estimateParamsOf(shape, body),
    registry: ctx.models,
    usage: ctx.usage,
    budgetUsd,
    signal,
    fallbackModels: fallbackModels ?? ctx.options.fallbackModels,
  });
}
