/**
 * client.files against the stand-in: upload (multipart from a Blob, bytes or a stream), list, get, content
 * byte for byte (as a stream or as bytes) and delete; typed errors for unknown ids and for bad input, with
 * nothing sent.
 */
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, InvalidResponseError, NotFoundError, OpenRouter, OpenRouterError } from "../../src/index.js";
import { createMockOpenRouter } from "../../src/testing/index.js";

const BASE = "https://openrouter.ai/api/v1";

function setup() {
  const mock = createMockOpenRouter();
  const client = new OpenRouter({ apiKey: "sk-test", baseUrl: BASE, fetch: mock.fetch });
  return { mock, client };
}

const payload = new Uint8Array(70_000).map((_, i) => (i * 31) % 256);

describe("files", () => {
  it("upload, list, get, content byte for byte, delete", async () => {
    const { mock, client } = setup();
    const uploaded = await client.files.upload({ file: new Blob([payload], { type: "application/x-test" }), filename: "data.bin", purpose: "user_data" });
    expect(uploaded).toMatchObject({ filename: "data.bin", mime_type: "application/x-test", size_bytes: payload.byteLength });
    const sent = mock.requests[0]!;
    expect(sent.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=----openrouter-fetch-[0-9a-f]{32}$/);

    const list = await client.files.list({ limit: 10, order: "desc" });
    expect(list.data.map((f) => f.id)).toEqual([uploaded.id]);
    const url = new URL(mock.requests[1]!.path, "http://x");
    expect([url.pathname, url.searchParams.get("limit"), url.searchParams.get("order")]).toEqual(["/files", "10", "desc"]);

    expect(await client.files.get(uploaded.id)).toMatchObject({ id: uploaded.id, size_bytes: payload.byteLength });

    const asBytes = await client.files.content(uploaded.id);
    expect(asBytes.contentType).toBe("application/octet-stream");
    expect(asBytes.headers.get("content-disposition")).toContain("data.bin");
    expect(await asBytes.bytes()).toEqual(payload);

    const asStream = await client.files.content(uploaded.id);
    const chunks: Uint8Array[] = [];
    for await (const chunk of asStream.body as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
    expect(new Uint8Array(Buffer.concat(chunks))).toEqual(payload);

    expect(await client.files.delete(uploaded.id)).toMatchObject({ id: uploaded.id, type: "file_deleted" });
    await expect(client.files.get(uploaded.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.files.content(uploaded.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.files.delete(uploaded.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("uploads bytes (named upload.bin) and a stream; the scope goes in the query", async () => {
    const { mock, client } = setup();
    const fromBytes = await client.files.upload({ file: payload }, {});
    expect(fromBytes).toMatchObject({ filename: "upload.bin", mime_type: "application/octet-stream", size_bytes: payload.byteLength });
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < payload.byteLength; i += 8192) c.enqueue(payload.subarray(i, i + 8192));
        c.close();
      },
    });
    const fromStream = await client.files.upload({ file: stream, filename: "s.bin", provider: "openai", workspace_id: "ws_1" });
    expect(fromStream.size_bytes).toBe(payload.byteLength);
    const url = new URL(mock.requests[1]!.path, "http://x");
    expect([url.pathname, url.searchParams.get("workspace_id"), url.searchParams.get("provider")]).toEqual(["/files", "ws_1", "openai"]);
    expect(await (await client.files.content(fromStream.id, { provider: "openai" })).bytes()).toEqual(payload);
  });

  it("passes the per-call options on: headers, retry, timeout, signal", async () => {
    const { mock, client } = setup();
    const controller = new AbortController();
    await client.files.list(undefined, { headers: { "x-trace": "t-1" }, retry: false, timeoutMs: 5000, signal: controller.signal, fallbackModels: false, onInsufficientCredits: "throw" });
    expect(mock.requests[0]?.headers["x-trace"]).toBe("t-1");
    controller.abort();
    await expect(client.files.list({}, { signal: controller.signal })).rejects.toMatchObject({ kind: "aborted" });
  });

  it("an answer that is not a JSON object is an InvalidResponseError", async () => {
    const fetch = (async () => new Response("[1]", { headers: { "content-type": "application/json" } })) as typeof globalThis.fetch;
    const client = new OpenRouter({ apiKey: "sk-test", baseUrl: BASE, fetch });
    await expect(client.files.get("file_1")).rejects.toBeInstanceOf(InvalidResponseError);
  });

  it("never shows the key: an upload refused with the key echoed in the error body, or dropped by the network", async () => {
    const key = "sk-or-v1-secret-key-for-the-test";
    const echoing = (async (_input: RequestInfo | URL, init?: RequestInit) => {
      const auth = new Headers(init?.headers).get("authorization") ?? "";
      return new Response(JSON.stringify({ error: { code: 400, message: `bad upload for ${auth}` } }), { status: 400, headers: { "content-type": "application/json" } });
    }) as typeof globalThis.fetch;
    const failing = (async () => {
      throw new TypeError(`fetch failed for ${key}`, { cause: Object.assign(new Error(`socket ${key}`), { code: "ECONNRESET" }) });
    }) as typeof globalThis.fetch;
    for (const fetch of [echoing, failing]) {
      const client = new OpenRouter({ apiKey: key, baseUrl: BASE, fetch, retry: false });
      const error = (await client.files.upload({ file: payload, filename: "k.bin" }).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(OpenRouterError);
      const seen = [String(error), error.stack, JSON.stringify(error), JSON.stringify((error as Error & { cause?: unknown }).cause, Object.getOwnPropertyNames(error))].join("\n");
      expect(seen).not.toContain(key);
    }
  });

  it("refuses bad input before sending", async () => {
    const { mock, client } = setup();
    await expect(client.files.upload(undefined as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.files.upload({} as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.files.upload({ file: [1, 2, 3] } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.files.upload({ file: payload, purpose: { a: 1 } } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.files.upload({ file: payload, provider: ["x"] } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.files.list({ limit: { n: 1 } } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.files.list("limit=1" as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.files.get("")).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.files.content(undefined as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.files.delete("   ")).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(mock.requests).toHaveLength(0);
  });
});
