/**
 * Errors of the verbs built on chat (structured output, the tool loop). They sit beside those verbs, and the
 * public index re-exports them statically (the file is tiny and loads no verb), so `instanceof` works without
 * pulling structured.ts / agent.ts (and ajv behind them) into the core bundle.
 */
import type { ChatMessage, ChatResult } from "../core/result.js";
import { OpenRouterError, type OpenRouterErrorInit } from "../core/errors.js";
import { redactValue } from "../internal/redact.js";
import type { RunStep } from "./agent-types.js";
import type { ToolFailure } from "./tools.js";
import type { ValidationError } from "./validator/index.js";

/** What the agent loop carries on its errors: the run so far, usable to continue it. */
export interface RunErrorInit extends OpenRouterErrorInit {
  steps: RunStep[];
  messages: ChatMessage[];
}

/** One invalid reply and why it was rejected. */
export interface StructuredFailure {
  /** 1-based attempt number. */
  attempt: number;
  /** The reply exactly as the model sent it. */
  text: string;
  /** The parse error (keyword `"json"`) or the schema violations. */
  errors: ValidationError[];
}

/**
 * Not retryable unless said so: `isRetryable` leaves these kinds to their own flag, and the base constructor
 * would judge them by its provisional kind (`server`, before the subclass's field is set).
 */
function runErrorInit(init: OpenRouterErrorInit): OpenRouterErrorInit {
  return init.retryable === undefined ? { ...init, retryable: false } : init;
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
    super(message, runErrorInit(rest));
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
    super(message, runErrorInit(rest));
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
    super(message, runErrorInit(rest));
    this.toolName = toolName;
    this.failure = failure;
    this.steps = steps;
    this.messages = messages;
  }
}
