import { describe, expect, it } from "vitest";
import { MaxStepsError, ToolError, type RunToolsEvent, runTools } from "../../src/agents/agent.js";
import { OpenRouter } from "../../src/index.js";
import { type ToolContext, defineTool } from "../../src/agents/tools.js";
import { chatCompletion } from "../helpers/completions.js";

// A scripted model behind an injected fetch: each request body is recorded and answered by the next reply.
type Call = { id: string; name: string; args: unknown };
type Turn = { text?: string; calls?: Call[]; cost?: number; tokens?: number; stream?: boolean };

function scripted(turns: Turn[]) {
  const requests: Array<Record<string, unknown>> = [];
  const fetch = async (_input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
    requests.push(body);
    const turn = turns.shift();
    if (!turn) return Response.json({ error: { code: 500, message: "script exhausted" } }, { status: 500 });
    const toolCalls = turn.calls?.map((c) => ({
      id: c.id,
      type: "function",
      function: { name: c.name, arguments: typeof c.args === "string" ? c.args : JSON.stringify(c.args) },
    }));
    const tokens = turn.tokens ?? 100;
    const usage = { prompt_tokens: tokens - 10, completion_tokens: 10, total_tokens: tokens, cost: turn.cost ?? 0.001 };
    const finish = toolCalls ? "tool_calls" : "stop";
    if (body["stream"] === true) {
      const chunk = (delta: unknown, finishReason: string | null = null) =>
        `data: ${JSON.stringify({ id: `gen-${requests.length}`, object: "chat.completion.chunk", created: 1, model: "m/x", choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
      let sse = chunk({ role: "assistant", content: turn.text ?? "" });
      toolCalls?.forEach((tc, index) => {
        sse += chunk({ tool_calls: [{ index, id: tc.id, type: "function", function: { name: tc.function.name, arguments: "" } }] });
        sse += chunk({ tool_calls: [{ index, function: { arguments: tc.function.arguments } }] });
      });
      sse += chunk({}, finish);
      sse += `data: ${JSON.stringify({ id: `gen-${requests.length}`, object: "chat.completion.chunk", created: 1, model: "m/x", choices: [], usage })}\n\n`;
      sse += "data: [DONE]\n\n";
      return new Response(sse, { headers: { "content-type": "text/event-stream" } });
    }
    return Response.json(chatCompletion({ id: `gen-${requests.length}`, content: turn.text ?? null, toolCalls, finishReason: finish, usage }));
  };
  return { client: new OpenRouter({ apiKey: "sk-or-test", baseUrl: "http://127.0.0.1:9/api/v1", fetch }), requests };
}

interface Deps {
  temps: Record<string, number>;
  log: string[];
}

const weather = defineTool({
  name: "get_weather",
  description: "Current temperature of a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
  execute: async ({ city }, ctx: ToolContext<Deps>) => {
    ctx.deps.log.push(`start ${city} step ${ctx.step} ${ctx.toolCallId}`);
    await new Promise((r) => setImmediate(r));
    ctx.deps.log.push(`end ${city}`);
    const temp = ctx.deps.temps[city];
    if (temp === undefined) throw new Error(`unknown city ${city}`);
    return { city, temp };
  },
});

const ask = [{ role: "user" as const, content: "Weather in Paris and Berlin?" }];
const deps = (): Deps => ({ temps: { Paris: 18, Berlin: 12 }, log: [] });

describe("runTools", () => {
  it("runs two parallel tool calls with typed deps and answers", async () => {
    const { client, requests } = scripted([
      { calls: [{ id: "c1", name: "get_weather", args: { city: "Paris" } }, { id: "c2", name: "get_weather", args: { city: "Berlin" } }], cost: 0.002 },
      { text: "Paris 18°, Berlin 12°.", cost: 0.003 },
    ]);
    const d = deps();
    const run = await runTools(client, { model: "m/x", messages: ask, tools: [weather], deps: d });
    expect(run.text).toBe("Paris 18°, Berlin 12°.");
    expect(run.stopReason).toBe("done");
    // Both calls started before either finished: they ran concurrently.
    expect(d.log).toEqual(["start Paris step 1 c1", "start Berlin step 1 c2", "end Paris", "end Berlin"]);
    expect(run.steps).toHaveLength(2);
    expect(run.steps[0]?.toolCalls.map((t) => [t.id, t.content])).toEqual([
      ["c1", '{"city":"Paris","temp":18}'],
      ["c2", '{"city":"Berlin","temp":12}'],
    ]);
    expect(run.cost).toBeCloseTo(0.005);
    expect(run.usage?.total_tokens).toBe(200);
    // The second request carries the assistant tool calls and one tool message per call, in order.
    const second = requests[1]?.["messages"] as Array<Record<string, unknown>>;
    expect(second.map((m) => m["role"])).toEqual(["user", "assistant", "tool", "tool"]);
    expect(second[2]).toEqual({ role: "tool", tool_call_id: "c1", content: '{"city":"Paris","temp":18}' });
    expect(second[3]).toMatchObject({ role: "tool", tool_call_id: "c2" });
    expect(requests[0]?.["tools"]).toEqual([
      { type: "function", function: { name: "get_weather", description: "Current temperature of a city", parameters: weather.parameters } },
    ]);
    expect(run.messages).toHaveLength(5);
    expect(run.newMessages).toHaveLength(4);
  });

  it("runs calls one by one with parallel: false (and sends parallel_tool_calls)", async () => {
    const { client, requests } = scripted([
      { calls: [{ id: "c1", name: "get_weather", args: { city: "Paris" } }, { id: "c2", name: "get_weather", args: { city: "Berlin" } }] },
      { text: "done" },
    ]);
    const d = deps();
    await runTools(client, { model: "m/x", messages: ask, tools: [weather], deps: d, parallel: false });
    expect(d.log).toEqual(["start Paris step 1 c1", "end Paris", "start Berlin step 1 c2", "end Berlin"]);
    expect(requests[0]?.["parallel_tool_calls"]).toBe(false);
  });

  it("reports invalid arguments back to the model instead of throwing, without executing the tool", async () => {
    const { client, requests } = scripted([
      { calls: [{ id: "c1", name: "get_weather", args: { city: 5 } }] },
      { calls: [{ id: "c2", name: "get_weather", args: '{"city": "Paris"' }] },
      { calls: [{ id: "c3", name: "get_weather", args: { city: "Paris" } }] },
      { text: "18° in Paris" },
    ]);
    const d = deps();
    const run = await runTools(client, { model: "m/x", messages: ask, tools: [weather], deps: d });
    expect(run.text).toBe("18° in Paris");
    expect(d.log).toEqual(["start Paris step 3 c3", "end Paris"]);
    const toolMessages = (requests[3]?.["messages"] as Array<Record<string, string>>).filter((m) => m["role"] === "tool");
    expect(toolMessages[0]?.["content"]).toMatch(/^Error: The arguments do not match.*\n\/city: must be string/s);
    expect(toolMessages[1]?.["content"]).toMatch(/^Error: The arguments are not valid JSON/);
    expect(run.steps[0]?.toolCalls[0]?.error?.kind).toBe("invalid_arguments");
  });

  it("reports a throwing tool and an unknown tool, then gives up past the retry limit with ToolError", async () => {
    const { client } = scripted([
      { calls: [{ id: "c1", name: "get_weather", args: { city: "Atlantis" } }, { id: "c2", name: "teleport", args: {} }] },
      { calls: [{ id: "c3", name: "get_weather", args: { city: "Atlantis" } }] },
      { calls: [{ id: "c4", name: "get_weather", args: { city: "Lemuria" } }] },
    ]);
    const error = (await runTools(client, { model: "m/x", messages: ask, tools: [weather], deps: deps(), maxToolRetries: 1 }).catch((e: unknown) => e)) as ToolError;
    expect(error).toBeInstanceOf(ToolError);
    expect(error.toolName).toBe("get_weather");
    expect(error.failure.kind).toBe("execute_threw");
    expect((error.cause as Error).message).toBe("unknown city Atlantis");
    expect(error.steps).toHaveLength(2);
    const toolContents = error.messages.filter((m) => m.role === "tool").map((m) => (m as { content: string }).content);
    expect(toolContents[0]).toBe('Error: The tool "get_weather" failed: unknown city Atlantis');
    expect(toolContents[1]).toMatch(/There is no tool named "teleport". Available tools: get_weather/);
  });

  it("stops at maxSteps with MaxStepsError, or returns a flagged result", async () => {
    const loopTurns = () => [1, 2, 3].map((i) => ({ calls: [{ id: `c${i}`, name: "get_weather", args: { city: i % 2 ? "Paris" : "Berlin" } }] }));
    const a = scripted(loopTurns());
    const error = (await runTools(a.client, { model: "m/x", messages: ask, tools: [weather], deps: deps(), maxSteps: 2 }).catch((e: unknown) => e)) as MaxStepsError;
    expect(error).toBeInstanceOf(MaxStepsError);
    expect(error.message).toMatch(/maxSteps \(2\)/);
    expect(error.steps).toHaveLength(2);
    expect(a.requests).toHaveLength(2);
    // Every tool call in the transcript has its answer, so the run can be resumed from error.messages.
    expect(error.messages.filter((m) => m.role === "tool")).toHaveLength(2);

    const b = scripted(loopTurns());
    const run = await runTools(b.client, { model: "m/x", messages: ask, tools: [weather], deps: deps(), maxSteps: 2, onMaxSteps: "return" });
    expect(run.stopReason).toBe("max_steps");
    expect(run.steps).toHaveLength(2);
    expect(run.result.toolCalls).toHaveLength(1);
  });

  it("maxCostUsd: finishes the pending calls, then one last turn with tool_choice none", async () => {
    const { client, requests } = scripted([
      { calls: [{ id: "c1", name: "get_weather", args: { city: "Paris" } }], cost: 0.01 },
      { calls: [{ id: "c2", name: "get_weather", args: { city: "Berlin" } }], cost: 0.01 },
      { text: "Paris is 18°. I stopped there.", cost: 0.001 },
    ]);
    const run = await runTools(client, { model: "m/x", messages: ask, tools: [weather], deps: deps(), maxCostUsd: 0.02 });
    expect(run.stopReason).toBe("max_cost");
    expect(requests.map((r) => r["tool_choice"])).toEqual([undefined, undefined, "none"]);
    expect(run.steps.at(-1)?.final).toBe(true);
    expect(run.text).toBe("Paris is 18°. I stopped there.");
    expect(run.cost).toBeCloseTo(0.021);
    // The pending call of step 2 was executed before the closing turn.
    expect((requests[2]?.["messages"] as Array<{ role: string }>).filter((m) => m.role === "tool")).toHaveLength(2);
  });

  it("maxTokens counts total_tokens over the run", async () => {
    const { client, requests } = scripted([
      { calls: [{ id: "c1", name: "get_weather", args: { city: "Paris" } }], tokens: 600 },
      { text: "ok", tokens: 50 },
    ]);
    const run = await runTools(client, { model: "m/x", messages: ask, tools: [weather], deps: deps(), maxTokens: 500 });
    expect(run.stopReason).toBe("max_tokens");
    expect(requests[1]?.["tool_choice"]).toBe("none");
  });

  it("repetition guard: the Nth identical call is not executed, the model is told, and the run closes", async () => {
    const same = (id: string) => ({ calls: [{ id, name: "get_weather", args: { city: "Paris" } }] });
    const { client, requests } = scripted([same("c1"), same("c2"), same("c3"), { text: "It is 18° in Paris." }]);
    const d = deps();
    const run = await runTools(client, { model: "m/x", messages: ask, tools: [weather], deps: d, repetitionLimit: 3 });
    expect(run.stopReason).toBe("repetition");
    expect(d.log.filter((l) => l.startsWith("start"))).toHaveLength(2);
    const last = (requests[3]?.["messages"] as Array<Record<string, string>>).at(-1);
    expect(last?.["content"]).toMatch(/same arguments 3 times in a row/);
    expect(requests[3]?.["tool_choice"]).toBe("none");
  });

  it("sends toolChoice on the first call only", async () => {
    const { client, requests } = scripted([{ calls: [{ id: "c1", name: "get_weather", args: { city: "Paris" } }] }, { text: "18" }]);
    await runTools(client, { model: "m/x", messages: ask, tools: [weather], deps: deps(), toolChoice: "required" });
    expect(requests.map((r) => r["tool_choice"])).toEqual(["required", undefined]);
  });

  it("passes the abort signal and the messages so far to tools", async () => {
    let seen: { aborted: boolean; messages: number; usage: number } | undefined;
    const probe = defineTool({
      name: "probe",
      parameters: { type: "object" },
      execute: (_args, ctx) => {
        seen = { aborted: ctx.signal.aborted, messages: ctx.messages.length, usage: ctx.usage.total_tokens };
        return "ok";
      },
    });
    const { client } = scripted([{ calls: [{ id: "p", name: "probe", args: {} }] }, { text: "fine" }]);
    await runTools(client, { model: "m/x", messages: ask, tools: [probe] });
    expect(seen).toEqual({ aborted: false, messages: 2, usage: 100 });
  });

  it("validates its parameters", async () => {
    const { client } = scripted([]);
    expect(() => runTools(client, { model: "m/x", messages: [], tools: [] })).toThrow(/at least one message/);
    expect(() => runTools(client, { model: "m/x", messages: ask, tools: [weather, weather], deps: deps() })).toThrow(/two tools are named/);
    expect(() => runTools(client, { model: "m/x", messages: ask, tools: [{ name: "x" } as never] })).toThrow(/defineTool/);
    expect(() => runTools(client, { model: "m/x", messages: ask, tools: [], maxSteps: 0 })).toThrow(/maxSteps/);
    expect(() => runTools(client, { model: "m/x", messages: ask, tools: [], onMaxSteps: "stop" as never })).toThrow(/onMaxSteps/);
  });

  it("stream: true yields each step's stream events plus step and tool events", async () => {
    const { client, requests } = scripted([
      { calls: [{ id: "c1", name: "get_weather", args: { city: "Paris" } }, { id: "c2", name: "get_weather", args: { city: "Berlin" } }] },
      { text: "Paris 18, Berlin 12" },
    ]);
    const stream = runTools(client, { model: "m/x", messages: ask, tools: [weather], deps: deps(), stream: true });
    const events: RunToolsEvent[] = [];
    for await (const e of stream) events.push(e);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("step_start");
    expect(types.filter((t) => t === "tool_call").length).toBeGreaterThanOrEqual(2);
    expect(types.filter((t) => t === "tool_start")).toHaveLength(2);
    expect(types.filter((t) => t === "tool_result")).toHaveLength(2);
    expect(types.filter((t) => t === "step_finish")).toHaveLength(2);
    expect(types.at(-1)).toBe("run_done");
    expect(types.indexOf("tool_result")).toBeLessThan(types.lastIndexOf("step_start"));
    const content = events.filter((e): e is Extract<RunToolsEvent, { type: "content" }> => e.type === "content").map((e) => e.text).join("");
    expect(content).toBe("Paris 18, Berlin 12");
    const final = await stream.final();
    expect(final.text).toBe("Paris 18, Berlin 12");
    expect(final.steps[0]?.toolCalls.map((t) => t.args)).toEqual([{ city: "Paris" }, { city: "Berlin" }]);
    expect(requests.every((r) => r["stream"] === true)).toBe(true);
  });

  it("client.runTools() delegates here, plain and streamed", async () => {
    const turns = () => [{ calls: [{ id: "c1", name: "get_weather", args: { city: "Paris" } }] }, { text: "18" }];
    const a = scripted(turns());
    const run = await a.client.runTools({ model: "m/x", messages: ask, tools: [weather], deps: deps() });
    expect(run.text).toBe("18");
    const b = scripted(turns());
    const stream = b.client.runTools({ model: "m/x", messages: ask, tools: [weather], deps: deps(), stream: true });
    const types: string[] = [];
    for await (const e of stream) types.push(e.type);
    expect(types).toContain("tool_result");
    expect((await stream.final()).steps).toHaveLength(2);
  });

  it("a caller abort reaches the running tool's signal and ends the run with AbortError", async () => {
    const controller = new AbortController();
    let toolSignal: AbortSignal | undefined;
    const slow = defineTool({
      name: "slow",
      parameters: { type: "object" },
      execute: (_args, ctx) =>
        new Promise((_resolve, reject) => {
          toolSignal = ctx.signal;
          ctx.signal.addEventListener("abort", () => reject(new Error("stopped")), { once: true });
          controller.abort();
        }),
    });
    const { client, requests } = scripted([{ calls: [{ id: "s", name: "slow", args: {} }] }, { text: "never" }]);
    const error = (await runTools(client, { model: "m/x", messages: ask, tools: [slow] }, { signal: controller.signal }).catch((e: unknown) => e)) as { kind: string };
    expect(error.kind).toBe("aborted");
    expect(toolSignal?.aborted).toBe(true);
    expect(requests).toHaveLength(1);
  });

  it("run errors never carry the API key", async () => {
    const { inspect } = await import("node:util");
    const loop = [1, 2].map((i) => ({ calls: [{ id: `c${i}`, name: "get_weather", args: { city: "Paris" } }] }));
    const { client } = scripted(loop);
    const error = await runTools(client, { model: "m/x", messages: ask, tools: [weather], deps: deps(), maxSteps: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MaxStepsError);
    expect(JSON.stringify(error)).not.toContain("sk-or-test");
    expect(inspect(error, { depth: 10 })).not.toContain("sk-or-test");
  });
});

describe("runTools: edges of a run", () => {
  it("rejects non-object parameters, a non-array tools list and non-positive limits", async () => {
    const { client } = scripted([]);
    expect(() => runTools(client, null as never)).toThrow(/needs a parameters object/);
    expect(() => runTools(client, { model: "m/x", messages: ask, tools: "weather" as never })).toThrow(/tools must be an array/);
    expect(() => runTools(client, { model: "m/x", messages: ask, tools: [], maxCostUsd: 0 })).toThrow(/maxCostUsd must be a positive number; got 0/);
    expect(() => runTools(client, { model: "m/x", messages: ask, tools: [], maxTokens: "9" as never })).toThrow(/maxTokens must be a positive number/);
    expect(() => runTools(client, { model: "m/x", messages: ask, tools: [], repetitionLimit: 1 })).toThrow(/repetitionLimit must be an integer >= 2/);
  });

  it("never starts when the caller's signal is already aborted", async () => {
    const { client, requests } = scripted([{ text: "never" }]);
    const controller = new AbortController();
    controller.abort(new Error("gave up before starting"));
    const error = (await runTools(client, { model: "m/x", messages: ask, tools: [weather], deps: deps() }, { signal: controller.signal }).catch((e: unknown) => e)) as { kind: string };
    expect(error.kind).toBe("aborted");
    expect(requests).toHaveLength(0);
  });

  it("reports no cost when the server reports none, and says 'none' when no tools are offered", async () => {
    // A server whose usage carries no cost field.
    const replies = [
      { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "ghost", arguments: "{}" } }] },
      { role: "assistant", content: "done" },
    ];
    const fetch = async () =>
      Response.json({
        id: "gen-x",
        object: "chat.completion",
        created: 1,
        model: "m/x",
        choices: [{ index: 0, finish_reason: "stop", message: replies.shift() }],
        usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
      });
    const client = new OpenRouter({ apiKey: "sk-or-test", baseUrl: "http://127.0.0.1:9/api/v1", fetch });
    const run = await runTools(client, { model: "m/x", messages: ask, tools: [] });
    expect(run.cost).toBeUndefined();
    const tool = run.newMessages.find((m) => m.role === "tool") as { content: string };
    expect(tool.content).toBe('Error: There is no tool named "ghost". Available tools: none.');
  });

  it("quotes a thrown non-Error value in what the model is told", async () => {
    const throwsString = defineTool({
      name: "flaky",
      parameters: { type: "object" },
      execute: () => {
        throw "disk full"; // eslint-disable-line no-throw-literal -- a library tool may throw anything
      },
    });
    const { client } = scripted([{ calls: [{ id: "f", name: "flaky", args: {} }] }, { text: "sorry" }]);
    const run = await runTools(client, { model: "m/x", messages: ask, tools: [throwsString] });
    const tool = run.newMessages.find((m) => m.role === "tool") as { content: string };
    expect(tool.content).toBe('Error: The tool "flaky" failed: disk full');
    expect(run.steps[0]?.toolCalls[0]?.error?.kind).toBe("execute_threw");
  });

  it("drops the stray tool calls of the closing turn from the transcript", async () => {
    const { client } = scripted([
      { calls: [{ id: "c1", name: "get_weather", args: { city: "Paris" } }], cost: 0.05 },
      { text: "Paris is 18°", calls: [{ id: "c2", name: "get_weather", args: { city: "Berlin" } }] },
    ]);
    const run = await runTools(client, { model: "m/x", messages: ask, tools: [weather], deps: deps(), maxCostUsd: 0.01 });
    expect(run.stopReason).toBe("max_cost");
    const last = run.messages.at(-1) as Record<string, unknown>;
    expect(last["role"]).toBe("assistant");
    expect(last["tool_calls"]).toBeUndefined();
    expect(last["content"]).toBe("Paris is 18°");
  });

  it("attaches the last model reply to an error from a later call", async () => {
    // The script runs out after one turn: the second call gets a 500.
    const { client } = scripted([{ calls: [{ id: "c1", name: "get_weather", args: { city: "Paris" } }] }]);
    const error = (await runTools(client, { model: "m/x", messages: ask, tools: [weather], deps: deps() }, { retry: false } as never).catch((e: unknown) => e)) as {
      status: number;
      partial?: { toolCalls: unknown[] };
    };
    expect(error.status).toBe(500);
    expect(error.partial?.toolCalls).toHaveLength(1);
  });
});
