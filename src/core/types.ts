/**
 * Types shared by every layer of the request path. Types only: importing this file loads no code.
 */
import type { InsufficientCreditsPolicy } from "./resilience/run.js";
import type { RetryOptions } from "./retry.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** One request as a verb describes it, built once per call; the pipeline runs it (per model on fallback). */
export interface Call {
  verb: string;
  method: HttpMethod;
  path: string;
  body?: Record<string, unknown>;
  /** `body` as JSON text, when the caller already has it (client.api): never stringified again. */
  serialized?: string;
  model?: string;
  stream: boolean;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs?: number;
  retry?: RetryOptions | false;
  fallbackModels?: readonly string[];
  onInsufficientCredits?: InsufficientCreditsPolicy;
}
