import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { estimateTokens, fitsContext } from "../../src/accounting/tokens.js";
import { listFixtures, loadFixture, recordedUsage } from "../helpers/fixtures.js";

type Usage = { prompt_tokens?: number };

/** The usage a recorded chat exchange reports (JSON body or the stream's usage chunk). */

/** The catalogue's tokenizer family for the recorded model (what a caller would pass from models.get()). */
function tokenizerOf(model: string): string {
  if (/^anthropic\//.test(model)) return "Claude";
  if (/^google\//.test(model)) return "Gemini";
  return "GPT";
}

/** Requests whose prompt OpenRouter grows on its side (web search results): no client estimate can see those. */
function serverAugmented(body: Record<string, unknown>): boolean {
  const tools = Array.isArray(body["tools"]) ? (body["tools"] as Array<{ type?: string }>) : [];
  return tools.some((t) => /^openrouter:|^web_search/.test(t.type ?? "")) || Array.isArray(body["plugins"]) || /:online$/.test(String(body["model"]));
}

describe("estimateTokens", () => {
  it("counts text at about four characters per token", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("Hello, world")).toBe(3);
    expect(estimateTokens("a".repeat(4000))).toBe(1000);
  });

  it("counts CJK characters one token each", () => {
    expect(estimateTokens("你好世界")).toBe(4);
    expect(estimateTokens("日本語abcd")).toBe(4);
  });

  it("adds per-message and per-request overhead", () => {
    const one = estimateTokens([{ role: "user", content: "What's 2 + 2?" }]);
    expect(one).toBe(11);
    const two = estimateTokens([
      { role: "user", content: "What's 2 + 2?" },
      { role: "assistant", content: "4" },
    ]);
    expect(two).toBe(one + 4 + 1);
    expect(estimateTokens({ role: "user", content: "What's 2 + 2?" })).toBe(8);
  });

  it("counts content parts, images and tool calls", () => {
    const text = estimateTokens([{ role: "user", content: [{ type: "text", text: "abcdabcd" }] }]);
    expect(text).toBe(3 + 4 + 2);
    const withImage = estimateTokens([
      { role: "user", content: [{ type: "text", text: "abcdabcd" }, { type: "image_url", image_url: { url: "data:," } }] },
    ]);
    expect(withImage - text).toBeGreaterThan(500);
    const call = estimateTokens([
      { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
    ]);
    expect(call).toBeGreaterThan(estimateTokens([{ role: "assistant", content: null }]) + 5);
  });

  it("adds tools, json_schema and reasoning overheads, larger for Claude tools", () => {
    const messages = [{ role: "user" as const, content: "What's the weather in Berlin?" }];
    const tools = [
      {
        type: "function" as const,
        function: {
          name: "weather",
          description: "Gets current weather for a location",
          parameters: { type: "object", properties: { city: { type: "string", description: "City name" } }, required: ["city"] },
        },
      },
    ];
    const plain = estimateTokens({ messages });
    const gpt = estimateTokens({ messages, tools });
    const claude = estimateTokens({ messages, tools }, { tokenizer: "Claude" });
    expect(gpt).toBeGreaterThan(plain);
    expect(claude - gpt).toBeGreaterThan(300);
    const schema = estimateTokens({
      messages,
      response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object", properties: { a: { type: "string" } } } } },
    });
    expect(schema).toBeGreaterThan(plain);
    expect(estimateTokens({ messages, reasoning: { effort: "high" } } as never, { tokenizer: "Claude" })).toBe(
      estimateTokens({ messages }, { tokenizer: "Claude" }) + 30,
    );
  });

  it("rejects bad input clearly", () => {
    expect(() => estimateTokens(42 as never)).toThrow(InvalidArgumentError);
    expect(() => estimateTokens({ nope: 1 } as never)).toThrow(/expects text, a message/);
    expect(() => estimateTokens([null] as never)).toThrow(/each message must be an object/);
    expect(() => estimateTokens("x", { charsPerToken: 0 })).toThrow(/charsPerToken/);
  });

  it("tracks the recorded usage.prompt_tokens (prints the measured error)", () => {
    const rows: Array<{ name: string; model: string; actual: number; estimate: number; rel: number }> = [];
    const excluded: string[] = [];
    for (const name of listFixtures()) {
      if (!/^(chat|stream)-/.test(name)) continue;
      const rec = loadFixture(name);
      const body = rec.request.body as Record<string, unknown> | null;
      const actual = recordedUsage(rec)?.prompt_tokens;
      if (!body || !Array.isArray(body["messages"]) || typeof actual !== "number" || actual === 0) continue;
      if (serverAugmented(body)) {
        excluded.push(name);
        continue;
      }
      const model = String(body["model"]);
      const estimate = estimateTokens(body as never, { tokenizer: tokenizerOf(model) });
      rows.push({ name, model, actual, estimate, rel: (estimate - actual) / actual });
    }
    const abs = rows.map((r) => Math.abs(r.rel)).sort((a, b) => a - b);
    const mean = abs.reduce((a, b) => a + b, 0) / abs.length;
    const median = abs[Math.floor(abs.length / 2)] as number;
    const p90 = abs[Math.floor(abs.length * 0.9)] as number;
    const max = abs[abs.length - 1] as number;
    const bias = rows.reduce((a, r) => a + r.rel, 0) / rows.length;
    const within25 = abs.filter((x) => x <= 0.25).length / abs.length;
    const worst = [...rows].sort((a, b) => Math.abs(b.rel) - Math.abs(a.rel)).slice(0, 3);
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    console.log(
      [
        `estimateTokens vs recorded usage.prompt_tokens: n=${rows.length} (excluded server-side web search: ${excluded.length})`,
        `  mean |error| ${pct(mean)}, median ${pct(median)}, p90 ${pct(p90)}, max ${pct(max)}, mean signed ${pct(bias)}, within ±25%: ${pct(within25)}`,
        `  worst: ${worst.map((r) => `${r.name} (${r.model}) ${r.estimate} vs ${r.actual}`).join("; ")}`,
      ].join("\n"),
    );
    expect(rows.length).toBeGreaterThanOrEqual(50);
    // Guard the documented accuracy (docs/money-and-routing.md, "Token estimates") against regressions.
    expect(mean).toBeLessThan(0.22);
    expect(median).toBeLessThan(0.15);
    expect(Math.abs(bias)).toBeLessThan(0.12);
  });
});

describe("estimateTokens: every content shape a message can carry", () => {
  const base = estimateTokens([{ role: "user", content: null }] as never);
  const plus = (content: unknown, extra: Record<string, unknown> = {}) => estimateTokens([{ role: "user", content, ...extra } as never]) - base;

  it("gives audio, files and video fixed placeholders, and counts unknown parts by their JSON", () => {
    expect(plus([{ type: "input_audio", input_audio: { data: "x", format: "wav" } }])).toBe(500);
    expect(plus([{ type: "file", file: { filename: "a.pdf" } }])).toBe(1000);
    expect(plus([{ type: "video_url", video_url: { url: "https://v" } }])).toBe(1000);
    expect(plus([{ type: "input_video", video: {} }])).toBe(1000);
    const odd = { type: "something_new", value: "abcdefgh" };
    expect(plus([odd])).toBe(Math.ceil(JSON.stringify(odd).length / 4));
  });

  it("counts bare strings in a part list, ignores junk parts and text parts without text", () => {
    expect(plus(["abcdabcd"])).toBe(2);
    expect(plus([null, 42, { type: "text" }])).toBe(0);
    expect(plus(undefined)).toBe(0);
    // A non-string, non-array content is counted by its JSON text.
    expect(plus({ weird: true })).toBe(Math.ceil(JSON.stringify({ weird: true }).length / 4));
  });

  it("counts a message name and each tool call's name and arguments", () => {
    expect(plus("", { name: "abcdabcd" })).toBe(2);
    const bare = plus(null, { tool_calls: [{ id: "1", type: "function", function: {} }] });
    const full = plus(null, { tool_calls: [{ id: "1", type: "function", function: { name: "abcd", arguments: "abcdabcd" } }] });
    expect(full - bare).toBe(3);
  });

  it("counts a tool given without a function wrapper, and nothing for an empty tools list", () => {
    const messages = [{ role: "user" as const, content: "hi" }];
    expect(estimateTokens({ messages, tools: [] })).toBe(estimateTokens(messages));
    const wrapped = estimateTokens({ messages, tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: { q: { type: "string", enum: ["a", 1, true] } } } } }] });
    const bare = estimateTokens({ messages, tools: [{ name: "lookup", parameters: { type: "object", properties: { q: { type: "string", enum: ["a", 1, true] } } } }] as never });
    expect(wrapped).toBeGreaterThan(estimateTokens(messages));
    // The same words are counted whether or not the tool is wrapped in { type, function }.
    expect(bare).toBe(wrapped);
  });

  it("treats a :thinking model and reasoning_effort as reasoning, and effort none or enabled false as not", () => {
    // Only Claude's tokenizer profile adds hidden reasoning instructions.
    const claude = { tokenizer: "Claude" };
    const messages = [{ role: "user" as const, content: "hi" }];
    const plain = estimateTokens({ messages }, claude);
    expect(estimateTokens({ messages, model: "anthropic/claude-3.7-sonnet:thinking" } as never, claude)).toBe(plain + 30);
    expect(estimateTokens({ messages, reasoning_effort: "high" } as never, claude)).toBe(plain + 30);
    expect(estimateTokens({ messages, reasoning: { max_tokens: 100 } } as never, claude)).toBe(plain + 30);
    expect(estimateTokens({ messages, reasoning_effort: "none" } as never, claude)).toBe(plain);
    expect(estimateTokens({ messages, reasoning: { enabled: false } } as never, claude)).toBe(plain);
    expect(estimateTokens({ messages, reasoning: { effort: "none" } } as never, claude)).toBe(plain);
    expect(estimateTokens({ messages, reasoning_effort: "high" } as never)).toBe(estimateTokens({ messages }));
    expect(estimateTokens({ messages, response_format: { type: "json_object" } } as never)).toBe(estimateTokens({ messages }));
  });

  it("names what it got when the input is no accepted shape", () => {
    expect(() => estimateTokens(null as never)).toThrow(/got null/);
    expect(() => estimateTokens(42 as never)).toThrow(/got number/);
    expect(() => estimateTokens({ content: "no role" } as never)).toThrow(InvalidArgumentError);
    expect(() => estimateTokens([null] as never)).toThrow(/each message must be an object with a role/);
    expect(() => estimateTokens("x", { charsPerToken: 0 })).toThrow(/charsPerToken must be a positive number/);
    expect(() => estimateTokens("x", { charsPerToken: Infinity })).toThrow(/charsPerToken/);
  });
});

describe("fitsContext", () => {
  const model = { id: "test/small", context_length: 1000, top_provider: { context_length: 800, max_completion_tokens: 200 } };
  const short = [{ role: "user" as const, content: "hello" }];

  it("fits a short prompt and reports the limits used", () => {
    expect(fitsContext(model, short, 100)).toEqual({
      fits: true,
      promptTokens: estimateTokens(short),
      limit: 800,
      maxTokens: 100,
      maxCompletionTokens: 200,
      reason: undefined,
    });
  });

  it("rejects a prompt that overflows the smaller of the two windows", () => {
    const long = [{ role: "user" as const, content: "x".repeat(3000) }];
    const fit = fitsContext(model, long, 100);
    expect(fit.fits).toBe(false);
    expect(fit.promptTokens).toBe(757);
    expect(fit.reason).toMatch(/757 prompt tokens \+ 100 completion tokens exceed test\/small's context window of 800 tokens/);
    expect(fitsContext(model, long, 0).fits).toBe(true);
  });

  it("rejects max_tokens above the top provider's completion limit", () => {
    const fit = fitsContext(model, short, 500);
    expect(fit.fits).toBe(false);
    expect(fit.reason).toMatch(/max_tokens 500 exceeds test\/small's largest completion of 200/);
  });

  it("applies a safety factor", () => {
    const msgs = [{ role: "user" as const, content: "x".repeat(2800) }]; // ~707 tokens
    expect(fitsContext(model, msgs, 50).fits).toBe(true);
    const fit = fitsContext(model, msgs, 50, { safetyFactor: 0.9 });
    expect(fit.fits).toBe(false);
    expect(fit.reason).toMatch(/720 tokens \(90% of 800\)/);
  });

  it("checks a recorded catalogue entry (models-list-03)", () => {
    const models = (loadFixture("models-list-03.json").response.body as { data: Array<Parameters<typeof fitsContext>[0]> }).data;
    const mini = models.find((m) => m.id === "openai/gpt-4.1-mini")!;
    expect(fitsContext(mini, short, 1000).fits).toBe(true);
    const big = (mini.top_provider?.max_completion_tokens ?? 0) + 1;
    expect(fitsContext(mini, short, big).fits).toBe(false);
  });

  it("treats missing limits as unknown, not zero", () => {
    expect(fitsContext({ id: "x/y", context_length: null, top_provider: {} }, short, 10 ** 6).fits).toBe(true);
  });

  it("rejects bad input", () => {
    expect(() => fitsContext(model, short, -1)).toThrow(/maxTokens/);
    expect(() => fitsContext(model, short, 1.5)).toThrow(/maxTokens/);
    expect(() => fitsContext(model, short, 1, { safetyFactor: 2 })).toThrow(/safetyFactor/);
    expect(() => fitsContext(null as never, short, 1)).toThrow(/catalogue Model/);
  });
});
