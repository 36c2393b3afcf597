import { once } from "node:events";
import { readFileSync } from "node:fs";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OpenRouter } from "../../src/index.js";
import { StructuredOutputError, stripCodeFence, structured, structuredStream } from "../../src/agents/structured.js";
import { getAjvValidator } from "../../src/agents/validator/index.js";
import type { JSONSchema } from "../../src/agents/json-schema.js";

// A scripted loopback server: each request takes the next reply off the queue and is recorded.
interface Reply {
  status?: number;
  body?: unknown;
  sse?: string[];
}
let server: Server;
let baseUrl: string;
let queue: Reply[] = [];
let received: Array<{ path: string; body: Record<string, unknown> }> = [];

beforeAll(async () => {
  server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    received.push({ path: req.url ?? "", body: JSON.parse(text) as Record<string, unknown> });
    const reply = queue.shift();
    if (!reply) {
      res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: 500, message: "script exhausted" } }));
      return;
    }
    if (reply.sse) {
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (const data of reply.sse) res.write(`data: ${data}\n\n`);
      res.end("data: [DONE]\n\n");
      return;
    }
    res.writeHead(reply.status ?? 200, { "content-type": "application/json" }).end(JSON.stringify(reply.body));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  queue = [];
  received = [];
});

let n = 0;
function completion(content: string, usage = { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110, cost: 0.001 }): Reply {
  n++;
  return {
    body: {
      id: `gen-${n}`,
      object: "chat.completion",
      created: 1,
      model: "openai/gpt-4o-mini",
      provider: "OpenAI",
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content } }],
      usage,
    },
  };
}

function streamed(pieces: string[], usage = { prompt_tokens: 50, completion_tokens: 5, total_tokens: 55, cost: 0.0005 }): Reply {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    JSON.stringify({ id: "gen-s", object: "chat.completion.chunk", created: 1, model: "openai/gpt-4o-mini", choices: [{ index: 0, delta, finish_reason: finish }] });
  return {
    sse: [
      chunk({ role: "assistant", content: "" }),
      ...pieces.map((p) => chunk({ content: p })),
      chunk({}, "stop"),
      JSON.stringify({ id: "gen-s", object: "chat.completion.chunk", created: 1, model: "openai/gpt-4o-mini", choices: [], usage }),
    ],
  };
}

const Person = {
  type: "object",
  properties: {
    name: { type: "string", minLength: 1 },
    age: { type: "integer", minimum: 0 },
    email: { type: "string", format: "email" },
    tags: { type: "array", items: { type: "string" } },
  },
  required: ["name", "age"],
  additionalProperties: false,
} as const;

const client = () => new OpenRouter({ apiKey: "sk-or-test", baseUrl });
const ask = [{ role: "user" as const, content: "Invent a person" }];

describe("structured()", () => {
  it("succeeds on the first reply, sends json_schema, and types data", async () => {
    queue.push(completion('{"name":"Ada","age":36,"email":"ada@example.com"}'));
    const result = await structured(client(), { model: "openai/gpt-4o-mini", messages: ask, schema: Person, name: "person" });
    expect(result.data).toEqual({ name: "Ada", age: 36, email: "ada@example.com" });
    const name: string = result.data.name;
    expect(name).toBe("Ada");
    expect(result.attempts).toBe(1);
    expect(result.failures).toEqual([]);
    expect(result.text).toBe('{"name":"Ada","age":36,"email":"ada@example.com"}');
    expect(result.cost).toBeCloseTo(0.001);
    expect(received).toHaveLength(1);
    expect(received[0]?.path).toBe("/api/v1/chat/completions");
    expect(received[0]?.body["response_format"]).toEqual({ type: "json_schema", json_schema: { name: "person", schema: Person, strict: true } });
    expect(received[0]?.body["stream"]).toBeUndefined();
  });

  it("repairs invalid JSON: the bad reply and the error go back, usage and cost are summed", async () => {
    queue.push(completion('{"name": "Ada", "age": 36', { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110, cost: 0.001 }));
    queue.push(completion('{"name":"Ada","age":36}', { prompt_tokens: 150, completion_tokens: 8, total_tokens: 158, cost: 0.002 }));
    const result = await structured(client(), { model: "openai/gpt-4o-mini", messages: ask, schema: Person });
    expect(result.data).toEqual({ name: "Ada", age: 36 });
    expect(result.attempts).toBe(2);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]?.errors[0]?.keyword).toBe("json");
    expect(result.usage?.prompt_tokens).toBe(250);
    expect(result.usage?.total_tokens).toBe(268);
    expect(result.cost).toBeCloseTo(0.003);
    const second = received[1]?.body["messages"] as Array<{ role: string; content: string }>;
    expect(second).toHaveLength(3);
    expect(second[1]).toEqual({ role: "assistant", content: '{"name": "Ada", "age": 36' });
    expect(second[2]?.role).toBe("user");
    expect(second[2]?.content).toMatch(/not valid JSON/);
  });

  it("repairs a schema violation with ajv's errors in the follow-up message", async () => {
    queue.push(completion('{"name":"Ada","age":"36","nickname":"A"}'));
    queue.push(completion('{"name":"Ada","age":36}'));
    const result = await structured(client(), { model: "m/x", messages: ask, schema: Person });
    expect(result.attempts).toBe(2);
    const repair = (received[1]?.body["messages"] as Array<{ content: string }>)[2]?.content ?? "";
    expect(repair).toMatch(/\/age: must be integer/);
    expect(repair).toMatch(/additional propert.*'nickname'/);
  });

  it("throws StructuredOutputError after maxRepairs with every attempt's errors and the summed partial", async () => {
    queue.push(completion("Sure! Here is a person: Ada, 36."), completion('{"name":"Ada"}'), completion('{"name":"","age":-1}'));
    const error = await structured(client(), { model: "openai/gpt-4o-mini", messages: ask, schema: Person }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StructuredOutputError);
    const e = error as StructuredOutputError;
    expect(e.kind).toBe("structured_output");
    expect(e.name).toBe("StructuredOutputError");
    expect(e.lastText).toBe('{"name":"","age":-1}');
    expect(e.failures.map((f) => f.attempt)).toEqual([1, 2, 3]);
    expect(e.failures[0]?.errors[0]?.keyword).toBe("json");
    expect(e.failures[1]?.errors.map((x) => x.message)).toContain("must have required property 'age'");
    expect(e.validationErrors.map((x) => x.keyword).sort()).toEqual(["minLength", "minimum"]);
    expect(e.partial?.cost).toBeCloseTo(0.003);
    expect(e.partial?.usage?.total_tokens).toBe(330);
    expect(e.results).toHaveLength(3);
    expect(e.message).toMatch(/3 attempts/);
    expect(received).toHaveLength(3);
    const { inspect } = await import("node:util");
    expect(JSON.stringify(e)).not.toContain("sk-or-test");
    expect(inspect(e, { depth: 10 })).not.toContain("sk-or-test");
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ kind: "structured_output", lastText: '{"name":"","age":-1}' });
  });

  it("honours maxRepairs: 0", async () => {
    queue.push(completion("nope"));
    await expect(structured(client(), { model: "m/x", messages: ask, schema: Person, maxRepairs: 0 })).rejects.toBeInstanceOf(StructuredOutputError);
    expect(received).toHaveLength(1);
  });

  it("accepts a reply wrapped in a ```json fence", async () => {
    queue.push(completion('```json\n{"name":"Ada","age":36}\n```'));
    const result = await structured(client(), { model: "m/x", messages: ask, schema: Person });
    expect(result.data.age).toBe(36);
    expect(stripCodeFence("```\n[1]\n```")).toBe("[1]");
    expect(stripCodeFence(' {"a":1} ')).toBe('{"a":1}');
  });

  it("keeps earlier attempts on an API error during a repair", async () => {
    queue.push(completion("not json"), { status: 400, body: { error: { code: 400, message: "bad request" } } });
    const error = (await structured(client(), { model: "m/x", messages: ask, schema: Person }).catch((e: unknown) => e)) as { kind: string; partial?: { text: string } };
    expect(error.kind).toBe("invalid_request");
    expect(error.partial?.text).toBe("not json");
  });

  it("rejects bad parameters before sending", async () => {
    await expect(structured(client(), { model: "m/x", messages: ask, schema: null as never })).rejects.toThrow(/schema must be a JSON Schema object/);
    await expect(structured(client(), { model: "m/x", messages: ask, schema: Person, name: "has space" })).rejects.toThrow(/name must be/);
    await expect(structured(client(), { model: "m/x", messages: ask, schema: Person, maxRepairs: -1 })).rejects.toThrow(/maxRepairs/);
    expect(received).toHaveLength(0);
  });

  it("compiles each schema once across calls (identity and equal copies)", async () => {
    const ajv = await getAjvValidator();
    const schema = { type: "object", properties: { n: { type: "number" } }, required: ["n"], additionalProperties: false } as const;
    queue.push(completion('{"n":1}'), completion('{"n":2}'), completion('{"n":3}'));
    const before = ajv.compileCount;
    await structured(client(), { model: "m/x", messages: ask, schema });
    const afterFirst = ajv.compileCount;
    await structured(client(), { model: "m/x", messages: ask, schema });
    await structured(client(), { model: "m/x", messages: ask, schema: JSON.parse(JSON.stringify(schema)) as typeof schema });
    expect(afterFirst - before).toBe(1);
    expect(ajv.compileCount).toBe(afterFirst);
  });

  it("works with the interpreter validator", async () => {
    queue.push(completion('{"name":"Ada","age":"x"}'), completion('{"name":"Ada","age":1}'));
    const result = await structured(client(), { model: "m/x", messages: ask, schema: Person, validator: "interpreter" });
    expect(result.attempts).toBe(2);
    expect((received[1]?.body["messages"] as Array<{ content: string }>)[2]?.content).toMatch(/\/age: must be integer/);
  });
});

describe("structuredStream()", () => {
  it("yields growing partial objects and validates the final one", async () => {
    queue.push(streamed(['{"name":"A', 'da","age":3', '6,"tags":["x', '","y"]}']));
    const stream = structuredStream(client(), { model: "m/x", messages: ask, schema: Person });
    expect(received).toHaveLength(0); // nothing is sent before iteration starts
    const partials: unknown[] = [];
    for await (const event of stream) if (event.type === "partial") partials.push(event.data);
    expect(partials[0]).toEqual({ name: "A" });
    expect(partials).toContainEqual({ name: "Ada" });
    expect(partials).toContainEqual({ name: "Ada", age: 36, tags: ["x"] });
    expect(partials.at(-1)).toEqual({ name: "Ada", age: 36, tags: ["x", "y"] });
    const final = await stream.final();
    expect(final.data).toEqual({ name: "Ada", age: 36, tags: ["x", "y"] });
    expect(final.cost).toBeCloseTo(0.0005);
    expect(received[0]?.body["stream"]).toBe(true);
  });

  it("repairs a streamed reply and reports the repair", async () => {
    queue.push(streamed(['{"name":"Ada"}']), streamed(['{"name":"Ada","age":1}']));
    const events: string[] = [];
    const stream = structuredStream(client(), { model: "m/x", messages: ask, schema: Person });
    for await (const e of stream) events.push(e.type);
    expect(events).toContain("repair");
    expect(events.at(-1)).toBe("done");
    const final = await stream.final();
    expect(final.attempts).toBe(2);
    expect(final.usage?.total_tokens).toBe(110);
  });

  it("final() alone drains the stream; exhausting repairs rejects", async () => {
    queue.push(streamed(["{}"]), streamed(["{}"]));
    await expect(structuredStream(client(), { model: "m/x", messages: ask, schema: Person, maxRepairs: 1 }).final()).rejects.toBeInstanceOf(StructuredOutputError);
    expect(received).toHaveLength(2);
  });
});

describe("structured() on recorded exchanges", () => {
  // The real request must be byte-for-byte what a recorded client sent, and the recorded reply must parse.
  for (const [name, extra] of [
    ["chat-json-schema-01", {}],
    ["chat-json-schema-02", {}],
    ["chat-json-schema-03", { provider: { require_parameters: true } }],
  ] as const) {
    it(name, async () => {
      const f = JSON.parse(readFileSync(new URL(`../fixtures/recorded/${name}.json`, import.meta.url), "utf8")) as {
        request: { body: Record<string, unknown> & { response_format: { json_schema: { name: string; schema: JSONSchema; description?: string } } } };
        response: { status: number; body_text?: string; body: unknown };
      };
      const sent: Array<Record<string, unknown>> = [];
      const fetch = async (_input: string | URL | Request, init?: RequestInit) => {
        sent.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
        return new Response(f.response.body_text ?? JSON.stringify(f.response.body), { status: f.response.status, headers: { "content-type": "application/json" } });
      };
      const recorded = f.request.body;
      const { response_format, stream: _stream, ...rest } = recorded;
      const replayClient = new OpenRouter({ apiKey: "sk-or-test", baseUrl: "http://127.0.0.1:9/api/v1", fetch });
      const result = await structured(replayClient, {
        ...(rest as { model: string; messages: never[] }),
        ...extra,
        schema: response_format.json_schema.schema,
        name: response_format.json_schema.name,
        ...(response_format.json_schema.description !== undefined && { description: response_format.json_schema.description }),
      });
      const { stream: _s, ...expected } = recorded;
      expect(sent[0]).toEqual(expected);
      const content = (f.response.body as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content ?? "";
      expect(result.data).toEqual(JSON.parse(content));
      expect(result.attempts).toBe(1);
    });
  }
});

describe("through the OpenRouter client methods", () => {
  it("client.structured() and client.structuredStream() delegate here", async () => {
    queue.push(completion('{"name":"Ada","age":36}'), streamed(['{"name":"Bo', 'b","age":7}']));
    const c = client();
    const one = await c.structured({ model: "m/x", messages: ask, schema: Person });
    const age: number = one.data.age;
    expect(age).toBe(36);
    const stream = c.structuredStream({ model: "m/x", messages: ask, schema: Person });
    const partials: unknown[] = [];
    for await (const e of stream) if (e.type === "partial") partials.push(e.data);
    expect(partials[0]).toEqual({ name: "Bo" });
    expect((await stream.final()).data).toEqual({ name: "Bob", age: 7 });
  });
});
