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
 *
 * The agents/ layer (structured outputs, tools, this loop, conversations, embeddings, the validator) may
 * import accounting/, stream/, core/ and internal/, never client.ts: what it needs of a client is the
 * `ChatCaller` / `JsonCaller` of caller.ts, which an `OpenRouter` satisfies structurally.
 */
import type { CallOptions, ChatCaller, ChatParams } from "./caller.js";
import { isOpenRouterError } from "../core/errors.js";
import { AbortError } from "../core/call-errors.js";
import type { ChatMessage, ChatResult, Usage } from "../core/result.js";
import { iterableWithFinal } from "../core/final-iterable.js";
import { type ToolContext, type ToolFailure, checkToolArguments, toolOutputToContent } from "./tools.js";
import { emptyUsage, sumUsage } from "../core/usage-sum.js";
import { stableStringify } from "./validator/stable-json.js";
import type { RunStep, RunToolsEvent, RunToolsParams, RunToolsResult, RunToolsStream, StopReason, ToolCallRecord } from "./agent-types.js";
import { type Settings, normalise, runSignal } from "./agent-options.js";

/** The client methods the loop needs (an `OpenRouter`, or anything shaped like it). */
export type AgentClient = ChatCaller;

export type { RunToolsParams, ToolCallRecord, RunStep, StopReason, RunToolsResult, RunToolsEvent, RunToolsStream } from "./agent-types.js";

Object.defineProperty(MaxStepsError, "name", { value: "MaxStepsError" });

import { MaxStepsError, ToolError } from "./errors.js";
export { MaxStepsError, ToolError };
Object.defineProperty(ToolError, "name", { value: "ToolError" });

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
