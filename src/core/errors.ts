/**
 * The error tree. Every failure of a verb (`chat`, `chatStream`, `structured`, …) is an `OpenRouterError`
 * or a subclass; `client.api` keeps openapi-fetch's `{ data } | { error }` union and never throws on HTTP
 * errors. Messages name the method, path and model, never a header or the API key.
 */
import type { RunStep } from "../agents/agent.js";
import type { ChatMessage, ChatResult } from "./result.js";
import type { StructuredFailure } from "../agents/structured.js";
import type { ToolFailure } from "../agents/tools.js";
import type { ValidationError } from "../agents/validator/index.js";
import { parseAffordableTokens, parseRateLimitReset, parseRetryAfter } from "./retry.js";
import { type Json, isObject } from "../internal/json.js";
import { holdsSecret, redact, redactValue } from "../internal/redact.js";
import { bounded } from "../internal/quote.js";
import { type RateLimitInfo, rateLimitFromHeaders } from "./rate-limit-headers.js";

export { parseAffordableTokens, parseRetryAfter };

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
  | "tool";

/** Where the request was going, so a message can say which call failed. */
export interface RequestInfo {
  method?: string;
  path?: string;
  model?: string;
}

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
    this.retryable = init.retryable ?? false;
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

function defineKind<K extends ErrorKind>(name: string, kind: K, retryableByDefault = false) {
  const Cls = class extends OpenRouterError {
    override name = name;
    override readonly kind: K = kind;
    constructor(message: string, init: OpenRouterErrorInit = {}) {
      super(message, { ...init, retryable: init.retryable ?? retryableByDefault });
    }
  };
  Object.defineProperty(Cls, "name", { value: name });
  return Cls;
}

/** 401: the key is missing, invalid, disabled or expired. */
export class AuthenticationError extends defineKind("AuthenticationError", "authentication") {}
/** 403: a guardrail, a management-key requirement or a region restriction. */
export class PermissionDeniedError extends defineKind("PermissionDeniedError", "permission_denied") {}
/** 404: unknown resource, or no endpoint left after routing / privacy / parameter filters. */
export class NotFoundError extends defineKind("NotFoundError", "not_found") {}
/** 400: the prompt (plus max_tokens) does not fit the model's context window. */
export class ContextLengthError extends defineKind("ContextLengthError", "context_length") {}
/** 400/413/422 and client-side validation of a request that would be rejected. */
export class BadRequestError extends defineKind("BadRequestError", "invalid_request") {}
/** 429, from OpenRouter's own limits or the upstream provider's. */
export class RateLimitError extends defineKind("RateLimitError", "rate_limit", true) {
  /** OpenRouter's `X-RateLimit-*` headers of this 429, when it sent them. */
  rateLimit: RateLimitInfo | undefined;

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), rateLimit: this.rateLimit };
  }
}
/** 408/504/524 and the client's own timeouts (total, first event, idle). */
export class TimeoutError extends defineKind("TimeoutError", "timeout", true) {}
/** 502/503/529: the provider is down, overloaded or sent an invalid response. */
export class ProviderUnavailableError extends defineKind("ProviderUnavailableError", "provider_unavailable", true) {}
/** 500 and other unexpected statuses. */
export class ServerError extends defineKind("ServerError", "server", true) {}
/** The connection failed or dropped (including a stream that ended early). */
export class ConnectionError extends defineKind("ConnectionError", "network", true) {}
/** The caller aborted (their `AbortSignal` or `stream.abort()`). */
export class AbortError extends defineKind("AbortError", "aborted") {}
/** The response could not be read as what the spec promises (not JSON, `choices: null`, …). */
export class InvalidResponseError extends defineKind("InvalidResponseError", "invalid_response") {}
/** An error delivered in-band inside a 200 (a stream chunk or a completion with `finish_reason: "error"`). */
export class StreamError extends defineKind("StreamError", "stream") {}
/** The per-model circuit breaker is open; `retryAfterMs` says when it half-opens. */
export class CircuitOpenError extends defineKind("CircuitOpenError", "circuit_open") {}
/** The client's `budgetUsd` is spent (or the call's worst case would overrun it). Raised before sending. */
export class BudgetExceededError extends defineKind("BudgetExceededError", "budget_exceeded") {}
/** A public function was called with bad input. Raised before anything is sent. */
export class InvalidArgumentError extends defineKind("InvalidArgumentError", "invalid_argument") {}

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

/** The envelope's error object, wherever a response put it. */
export interface WireError {
  code?: number | string;
  message?: string;
  metadata?: Json;
  availability?: Json;
  error_type?: string;
  http_status?: number;
}

/** Detail hidden in `metadata.raw` (a string, a JSON string or an object) for "Provider returned error". */
function rawDetail(raw: unknown): string | undefined {
  if (typeof raw === "string") {
    const text = raw.trim();
    if (text.startsWith("{")) {
      try {
        return rawDetail(JSON.parse(text)) ?? text;
      } catch {
        return text;
      }
    }
    return text || undefined;
  }
  if (isObject(raw)) {
    const inner = raw["error"];
    if (isObject(inner) && typeof inner["message"] === "string") return inner["message"];
    if (typeof inner === "string") return inner;
    if (typeof raw["message"] === "string") return raw["message"];
    return JSON.stringify(raw);
  }
  return undefined;
}

const GENERIC_MESSAGES = new Set(["provider returned error", "internal server error", ""]);

/** The most useful message: the upstream detail when OpenRouter's own message is generic. */
function usefulMessage(err: WireError): string {
  const message = typeof err.message === "string" ? err.message : "";
  const detail = rawDetail(err.metadata?.["raw"]);
  if (detail && GENERIC_MESSAGES.has(message.trim().toLowerCase())) {
    const provider = err.metadata?.["provider_name"];
    return `${message || "Provider returned error"}${typeof provider === "string" ? ` (${provider})` : ""}: ${detail}`;
  }
  return message || detail || "unknown error";
}

const CONTEXT_TYPES = new Set(["context_length_exceeded", "max_tokens_exceeded", "token_limit_exceeded"]);
const CONTEXT_PATTERN = /context length|context window|maximum context|too many tokens|prompt is too long|token limit/i;

function classify(
  status: number | undefined,
  errorType: string | undefined,
  availabilityCode: string | undefined,
  message: string,
  metadata: Json | undefined,
) {
  if (errorType && CONTEXT_TYPES.has(errorType)) return ContextLengthError;
  if (availabilityCode === "capacity_exhausted") return RateLimitError;
  if (availabilityCode === "temporarily_unavailable") return ProviderUnavailableError;
  if (availabilityCode === "region_restricted") return PermissionDeniedError;
  if (availabilityCode === "model_not_found" || availabilityCode === "wrong_endpoint") return BadRequestError;
  switch (errorType) {
    case "authentication":
      return AuthenticationError;
    case "payment_required":
      return InsufficientCreditsError;
    case "permission_denied":
      return metadata && Array.isArray(metadata["reasons"]) ? ModerationError : PermissionDeniedError;
    case "not_found":
    case "image_not_found":
      return NotFoundError;
    case "rate_limit_exceeded":
      return RateLimitError;
    case "timeout":
      return TimeoutError;
    case "provider_unavailable":
    case "provider_overloaded":
      return ProviderUnavailableError;
  }
  switch (status) {
    case 400:
      return CONTEXT_PATTERN.test(message) ? ContextLengthError : BadRequestError;
    case 401:
      return AuthenticationError;
    case 402:
      return InsufficientCreditsError;
    case 403:
      return metadata && Array.isArray(metadata["reasons"]) ? ModerationError : PermissionDeniedError;
    case 404:
      return NotFoundError;
    case 408:
    case 504:
    case 524:
      return TimeoutError;
    case 413:
    case 422:
      return BadRequestError;
    case 429:
      return RateLimitError;
    case 502:
    case 503:
    case 529:
      return ProviderUnavailableError;
  }
  if (errorType && /^(invalid|content_policy|refusal|image_|unsupported_image|string_too_long)/.test(errorType))
    return BadRequestError;
  return ServerError;
}

/** Statuses worth another attempt; the resilience layer may narrow this further. */
const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504, 524, 529]);

export interface FromWireContext extends RequestInfo {
  status?: number;
  headers?: Headers;
  generationId?: string;
  userId?: string;
  partial?: ChatResult;
  /** In-band errors of a 200 stream or completion get the stream kind unless the class says more. */
  inBand?: boolean;
  now?: number;
}

/** Builds the typed error for an OpenRouter error object (from an envelope, a chunk or a choice). */
export function errorFromWire(err: WireError, ctx: FromWireContext = {}): OpenRouterError {
  const metadata = isObject(err.metadata) ? err.metadata : undefined;
  const availability = isObject(err.availability) ? err.availability : undefined;
  const numericCode = typeof err.code === "number" ? err.code : undefined;
  const status = ctx.inBand ? numericCode : (ctx.status ?? numericCode ?? err.http_status);
  const errorType =
    (typeof metadata?.["error_type"] === "string" ? (metadata["error_type"] as string) : undefined) ??
    (typeof err.error_type === "string" ? err.error_type : undefined) ??
    (typeof availability?.["code"] === "string" ? (availability["code"] as string) : undefined);
  const availabilityCode = typeof availability?.["code"] === "string" ? (availability["code"] as string) : undefined;
  const message = usefulMessage(err);
  const retryAfterFromBody =
    typeof availability?.["retry_after"] === "number" ? (availability["retry_after"] as number) * 1000 : undefined;
  const now = ctx.now ?? Date.now();
  // OpenRouter's own 429s carry X-RateLimit-Reset instead of Retry-After.
  const retryAfterMs =
    parseRetryAfter(ctx.headers?.get("retry-after"), now) ?? retryAfterFromBody ?? parseRateLimitReset(ctx.headers?.get("x-ratelimit-reset"), now);
  const Cls = classify(status, errorType, availabilityCode, message, metadata);
  let retryable = status !== undefined && RETRYABLE_STATUSES.has(status);
  if (typeof availability?.["retryable"] === "boolean") retryable = availability["retryable"] as boolean;
  // The daily free-model cap does not reset for hours: retrying only burns the caller's time.
  if (/free-models-per-day/i.test(message)) retryable = false;
  const providerName =
    typeof metadata?.["provider_name"] === "string" ? (metadata["provider_name"] as string) : undefined;
  const where = describe(ctx);
  const fullMetadata = availability ? { ...metadata, availability } : metadata;
  const init: OpenRouterErrorInit = {
    ...ctx,
    ...(status !== undefined && { status }),
    ...(err.code !== undefined && { code: err.code }),
    ...(errorType !== undefined && { errorType }),
    ...(providerName !== undefined && { providerName }),
    retryable,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
    ...(fullMetadata !== undefined && { metadata: fullMetadata }),
  };
  const text = `${message}${where}`;
  if (ctx.inBand && Cls === ServerError) return new StreamError(text, init);
  const error = new Cls(text, init);
  if (error instanceof RateLimitError && ctx.headers) error.rateLimit = rateLimitFromHeaders(ctx.headers, now);
  return error;
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

/** Finds the error object in a parsed body: `{error:{…}}`, a Messages-API error, or a bare string. */
export function wireErrorOf(body: unknown): WireError | undefined {
  if (!isObject(body)) return undefined;
  const err = body["error"];
  if (isObject(err)) return err as WireError;
  if (typeof err === "string") return { message: err };
  return undefined;
}

/**
 * The typed error for a non-2xx response whose body has been read as text. Handles a JSON envelope (with
 * leading whitespace), an HTML page from an edge proxy, and an empty body.
 */
export function errorFromResponse(status: number, headers: Headers, bodyText: string, info: RequestInfo): OpenRouterError {
  let body: unknown;
  try {
    body = bodyText.trim() ? JSON.parse(bodyText) : undefined;
  } catch {
    body = undefined;
  }
  const generationId = headers.get("x-generation-id") ?? undefined;
  const userId = isObject(body) && typeof body["user_id"] === "string" ? body["user_id"] : undefined;
  const wire = wireErrorOf(body);
  const ctx: FromWireContext = {
    ...info,
    status,
    headers,
    ...(generationId !== undefined && { generationId }),
    ...(userId !== undefined && { userId }),
  };
  if (wire) return errorFromWire(wire, ctx);
  // Not our envelope: an HTML page from Cloudflare, a proxy's plain text, or nothing at all.
  const snippet = bodyText
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 200);
  const message = `HTTP ${status}${snippet ? `: ${snippet}` : " with an empty body"}`;
  return errorFromWire({ message }, ctx);
}

// Errors of the verbs built on chat. They live here, beside the rest of the tree, so that `instanceof` works
// without pulling structured.ts / agent.ts (and ajv behind them) into the core bundle.

/** What the agent loop carries on its errors: the run so far, usable to continue it. */
export interface RunErrorInit extends OpenRouterErrorInit {
  steps: RunStep[];
  messages: ChatMessage[];
}

/**
 * The model never produced valid JSON for the schema within `maxRepairs`. Not an API error: every call
 * succeeded. Carries the last raw reply, every attempt's errors and the last result as `partial` (with usage
 * and cost summed over all attempts).
 *
 * @example
 * catch (e) { if (e instanceof StructuredOutputError) console.log(e.lastText, e.failures); }
 */
export class StructuredOutputError extends OpenRouterError {
  override name = "StructuredOutputError";
  override readonly kind = "structured_output" as const;
  /** The last reply, raw. */
  readonly lastText: string;
  /** Each rejected reply with its errors, in order. */
  readonly failures: StructuredFailure[];
  /** The ChatResult of every call. */
  readonly results: ChatResult[];

  constructor(message: string, init: OpenRouterErrorInit & { lastText: string; failures: StructuredFailure[]; results: ChatResult[] }) {
    const { lastText, failures, results, ...rest } = init;
    super(message, rest);
    this.lastText = lastText;
    this.failures = failures;
    this.results = results;
  }

  /** The last attempt's errors. */
  get validationErrors(): ValidationError[] {
    return this.failures.at(-1)?.errors ?? [];
  }

  override toJSON(): Record<string, unknown> {
    return redactValue({ ...super.toJSON(), lastText: this.lastText, failures: this.failures });
  }
}

/**
 * `maxSteps` was reached while the model still wanted tools (with `onMaxSteps: "throw"`, the default).
 * `partial` is the last reply; `steps` and `messages` hold the run so far (usable to continue it).
 *
 * @example
 * catch (e) { if (e instanceof MaxStepsError) resume(e.messages); }
 */
export class MaxStepsError extends OpenRouterError {
  override name = "MaxStepsError";
  override readonly kind = "max_steps" as const;
  readonly steps: RunStep[];
  readonly messages: ChatMessage[];
  constructor(message: string, init: RunErrorInit) {
    const { steps, messages, ...rest } = init;
    super(message, rest);
    this.steps = steps;
    this.messages = messages;
  }
}

/**
 * A tool kept failing (invalid arguments or a throw) beyond its retry limit. `cause` is the last thrown
 * error, `failure` what was reported to the model.
 *
 * @example
 * catch (e) { if (e instanceof ToolError) console.log(e.toolName, e.failure.message); }
 */
export class ToolError extends OpenRouterError {
  override name = "ToolError";
  override readonly kind = "tool" as const;
  readonly toolName: string;
  readonly failure: ToolFailure;
  readonly steps: RunStep[];
  readonly messages: ChatMessage[];
  constructor(message: string, init: RunErrorInit & { toolName: string; failure: ToolFailure }) {
    const { steps, messages, toolName, failure, ...rest } = init;
    super(message, rest);
    this.toolName = toolName;
    this.failure = failure;
    this.steps = steps;
    this.messages = messages;
  }
}
