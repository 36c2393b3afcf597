/**
 * Observability hooks: plain callbacks that see each call's lifecycle (request, response, error,
 * retry, fallback, final result) with method, path, model, status, attempt and duration. Payloads
 * never carry the API key or request headers, and carry message content only with
 * `includeContent: true`. A hook that throws (or rejects) is ignored: observing a call must never
 * break it.
 *
 * @module
 */
import type { OpenRouterError } from "../errors.js";

/** Fields every hook event has. */
export interface HookContext {
  /** Identifies one logical call across its attempts and fallbacks (`"req-1"`, …, per client). */
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  /** The model this attempt is sent to (changes on fallback). */
  readonly model: string | undefined;
  readonly stream: boolean;
  /** 1-based attempt number within the call (counts every HTTP attempt, across fallbacks). */
  readonly attempt: number;
}

/** Before an HTTP attempt is sent. */
export interface RequestEvent extends HookContext {
  /** How long this attempt waited for the client-side rate limits (0 without limits). */
  readonly queuedMs: number;
  /** The JSON body, only with `includeContent: true`. */
  readonly body?: Record<string, unknown>;
}

/** A 2xx status arrived (headers only; the body is read later). */
export interface ResponseEvent extends HookContext {
  readonly status: number;
  /** From sending the attempt to its response headers. */
  readonly durationMs: number;
  readonly generationId: string | undefined;
}

/** An attempt failed. `willRetry`/`willFallback` say what happens next. */
export interface ErrorEvent extends HookContext {
  readonly status: number | undefined;
  readonly durationMs: number;
  readonly error: OpenRouterError;
  readonly willRetry: boolean;
  readonly willFallback: boolean;
}

/** The call is about to wait and send again. */
export interface RetryEvent extends HookContext {
  /** The attempt number that will be sent next. */
  readonly nextAttempt: number;
  readonly delayMs: number;
  readonly status: number | undefined;
  readonly error: OpenRouterError;
  /** `"retry"`: same request again; `"reduce-max-tokens"`: a 402 made us lower `max_tokens`. */
  readonly reason: "retry" | "reduce-max-tokens";
  /** Set for `"reduce-max-tokens"`: the new `max_tokens`. */
  readonly maxTokens?: number;
}

/** The primary (or a previous fallback) model gave up; the call moves to `toModel`. */
export interface FallbackEvent extends HookContext {
  readonly fromModel: string;
  readonly toModel: string;
  readonly error: OpenRouterError;
}

/** One model that failed before the answering model. */
export interface FallbackRecord {
  readonly model: string;
  readonly error: OpenRouterError;
}

/** The call finished successfully and its result was parsed (reported by `recordResult`). */
export interface ResultEvent {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  /** The model that answered (the response's own `model` when known). */
  readonly model: string | undefined;
  readonly stream: boolean;
  readonly attempts: number;
  /** From the start of the call (including queueing and retries) to `recordResult`. */
  readonly durationMs: number;
  readonly usage: Readonly<Record<string, unknown>> | undefined;
  readonly cost: number | undefined;
  readonly generationId: string | undefined;
  readonly provider: string | undefined;
  readonly finishReason: string | null | undefined;
  readonly fallbacks: readonly FallbackRecord[];
  /** The parsed result, only with `includeContent: true`. */
  readonly result?: unknown;
}

/** The callbacks; all optional. */
export interface Hooks {
  onRequest?: (event: RequestEvent) => void | Promise<void>;
  onResponse?: (event: ResponseEvent) => void | Promise<void>;
  onError?: (event: ErrorEvent) => void | Promise<void>;
  onRetry?: (event: RetryEvent) => void | Promise<void>;
  onFallback?: (event: FallbackEvent) => void | Promise<void>;
  onResult?: (event: ResultEvent) => void | Promise<void>;
  /** Put request bodies and results into the payloads. Default false. */
  includeContent?: boolean;
}

/** Event type per hook name. */
export interface HookEvents {
  onRequest: RequestEvent;
  onResponse: ResponseEvent;
  onError: ErrorEvent;
  onRetry: RetryEvent;
  onFallback: FallbackEvent;
  onResult: ResultEvent;
}

/**
 * The error as hooks see it without `includeContent`: the same class, message and fields, minus what
 * can hold message content (`partial`, the generated text so far, and a moderation error's
 * `metadata.flagged_input`, an excerpt of the prompt). Errors without such fields pass unchanged.
 *
 * @example
 * ```ts
 * contentFreeError(streamError).partial; // undefined
 * ```
 */
export function contentFreeError<E extends OpenRouterError>(error: E): E {
  const metadata = error.metadata;
  const flagged = metadata !== undefined && "flagged_input" in metadata;
  if (error.partial === undefined && !flagged) return error;
  const copy = Object.create(Object.getPrototypeOf(error) as object) as E;
  for (const key of Reflect.ownKeys(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, key);
    if (descriptor) Object.defineProperty(copy, key, descriptor);
  }
  copy.partial = undefined;
  if (flagged) {
    const { flagged_input: _dropped, ...rest } = metadata;
    Object.defineProperty(copy, "metadata", { value: rest, enumerable: true, configurable: true, writable: false });
  }
  return copy;
}

/**
 * Call one hook with its event. Synchronous throws and async rejections are swallowed on purpose:
 * a broken logger must not turn a successful call into a failure.
 *
 * @example
 * ```ts
 * emitHook(hooks, "onRetry", { ...context, nextAttempt: 2, delayMs: 500, status: 503, error, reason: "retry" });
 * ```
 */
export function emitHook<K extends keyof HookEvents>(hooks: Hooks | undefined, name: K, event: HookEvents[K]): void {
  const fn = hooks?.[name] as ((e: HookEvents[K]) => void | Promise<void>) | undefined;
  if (!fn) return;
  try {
    const out = fn(event);
    if (out && typeof (out as Promise<void>).then === "function") (out as Promise<void>).then(undefined, () => {});
  } catch {
    // Ignored: see above.
  }
}
