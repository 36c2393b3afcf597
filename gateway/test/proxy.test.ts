/**
 * The proxy against a loopback fake upstream, called as `gateway.fetch` (no socket: the stream goes out as a
 * web ReadableStream): a completed stream is forwarded byte for byte and its row written from the same pass;
 * a broken one ends with an error event; a cancelled one cancels the upstream and is settled from
 * `GET /generation`. Also: the upstream's HTTP errors keep their status and shape on both upstream paths.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, createKey, type Gateway } from "../src/index.js";
import { loopbackUpstream, tempDir, type LoopbackUpstream } from "./helpers.js";

const usage = { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13, cost: 0.0000321 };
const event = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const first = event({ id: "gen-p1", provider: "FakeProv", choices: [{ index: 0, delta: { content: "Hel" } }] });
const second = event({ id: "gen-p1", choices: [{ index: 0, delta: { content: "lo" }, finish_reason: "stop" }] });
const last = event({ id: "gen-p1", choices: [], usage });

let fake: LoopbackUpstream;
let gateway: Gateway;
let key: string;
const tmp = tempDir();
let upstreamClosed: Array<string> = [];
let release: (() => void) | undefined;
let base: string;

function upstream(req: IncomingMessage, res: ServerResponse, body: string): void {
  if (req.url?.startsWith("/api/v1/generation")) {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: { id: "gen-p1", total_cost: 0.000042, provider_name: "FakeProv" } }));
    return;
  }
  const model = (JSON.parse(body) as { model: string }).model;
  if (model === "fake/teapot") {
    res.writeHead(418, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "short and stout", code: 418 } }));
    return;
  }
  if (req.url === "/api/v1/embeddings") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: "gen-e1", data: [{ embedding: [0.1] }], usage: { prompt_tokens: 2, cost: 0.000001 } }));
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream" });
  res.on("close", () => upstreamClosed.push(model));
  if (model === "fake/ok") {
    // All at once, as one network write: the events still go out unchanged.
    res.end(first + ": OPENROUTER PROCESSING\n\n" + second + last + "data: [DONE]\n\n");
  } else if (model === "fake/broken") {
    res.write(first);
    setTimeout(() => res.destroy(), 20);
  } else {
    res.write(first);
    release = () => res.end(second + last + "data: [DONE]\n\n");
  }
}

beforeAll(async () => {
  fake = await loopbackUpstream(upstream);
  base = fake.base;
  gateway = await createGateway({ db: `${tmp.dir}/proxy.sqlite`, upstreamApiKey: "up-key", upstreamBaseUrl: base, client: { retry: false } });
  ({ key } = await createKey(gateway.store.db, { name: "proxy" }, Date.now()));
});

afterAll(async () => {
  await gateway.close();
  await fake.close();
  tmp.cleanup();
});

const call = (path: string, body: Record<string, unknown>) =>
  gateway.fetch(new Request(`http://gw${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) }));
const chat = (model: string) => call("/v1/chat/completions", { model, stream: true, messages: [{ role: "user", content: "hi" }] });

async function row(id: string) {
  return gateway.store.db.selectFrom("gateway_usage").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await probe();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  return probe();
}

describe("proxy (gateway.fetch)", () => {
  it("a completed stream: the same events, the cost comment, then [DONE]; the row from the same pass", async () => {
    const res = await chat("fake/ok");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-openrouter-generation-id")).toBeNull();
    const text = await res.text();
    expect(text).toBe(`${first}: OPENROUTER PROCESSING\n\n${second}${last}: x-gateway-cost-usd ${usage.cost.toFixed(8)}\n\ndata: [DONE]\n\n`);
    const r = await row(res.headers.get("x-request-id")!);
    expect(r).toMatchObject({ state: "done", stream_outcome: "completed", status: 200, prompt_tokens: 9, completion_tokens: 4, cost_usd: usage.cost, provider: "FakeProv", generation_id: "gen-p1" });
  });

  it("a stream that breaks: what arrived, then an error event, never [DONE]; the row says failed", async () => {
    const res = await chat("fake/broken");
    const text = await res.text();
    expect(text.startsWith(first)).toBe(true);
    expect(text).toContain('"code":"upstream_stream_incomplete"');
    expect(text).not.toContain("[DONE]");
    const r = await until(() => row(res.headers.get("x-request-id")!), (v) => v.state !== "open");
    expect(r).toMatchObject({ stream_outcome: "failed", status: 502, generation_id: "gen-p1" });
  });

  it("an app that cancels mid-stream cancels the upstream request; the row is settled from /generation", async () => {
    upstreamClosed = [];
    const res = await chat("fake/slow");
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(first);
    await reader.cancel();
    await until(async () => upstreamClosed, (v) => v.includes("fake/slow"));
    expect(upstreamClosed).toContain("fake/slow");
    const r = await until(() => row(res.headers.get("x-request-id")!), (v) => v.state === "done");
    expect(r).toMatchObject({ stream_outcome: "cancelled", status: 499, cost_usd: 0.000042, generation_id: "gen-p1" });
    release?.();
  });

  it("over a socket too: the stream goes out whole, with the CORS headers the middleware prepared", async () => {
    const cors = await createGateway({ db: `${tmp.dir}/cors.sqlite`, upstreamApiKey: "up-key", upstreamBaseUrl: base, corsOrigins: ["https://app.example"], client: { retry: false } });
    try {
      const { key: k } = await createKey(cors.store.db, { name: "cors" }, Date.now());
      const { url } = await cors.listen({ port: 0 });
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${k}`, "content-type": "application/json", origin: "https://app.example" },
        body: JSON.stringify({ model: "fake/ok", stream: true, messages: [{ role: "user", content: "hi" }] }),
      });
      expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example");
      expect(res.headers.get("access-control-expose-headers")).toContain("x-gateway-cost-usd");
      expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
      expect(res.headers.get("x-hono-already-sent")).toBeNull();
      expect(await res.text()).toBe(`${first}: OPENROUTER PROCESSING\n\n${second}${last}: x-gateway-cost-usd ${usage.cost.toFixed(8)}\n\ndata: [DONE]\n\n`);
    } finally {
      await cors.close();
    }
  });

  it("upstream HTTP errors keep their status and OpenAI's shape on the stream and embeddings paths", async () => {
    for (const res of [await chat("fake/teapot"), await call("/v1/embeddings", { model: "fake/teapot", input: "x" })]) {
      expect(res.status).toBe(418);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toContain("short and stout");
      expect(await row(res.headers.get("x-request-id")!)).toMatchObject({ state: "done", status: 418, error_type: "upstream_status" });
    }
    const ok = await call("/v1/embeddings", { model: "fake/embed", input: "x" });
    expect(ok.status).toBe(200);
    expect(await row(ok.headers.get("x-request-id")!)).toMatchObject({ state: "done", status: 200, prompt_tokens: 2, cost_usd: 0.000001, generation_id: "gen-e1" });
  });
});
