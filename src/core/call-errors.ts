/**
 * The errors a running call raises: what an HTTP status or an in-band error means (wire-error.ts maps them),
 * the call's own timeouts and aborts, an open circuit, an unreadable body. Apart from errors.ts (the base class
 * and the errors raised before anything is sent: bad input, no key, budget, unknown model, a module that failed
 * to load) because only the code a client's first request loads throws these: `import { OpenRouter }` does not
 * load them, and the package entry exports them through core/public.ts (accounting/public.ts says why).
 * A catch block that names one imports it, so `instanceof` works as before.
 */
import { type OpenRouterErrorInit, defineKind } from "./errors.js";
import type { RateLimitInfo } from "./rate-limit-headers.js";

/** 403: a guardrail, a management-key requirement or a region restriction. */
export class PermissionDeniedError extends defineKind("PermissionDeniedError", "permission_denied") {}

/** 400: the prompt (plus max_tokens) does not fit the model's context window. */
export class ContextLengthError extends defineKind("ContextLengthError", "context_length") {}
/** 400/413/422 and client-side validation of a request that would be rejected. */
export class BadRequestError extends defineKind("BadRequestError", "invalid_request") {}
/** 429, from OpenRouter's own limits or the upstream provider's. */
export class RateLimitError extends defineKind("RateLimitError", "rate_limit") {
  /** OpenRouter's `X-RateLimit-*` headers of this 429, when it sent them. */
  rateLimit: RateLimitInfo | undefined;

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), rateLimit: this.rateLimit };
  }
}
/** 408/504/524 and the client's own timeouts (total, first event, idle). */
export class TimeoutError extends defineKind("TimeoutError", "timeout") {}
/** 502/503/529: the provider is down, overloaded or sent an invalid response. */
export class ProviderUnavailableError extends defineKind("ProviderUnavailableError", "provider_unavailable") {}
/** 500 and other unexpected statuses. */
export class ServerError extends defineKind("ServerError", "server") {}

/** The caller aborted (their `AbortSignal` or `stream.abort()`). */
export class AbortError extends defineKind("AbortError", "aborted") {}
/** The response could not be read as what the spec promises (not JSON, `choices: null`, …). */
export class InvalidResponseError extends defineKind("InvalidResponseError", "invalid_response") {}
/** An error delivered in-band inside a 200 (a stream chunk or a completion with `finish_reason: "error"`). */
export class StreamError extends defineKind("StreamError", "stream") {}
/** The per-model circuit breaker is open; `retryAfterMs` says when it half-opens. */
export class CircuitOpenError extends defineKind("CircuitOpenError", "circuit_open") {}

/**
 * Read the affordable token count out of OpenRouter's 402 message
 * ("This request requires more credits, or fewer max_tokens. You requested up to 4096 tokens,
 * but can only afford 512. …"). `undefined` for any other message.
 *
 * @example
 * ```ts
 * parseAffordableTokens("…You requested up to 4096 tokens, but can only afford 512. To increase…"); // 512
 * parseAffordableTokens("Insufficient credits."); // undefined
 * ```
 */
export function parseAffordableTokens(message: string | null | undefined): number | undefined {
  if (typeof message !== "string") return undefined;
  const match = /can only afford\s+(\d[\d,]*)/i.exec(message);
  if (!match?.[1]) return undefined;
  const n = Number(match[1].replace(/,/g, ""));
  return Number.isSafeInteger(n) ? n : undefined;
}

/** 402: out of credits. `affordableTokens` is set when OpenRouter said "can only afford N". */
export class InsufficientCreditsError extends defineKind("InsufficientCreditsError", "insufficient_credits") {
  affordableTokens: number | undefined;
  constructor(message: string, init: OpenRouterErrorInit & { affordableTokens?: number } = {}) {
    super(message, init);
    this.affordableTokens = init.affordableTokens ?? parseAffordableTokens(message);
  }
}

/** 403 from moderation: `reasons` and the flagged excerpt come from `error.metadata`. */
export class ModerationError extends defineKind("ModerationError", "moderation") {
  get reasons(): string[] {
    const reasons = this.metadata?.["reasons"];
    return Array.isArray(reasons) ? reasons.filter((r): r is string => typeof r === "string") : [];
  }
  get flaggedInput(): string | undefined {
    const flagged = this.metadata?.["flagged_input"];
    return typeof flagged === "string" ? flagged : undefined;
  }
}

/** Error types and message wording that mean "the prompt does not fit the context window". */
export const CONTEXT_TYPES: ReadonlySet<string> = new Set(["context_length_exceeded", "max_tokens_exceeded", "token_limit_exceeded"]);
export const CONTEXT_PATTERN = /context length|context window|maximum context|too many tokens|prompt is too long|token limit/i;
