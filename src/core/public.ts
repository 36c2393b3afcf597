/**
 * core/'s public error classes that only a running call throws (call-errors.ts, and body.ts's
 * `ResponseTooLargeError`), as the package entry (index.ts) exports them. Bindings declared here, not
 * re-exports, so that `import { OpenRouter }` does not load those modules, which the code a client's first
 * request loads uses (accounting/public.ts tells why). Each is the module's own class under a constant of its
 * type, with a type of the same name, so `instanceof`, `new`, `extends` and annotations work as with the class
 * itself. The build keeps this file apart from dist/index.js (scripts/build.ts, `publicFaces`). Code inside
 * the package imports the modules themselves.
 */
import {
  PermissionDeniedError as PermissionDeniedClass,
  ContextLengthError as ContextLengthClass,
  BadRequestError as BadRequestClass,
  RateLimitError as RateLimitClass,
  TimeoutError as TimeoutClass,
  ProviderUnavailableError as ProviderUnavailableClass,
  ServerError as ServerClass,
  AbortError as AbortClass,
  InvalidResponseError as InvalidResponseClass,
  StreamError as StreamClass,
  CircuitOpenError as CircuitOpenClass,
  InsufficientCreditsError as InsufficientCreditsClass,
  ModerationError as ModerationClass,
} from "./call-errors.js";
import { ResponseTooLargeError as ResponseTooLargeClass } from "./body.js";

/** 403: a guardrail, a management-key requirement or a region restriction (see call-errors.ts). */
export const PermissionDeniedError: typeof PermissionDeniedClass = PermissionDeniedClass;
export type PermissionDeniedError = PermissionDeniedClass;
/** 400: the prompt (plus max_tokens) does not fit the model's context window (see call-errors.ts). */
export const ContextLengthError: typeof ContextLengthClass = ContextLengthClass;
export type ContextLengthError = ContextLengthClass;
/** 400/413/422 and client-side validation of a request that would be rejected (see call-errors.ts). */
export const BadRequestError: typeof BadRequestClass = BadRequestClass;
export type BadRequestError = BadRequestClass;
/** 429, from OpenRouter's own limits or the upstream provider's (see call-errors.ts). */
export const RateLimitError: typeof RateLimitClass = RateLimitClass;
export type RateLimitError = RateLimitClass;
/** 408/504/524 and the client's own timeouts (total, first event, idle) (see call-errors.ts). */
export const TimeoutError: typeof TimeoutClass = TimeoutClass;
export type TimeoutError = TimeoutClass;
/** 502/503/529: the provider is down, overloaded or sent an invalid response (see call-errors.ts). */
export const ProviderUnavailableError: typeof ProviderUnavailableClass = ProviderUnavailableClass;
export type ProviderUnavailableError = ProviderUnavailableClass;
/** 500 and other unexpected statuses (see call-errors.ts). */
export const ServerError: typeof ServerClass = ServerClass;
export type ServerError = ServerClass;
/** The caller aborted (their `AbortSignal` or `stream.abort()`) (see call-errors.ts). */
export const AbortError: typeof AbortClass = AbortClass;
export type AbortError = AbortClass;
/** The response could not be read as what the spec promises (see call-errors.ts). */
export const InvalidResponseError: typeof InvalidResponseClass = InvalidResponseClass;
export type InvalidResponseError = InvalidResponseClass;
/** An error delivered in-band inside a 200 (see call-errors.ts). */
export const StreamError: typeof StreamClass = StreamClass;
export type StreamError = StreamClass;
/** The per-model circuit breaker is open; `retryAfterMs` says when it half-opens (see call-errors.ts). */
export const CircuitOpenError: typeof CircuitOpenClass = CircuitOpenClass;
export type CircuitOpenError = CircuitOpenClass;
/** 402: out of credits; `affordableTokens` when OpenRouter said "can only afford N" (see call-errors.ts). */
export const InsufficientCreditsError: typeof InsufficientCreditsClass = InsufficientCreditsClass;
export type InsufficientCreditsError = InsufficientCreditsClass;
/** 403 from moderation: `reasons` and the flagged excerpt (see call-errors.ts). */
export const ModerationError: typeof ModerationClass = ModerationClass;
export type ModerationError = ModerationClass;
/** The body, or a stream's text, grew past `maxResponseBytes` (see body.ts). */
export const ResponseTooLargeError: typeof ResponseTooLargeClass = ResponseTooLargeClass;
export type ResponseTooLargeError = ResponseTooLargeClass;
