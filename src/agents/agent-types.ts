/**
 * The records of a tool run (each step, each tool call), shared by the loop and its errors. Types only.
 */
import type { ChatResult } from "../core/result.js";
import type { ToolFailure } from "./tools.js";

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
