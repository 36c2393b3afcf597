/**
 * The real `openai` SDK pointed at the gateway, which points at the library's stand-in over loopback:
 * chat, streaming, embeddings, models, every error mapping, mid-stream failures, bad input.
 */
import { Writable } from "node:stream";
import OpenAI from "openai";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockOpenRouter, type MockOpenRouter } from "openrouter-fetch/testing";
import { createGateway, type Gateway } from "../src/index.js";
import { ADMIN_TOKEN, UPSTREAM_KEY, adminCreateKey, collectDeltas, loopbackUpstream, tempDir } from "./helpers.js";

let mock: MockOpenRouter;
let gateway: Gateway;
let url: string;
let key: string;
let keyId: string;
const logLines: string[] = [];
const seen: string[] = [];
const tmp = tempDir();

function sdk(apiKey = key): OpenAI {
  return new OpenAI({
    apiKey,
    baseURL: `${url}/v1`,
    maxRetries: 0,
    fetch: async (input, init) => {
      const res = await fetch(input as string, init as RequestInit);
      const copy = res.clone();
      let headers = "";
      copy.headers.forEach((v, k) => (headers += `${k}: ${v}\n`));
      seen.push(headers);
      void copy.text().then((t) => seen.push(t), () => undefined);
      return res;
    },
  });
}

async function raw(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(`${url}${path}`, init);
  const text = await res.clone().text();
  seen.push(text);
  return res;
}

const chatBody = (extra: Record<string, unknown> = {}) => ({ model: "openai/gpt-4o-mini", messages: [{ role: "user" as const, content: "Hello there" }], ...extra });

beforeAll(async () => {
  mock = createMockOpenRouter({ apiKey: UPSTREAM_KEY, chunkDelayMs: 5 });
  const { baseUrl } = await mock.listen();
  const logStream = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk));
      cb();
    },
  });
  gateway = await createGateway({
    db: `${tmp.dir}/gw.sqlite`,
    upstreamApiKey: UPSTREAM_KEY,
    upstreamBaseUrl: baseUrl,
    adminToken: ADMIN_TOKEN,
    aliases: { "gpt-4o-mini": "openai/gpt-4o-mini" },
    maxBodyBytes: 64 * 1024,
    logger: pino({ base: null }, logStream),
  });
  ({ url } = await gateway.listen({ port: 0 }));
  ({ key, id: keyId } = await adminCreateKey(url, { name: "app" }));
});

afterAll(async () => {
  await gateway?.close();
  await mock?.close();
  tmp.cleanup();
});

describe("the openai SDK through the gateway", () => {
  it("chat: a completion with usage, cost and the gateway headers; the alias maps to the OpenRouter id", async () => {
    const { data, response } = await sdk()
      .chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }], max_tokens: 50 })
      .withResponse();
    expect(data.choices[0]?.message.content).toContain("stand-in");
    expect(data.model).toBe("openai/gpt-4o-mini");
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(response.headers.get("x-request-id")).toMatch(/^req_/);
    expect(Number(response.headers.get("x-gateway-cost-usd"))).toBeGreaterThan(0);
    expect(Number(response.headers.get("x-gateway-latency-ms"))).toBeGreaterThanOrEqual(0);
    expect(response.headers.get("x-openrouter-generation-id")).toBe(data.id);
    // The request reached the upstream with the OpenRouter id and the upstream key, never the gateway key.
    const last = mock.requests.at(-1);
    expect((last?.body as { model: string }).model).toBe("openai/gpt-4o-mini");
  });

  it("OpenRouter extras (provider, reasoning) pass through to the upstream", async () => {
    await sdk().chat.completions.create({ ...chatBody(), provider: { sort: "price" }, reasoning: { effort: "low" } } as never);
    const body = mock.requests.at(-1)?.body as Record<string, unknown>;
    expect(body["provider"]).toEqual({ sort: "price" });
    expect(body["reasoning"]).toEqual({ effort: "low" });
  });

  it("streaming: deltas arrive one by one, the usage chunk comes at the end, and the row is written before [DONE]", async () => {
    const stream = await sdk().chat.completions.create({ ...chatBody(), stream: true, stream_options: { include_usage: true } });
    const deltas: string[] = [];
    let usage: OpenAI.CompletionUsage | undefined;
    let id = "";
    for await (const chunk of stream) {
      id = chunk.id;
      const d = chunk.choices[0]?.delta?.content;
      if (d) deltas.push(d);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join("")).toContain("stand-in");
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    const row = await gateway.store.db.selectFrom("gateway_usage").selectAll().where("generation_id", "=", id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: "done", stream_outcome: "completed", status: 200, key_id: keyId });
    expect(row.ttft_ms).not.toBeNull();
    expect(row.cost_usd).toBeCloseTo((usage as unknown as { cost: number }).cost, 12);
  });

  it("streaming: keep-alive comments stay comments on the wire", async () => {
    const res = await raw("/v1/chat/completions", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(chatBody({ stream: true })),
    });
    const text = await res.text();
    expect(text).toContain(": OPENROUTER PROCESSING\n\n");
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it("embeddings and models", async () => {
    const emb = await sdk().embeddings.create({ model: "openai/text-embedding-3-small", input: ["a", "b"] });
    expect(emb.data).toHaveLength(2);
    expect(emb.data[0]?.embedding.length).toBeGreaterThan(10);
    const models = await sdk().models.list();
    const ids = models.data.map((m) => m.id);
    expect(ids).toContain("openai/gpt-4o-mini");
  });

  it("a mid-stream upstream error reaches the openai client as an error, in OpenAI's shape", async () => {
    mock.injectFaults({ fault: "midstream-error", times: 1 });
    const stream = await sdk().chat.completions.create({ ...chatBody(), stream: true });
    const { got, error } = await collectDeltas(stream);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(got.join("")).not.toBe("");
  });

  it("a truncated upstream stream is never finished with [DONE]: the openai client sees an error", async () => {
    mock.injectFaults({ fault: "truncate", times: 1 });
    const res = await raw("/v1/chat/completions", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(chatBody({ stream: true })),
    });
    const text = await res.text();
    expect(text).not.toContain("[DONE]");
    expect(text).toContain('"code":"upstream_stream_incomplete"');
    mock.injectFaults({ fault: "truncate", times: 1, mode: "reset" });
    const stream = await sdk().chat.completions.create({ ...chatBody(), stream: true });
    await expect(
      (async () => {
        for await (const _ of stream) void _;
      })(),
    ).rejects.toBeInstanceOf(OpenAI.APIError);
    const rows = await gateway.store.db.selectFrom("gateway_usage").select(["stream_outcome"]).where("stream_outcome", "in", ["truncated", "failed"]).execute();
    expect(rows.length).toBeGreaterThanOrEqual(2);
  });

  it("a client that disconnects cancels the upstream request and the row is closed as cancelled", async () => {
    // A loopback upstream that streams forever and notes when its request is closed.
    let upstreamClosed = false;
    const fake = await loopbackUpstream((req, res) => {
      if (req.url?.includes("/generation?id=gen-forever")) {
        return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: { id: "gen-forever", model: "openai/gpt-4o-mini", total_cost: 0.000123, provider_name: "Fake" } }));
      }
      if (!req.url?.endsWith("/chat/completions")) return res.writeHead(404).end();
      res.writeHead(200, { "content-type": "text/event-stream", "x-generation-id": "gen-forever" });
      let n = 0;
      const timer = setInterval(() => {
        const chunk = { id: "gen-forever", object: "chat.completion.chunk", model: "openai/gpt-4o-mini", choices: [{ index: 0, delta: { content: `t${n++} ` }, finish_reason: null }] };
        res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      }, 50);
      res.on("close", () => {
        clearInterval(timer);
        upstreamClosed = true;
      });
    });
    const slow = await createGateway({ db: ":memory:", upstreamApiKey: UPSTREAM_KEY, upstreamBaseUrl: fake.base, adminToken: ADMIN_TOKEN, client: { retry: false } });
    const { url: slowUrl } = await slow.listen({ port: 0 });
    try {
      const k = await adminCreateKey(slowUrl, { name: "x" });
      const ac = new AbortController();
      const res = await fetch(`${slowUrl}/v1/chat/completions`, {
        method: "POST",
        signal: ac.signal,
        headers: { authorization: `Bearer ${k.key}`, "content-type": "application/json" },
        body: JSON.stringify(chatBody({ stream: true })),
      });
      const reader = res.body!.getReader();
      await reader.read();
      expect(upstreamClosed).toBe(false);
      ac.abort();
      await reader.read().catch(() => undefined);
      let row: { stream_outcome: string | null; state: string; cost_usd: number | null } | undefined;
      for (let i = 0; i < 100 && !(upstreamClosed && row?.state === "done"); i++) {
        await new Promise((r) => setTimeout(r, 50));
        row = await slow.store.db.selectFrom("gateway_usage").select(["stream_outcome", "state", "cost_usd"]).executeTakeFirst();
      }
      expect(upstreamClosed).toBe(true);
      expect(row?.stream_outcome).toBe("cancelled");
      // No usage chunk came: the real cost was looked up from GET /generation.
      expect(row?.cost_usd).toBeCloseTo(0.000123, 12);
    } finally {
      await slow.close();
      await fake.close();
    }
  });
});

describe("errors, each in OpenAI's shape", () => {
  const shape = async (res: Response, status: number, code?: string) => {
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { message: string; type: string; code: unknown } };
    expect(typeof body.error.message).toBe("string");
    expect(typeof body.error.type).toBe("string");
    expect("code" in body.error).toBe(true);
    if (code) expect(body.error.code).toBe(code);
    expect(res.headers.get("x-request-id")).toBeTruthy();
    return body;
  };

  it("401 for an unknown key and for a revoked key (openai AuthenticationError)", async () => {
    await expect(sdk("sk-gw-nope").chat.completions.create(chatBody())).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const k = await adminCreateKey(url, { name: "short-lived" });
    await sdk(k.key).chat.completions.create(chatBody());
    const del = await fetch(`${url}/admin/keys/${k.id}`, { method: "DELETE", headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(del.status).toBe(200);
    const err = await sdk(k.key).chat.completions.create(chatBody()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe("revoked_api_key");
  });

  it("402 when the budget cannot cover the request", async () => {
    const k = await adminCreateKey(url, { name: "poor", budgetUsd: 0.000001 });
    const err = await sdk(k.key).chat.completions.create(chatBody({ max_tokens: 1000 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe("budget_exceeded");
    // Without max_tokens, too: what the budget affords is under the useful minimum.
    const err2 = await sdk(k.key).chat.completions.create(chatBody()).catch((e: unknown) => e);
    expect((err2 as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
  });

  it("without max_tokens, a budgeted request is capped to what the budget affords", async () => {
    const k = await adminCreateKey(url, { name: "capped", budgetUsd: 0.0001 });
    await sdk(k.key).chat.completions.create(chatBody());
    const sent = mock.requests.at(-1)?.body as { max_tokens?: number };
    expect(sent.max_tokens).toBeGreaterThanOrEqual(16);
    expect(sent.max_tokens! * 0.0000006).toBeLessThanOrEqual(0.0001);
  });

  it("429 with Retry-After over the key's rpm (openai RateLimitError)", async () => {
    const k = await adminCreateKey(url, { name: "limited", rpm: 2 });
    await sdk(k.key).chat.completions.create(chatBody());
    await sdk(k.key).chat.completions.create(chatBody());
    const err = await sdk(k.key).chat.completions.create(chatBody()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const retryAfter = Number((err as InstanceType<typeof OpenAI.APIError>).headers?.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it("429 over the key's tpm", async () => {
    const k = await adminCreateKey(url, { name: "tokens", tpm: 100 });
    await sdk(k.key).chat.completions.create(chatBody({ max_tokens: 60 }));
    const err = await sdk(k.key).chat.completions.create(chatBody({ max_tokens: 60 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
  });

  it("an upstream error keeps its status (429 with Retry-After from OpenRouter)", async () => {
    mock.injectFaults({ fault: "rate-limit-429", times: 5, retryAfterSeconds: 30 });
    const err = await sdk().chat.completions.create(chatBody()).catch((e: unknown) => e);
    mock.reset();
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
  });

  it("400 for invalid JSON, missing fields and wrong types", async () => {
    const post = (body: string) => raw("/v1/chat/completions", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body });
    await shape(await post("{not json"), 400, "invalid_json");
    await shape(await post("[]"), 400);
    await shape(await post(JSON.stringify({ messages: [{ role: "user", content: "x" }] })), 400, "missing_field");
    await shape(await post(JSON.stringify({ model: "openai/gpt-4o-mini" })), 400, "missing_field");
    await shape(await post(JSON.stringify({ model: 42, messages: [] })), 400);
    await shape(await post(JSON.stringify({ ...chatBody(), stream: "yes" })), 400, "invalid_type");
    const err = await sdk().chat.completions.create({ model: "openai/gpt-4o-mini", messages: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    await shape(await raw("/v1/embeddings", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify({ model: "openai/text-embedding-3-small" }) }), 400, "missing_field");
  });

  it("413 for a body over the limit, 415 for the wrong content type", async () => {
    const big = JSON.stringify(chatBody({ messages: [{ role: "user", content: "x".repeat(100 * 1024) }] }));
    await shape(await raw("/v1/chat/completions", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: big }), 413, "request_too_large");
    // Chunked, without a Content-Length: counted while reading.
    const chunked = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    await shape(
      await raw("/v1/chat/completions", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: chunked, duplex: "half" } as RequestInit),
      413,
    );
    await shape(await raw("/v1/chat/completions", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "text/plain" }, body: JSON.stringify(chatBody()) }), 415);
  });

  it("404 for an unknown route and for a model the key may not use", async () => {
    await shape(await raw("/v1/nope", { headers: { authorization: `Bearer ${key}` } }), 404, "unknown_route");
    const k = await adminCreateKey(url, { name: "narrow", models: ["openai/gpt-4o-mini"] });
    const err = await sdk(k.key).chat.completions.create({ ...chatBody(), model: "anthropic/claude-haiku-4.5" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    await sdk(k.key).chat.completions.create(chatBody());
    const listed = await sdk(k.key).models.list();
    expect(listed.data.map((m) => m.id)).toEqual(["openai/gpt-4o-mini"]);
  });

  it("header injection attempts are refused and nothing of them is reflected", async () => {
    const res = await raw("/v1/chat/completions", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ ...chatBody(), model: "openai/gpt-4o-mini\r\nx-injected: 1" }),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.headers.get("x-injected")).toBeNull();
    const body = (await res.json()) as { error: { message: string } };
    expect(typeof body.error.message).toBe("string");
    await shape(await raw("/v1/chat/completions", { method: "POST", headers: { authorization: `Bearer ${key} extra`, "content-type": "application/json" }, body: JSON.stringify(chatBody()) }), 401);
    await shape(await raw("/admin/keys", { headers: { authorization: `Bearer ${key}` } }), 401);
  });

  it("no crash and no row lost: every admitted request has a closed row; the upstream key appears nowhere", async () => {
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const open = await gateway.store.db.selectFrom("gateway_usage").select("id").where("state", "=", "open").execute();
    expect(open).toEqual([]);
    const report = await fetch(`${url}/admin/usage?groupBy=model`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const { data } = (await report.json()) as { data: Array<{ model: string; requests: number; errors: number; costUsd: number; p50LatencyMs: number; p95LatencyMs: number }> };
    const mini = data.find((d) => d.model === "openai/gpt-4o-mini");
    expect(mini?.requests).toBeGreaterThan(5);
    expect(mini?.errors).toBeGreaterThan(0);
    expect(mini?.p95LatencyMs).toBeGreaterThanOrEqual(mini?.p50LatencyMs ?? Infinity);
    const metrics = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const text = await metrics.text();
    expect(text).toContain('gateway_requests_total{model="openai/gpt-4o-mini",status="200"}');
    expect(text).toContain("gateway_request_duration_seconds_bucket");
    expect(text).toContain("gateway_upstream_errors_total");
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    seen.push(text);
    await new Promise((r) => setTimeout(r, 50));
    for (const s of [...seen, ...logLines]) expect(s).not.toContain(UPSTREAM_KEY);
    for (const line of logLines) {
      expect(line).not.toContain(key);
      expect(line).not.toContain("Hello there");
    }
    expect(logLines.some((l) => JSON.parse(l).requestId)).toBe(true);
  });
});
