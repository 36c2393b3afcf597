/**
 * The error tree. Every failure of a verb (`chat`, `chatStream`, `structured`, …) is an `OpenRouterError`
 * or a subclass; `client.api` keeps openapi-fetch's `{ data } | { error }` union and never throws on HTTP
 * errors. Messages name the method, path and model, never a header or the API key.
 */
import type { RequestInfo } from "./types.js";
// Type only. ChatResult -> FallbackRecord -> OpenRouterError -> ChatResult is a type triangle: moving ChatResult
// into types.ts needs a structural error type there first.
import type { ChatResult } from "./result.js";
import { isClientTimeout, isRetryable } from "./retry.js";
import { holdsSecret, redact, redactValue } from "../internal/redact.js";
import { bounded } from "../internal/quote.js";

export { isClientTimeout };
export type { RequestInfo };

/** What went wrong, as a string-literal union so callers can `switch` without `instanceof`. */
export type ErrorKind =
  | "authentication"
  | "insufficient_credits"
  | "permission_denied"
  | "moderation"
  | "not_found"
  | "context_length"
  | "invalid_request"
  | "rate_limit"
  | "timeout"
  | "provider_unavailable"
  | "server"
  | "network"
  | "aborted"
  | "invalid_response"
  | "stream"
  | "circuit_open"
  | "budget_exceeded"
  | "structured_output"
  | "invalid_argument"
  | "max_steps"
  | "tool"
  | "job_failed";

export interface OpenRouterErrorInit extends RequestInfo {
  status?: number;
  code?: number | string;
  errorType?: string;
  providerName?: string;
  retryable?: boolean;
  retryAfterMs?: number;
  metadata?: Record<string, unknown>;
  generationId?: string;
  partial?: ChatResult;
  attempts?: number;
  userId?: string;
  cause?: unknown;
}

/**
 * Base of every error this library throws.
 *
 * @example
 * try { await client.chat({ model, messages }) }
 * catch (e) { if (isOpenRouterError(e) && e.retryable) … }
 */
export class OpenRouterError extends Error {
  override name = "OpenRouterError";
  readonly kind: ErrorKind = "server";
  readonly status: number | undefined;
  readonly code: number | string | undefined;
  readonly errorType: string | undefined;
  readonly providerName: string | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly metadata: Record<string, unknown> | undefined;
  readonly generationId: string | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly model: string | undefined;
  readonly userId: string | undefined;
  /** Everything the model produced before the failure (streams, `finish_reason: "error"` completions). */
  partial: ChatResult | undefined;
  /** How many HTTP attempts were made before giving up (set by the retry layer). */
  attempts: number | undefined;

  constructor(message: string, init: OpenRouterErrorInit = {}) {
    // The one redaction step for everything a server or the network layer said: every error of this library
    // is built here, so its message (and hence its stack), fields and cause chain are scrubbed of the keys of
    // the live clients before anything (a hook, a span, the caller) can see them. Nothing to do on success.
    super(redact(String(message)), init.cause === undefined ? undefined : { cause: redactValue(init.cause) });
    this.status = init.status;
    this.code = redactValue(init.code);
    this.errorType = redactValue(init.errorType);
    this.providerName = redactValue(init.providerName);
    // Decided once, by the retry policy; only a layer that read a 2xx body (an in-band error, an unusable
    // body) passes its own flag. Subclasses pass the flag computed for their kind (see defineKind).
    this.retryable = init.retryable ?? isRetryable({ kind: this.kind, status: init.status, message, metadata: init.metadata });
    this.retryAfterMs = init.retryAfterMs;
    this.metadata = redactValue(init.metadata);
    this.generationId = redactValue(init.generationId);
    this.method = init.method;
    this.path = redactValue(init.path);
    this.model = redactValue(init.model);
    this.userId = redactValue(init.userId);
    this.partial = partialWithoutSecrets(init.partial);
    this.attempts = init.attempts;
  }

  /** A plain-object view for logs: every field, no functions, no request headers, no secrets. */
  toJSON(): Record<string, unknown> {
    return redactValue({
      name: this.name,
      kind: this.kind,
      message: this.message,
      status: this.status,
      code: this.code,
      errorType: this.errorType,
      providerName: this.providerName,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      generationId: this.generationId,
      method: this.method,
      path: this.path,
      model: this.model,
      attempts: this.attempts,
      metadata: this.metadata,
      partialText: this.partial?.text,
    });
  }

  /**
   * `util.inspect` (console.log, test runners) walks `partial`, `steps`, `failures`…: model output kept
   * untouched for the caller, which could still repeat a key. The printed form is scrubbed as a whole.
   */
  [Symbol.for("nodejs.util.inspect.custom")](_depth: number, options: object, inspect?: (value: unknown, options: object) => string): unknown {
    if (typeof inspect !== "function" || inspecting.has(this)) return this;
    inspecting.add(this);
    try {
      return redact(inspect(this, options));
    } finally {
      inspecting.delete(this);
    }
  }
}

/** Errors being printed by their own inspect hook (which then falls back to the default rendering). */
const inspecting = new WeakSet<object>();

/**
 * The partial result as the model produced it (text, message, tool calls are the caller's data and never
 * altered), except the wire body `raw`: that is server text (a choice's or a chunk's error message), so it
 * is scrubbed when it holds a key.
 */
function partialWithoutSecrets(partial: ChatResult | undefined): ChatResult | undefined {
  if (partial === undefined || typeof partial !== "object" || partial === null || partial.raw === undefined) return partial;
  let text: string;
  try {
    text = JSON.stringify(partial.raw);
  } catch {
    return partial;
  }
  return holdsSecret(text) ? { ...partial, raw: redactValue(partial.raw) } : partial;
}

/**
 * A subclass of `OpenRouterError` for one kind: its name (also the class's `name`) and its `retryable` flag
 * from the policy. call-errors.ts builds its classes with it too.
 */
export function defineKind<K extends ErrorKind>(name: string, kind: K) {
  const Cls = class extends OpenRouterError {
    override name = name;
    override readonly kind: K = kind;
    constructor(message: string, init: OpenRouterErrorInit = {}) {
      // The base constructor cannot see this class's kind yet (fields are set after super), so the flag is
      // computed here, by the same policy.
      super(
        message,
        init.retryable === undefined ? { ...init, retryable: isRetryable({ name, kind, status: init.status, message, metadata: init.metadata }) } : init,
      );
    }
  };
  Object.defineProperty(Cls, "name", { value: name });
  return Cls;
}

/** 401: the key is missing, invalid, disabled or expired. */
export class AuthenticationError extends defineKind("AuthenticationError", "authentication") {}
/** 404: unknown resource, or no endpoint left after routing / privacy / parameter filters. */
export class NotFoundError extends defineKind("NotFoundError", "not_found") {}
/** The connection failed or dropped (including a stream that ended early). */
export class ConnectionError extends defineKind("ConnectionError", "network") {}
/** The client's `budgetUsd` is spent (or the call's worst case would overrun it). Raised before sending. */
export class BudgetExceededError extends defineKind("BudgetExceededError", "budget_exceeded") {}
/** A public function was called with bad input. Raised before anything is sent. */
export class InvalidArgumentError extends defineKind("InvalidArgumentError", "invalid_argument") {}

/**
 * True for any error thrown by this library, also across realms (matched by name and shape, not only
 * `instanceof`, because bundlers and test runners can load two copies of a module).
 */
export function isOpenRouterError(e: unknown): e is OpenRouterError {
  if (e instanceof OpenRouterError) return true;
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as { kind?: unknown }).kind === "string" &&
    typeof (e as { name?: unknown }).name === "string" &&
    (e as { name: string }).name.endsWith("Error") &&
    "retryable" in e
  );
}

/** " (POST /chat/completions, model openai/gpt-4o, status 429)" */
export function describe(info: RequestInfo & { status?: number }): string {
  const parts: string[] = [];
  // Bounded: both can be the caller's text (a huge model id, a long query string).
  if (info.method && info.path) parts.push(`${info.method} ${bounded(info.path)}`);
  if (info.model) parts.push(`model ${bounded(info.model)}`);
  if (info.status !== undefined) parts.push(`status ${info.status}`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}
