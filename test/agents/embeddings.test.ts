import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeBase64Embedding, embed } from "../../src/agents/embeddings.js";
import { InvalidArgumentError, OpenRouter, RateLimitError, isOpenRouterError } from "../../src/index.js";
import type { JsonCaller } from "../../src/agents/caller.js";
import type { Call } from "../../src/core/types.js";

interface Fixture {
  request: { body: Record<string, unknown> | null; path: string };
  response: { status: number; headers?: Record<string, string | string[]>; body?: unknown; body_text?: string };
}
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/recorded/${name}.json`, import.meta.url), "utf8")) as Fixture;

/** Replays one recorded exchange for every request, recording what we sent. */
function replay(f: Fixture) {
  const sent: Array<{ url: string; body: Record<string, unknown> }> = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    sent.push({ url: String(input instanceof Request ? input.url : input), body: JSON.parse(String(init?.body)) as Record<string, unknown> });
    const headers = new Headers();
    for (const [k, v] of Object.entries(f.response.headers ?? {})) if (k !== "content-length" && k !== "transfer-encoding") headers.set(k, Array.isArray(v) ? v.join(", ") : v);
    return new Response(f.response.body_text ?? JSON.stringify(f.response.body), { status: f.response.status, headers });
  };
  return { client: new OpenRouter({ apiKey: "sk-or-test", baseUrl: "http://127.0.0.1:9/api/v1", fetch }), sent };
}

describe("embed() on recorded fixtures", () => {
  it("embeddings-01: one text", async () => {
    const f = fixture("embeddings-01");
    const { client, sent } = replay(f);
    const result = await embed(client, "Ruby is a programmer's best friend", { model: "openai/text-embedding-3-small" });
    expect(sent[0]?.url).toBe("http://127.0.0.1:9/api/v1/embeddings");
    expect(sent[0]?.body).toEqual(f.request.body);
    const body = f.response.body as { data: Array<{ embedding: number[] }>; id: string };
    expect(result.vectors).toHaveLength(1);
    expect(result.vectors[0]).toHaveLength(1536);
    expect(result.vectors[0]).toEqual(body.data[0]?.embedding);
    expect(result.usage).toEqual({ promptTokens: 7, totalTokens: 7 });
    expect(result.cost).toBeCloseTo(1.4e-7, 12);
    expect(result.ids).toEqual([body.id]);
  });

  it("embeddings-02: three texts with dimensions", async () => {
    const f = fixture("embeddings-02");
    const { client, sent } = replay(f);
    const result = await embed(client, ["Ruby", "Python", "JavaScript"], { model: "openai/text-embedding-3-small", dimensions: 768 });
    expect(sent[0]?.body).toEqual(f.request.body);
    expect(result.vectors.map((v) => v.length)).toEqual([768, 768, 768]);
    const body = f.response.body as { data: Array<{ index: number; embedding: number[] }> };
    for (const item of body.data) expect(result.vectors[item.index]).toEqual(item.embedding);
    expect(result.usage.totalTokens).toBe(3);
  });

  it("embeddings-04: 256 dimensions, usage without details", async () => {
    const f = fixture("embeddings-04");
    const { client } = replay(f);
    const result = await embed(client, "The food was delicious and the waiter...", { model: "openai/text-embedding-3-small", dimensions: 256 });
    expect(result.vectors[0]).toHaveLength(256);
    expect(result.provider).toBe((f.response.body as { provider: string }).provider);
    expect(result.cost).toBeCloseTo(1.6e-7, 12);
  });

  it("error-400-embeddings-01: a typed error naming the model", async () => {
    const f = fixture("error-400-embeddings-01");
    const { client } = replay(f);
    const error = (await embed(client, ["a"], { model: "no-such/embedding-model" }).catch((e: unknown) => e)) as { kind: string; status: number; message: string };
    expect(error.kind).toBe("invalid_request");
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/no-such\/embedding-model/);
    expect(JSON.stringify(error)).not.toContain("sk-or-test");
  });
});

describe("embed() batching and base64 (scripted)", () => {
  /** A fake embeddings endpoint: vector i of input "tN" is [N, N+0.5]; answers items in reverse order. */
  function endpoint(format: "float" | "base64" = "float") {
    const batches: unknown[][] = [];
    const fetch = async (_input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const body = JSON.parse(String(init?.body)) as { input: string[]; encoding_format?: string };
      batches.push(body.input);
      expect(body.encoding_format).toBe(format === "base64" ? "base64" : undefined);
      const data = body.input.map((text, index) => {
        const n = Number(text.slice(1));
        const vector = [n, n + 0.5];
        return { object: "embedding", index, embedding: format === "base64" ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector };
      });
      return Response.json({
        object: "list",
        id: `gen-emb-${batches.length}`,
        model: "openai/text-embedding-3-small",
        data: data.reverse(),
        usage: { prompt_tokens: body.input.length, total_tokens: body.input.length, cost: 0.001 },
      });
    };
    return { client: new OpenRouter({ apiKey: "sk-or-test", baseUrl: "http://127.0.0.1:9/api/v1", fetch }), batches };
  }

  it("splits into batches and recombines in input order, summing usage and cost", async () => {
    const { client, batches } = endpoint();
    const inputs = ["t0", "t1", "t2", "t3", "t4"];
    const result = await embed(client, inputs, { model: "openai/text-embedding-3-small", batchSize: 2 });
    expect(batches).toEqual([["t0", "t1"], ["t2", "t3"], ["t4"]]);
    expect(result.vectors).toEqual(inputs.map((_, n) => [n, n + 0.5]));
    expect(result.usage).toEqual({ promptTokens: 5, totalTokens: 5 });
    expect(result.cost).toBeCloseTo(0.003);
    expect(result.ids).toEqual(["gen-emb-1", "gen-emb-2", "gen-emb-3"]);
    expect(result.raw).toHaveLength(3);
  });

  it("decodes base64 (little-endian float32) vectors", async () => {
    const { client } = endpoint("base64");
    const result = await embed(client, ["t1", "t2"], { model: "m", encodingFormat: "base64" });
    expect(result.vectors).toEqual([
      [1, 1.5],
      [2, 2.5],
    ]);
    expect(decodeBase64Embedding("AACAPw==")).toEqual([1]);
    expect(() => decodeBase64Embedding("AAA=")).toThrow(/multiple of 4/);
    expect(() => decodeBase64Embedding("%%%")).toThrow(/not valid base64/);
  });

  it("rejects a response with the wrong number of vectors", async () => {
    const fetch = async () => Response.json({ object: "list", data: [{ index: 0, embedding: [1] }] });
    const client = new OpenRouter({ apiKey: "sk-or-test", baseUrl: "http://127.0.0.1:9/api/v1", fetch });
    await expect(embed(client, ["a", "b"], { model: "m" })).rejects.toThrow(/Asked for 2 embeddings, got 1/);
  });

  it("validates its input", async () => {
    const { client, batches } = endpoint();
    await expect(embed(client, "", { model: "m" })).rejects.toThrow(/must not be empty/);
    await expect(embed(client, [], { model: "m" })).rejects.toThrow(/non-empty array/);
    await expect(embed(client, ["a", 1] as never, { model: "m" })).rejects.toThrow(/not a mix/);
    await expect(embed(client, "a", { model: "" })).rejects.toThrow(/model/);
    await expect(embed(client, "a", { model: "m", batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(embed(client, "a", { model: "m", dimensions: 1.5 })).rejects.toThrow(/dimensions/);
    await expect(embed(client, "a", { model: "m", encodingFormat: "hex" as never })).rejects.toThrow(/encodingFormat/);
    expect(batches).toHaveLength(0);
  });

  it("client.embed() delegates here", async () => {
    const { client, batches } = endpoint();
    const result = await client.embed(["t3", "t4", "t5"], { model: "m", batchSize: 2 });
    expect(result.vectors).toEqual([[3, 3.5], [4, 4.5], [5, 5.5]]);
    expect(batches).toHaveLength(2);
  });
});

describe("embed() over a JsonCaller (the client's request path, handed in)", () => {
  it("sends each batch as one Call and reads the parsed body and headers it returns", async () => {
    const calls: Call[] = [];
    const caller: JsonCaller = async <T>(call: Call) => {
      calls.push(call);
      const input = (call.body as { input: string[] }).input;
      const value = { object: "list", id: `gen-${calls.length}`, model: "m/e", data: input.map((_, index) => ({ index, embedding: [index] })), usage: { prompt_tokens: 1, total_tokens: 1 } };
      return { value: value as T, headers: new Headers() };
    };
    const signal = new AbortController().signal;
    const result = await embed(caller, ["a", "b", "c"], { model: "m/e", batchSize: 2, dimensions: 8 }, { signal, headers: { "x-trace": "1" }, timeoutMs: 5000, retry: false });
    expect(calls).toEqual([
      { verb: "embed", method: "POST", path: "/embeddings", body: { model: "m/e", input: ["a", "b"], dimensions: 8 }, model: "m/e", stream: false, signal, headers: { "x-trace": "1" }, timeoutMs: 5000, retry: false },
      { verb: "embed", method: "POST", path: "/embeddings", body: { model: "m/e", input: ["c"], dimensions: 8 }, model: "m/e", stream: false, signal, headers: { "x-trace": "1" }, timeoutMs: 5000, retry: false },
    ]);
    expect(result.vectors).toEqual([[0], [1], [0]]);
    expect(result.ids).toEqual(["gen-1", "gen-2"]);
  });

  it("lets the caller's typed error through and maps an in-band error of a 2xx body", async () => {
    const failing: JsonCaller = async () => {
      throw new RateLimitError("slow down", { status: 429 });
    };
    await expect(embed(failing, "a", { model: "m" })).rejects.toBeInstanceOf(RateLimitError);
    const inBand: JsonCaller = async <T>() => ({ value: { error: { code: 502, message: "provider down" } } as T, headers: new Headers() });
    const error = (await embed(inBand, "a", { model: "m" }).catch((e: unknown) => e)) as { kind: string; message: string };
    expect(isOpenRouterError(error)).toBe(true);
    expect(error.message).toMatch(/provider down/);
  });

  it("refuses a first argument that is neither a client nor a caller, before sending", async () => {
    await expect(embed({} as never, "a", { model: "m" })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
