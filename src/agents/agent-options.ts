/**
 * `runTools()` parameters checked and defaulted once, before the first model call, and the run's own abort
 * signal.
 */
import { InvalidArgumentError } from "../core/errors.js";
import { quote } from "../internal/quote.js";
import type { ChatMessage, ChatRequest } from "../core/result.js";
import type { RunToolsParams } from "./agent-types.js";
import { type AnyTool, toolToWire } from "./tools.js";
import type { ValidatorOption } from "./validator/types.js";

export interface Settings {
  chat: Record<string, unknown>;
  messages: ChatMessage[];
  tools: Map<string, AnyTool>;
  wireTools: unknown[];
  deps: unknown;
  maxSteps: number;
  onMaxSteps: "throw" | "return";
  parallel: boolean;
  toolChoice: ChatRequest["tool_choice"] | undefined;
  maxCostUsd: number | undefined;
  maxTokens: number | undefined;
  maxToolRetries: number;
  repetitionLimit: number;
  validator: ValidatorOption | undefined;
}

function positiveInt(name: string, v: unknown, fallback: number, min = 1): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || (v as number) < min) throw new InvalidArgumentError(`runTools(): ${name} must be an integer >= ${min}; got ${String(v)}`);
  return v as number;
}

function positiveNumber(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !(v > 0)) throw new InvalidArgumentError(`runTools(): ${name} must be a positive number; got ${String(v)}`);
  return v;
}

export function normalise(params: RunToolsParams<unknown>): Settings {
  if (typeof params !== "object" || params === null) throw new InvalidArgumentError("runTools() needs a parameters object");
  const {
    messages, tools, deps, maxSteps, onMaxSteps, parallel, toolChoice, stream: _stream, maxCostUsd, maxTokens, maxToolRetries,
    repetitionLimit, validator, ...chat
  } = params;
  if (!Array.isArray(messages) || messages.length === 0) throw new InvalidArgumentError("runTools() needs at least one message in params.messages");
  if (!Array.isArray(tools)) throw new InvalidArgumentError("runTools(): tools must be an array of defineTool() tools");
  const byName = new Map<string, AnyTool>();
  for (const tool of tools as AnyTool[]) {
    if (typeof tool !== "object" || tool === null || typeof tool.execute !== "function" || typeof tool.name !== "string") {
      throw new InvalidArgumentError("runTools(): every tool must come from defineTool()");
    }
    if (byName.has(tool.name)) throw new InvalidArgumentError(`runTools(): two tools are named "${tool.name}"`);
    byName.set(tool.name, tool);
  }
  if (onMaxSteps !== undefined && onMaxSteps !== "throw" && onMaxSteps !== "return") {
    throw new InvalidArgumentError(`runTools(): onMaxSteps must be "throw" or "return"; got ${quote(onMaxSteps)}`);
  }
  if (parallel !== undefined) (chat as Record<string, unknown>)["parallel_tool_calls"] = parallel;
  return {
    chat: chat as Record<string, unknown>,
    messages,
    tools: byName,
    wireTools: [...byName.values()].map(toolToWire),
    deps,
    maxSteps: positiveInt("maxSteps", maxSteps, 10),
    onMaxSteps: onMaxSteps ?? "throw",
    parallel: parallel ?? true,
    toolChoice,
    maxCostUsd: positiveNumber("maxCostUsd", maxCostUsd),
    maxTokens: positiveNumber("maxTokens", maxTokens),
    maxToolRetries: positiveInt("maxToolRetries", maxToolRetries, 2, 0),
    repetitionLimit: positiveInt("repetitionLimit", repetitionLimit, 3, 2),
    validator,
  };
}

/** A signal that aborts when the caller's does; tools get it even when the caller passed none. */
export function runSignal(outer: AbortSignal | undefined): AbortController {
  const controller = new AbortController();
  if (outer) {
    if (outer.aborted) controller.abort(outer.reason);
    else outer.addEventListener("abort", () => controller.abort(outer.reason), { once: true });
  }
  return controller;
}
