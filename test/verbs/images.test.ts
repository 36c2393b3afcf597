/**
 * client.images against the stand-in: JSON generation decoded to image bytes with usage, cost and the
 * generation id; the streamed variant hands each partial image to the callback before the final images; the
 * image models; typed errors for bad input with nothing sent, and for broken answers.
 */
import { describe, expect, it } from "vitest";
import { BadRequestError, ConnectionError, InvalidArgumentError, InvalidResponseError, OpenRouter, ResponseTooLargeError, StreamError } from "../../src/index.js";
import { createMockOpenRouter } from "../../src/testing/index.js";

const BASE = "https://openrouter.ai/api/v1";
const MODEL = "openai/gpt-image-1";
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];

function setup() {
  const mock = createMockOpenRouter();
  const client = new OpenRouter({ apiKey: "sk-test", baseUrl: BASE, fetch: mock.fetch, retry: false });
  return { mock, client };
}

/** A client whose fetch answers every request with `body` (text) and `headers`. */
function answering(body: string, headers: Record<string, string>) {
  const fetch = (async () => new Response(body, { status: 200, headers })) as typeof globalThis.fetch;
  return new OpenRouter({ apiKey: "sk-test", baseUrl: BASE, fetch, retry: false });
}

describe("images.generate", () => {
  it("decodes every image of a JSON answer, with usage, cost, generation id and provider", async () => {
    const { mock, client } = setup();
    const result = await client.images.generate({ model: MODEL, prompt: "a red fox", n: 2 });
    expect(result.images.map((i) => i.index)).toEqual([0, 1]);
    for (const image of result.images) {
      expect([...image.bytes.subarray(0, 4)]).toEqual(PNG_SIGNATURE);
      expect(image.contentType).toBe("image/png");
    }
    expect(result.cost).toBeCloseTo(0.08);
    expect(result.usage?.total_tokens).toBe(10 + 1290 * 2);
    expect(result.generationId).toMatch(/^gen-img-/);
    expect(result.provider).toBe("OpenAI");
    expect(typeof result.created).toBe("number");
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]?.body).toMatchObject({ model: MODEL, prompt: "a red fox", n: 2 });
    // Recorded on the client's usage like a chat call.
    expect(client.usage.snapshot().costUsd).toBeCloseTo(0.08);
  });

  it("streams partial images to onPartialImage before returning the completed ones", async () => {
    const { mock, client } = setup();
    const partials: number[] = [];
    const result = await client.images.generate(
      { model: MODEL, prompt: "a red fox", n: 2, output_format: "webp" },
      { onPartialImage: (image) => partials.push(image.bytes.byteLength) },
    );
    expect(mock.requests[0]?.body).toMatchObject({ stream: true });
    expect(partials).toHaveLength(1);
    expect(partials[0]).toBeGreaterThan(0);
    expect(result.images).toHaveLength(2);
    expect(result.images[0]?.contentType).toBe("image/webp");
    expect(result.cost).toBeCloseTo(0.08);
    expect(Array.isArray(result.raw)).toBe(true);
  });

  it("stream: true without a callback still returns the final images", async () => {
    const { client } = setup();
    const result = await client.images.generate({ model: MODEL, prompt: "a red fox", stream: true });
    expect(result.images).toHaveLength(1);
    expect([...result.images[0]!.bytes.subarray(0, 4)]).toEqual(PNG_SIGNATURE);
  });

  it("refuses bad input with a typed error before anything is sent", async () => {
    const { mock, client } = setup();
    const bad: [unknown, unknown][] = [
      [null, undefined],
      [{ prompt: "x" }, undefined],
      [{ model: MODEL }, undefined],
      [{ model: MODEL, prompt: "" }, undefined],
      [{ model: MODEL, prompt: "x" }, { onPartialImage: "yes" }],
      [{ model: MODEL, prompt: "x" }, { timeoutMs: -1 }],
      [{ model: MODEL, prompt: "x" }, { maxResponseBytes: 0 }],
      [{ model: MODEL, prompt: "x", extra: 1n }, undefined],
    ];
    for (const [params, options] of bad) {
      await expect(client.images.generate(params as never, options as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    expect(mock.requests).toHaveLength(0);
  });

  it("an API refusal is the typed error of its status", async () => {
    const { client } = setup();
    // The stand-in validates the body against the spec, as OpenRouter does: an aspect ratio it does not know is a 400.
    const error = await client.images.generate({ model: MODEL, prompt: "x", aspect_ratio: "7:7" as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, method: "POST", path: "/images", model: MODEL });
  });

  it("broken answers are typed errors: no data, bad base64, an in-band error, a stream without images", async () => {
    const json = { "content-type": "application/json" };
    const sse = { "content-type": "text/event-stream" };
    const params = { model: MODEL, prompt: "x" };
    await expect(answering(JSON.stringify({ created: 1 }), json).images.generate(params)).rejects.toBeInstanceOf(InvalidResponseError);
    await expect(answering(JSON.stringify({ created: 1, data: [{ b64_json: "***" }] }), json).images.generate(params)).rejects.toThrow(/not valid base64/);
    await expect(answering(JSON.stringify({ created: 1, data: [{}] }), json).images.generate(params)).rejects.toThrow(/no b64_json/);
    const failed = answering(`data: ${JSON.stringify({ error: { message: "PROHIBITED_CONTENT" } })}\n\n`, sse);
    await expect(failed.images.generate({ ...params, stream: true })).rejects.toThrow(StreamError);
    await expect(failed.images.generate({ ...params, stream: true })).rejects.toThrow(/PROHIBITED_CONTENT/);
    await expect(answering("data: {oops\n\n", sse).images.generate({ ...params, stream: true })).rejects.toThrow(/not JSON/);
    await expect(answering(": keep-alive\n\n", sse).images.generate({ ...params, stream: true })).rejects.toThrow(/ended before any image/);
  });

  it("an error thrown by onPartialImage ends the call with that error; a stream cut short is a ConnectionError", async () => {
    const { client } = setup();
    const mine = new Error("preview failed");
    await expect(client.images.generate({ model: MODEL, prompt: "x" }, { onPartialImage: () => { throw mine; } })).rejects.toBe(mine);

    const event = `data: ${JSON.stringify({ type: "image_generation.partial_image", partial_image_index: 0, b64_json: "AQID" })}\n\n`;
    const fetch = (async () => {
      let pulls = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (pulls++ === 0) c.enqueue(new TextEncoder().encode(event));
          else c.error(new TypeError("terminated"));
        },
      });
      return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
    }) as typeof globalThis.fetch;
    const cut = new OpenRouter({ apiKey: "sk-test", baseUrl: BASE, fetch });
    const partials: Uint8Array[] = [];
    const error = await cut.images.generate({ model: MODEL, prompt: "x", stream: true }, { onPartialImage: (p) => partials.push(p.bytes) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(partials).toEqual([new Uint8Array([1, 2, 3])]);
  });

  it("a streamed answer larger than maxResponseBytes is refused", async () => {
    const { client } = setup();
    await expect(client.images.generate({ model: MODEL, prompt: "x", stream: true }, { maxResponseBytes: 64 })).rejects.toBeInstanceOf(ResponseTooLargeError);
  });
});

describe("images.models", () => {
  it("lists the image models", async () => {
    const { mock, client } = setup();
    const list = await client.images.models();
    expect(Array.isArray(list.data)).toBe(true);
    expect(mock.requests[0]).toMatchObject({ method: "GET", path: "/images/models" });
  });
});
