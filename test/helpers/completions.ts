/**
 * Test helper: a non-streamed chat completion as OpenRouter sends it, for tests that answer from a hand-written
 * `fetch`. Defaults: one "Hello!" reply from `m/x`, finished with `stop` (`tool_calls` when calls are given).
 */
export interface CompletionSpec {
  id?: string;
  model?: string;
  content?: string | null;
  toolCalls?: unknown[] | undefined;
  finishReason?: string;
  usage?: Record<string, unknown>;
}

export function chatCompletion(spec: CompletionSpec = {}) {
  const { toolCalls } = spec;
  return {
    id: spec.id ?? "gen-1",
    object: "chat.completion",
    created: 1,
    model: spec.model ?? "m/x",
    choices: [
      {
        index: 0,
        finish_reason: spec.finishReason ?? (toolCalls ? "tool_calls" : "stop"),
        message: { role: "assistant", content: spec.content === undefined ? "Hello!" : spec.content, ...(toolCalls && { tool_calls: toolCalls }) },
      },
    ],
    usage: spec.usage ?? { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, cost: 0.000001 },
  };
}
