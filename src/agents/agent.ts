/**
 * The tool loop: send the tools, run the model's tool calls (in parallel when it asks for several), append
 * `tool` messages with the matching `tool_call_id`, and call the model again until it answers in prose.
 * Loaded by the client with a dynamic `import()`.
 *
 * Guard rails, because a loop that calls a paid API can drain credits:
 * - `maxSteps` caps model calls (then an error or a flagged result, the caller's choice);
 * - `maxCostUsd` / `maxTokens` cap the whole run (reported `usage.cost` and `total_tokens`, summed); when one
 *   fires the pending tool calls are finished and one last turn is made with `tool_choice: "none"`;
 * - invalid arguments and throwing tools are reported to the model as tool errors, up to a per-tool retry
 *   limit (then `ToolError`);
 * - the same call (tool + arguments) repeated `repetitionLimit` times in a row is not executed: the model is
 *   told, and the run ends with a last turn without tools.
 */
import type { CallOptions, ChatParams, OpenRouter } from "../client.js";
import { AbortError, InvalidArgumentError, isOpenRouterError } from "../core/errors.js";
import type { ChatMessage, ChatRequest, ChatResult, Usage } from "../core/result.js";
import type { ChatStreamEvent } from "../stream/chat-stream.js";
import { iterableWithFinal } from "../core/final-iterable.js";
import {
  type AnyTool,
  type ToolContext,
  type ToolFailure,
  checkToolArguments,
  emptyUsage,
  sumUsage,
  toolOutputToContent,
  toolToWire,
} from "./tools.js";
import { stableStringify, type ValidatorOption } from "./validator/index.js";

/** The client methods the loop needs (an `OpenRouter`, or anything shaped like it). */
export type AgentClient = Pick<OpenRouter, "chat" | "chatStream">;


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

// The run's records live in agent-types.ts (agents/errors.ts needs them without importing this file).
import type { RunStep, ToolCallRecord } from "./agent-types.js";
export type { RunStep, ToolCallRecord };

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


Object.defineProperty(MaxStepsError, "name", { value: "MaxStepsError" });

import { MaxStepsError, ToolError } from "./errors.js";
import { quote } from "../internal/quote.js";
export { MaxStepsError, ToolError };
Object.defineProperty(ToolError, "name", { value: "ToolError" });

interface Settings {
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

function normalise(params: RunToolsParams<unknown>): Settings {
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
function runSignal(outer: AbortSignal | undefined): AbortController {
  const controller = new AbortController();
  if (outer) {
    if (outer.aborted) controller.abort(outer.reason);
    else outer.addEventListener("abort", () => controller.abort(outer.reason), { once: true });
  }
  return controller;
}

function costOf(results: readonly ChatResult[]): number | undefined {
  let total: number | undefined;
  for (const r of results) if (r.cost !== undefined) total = (total ?? 0) + r.cost;
  return total;
}

/** The assistant message for the transcript; a closing turn's stray tool calls are dropped (never answered). */
function transcriptMessage(result: ChatResult, dropToolCalls: boolean): ChatMessage {
  if (!dropToolCalls || !("tool_calls" in result.message)) return result.message as ChatMessage;
  const { tool_calls: _dropped, ...rest } = result.message as Record<string, unknown>;
  return rest as ChatMessage;
}

async function* loop(client: AgentClient, s: Settings, options: CallOptions | undefined, streaming: boolean): AsyncGenerator<RunToolsEvent, RunToolsResult> {
  const controller = runSignal(options?.signal);
  const callOptions: CallOptions = { ...options, signal: controller.signal };
  const messages = [...s.messages];
  const steps: RunStep[] = [];
  const results: ChatResult[] = [];
  let usage: Usage | undefined;
  const failuresByTool = new Map<string, number>();
  let lastSignature: string | undefined;
  let repeats = 0;
  let stop: StopReason | undefined;
  let finalTurn = false;

  const done = (reason: StopReason): RunToolsResult => {
    const last = results.at(-1) as ChatResult;
    return {
      result: last,
      text: last.text,
      steps,
      messages,
      newMessages: messages.slice(s.messages.length),
      usage,
      cost: costOf(results),
      stopReason: reason,
    };
  };
  const withRun = (e: unknown) => {
    if (isOpenRouterError(e) && e.partial === undefined && results.length > 0) e.partial = results.at(-1);
    return e;
  };

  try {
    for (let step = 1; ; step++) {
      const body = {
        ...s.chat,
        messages: [...messages],
        tools: s.wireTools,
        ...(finalTurn ? { tool_choice: "none" } : step === 1 && s.toolChoice !== undefined ? { tool_choice: s.toolChoice } : {}),
      } as ChatParams;
      yield { type: "step_start", step, final: finalTurn };
      let result: ChatResult;
      try {
        if (streaming) {
          const stream = client.chatStream(body, callOptions);
          for await (const event of stream) yield event as RunToolsEvent;
          result = await stream.final();
        } else {
          result = await client.chat(body, callOptions);
        }
      } catch (e) {
        throw withRun(e);
      }
      results.push(result);
      usage = sumUsage(usage, result.usage);
      messages.push(transcriptMessage(result, finalTurn));
      const record: RunStep = { step, result, toolCalls: [], final: finalTurn };
      steps.push(record);
      yield { type: "step_finish", step, result };

      if (finalTurn || result.toolCalls.length === 0) return done(stop ?? "done");

      // Execute this reply's tool calls (all of them: the transcript must answer every call).
      const ctxBase = { deps: s.deps, step, signal: controller.signal };
      const plans = result.toolCalls.map((call) => {
        const signature = `${call.name}\u0000${call.args === undefined ? call.arguments : stableStringify(call.args)}`;
        repeats = signature === lastSignature ? repeats + 1 : 1;
        lastSignature = signature;
        return { call, repeated: repeats >= s.repetitionLimit };
      });
      const snapshot = Object.freeze([...messages]) as readonly ChatMessage[];
      const runOne = async (plan: (typeof plans)[number]): Promise<ToolCallRecord> => {
        const { call } = plan;
        const rec: ToolCallRecord = { id: call.id, name: call.name, arguments: call.arguments, args: undefined, output: undefined, content: "" };
        const tool = s.tools.get(call.name);
        let failure: ToolFailure | undefined;
        if (plan.repeated) {
          failure = {
            kind: "repetition",
            message: `"${call.name}" was called with the same arguments ${s.repetitionLimit} times in a row; the call was not executed. Answer with what you have.`,
          };
        } else if (!tool) {
          failure = { kind: "unknown_tool", message: `There is no tool named "${call.name}". Available tools: ${[...s.tools.keys()].join(", ") || "none"}.` };
        } else {
          const checked = await checkToolArguments(tool, call.arguments, s.validator);
          if (!checked.ok) failure = checked.failure;
          else {
            rec.args = checked.args;
            const ctx: ToolContext<unknown> = {
              ...ctxBase,
              messages: snapshot,
              usage: usage ?? emptyUsage(),
              toolCallId: call.id,
            };
            try {
              rec.output = await tool.execute(checked.args, ctx);
            } catch (e) {
              if (controller.signal.aborted) throw abortError(controller.signal, e);
              failure = { kind: "execute_threw", message: `The tool "${call.name}" failed: ${e instanceof Error ? e.message : String(e)}`, cause: e };
            }
          }
        }
        if (failure) {
          rec.error = failure;
          rec.content = `Error: ${failure.message}`;
        } else {
          rec.content = toolOutputToContent(rec.output);
        }
        return rec;
      };

      const pending: RunToolsEvent[] = [];
      for (const { call } of plans) pending.push({ type: "tool_start", step, toolCallId: call.id, name: call.name, args: call.args });
      for (const e of pending) yield e;
      let records: ToolCallRecord[];
      if (s.parallel) records = await Promise.all(plans.map(runOne));
      else {
        records = [];
        for (const plan of plans) records.push(await runOne(plan));
      }
      record.toolCalls = records;
      for (const rec of records) {
        messages.push({ role: "tool", tool_call_id: rec.id, content: rec.content } as ChatMessage);
        yield { type: "tool_result", step, toolCallId: rec.id, name: rec.name, content: rec.content, ...(rec.error && { error: rec.error }) };
      }

      // Tools that keep failing: report up to their limit, then stop the run with the cause.
      for (const rec of records) {
        if (!rec.error || rec.error.kind === "repetition") continue;
        const count = (failuresByTool.get(rec.name) ?? 0) + 1;
        failuresByTool.set(rec.name, count);
        const limit = s.tools.get(rec.name)?.maxRetries ?? s.maxToolRetries;
        if (count > limit) {
          throw new ToolError(`runTools(): tool "${rec.name}" failed ${count} times (limit ${limit}): ${rec.error.message}`, {
            toolName: rec.name,
            failure: rec.error,
            steps,
            messages,
            partial: result,
            ...(rec.error.kind === "execute_threw" && { cause: rec.error.cause }),
            ...(typeof s.chat["model"] === "string" && { model: s.chat["model"] }),
          });
        }
      }

      if (records.some((r) => r.error?.kind === "repetition")) stop = "repetition";
      const cost = costOf(results);
      if (!stop && s.maxCostUsd !== undefined && cost !== undefined && cost >= s.maxCostUsd) stop = "max_cost";
      if (!stop && s.maxTokens !== undefined && (usage?.total_tokens ?? 0) >= s.maxTokens) stop = "max_tokens";

      if (step >= s.maxSteps) {
        if (s.onMaxSteps === "return") return done("max_steps");
        throw new MaxStepsError(`runTools(): the model still wanted tools after maxSteps (${s.maxSteps}) model calls`, {
          steps,
          messages,
          partial: result,
          ...(typeof s.chat["model"] === "string" && { model: s.chat["model"] }),
        });
      }
      if (stop) finalTurn = true;
    }
  } finally {
    // A caller who stops iterating (or an error) must not leave tools running with a live signal.
    if (!controller.signal.aborted) controller.abort(new AbortError("runTools(): the run ended"));
  }
}

function abortError(signal: AbortSignal, cause: unknown): unknown {
  if (isOpenRouterError(cause)) return cause;
  return new AbortError("runTools(): aborted by the caller", { cause: signal.reason ?? cause });
}

/**
 * Runs the tool loop. Returns the final result, every step, the transcript and summed usage/cost; with
 * `stream: true`, returns a stream of events (each step's chat stream events plus step and tool events)
 * with `final()`.
 *
 * @example
 * const run = await runTools(client, {
 *   model: "openai/gpt-4o-mini",
 *   messages: [{ role: "user", content: "Weather in Paris and Berlin?" }],
 *   tools: [weather],
 *   deps: { api },
 * });
 * console.log(run.text, run.steps.length, run.cost);
 */
export function runTools<Deps>(client: AgentClient, params: RunToolsParams<Deps> & { stream: true }, options?: CallOptions): RunToolsStream;
export function runTools<Deps>(client: AgentClient, params: RunToolsParams<Deps> & { stream?: false | undefined }, options?: CallOptions): Promise<RunToolsResult>;
export function runTools<Deps>(client: AgentClient, params: RunToolsParams<Deps>, options?: CallOptions): Promise<RunToolsResult> | RunToolsStream;
export function runTools<Deps>(client: AgentClient, params: RunToolsParams<Deps>, options?: CallOptions): Promise<RunToolsResult> | RunToolsStream {
  const settings = normalise(params as RunToolsParams<unknown>);
  if (params.stream === true) {
    return iterableWithFinal(
      async function* () {
        const result = yield* loop(client, settings, options, true);
        yield { type: "run_done", result } as RunToolsEvent;
        return result;
      },
      "runTools()",
      (e) => (e.type === "run_done" ? (e as { result: RunToolsResult }).result : undefined),
    );
  }
  return (async () => {
    const g = loop(client, settings, options, false);
    for (;;) {
      const r = await g.next();
      if (r.done) return r.value;
    }
  })();
}
