/**
 * From what the server said to the typed error: the envelope's error object (of a non-2xx response, a stream
 * chunk or a choice) classified into the error tree. Only the error path needs this module.
 */
import type { RequestInfo } from "./types.js";
import {
  AuthenticationError,
  NotFoundError,
  type OpenRouterError,
  type OpenRouterErrorInit,
  describe,
} from "./errors.js";
import {
  BadRequestError,
  CONTEXT_PATTERN,
  CONTEXT_TYPES,
  ContextLengthError,
  InsufficientCreditsError,
  ModerationError,
  PermissionDeniedError,
  ProviderUnavailableError,
  RateLimitError,
  ServerError,
  StreamError,
  TimeoutError,
} from "./call-errors.js";
import { isRetryable } from "./retry.js";
import { parseRateLimitReset, parseRetryAfter } from "./retry-timing.js";
import { type Json, isObject } from "../internal/json.js";
import { rateLimitFromHeaders } from "./rate-limit-headers.js";

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

export interface FromWireContext extends RequestInfo {
  status?: number;
  headers?: Headers;
  generationId?: string;
  userId?: string;
  partial?: NonNullable<OpenRouterErrorInit["partial"]>;
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
    ...(retryAfterMs !== undefined && { retryAfterMs }),
    ...(fullMetadata !== undefined && { metadata: fullMetadata }),
  };
  const text = `${message}${where}`;
  // A StreamError's flag is its own (isRetryable defers to it): decide it here from the status and body,
  // by the same policy as any other error.
  if (ctx.inBand && Cls === ServerError) return new StreamError(text, { ...init, retryable: isRetryable({ status, message: text, metadata: fullMetadata }) });
  const error = new Cls(text, init);
  if (error instanceof RateLimitError && ctx.headers) error.rateLimit = rateLimitFromHeaders(ctx.headers, now);
  return error;
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
