/**
 * The stand-in's default answers (src/testing/replies.ts) and its token counting (src/testing/usage.ts), as a
 * user of `openrouter-fetch/testing` meets them: `exampleForSchema`, `defaultReply`, `countTokens`,
 * `promptTokens`, and the checks `createMockOpenRouter` makes on scripted replies.
 */
import { describe, expect, it } from "vitest";
import { countTokens, createMockOpenRouter, defaultReply, exampleForSchema, promptTokens, TOKENS_PER_MESSAGE, TOKENS_PER_REQUEST } from "../../src/testing/index.js";

const user = (content: unknown) => ({ role: "user", content });

describe("exampleForSchema", () => {
  it("prefers const, enum, examples and default, in that order", () => {
    expect(exampleForSchema({ type: "string", const: "fixed", enum: ["a"] })).toBe("fixed");
    expect(exampleForSchema({ type: "string", enum: ["first", "second"], examples: ["x"] })).toBe("first");
    expect(exampleForSchema({ type: "string", examples: ["sample"], default: "d" })).toBe("sample");
    expect(exampleForSchema({ type: "number", default: 7 })).toBe(7);
    // An empty enum or examples list is no answer: the type decides.
    expect(exampleForSchema({ type: "boolean", enum: [], examples: [] })).toBe(true);
  });

  it("takes the first non-null option of anyOf/oneOf and merges allOf", () => {
    expect(exampleForSchema({ anyOf: [{ type: "null" }, { type: "integer", minimum: 3 }] })).toBe(3);
    expect(exampleForSchema({ oneOf: [{ type: "null" }] })).toBeNull();
    expect(exampleForSchema({ oneOf: [{ type: "boolean" }, { type: "string" }] })).toBe(true);
    expect(
      exampleForSchema({ allOf: [{ type: "object", properties: { a: { type: "string" } } }, { properties: { b: { type: "integer" } } }] }),
    ).toEqual({ a: "example a", b: 1 });
  });

  it("reads a type list without null and infers a missing type", () => {
    expect(exampleForSchema({ type: ["null", "integer"] })).toBe(1);
    expect(exampleForSchema({ type: ["null"] })).toBeNull();
    expect(exampleForSchema({ properties: { x: { type: "boolean" } } })).toEqual({ x: true });
    expect(exampleForSchema({ items: { type: "integer" } })).toEqual([1]);
    expect(exampleForSchema({})).toBe("example");
    expect(exampleForSchema(undefined)).toBe("example");
    expect(exampleForSchema({ type: "object" })).toEqual({});
  });

  it("respects numeric bounds, integer rounding and array lengths", () => {
    expect(exampleForSchema({ type: "number", minimum: 2.5 })).toBe(2.5);
    expect(exampleForSchema({ type: "integer", minimum: 2.5 })).toBe(3);
    expect(exampleForSchema({ type: "integer", exclusiveMinimum: 4 })).toBe(5);
    expect(exampleForSchema({ type: "number", maximum: 0.5 })).toBe(0.5);
    expect(exampleForSchema({ type: "number", maximum: 10 })).toBe(1);
    expect(exampleForSchema({ type: "integer", maximum: -3 })).toBe(-3);
    expect(exampleForSchema({ type: "array", items: { type: "string" }, minItems: 3 })).toEqual(["example", "example", "example"]);
    expect(exampleForSchema({ type: "array", items: { type: "null" }, minItems: 0 })).toEqual([null]);
  });

  it("gives strings that satisfy common formats and a minimum length", () => {
    expect(exampleForSchema({ type: "string", format: "date" })).toBe("2026-01-01");
    expect(exampleForSchema({ type: "string", format: "date-time" })).toBe("2026-01-01T00:00:00Z");
    expect(exampleForSchema({ type: "string", format: "email" })).toBe("user@example.com");
    expect(exampleForSchema({ type: "string", format: "uri" })).toBe("https://example.com");
    expect(exampleForSchema({ type: "string", format: "url" })).toBe("https://example.com");
    expect(exampleForSchema({ type: "string", minLength: 12 })).toBe("examplexxxxx");
    expect(exampleForSchema({ type: "object", properties: { city: { type: "string", minLength: 2 } } })).toEqual({ city: "example city" });
  });

  it("stops at depth 8 on a self-nesting schema instead of recursing forever", () => {
    let schema: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 12; i++) schema = { type: "object", properties: { child: schema } };
    let value = exampleForSchema(schema) as Record<string, unknown> | null;
    let depth = 0;
    while (value && typeof value === "object") {
      value = value["child"] as Record<string, unknown> | null;
      depth++;
    }
    expect(depth).toBe(9);
    expect(value).toBeNull();
  });
});

describe("defaultReply", () => {
  it("echoes the last user message, joining text parts of multi-part content", () => {
    const reply = defaultReply(
      { messages: [user("first"), { role: "assistant", content: "ok" }, user([{ type: "text", text: "a" }, { type: "image_url", image_url: { url: "x" } }, null, { type: "text", text: "b" }])] },
      "openai/gpt-4o-mini",
    );
    expect(reply).toEqual({ text: 'You said: "a\nb". This is the OpenRouter stand-in answering as openai/gpt-4o-mini.' });
    expect(defaultReply({}, "m").text).toBe('You said: "". This is the OpenRouter stand-in answering as m.');
    expect(defaultReply({ messages: [user(42)] }, "m").text).toBe('You said: "". This is the OpenRouter stand-in answering as m.');
  });

  it("quotes every trailing tool result, singular or plural", () => {
    const call = { role: "assistant", content: null, tool_calls: [] };
    const one = defaultReply({ messages: [user("q"), call, { role: "tool", tool_call_id: "1", content: "sunny" }] }, "m");
    expect(one.text).toBe("Based on the tool result: sunny");
    const two = defaultReply(
      { messages: [user("q"), call, { role: "tool", tool_call_id: "1", content: "sunny" }, { role: "tool", tool_call_id: "2", content: [{ type: "text", text: "22C" }] }] },
      "m",
    );
    expect(two.text).toBe("Based on the tool results: sunny; 22C");
  });

  it("calls the first or the forced tool, filling a free-text string with a name from the question", () => {
    const tools = [
      { type: "function", function: { name: "weather", parameters: { type: "object", properties: { unit: { type: "string", enum: ["C", "F"] }, city: { type: "string" } } } } },
      { type: "function", function: { name: "time" } },
      { type: "web_search" },
    ];
    const first = defaultReply({ messages: [user("What is the weather in Paris today?")], tools }, "m");
    expect(first.toolCalls).toEqual([{ name: "weather", arguments: { unit: "C", city: "Paris" } }]);
    // A capital that only starts the sentence is not a name: the schema example stays.
    const noName = defaultReply({ messages: [user("Weather please")], tools }, "m");
    expect(noName.toolCalls).toEqual([{ name: "weather", arguments: { unit: "C", city: "example city" } }]);
    const forced = defaultReply({ messages: [user("In Rome?")], tools, tool_choice: { type: "function", function: { name: "time" } } }, "m");
    // A tool without parameters gets an empty arguments object, never a bare string.
    expect(forced.toolCalls).toEqual([{ name: "time", arguments: {} }]);
    const noProps = defaultReply({ messages: [user("x")], tools: [{ type: "function", function: { name: "ping", parameters: { type: "object" } } }] }, "m");
    expect(noProps.toolCalls).toEqual([{ name: "ping", arguments: {} }]);
    const unknownForced = defaultReply({ messages: [user("x")], tools, tool_choice: { type: "function", function: { name: "nope" } } }, "m");
    expect(unknownForced.toolCalls?.[0]?.name).toBe("weather");
    expect(defaultReply({ messages: [user("x")], tools, tool_choice: "none" }, "m").text).toContain('You said: "x"');
    expect(defaultReply({ messages: [user("x")], tools: [{ type: "web_search" }] }, "m").toolCalls).toBeUndefined();
  });

  it("answers json_schema with a valid example and json_object with an echo", () => {
    const schema = { type: "object", properties: { n: { type: "integer", minimum: 2 } }, required: ["n"] };
    expect(defaultReply({ messages: [user("x")], response_format: { type: "json_schema", json_schema: { name: "s", schema } } }, "m")).toEqual({ json: { n: 2 } });
    expect(defaultReply({ messages: [user("hello")], response_format: { type: "json_object" } }, "m")).toEqual({ json: { echo: "hello" } });
  });

  it("adds reasoning when it is asked for and not excluded or off", () => {
    const messages = [user("Why?")];
    expect(defaultReply({ messages, reasoning: { effort: "high" } }, "m").reasoning).toBe('The user asked: "Why?". I will answer directly.');
    expect(defaultReply({ messages, reasoning_effort: "low" }, "m").reasoning).toBeDefined();
    expect(defaultReply({ messages, reasoning: { exclude: true } }, "m").reasoning).toBeUndefined();
    expect(defaultReply({ messages, reasoning: { effort: "none" } }, "m").reasoning).toBeUndefined();
    expect(defaultReply({ messages, reasoning: true }, "m").reasoning).toBeUndefined();
    const toolTurn = defaultReply({ messages: [...messages, { role: "tool", tool_call_id: "1", content: "r" }], reasoning: {} }, "m");
    expect(toolTurn).toEqual({ text: "Based on the tool result: r", reasoning: 'The user asked: "Why?". I will answer directly.' });
  });
});

describe("scripted replies are checked when the stand-in is created", () => {
  it("rejects replies that are neither text nor a reply object", () => {
    expect(() => createMockOpenRouter({ scenarios: [{ reply: 42 as never }] })).toThrow(/scenarios\[0\]\.reply: a reply must be a string or an object/);
    expect(() => createMockOpenRouter({ scenarios: [{ reply: ["ok", [] as never] }] })).toThrow(/scenarios\[0\]\.reply\[1\]/);
  });

  it("rejects an error reply without a numeric status and a message", () => {
    expect(() => createMockOpenRouter({ scenarios: [{ reply: { error: { status: "500" as never, message: "x" } } }] })).toThrow(/numeric status and a message/);
    expect(() => createMockOpenRouter({ scenarios: [{ reply: { error: { status: 500 } as never } }] })).toThrow(/numeric status and a message/);
  });

  it("rejects a tool call without a name", () => {
    expect(() => createMockOpenRouter({ scenarios: [{ reply: { toolCalls: [{ name: "", arguments: {} }] } }] })).toThrow(/every tool call needs a name/);
    expect(() => createMockOpenRouter({ scenarios: [{ reply: { toolCalls: [null as never] } }] })).toThrow(/every tool call needs a name/);
  });

  it("checks a reply computed by a handler when it is used", async () => {
    const mock = createMockOpenRouter({ scenarios: [{ reply: () => 7 as never }] });
    const request = mock.fetch("https://openrouter.ai/api/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [user("x")] }),
    });
    await expect(request).rejects.toThrow(/scenario reply: a reply must be a string/);
  });
});

describe("token counting", () => {
  it("counts text deterministically and refuses non-strings", () => {
    expect(countTokens("")).toBe(0);
    expect(countTokens("hello world")).toBeGreaterThan(0);
    expect(countTokens("hello world")).toBe(countTokens("hello world"));
    expect(() => countTokens(42 as never)).toThrow(TypeError);
  });

  it("counts the text parts of multi-part content, a fixed 85 for each image or file, nothing for junk", () => {
    const text = promptTokens({ messages: [user("look at this")] });
    expect(promptTokens({ messages: [user([{ type: "text", text: "look at this" }, null])] })).toBe(text);
    const withImage = promptTokens({ messages: [user([{ type: "text", text: "look at this" }, { type: "image_url", image_url: { url: "https://x" } }])] });
    expect(withImage).toBe(text + 85);
    expect(promptTokens({ messages: [user(null)] })).toBe(TOKENS_PER_REQUEST + TOKENS_PER_MESSAGE);
    expect(promptTokens({ messages: [null] })).toBe(TOKENS_PER_REQUEST + TOKENS_PER_MESSAGE);
    expect(promptTokens({})).toBe(TOKENS_PER_REQUEST);
    expect(promptTokens({ messages: "nope" })).toBe(TOKENS_PER_REQUEST);
  });
});
