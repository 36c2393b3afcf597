/**
 * Model fallback and the 402 "reduce max_tokens" step: whether the next model can help, and which field
 * carries the token limit.
 */
import type { OpenRouterError } from "../errors.js";
import { availabilityOf, isClientTimeout, isFreeDailyLimit, isRetryable } from "../retry.js";

/** Can the next model help after this one gave up with `error`? */
export function canFallback(error: OpenRouterError): boolean {
  if (error.kind === "aborted" || error.kind === "invalid_argument" || error.kind === "budget_exceeded") return false;
  // A client-side timeout means the call's whole time budget is spent.
  if (isClientTimeout(error)) return false;
  if (error.kind === "circuit_open" || error.kind === "not_found") return true;
  if (availabilityOf(error)) return true;
  // The daily cap binds free variants only; a paid fallback can still answer.
  if (isFreeDailyLimit(error)) return true;
  return isRetryable(error);
}

export function maxTokensField(body: Record<string, unknown>): "max_tokens" | "max_completion_tokens" {
  return body["max_tokens"] === undefined && body["max_completion_tokens"] !== undefined ? "max_completion_tokens" : "max_tokens";
}

