/**
 * A whole session through the real client against a loopback OpenRouter stand-in (node:http on 127.0.0.1):
 * mixed plain and streamed calls with known integer usage and costs, then the tracker's totals to the exact
 * token and micro-dollar, the per-model breakdown, an aborted stream settled from /generation, and the budget
 * guard refusing the call that would go over before the server ever sees it.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenRouter } from "../../src/client.js";
import { BudgetExceededError, isOpenRouterError } from "../../src/core/errors.js";
import type { Model } from "../../src/accounting/models.js";
import { loadFixture } from "../helpers/fixtures.js";

/** One planned generation; costs are integer pico-dollars (1e-12 USD) so expectations need no floats. */
interface Plan {
  id: string;
  model: string;
  prompt: number;
  completion: number;
  reasoning?: number;
  cached?: number;
  cacheWrite?: number;
  costPico: number;
  /** For streams: stop after the first content chunk and keep the connection open (the client aborts). */
  hang?: boolean;
}

const PLANS: Record<string, Plan> = {
  "turn-1": { id: "gen-s-1", model: "openai/gpt-4o-mini", prompt: 19, completion: 25, costPico: 17_850_000 }, // $0.00001785
  "turn-2": { id: "gen-s-2", model: "anthropic/claude-haiku-4.5", prompt: 15, completion: 9, costPico: 60_000_000 },
  "turn-3": { id: "gen-s-3", model: "anthropic/claude-haiku-4.5", prompt: 80, completion: 855, reasoning: 586, costPico: 4_355_000_000 },
  "turn-4": { id: "gen-s-4", model: "openai/gpt-4o-mini", prompt: 27, completion: 1, costPico: 4_650_000 }, // 4.65e-6
  "turn-5": { id: "gen-s-5", model: "anthropic/claude-haiku-4.5", prompt: 3329, completion: 53, cached: 3211, cacheWrite: 115, costPico: 2_198_550_000 },
  "turn-6": { id: "gen-s-6", model: "openai/gpt-4o-mini", prompt: 3, completion: 1, costPico: 600_000 }, // 6e-7, sent as "6e-7"
  "turn-7": { id: "gen-s-7", model: "openai/gpt-4o-mini", prompt: 12, completion: 40, costPico: 0, hang: true },
  // Budget session.
  "budget-1": { id: "gen-b-1", model: "openai/gpt-4o-mini", prompt: 19, completion: 25, costPico: 17_850_000 },
  "budget-2": { id: "gen-b-2", model: "anthropic/claude-haiku-4.5", prompt: 15, completion: 9, costPico: 60_000_000 },
  "budget-3": { id: "gen-b-3", model: "openai/gpt-4o-mini", prompt: 100, completion: 50, costPico: 45_000_000 },
  "budget-4": { id: "gen-b-4", model: "openai/gpt-4o-mini", prompt: 5, completion: 5, costPico: 3_750_000 },
  "budget-5": { id: "gen-b-5", model: "openai/gpt-4o-mini", prompt: 5, completion: 100, costPico: 60_750_000 },
};

/** What /generation reports for the aborted stream (turn-7): it was billed although no usage arrived. */
const ABORTED_BILL = { total_cost: 0.0000258, native_tokens_prompt: 12, native_tokens_completion: 40 };

function usageOf(p: Plan): Record<string, unknown> {
  return {
    prompt_tokens: p.prompt,
    completion_tokens: p.completion,
    total_tokens: p.prompt + p.completion,
    prompt_tokens_details: { cached_tokens: p.cached ?? 0, cache_write_tokens: p.cacheWrite ?? 0 },
    completion_tokens_details: { reasoning_tokens: p.reasoning ?? 0 },
    cost: p.costPico / 1e12,
    is_byok: false,
  };
}

/** The catalogue the stand-in serves: the recorded entries for the two models the session uses. */
function catalogue(): Model[] {
  const pick = (file: string, id: string) => (loadFixture(file).response.body as { data: Model[] }).data.find((m) => m.id === id)!;
  return [pick("models-list-04.json", "openai/gpt-4o-mini"), pick("models-list-02.json", "anthropic/claude-haiku-4.5")];
}

interface Seen {
  method: string;
  path: string;
  body: { model?: string; stream?: boolean; messages?: Array<{ content?: unknown }> } | undefined;
}

let server: Server;
let baseUrl: string;
const seen: Seen[] = [];
const hanging = new Set<ServerResponse>();

function chunk(p: Plan, extra: Record<string, unknown>): string {
  return `data: ${JSON.stringify({ id: p.id, object: "chat.completion.chunk", created: 1, model: p.model, provider: "Stand-in", ...extra })}\n\n`;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let text = "";
  for await (const part of req) text += part;
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const body = text ? (JSON.parse(text) as Seen["body"]) : undefined;
  seen.push({ method: req.method ?? "", path: url.pathname, body });
  if (req.method === "GET" && url.pathname === "/api/v1/models") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: catalogue() }));
    return;
  }
  if (req.method === "GET" && url.pathname === "/api/v1/generation") {
    const id = url.searchParams.get("id");
    if (id !== PLANS["turn-7"]!.id) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"Generation not found","code":404}}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: { id, model: PLANS["turn-7"]!.model, streamed: true, cancelled: true, ...ABORTED_BILL } }));
    return;
  }
  const key = String(body?.messages?.at(-1)?.content ?? "");
  const plan = PLANS[key];
  if (req.method !== "POST" || url.pathname !== "/api/v1/chat/completions" || !plan) {
    res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: 400, message: `unexpected ${req.method} ${url.pathname} ${key}` } }));
    return;
  }
  if (!body?.stream) {
    res.writeHead(200, { "content-type": "application/json", "x-generation-id": plan.id });
    res.end(
      // Leading whitespace like OpenRouter's keep-alive padding.
      `\n\n${JSON.stringify({
        id: plan.id,
        object: "chat.completion",
        created: 1,
        model: plan.model,
        provider: "Stand-in",
        choices: [{ index: 0, finish_reason: "stop", native_finish_reason: "stop", message: { role: "assistant", content: `answer to ${key}` } }],
        usage: usageOf(plan),
      })}`,
    );
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream", "x-generation-id": plan.id });
  res.write(": OPENROUTER PROCESSING\n\n");
  res.write(chunk(plan, { choices: [{ index: 0, delta: { role: "assistant", content: "answer " }, finish_reason: null }] }));
  if (plan.hang) {
    hanging.add(res);
    return;
  }
  res.write(chunk(plan, { choices: [{ index: 0, delta: { content: `to ${key}` }, finish_reason: null }] }));
  res.write(": OPENROUTER PROCESSING\n\n");
  res.write(chunk(plan, { choices: [{ index: 0, delta: {}, finish_reason: "stop", native_finish_reason: "stop" }] }));
  res.write(chunk(plan, { choices: [], usage: usageOf(plan) }));
  res.end("data: [DONE]\n\n");
}

beforeAll(async () => {
  server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => res.writeHead(500).end(String(e)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const ask = (model: string, turn: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: "user" as const, content: turn }],
  ...extra,
});
const chatCalls = () => seen.filter((s) => s.path === "/api/v1/chat/completions");

/** Sum of pico-dollars as an exact decimal string (independent of the library's own arithmetic). */
function picoToDecimal(pico: number): string {
  const s = String(pico).padStart(13, "0");
  const whole = s.slice(0, -12);
  const frac = s.slice(-12).replace(/0+$/, "");
  return frac ? `${Number(whole)}.${frac}` : String(Number(whole));
}

describe("a session of plain and streamed calls", () => {
  it("adds up to the exact token and micro-dollar, in total and per model", async () => {
    const client = new OpenRouter({ apiKey: "sk-or-session-test", baseUrl, retry: false });
    const r1 = await client.chat(ask("openai/gpt-4o-mini", "turn-1"));
    const s2 = client.chatStream(ask("anthropic/claude-haiku-4.5", "turn-2"));
    let streamed = "";
    for await (const e of s2) if (e.type === "content") streamed += e.text;
    const r2 = await s2.final();
    const r3 = await client.chat(ask("anthropic/claude-haiku-4.5", "turn-3"));
    const r4 = await client.chatStream(ask("openai/gpt-4o-mini", "turn-4")).final();
    const r5 = await client.chat(ask("anthropic/claude-haiku-4.5", "turn-5"));
    const r6 = await client.chatStream(ask("openai/gpt-4o-mini", "turn-6")).final();

    expect(streamed).toBe("answer to turn-2");
    expect([r1, r2, r3, r4, r5, r6].map((r) => [r.generationId, r.costSource])).toEqual(
      ["gen-s-1", "gen-s-2", "gen-s-3", "gen-s-4", "gen-s-5", "gen-s-6"].map((id) => [id, "usage"]),
    );
    expect(r6.cost).toBe(6e-7);

    const plans = ["turn-1", "turn-2", "turn-3", "turn-4", "turn-5", "turn-6"].map((k) => PLANS[k]!);
    const sum = (f: (p: Plan) => number, ps = plans) => ps.reduce((a, p) => a + f(p), 0);
    const pico = sum((p) => p.costPico);
    const s = client.usage.snapshot();
    expect(s).toMatchObject({
      requests: 6,
      promptTokens: sum((p) => p.prompt),
      completionTokens: sum((p) => p.completion),
      reasoningTokens: 586,
      cachedTokens: 3211,
      cacheWriteTokens: 115,
      totalTokens: sum((p) => p.prompt + p.completion),
      cost: picoToDecimal(pico),
      costMicros: Math.round(pico / 1e6),
      estimatedCostUsd: 0,
      pendingRequests: 0,
    });
    expect(s.cost).toBe("0.00663665");
    expect(s.costUsd).toBe(0.00663665);
    expect(s.costMicros).toBe(6637);

    const mini = plans.filter((p) => p.model === "openai/gpt-4o-mini");
    const haiku = plans.filter((p) => p.model === "anthropic/claude-haiku-4.5");
    expect(Object.keys(s.byModel)).toEqual(["anthropic/claude-haiku-4.5", "openai/gpt-4o-mini"]);
    expect(s.byModel["openai/gpt-4o-mini"]).toMatchObject({
      requests: 3,
      promptTokens: sum((p) => p.prompt, mini),
      completionTokens: sum((p) => p.completion, mini),
      cost: picoToDecimal(sum((p) => p.costPico, mini)),
    });
    expect(s.byModel["anthropic/claude-haiku-4.5"]).toMatchObject({
      requests: 3,
      promptTokens: sum((p) => p.prompt, haiku),
      completionTokens: sum((p) => p.completion, haiku),
      reasoningTokens: 586,
      cachedTokens: 3211,
      cost: picoToDecimal(sum((p) => p.costPico, haiku)),
    });

    // An aborted stream has no usage chunk: it is pending until /generation says what it cost.
    const s7 = client.chatStream(ask("openai/gpt-4o-mini", "turn-7"));
    const err = await (async () => {
      try {
        for await (const e of s7) if (e.type === "content") s7.abort();
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isOpenRouterError(err) && err.kind).toBe("aborted");
    const afterAbort = client.usage.snapshot();
    expect(afterAbort).toMatchObject({ requests: 7, cost: s.cost, pendingRequests: 1 });
    expect(afterAbort.pending).toEqual([expect.objectContaining({ generationId: "gen-s-7", model: "openai/gpt-4o-mini" })]);

    const report = await client.usage.reconcile((id) => client.generation(id));
    expect(report).toMatchObject({ reconciled: 1, failed: [], remaining: 0, adjustedUsd: ABORTED_BILL.total_cost });
    const final = client.usage.snapshot();
    expect(final).toMatchObject({
      requests: 7,
      promptTokens: s.promptTokens + 12,
      completionTokens: s.completionTokens + 40,
      cost: picoToDecimal(pico + 25_800_000),
      costMicros: Math.round((pico + 25_800_000) / 1e6),
      pendingRequests: 0,
    });
    expect(seen.filter((x) => x.path === "/api/v1/generation")).toHaveLength(1);
  });
});

describe("the budget guard", () => {
  it("refuses the call after the budget is spent; the server never sees it", async () => {
    const client = new OpenRouter({ apiKey: "sk-or-session-test", baseUrl, retry: false, budgetUsd: 0.0001 });
    // Each call holds its worst case while in flight, so each names a max_tokens that fits what is left.
    await client.chat(ask("openai/gpt-4o-mini", "budget-1", { max_tokens: 30 })); // $0.00001785
    await client.chatStream(ask("anthropic/claude-haiku-4.5", "budget-2", { max_tokens: 12 })).final(); // $0.00007785
    // Reported above its worst case (~$0.000002): what was charged counts, and the budget is over from here on.
    await client.chat(ask("openai/gpt-4o-mini", "budget-3", { max_tokens: 1 })); // $0.00012285
    expect(client.usage.snapshot()).toMatchObject({ cost: "0.00012285", remainingUsd: 0 });
    const before = chatCalls().length;

    const refused = await client.chat(ask("openai/gpt-4o-mini", "budget-4")).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BudgetExceededError);
    expect((refused as BudgetExceededError).message).toMatch(/Budget of \$0\.0001 is spent \(\$0\.00012285 used\)/);
    const refusedStream = await client.chatStream(ask("openai/gpt-4o-mini", "budget-4")).final().catch((e: unknown) => e);
    expect(refusedStream).toBeInstanceOf(BudgetExceededError);

    expect(chatCalls().length).toBe(before);
    expect(client.usage.snapshot()).toMatchObject({ requests: 3, cost: "0.00012285" });
  });

  it("refuses the call whose worst case would go over, once live prices are cached", async () => {
    const client = new OpenRouter({ apiKey: "sk-or-session-test", baseUrl, retry: false, budgetUsd: 0.0002 });
    await client.chat(ask("openai/gpt-4o-mini", "budget-1", { max_tokens: 30 })); // $0.00001785 spent, $0.00018215 left
    await client.models.list(); // GET /models from the stand-in: gpt-4o-mini at $0.15/M in, $0.60/M out
    const before = chatCalls().length;

    // 400 completion tokens × $0.60/M = $0.00024 worst case > what is left: refused before sending.
    const refused = await client.chat(ask("openai/gpt-4o-mini", "budget-5", { max_tokens: 400 })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BudgetExceededError);
    expect((refused as BudgetExceededError).message).toMatch(/could cost up to \$0\.00024\d*, more than the \$0\.00018215 left of the \$0\.0002 budget/);
    expect(chatCalls().length).toBe(before);

    // With room for its worst case, the same call goes out.
    const ok = await client.chat(ask("openai/gpt-4o-mini", "budget-5", { max_tokens: 200 }));
    expect(ok.cost).toBe(0.00006075);
    expect(chatCalls().length).toBe(before + 1);
    expect(client.usage.snapshot()).toMatchObject({ requests: 2, cost: "0.0000786" });
  });
});
