/**
 * The public shapes of `runTools()`: its parameters, steps, result and stream events. Types only.
 */
import type { ChatMessage, ChatRequest, ChatResult, Usage } from "../core/result.js";
import type { ChatStreamEvent } from "../stream/chat-stream.js";
import type { ChatParams } from "./caller.js";
import type { AnyTool, ToolFailure } from "./tools.js";
import type { ValidatorOption } from "./validator/types.js";

/**
 * Parameters of `client.runTools()`: chat parameters plus the tools, the dependencies and the guard rails.
 *
 * @example
 * const params: RunToolsParams<{ db: Db }> = { model, messages, tools: [lookup], deps: { db } };
 */
export type RunToolsParams<Deps = unknown> = Omit<ChatParams, "tools" | "tool_choice" | "messages" | "parallel_tool_calls"> & {
  messages: ChatMessage[];
  /** The tools the model may call. Their `ctx.deps` type must accept `deps`. */
  tools: ReadonlyArray<AnyTool<NoInfer<Deps>>>;
  /** Handed to every tool as `ctx.deps`. */
  deps?: Deps;
  /** Most model calls in the run; default 10. */
  maxSteps?: number;
  /** What happens when `maxSteps` is reached: throw `MaxStepsError` (default) or return the result with `stopReason: "max_steps"`. */
  onMaxSteps?: "throw" | "return";
  /**
   * Run several tool calls of one reply concurrently (default true); false runs them one by one in order.
   * Also sent as `parallel_tool_calls` when given explicitly.
   */
  parallel?: boolean;
  /** `tool_choice` of the first model call; later calls use "auto" (forcing a tool every turn never ends). */
  toolChoice?: ChatRequest["tool_choice"];
  /** Stream each step: `runTools` then returns an event stream with `final()`. */
  stream?: boolean;
  /** Stop when the summed reported cost (USD) of the run reaches this; then one last turn without tools. */
  maxCostUsd?: number;
  /** Stop when the summed `total_tokens` of the run reaches this; then one last turn without tools. */
  maxTokens?: number;
  /** Failed calls (bad arguments or a throw) reported back per tool before `ToolError`; default 2. */
  maxToolRetries?: number;
  /** The same tool with the same arguments this many times in a row stops the run; default 3. */
  repetitionLimit?: number;
  /** Validator for tool arguments (see `src/agents/validator/index.ts`). */
  validator?: ValidatorOption;
};

/** One tool call of a step and what came of it. */
export interface ToolCallRecord {
  id: string;
  name: string;
  /** The arguments as the model wrote them. */
  arguments: string;
  /** The parsed, validated arguments (undefined when they were invalid). */
  args: unknown;
  /** What `execute` returned (undefined on failure). */
  output: unknown;
  /** The `content` of the tool message sent back. */
  content: string;
  /** Set when the call failed and the failure was reported to the model. */
  error?: ToolFailure;
}

/** One model call and the tool calls it asked for. */
export interface RunStep {
  /** 1-based. */
  step: number;
  result: ChatResult;
  toolCalls: ToolCallRecord[];
  /** True for the closing turn made with `tool_choice: "none"` after a stop condition fired. */
  final: boolean;
}

export type StopReason = "done" | "max_steps" | "max_cost" | "max_tokens" | "repetition";

export interface RunToolsResult {
  /** The last model reply. */
  result: ChatResult;
  /** `result.text`. */
  text: string;
  steps: RunStep[];
  /** The whole transcript: the input messages and everything the run added. */
  messages: ChatMessage[];
  /** Only what the run added (assistant and tool messages). */
  newMessages: ChatMessage[];
  /** Usage summed over every model call. */
  usage: Usage | undefined;
  /** Reported cost summed over every model call (undefined when no call reported one). */
  cost: number | undefined;
  /** Why the loop ended: "done" when the model answered without tool calls. */
  stopReason: StopReason;
}

/** Events of a streamed run: each step's chat stream events plus these. */
export type RunToolsEvent =
  | ChatStreamEvent
  | { type: "step_start"; step: number; final: boolean }
  | { type: "step_finish"; step: number; result: ChatResult }
  | { type: "tool_start"; step: number; toolCallId: string; name: string; args: unknown }
  | { type: "tool_result"; step: number; toolCallId: string; name: string; content: string; error?: ToolFailure }
  | { type: "run_done"; result: RunToolsResult };

export interface RunToolsStream extends AsyncIterable<RunToolsEvent> {
  final(): Promise<RunToolsResult>;
}
