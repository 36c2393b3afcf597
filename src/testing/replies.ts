/**
 * What the stand-in answers to a chat request: scripted replies (text, tool calls, JSON for
 * structured output, reasoning, errors) and the deterministic default reply used when nothing is
 * scripted, so a demo or a smoke test works with no setup at all.
 */

/** A tool call the stand-in should make. `arguments` objects are JSON-encoded for the wire. */
export interface MockToolCall {
  name: string;
  arguments?: Record<string, unknown> | string;
  /** Defaults to a generated `call_…` id. */
  id?: string;
}

/** An error the stand-in should answer with, in OpenRouter's `{error:{code,message,metadata}}` shape. */
export interface MockErrorReply {
  status: number;
  message: string;
  /** Defaults to `status`. */
  code?: number | string;
  metadata?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** One scripted answer. A plain string is shorthand for `{ text }`. */
export type MockReply =
  | string
  | {
      text?: string;
      toolCalls?: MockToolCall[];
      /** Structured output: the content is `JSON.stringify(json)`. */
      json?: unknown;
      reasoning?: string;
      error?: MockErrorReply;
      /** Defaults to `tool_calls` when there are tool calls, else `stop` (or `length` past max_tokens). */
      finishReason?: "stop" | "length" | "tool_calls" | "content_filter" | "error";
      /** The `provider` the response names (defaults by model author, e.g. `OpenAI`). */
      provider?: string;
      /**
       * Responses and Messages streams only: the exact events to send instead of the ones generated from the
       * reply (an `event:` name is optional; `data` objects are JSON-encoded; comments, pauses and raw text too).
       * Faults still apply to them (`truncate`, `midstream-error`, `keepalive-comments`, `stall`).
       */
      events?: import("./sse-events.js").MockStreamEvent[];
    };

/** The request as a scenario matcher or handler sees it. */
export interface MockChatRequest {
  /** The parsed JSON body. */
  body: Record<string, unknown>;
  /** The model that will answer (the requested one, or the first known one of `models`). */
  model: string;
  headers: Headers;
  /** Text of the last user message ("" when none). */
  lastUserText: string;
  /** Number of this request among all chat requests the mock has served (1-based). */
  index: number;
  /** Which API the request came to: chat completions, Responses or Messages (the body is that API's). */
  api?: "chat" | "responses" | "messages";
}

/** A scripted behaviour: which requests it answers and how. */
export interface MockScenario {
  /** Match by model id (exact string, or RegExp). Omit to match every model. */
  model?: string | RegExp;
  /** Match requests to one API only (`"chat"`, `"responses"` or `"messages"`); omit to match all three. */
  api?: "chat" | "responses" | "messages";
  /** Match by any property of the request. Combined with `model` by AND. */
  match?: (req: MockChatRequest) => boolean;
  /**
   * The answer: one reply, a sequence consumed in order (the last one repeats once the sequence is
   * used up), or a handler computing the reply.
   */
  reply?: MockReply | MockReply[] | ((req: MockChatRequest) => MockReply | Promise<MockReply>);
  /** Faults to inject on the requests this scenario answers. */
  faults?: import("./faults.js").FaultSpec[];
}

/** A reply in its full object form. */
export type ReplyObject = Exclude<MockReply, string>;

/**
 * Normalise a reply to its object form, rejecting nonsense early with a clear message.
 *
 * @example
 * normaliseReply("Hi", "scenarios[0].reply") // { text: "Hi" }
 */
export function normaliseReply(reply: MockReply | undefined | null, where: string): ReplyObject {
  if (typeof reply === "string") return { text: reply };
  if (!reply || typeof reply !== "object" || Array.isArray(reply)) {
    throw new TypeError(`${where}: a reply must be a string or an object like { text } / { toolCalls } / { json } / { error }`);
  }
  if (reply.error && (typeof reply.error.status !== "number" || typeof reply.error.message !== "string")) {
    throw new TypeError(`${where}: reply.error needs a numeric status and a message`);
  }
  if (reply.events !== undefined && !Array.isArray(reply.events)) {
    throw new TypeError(`${where}: reply.events must be an array of { event?, data } / { comment } / { delayMs } / { raw }`);
  }
  for (const call of reply.toolCalls ?? []) {
    if (!call || typeof call.name !== "string" || call.name === "") {
      throw new TypeError(`${where}: every tool call needs a name`);
    }
  }
  return reply;
}

/**
 * Plain text of a message's content (text parts joined).
 *
 * @example
 * textOf([{ type: "text", text: "a" }, { type: "text", text: "b" }]) // "a\nb"
 */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((p) => (p && typeof p === "object" && typeof (p as { text?: unknown }).text === "string" ? (p as { text: string }).text : ""))
      .filter(Boolean)
      .join("\n");
  }
  return "";
}

type Schema = Record<string, unknown>;

/**
 * A deterministic value that satisfies a (simple) JSON Schema: objects get every listed property,
 * strings prefer `enum`/`const`/`examples`/`default`, numbers respect `minimum`. Used for default tool
 * arguments and default structured output, so strict schemas validate without scripting.
 *
 * @example
 * exampleForSchema({ type: "object", properties: { n: { type: "integer", minimum: 2 } } }) // { n: 2 }
 */
export function exampleForSchema(schema: unknown, hint = "", depth = 0): unknown {
  const s = (schema && typeof schema === "object" ? schema : {}) as Schema;
  if (depth > 8) return null;
  if ("const" in s) return s["const"];
  if (Array.isArray(s["enum"]) && s["enum"].length > 0) return s["enum"][0];
  if (Array.isArray(s["examples"]) && s["examples"].length > 0) return s["examples"][0];
  if ("default" in s) return s["default"];
  for (const key of ["anyOf", "oneOf"] as const) {
    const options = s[key];
    if (Array.isArray(options) && options.length > 0) {
      const nonNull = options.find((o) => (o as Schema)?.["type"] !== "null") ?? options[0];
      return exampleForSchema(nonNull, hint, depth + 1);
    }
  }
  if (Array.isArray(s["allOf"]) && s["allOf"].length > 0) {
    return Object.assign({}, ...s["allOf"].map((sub) => exampleForSchema(sub, hint, depth + 1) as object));
  }
  let type = s["type"];
  if (Array.isArray(type)) type = type.find((t) => t !== "null") ?? type[0];
  if (type === undefined) type = s["properties"] ? "object" : s["items"] ? "array" : "string";
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      const props = (s["properties"] ?? {}) as Record<string, unknown>;
      for (const [name, sub] of Object.entries(props)) out[name] = exampleForSchema(sub, name, depth + 1);
      return out;
    }
    case "array": {
      const min = typeof s["minItems"] === "number" ? s["minItems"] : 1;
      return Array.from({ length: Math.max(1, min) }, () => exampleForSchema(s["items"], hint, depth + 1));
    }
    case "integer":
    case "number":
      return exampleNumber(s, type);
    case "boolean":
      return true;
    case "null":
      return null;
    default: {
      const format = s["format"];
      if (format === "date") return "2026-01-01";
      if (format === "date-time") return "2026-01-01T00:00:00Z";
      if (format === "email") return "user@example.com";
      if (format === "uri" || format === "url") return "https://example.com";
      const min = typeof s["minLength"] === "number" ? s["minLength"] : 0;
      const text = hint ? `example ${hint}` : "example";
      return text.length >= min ? text : text.padEnd(min, "x");
    }
  }
}

/** A capitalised word of the user text that is not capitalised merely by starting a sentence. */
function properNoun(text: string): string | undefined {
  for (const m of text.matchAll(/\b[A-Z][a-z]+(?:\s[A-Z][a-z]+)*\b/g)) {
    const before = text.slice(0, m.index).trimEnd();
    if (before === "" || /[.!?:]$/.test(before)) continue;
    return m[0];
  }
  return undefined;
}

function toolArguments(tool: Schema, userText: string): Record<string, unknown> {
  const parameters = ((tool["function"] as Schema | undefined)?.["parameters"] ?? {}) as Schema;
  // Arguments are always a JSON object: a tool declared without parameters takes none.
  const example = exampleForSchema({ type: "object", ...parameters });
  const args = (example && typeof example === "object" && !Array.isArray(example) ? example : {}) as Record<string, unknown>;
  const noun = properNoun(userText);
  const props = (parameters["properties"] ?? {}) as Record<string, Schema>;
  // Fill the first free-text string property with a name from the question ("weather in Paris").
  if (noun) {
    const first = Object.entries(props).find(([, p]) => p?.["type"] === "string" && !p["enum"] && !p["format"] && !("const" in p));
    if (first) args[first[0]] = noun;
  }
  return args;
}

/**
 * The stand-in's default answer to a chat body, deterministic for the same request:
 * - a tool result as the last message → a sentence quoting the tool result;
 * - tools offered (and `tool_choice` not `"none"`) → a call to the first (or the forced) tool with
 *   schema-derived arguments;
 * - `response_format` `json_schema` → an object satisfying the schema; `json_object` → `{ "echo": … }`;
 * - otherwise → an echo of the last user message.
 * With `reasoning` requested, a short reasoning text comes along.
 *
 * @example
 * defaultReply({ messages: [{ role: "user", content: "Hi" }] }, "openai/gpt-4o-mini").text
 * // 'You said: "Hi". This is the OpenRouter stand-in answering as openai/gpt-4o-mini.'
 */
export function defaultReply(body: Record<string, unknown>, model: string): ReplyObject {
  const messages = (Array.isArray(body["messages"]) ? body["messages"] : []) as Schema[];
  const last = messages[messages.length - 1];
  const lastUser = [...messages].reverse().find((m) => m["role"] === "user");
  const userText = textOf(lastUser?.["content"]);
  const reasoningWanted =
    (body["reasoning"] && typeof body["reasoning"] === "object" && (body["reasoning"] as Schema)["exclude"] !== true &&
      (body["reasoning"] as Schema)["effort"] !== "none") || typeof body["reasoning_effort"] === "string";
  const reasoning = reasoningWanted ? `The user asked: "${userText.slice(0, 80)}". I will answer directly.` : undefined;
  const withReasoning = (r: ReplyObject): ReplyObject => (reasoning ? { ...r, reasoning } : r);

  if (last?.["role"] === "tool") {
    const results = [];
    for (let i = messages.length - 1; i >= 0 && messages[i]?.["role"] === "tool"; i--) {
      results.unshift(textOf(messages[i]?.["content"]));
    }
    return withReasoning({ text: `Based on the tool result${results.length > 1 ? "s" : ""}: ${results.join("; ")}` });
  }

  const tools = (Array.isArray(body["tools"]) ? body["tools"] : []) as Schema[];
  const functionTools = tools.filter((t) => t["type"] === "function" && t["function"]);
  const choice = body["tool_choice"];
  if (functionTools.length > 0 && choice !== "none") {
    const forced =
      choice && typeof choice === "object" ? ((choice as Schema)["function"] as Schema | undefined)?.["name"] : undefined;
    const tool = functionTools.find((t) => (t["function"] as Schema)["name"] === forced) ?? functionTools[0]!;
    return withReasoning({
      toolCalls: [{ name: String((tool["function"] as Schema)["name"]), arguments: toolArguments(tool, userText) }],
    });
  }

  const format = body["response_format"] as Schema | undefined;
  if (format?.["type"] === "json_schema") {
    const schema = ((format["json_schema"] as Schema | undefined)?.["schema"] ?? {}) as Schema;
    return withReasoning({ json: exampleForSchema(schema) });
  }
  if (format?.["type"] === "json_object") return withReasoning({ json: { echo: userText } });

  return withReasoning({ text: `You said: "${userText}". This is the OpenRouter stand-in answering as ${model}.` });
}

/** The number a schema's bounds allow that is closest to 1 (rounded up for integers). */
export function exampleNumber(s: Record<string, unknown>, type: "integer" | "number"): number {
  const min = typeof s["minimum"] === "number" ? s["minimum"] : typeof s["exclusiveMinimum"] === "number" ? s["exclusiveMinimum"] + 1 : undefined;
  const max = typeof s["maximum"] === "number" ? s["maximum"] : undefined;
  const n = min ?? (max !== undefined ? Math.min(max, 1) : 1);
  return type === "integer" ? Math.ceil(n) : n;
}
