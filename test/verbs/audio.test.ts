/**
 * client.audio against the stand-in: speech as a stream or as bounded bytes with its content type;
 * transcription as a multipart upload from a Blob, a File, bytes or a one-shot stream (sent once, never
 * retried); typed errors for bad input with nothing sent.
 */
import { describe, expect, it } from "vitest";
import { AbortError, ConnectionError, InvalidArgumentError, OpenRouter, ResponseTooLargeError } from "../../src/index.js";
import { createMockOpenRouter } from "../../src/testing/index.js";

const BASE = "https://openrouter.ai/api/v1";
const TTS = "openai/gpt-4o-mini-tts";
const STT = "openai/whisper-1";

function setup(options: ConstructorParameters<typeof OpenRouter>[0] = {}) {
  const mock = createMockOpenRouter();
  const client = new OpenRouter({ apiKey: "sk-test", baseUrl: BASE, fetch: mock.fetch, ...options });
  return { mock, client };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

const expectedAudio = (text: string) => Uint8Array.from([0xff, 0xfb, 0x90, 0x64, ...new TextEncoder().encode(text)]);

describe("audio.speech", () => {
  it("returns the audio bytes with their content type, length and generation id", async () => {
    const { client } = setup();
    const audio = await client.audio.speech({ model: TTS, input: "Hello there", voice: "alloy" });
    expect(audio.contentType).toBe("audio/mpeg");
    expect(audio.generationId).toMatch(/^gen-tts-/);
    expect(audio.provider).toBe("OpenAI");
    expect(audio.contentLength).toBe(expectedAudio("Hello there").byteLength);
    expect(await audio.bytes()).toEqual(expectedAudio("Hello there"));
    // The body is read once.
    await expect(audio.bytes()).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(() => audio.body).toThrow(InvalidArgumentError);
  });

  it("gives the body as a stream, not buffered", async () => {
    const { client } = setup();
    const audio = await client.audio.speech({ model: TTS, input: "streamed", response_format: "pcm" });
    expect(audio.contentType).toBe("audio/pcm");
    expect(audio.body).toBe(audio.body);
    expect(await readAll(audio.body)).toEqual(new TextEncoder().encode("streamed"));
  });

  it("bytes() is bounded by maxResponseBytes", async () => {
    const { client } = setup();
    const audio = await client.audio.speech({ model: TTS, input: "a longer sentence than ten bytes" }, { maxResponseBytes: 10 });
    await expect(audio.bytes()).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  it("a connection dropped mid-body is a ConnectionError on the stream; the caller's abort an AbortError", async () => {
    let drop: (() => void) | undefined;
    const fetch = (async () => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array([1, 2, 3]));
          drop = () => controller.error(new TypeError("terminated"));
        },
      });
      return new Response(body, { status: 200, headers: { "content-type": "audio/mpeg" } });
    }) as typeof globalThis.fetch;
    const client = new OpenRouter({ apiKey: "sk-test", baseUrl: BASE, fetch });
    const audio = await client.audio.speech({ model: TTS, input: "x" });
    const reader = audio.body.getReader();
    expect((await reader.read()).value).toEqual(new Uint8Array([1, 2, 3]));
    drop!();
    await expect(reader.read()).rejects.toBeInstanceOf(ConnectionError);

    const controller = new AbortController();
    const aborted = await client.audio.speech({ model: TTS, input: "x" }, { signal: controller.signal });
    const r2 = aborted.body.getReader();
    await r2.read();
    controller.abort();
    drop!();
    await expect(r2.read()).rejects.toBeInstanceOf(AbortError);
  });

  it("cancel() releases the answer unread; cancelling the body stream does too", async () => {
    const { client } = setup();
    const audio = await client.audio.speech({ model: TTS, input: "unread" });
    audio.cancel();
    await expect(audio.bytes()).rejects.toBeInstanceOf(InvalidArgumentError);
    const streamed = await client.audio.speech({ model: TTS, input: "cancelled" });
    await streamed.body.cancel("not needed");
    expect(() => streamed.body).not.toThrow();
  });

  it("refuses bad input before sending", async () => {
    const { mock, client } = setup();
    for (const params of [undefined, { input: "x" }, { model: TTS }, { model: TTS, input: 42 }]) {
      await expect(client.audio.speech(params as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    await expect(client.audio.speech({ model: TTS, input: "x" }, { headers: { "bad header": "x" } })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(mock.requests).toHaveLength(0);
  });
});

describe("audio.transcribe", () => {
  const audio = new Uint8Array(1000).map((_, i) => i % 251);

  it("uploads a Blob as multipart with the model and options; the transcript names the upload", async () => {
    const { mock, client } = setup();
    const result = await client.audio.transcribe({
      file: new Blob([audio], { type: "audio/wav" }),
      filename: "clip.wav",
      model: STT,
      language: "en",
      temperature: 0,
      timestamp_granularities: ["word", "segment"],
    });
    expect(result.text).toBe("Stand-in transcript of clip.wav (1000 bytes).");
    expect(result.generationId).toMatch(/^gen-stt-/);
    expect(result.usage?.total_tokens).toBe(19);
    const request = mock.requests[0]!;
    expect(request.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
  });

  it("takes a File (its name), bytes (named audio) and a one-shot stream", async () => {
    const { client } = setup();
    expect((await client.audio.transcribe({ file: new File([audio], "speech.mp3", { type: "audio/mpeg" }), model: STT })).text).toContain("speech.mp3 (1000 bytes)");
    expect((await client.audio.transcribe({ file: audio, model: STT })).text).toContain("audio (1000 bytes)");
    expect((await client.audio.transcribe({ file: audio.buffer, model: STT, filename: "buf.wav" })).text).toContain("buf.wav (1000 bytes)");
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(audio.subarray(0, 400));
        c.enqueue(audio.subarray(400));
        c.close();
      },
    });
    expect((await client.audio.transcribe({ file: stream, model: STT, filename: "s.wav" })).text).toContain("s.wav (1000 bytes)");
  });

  it("retries a replayable upload with the whole body again, but sends a one-shot stream only once", async () => {
    const mock = createMockOpenRouter();
    // The first upload of each call is answered 529 (after reading its body whole), the rest go to the stand-in.
    const received: number[] = [];
    let failNext = true;
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      if (failNext) {
        failNext = false;
        received.push((await request.arrayBuffer()).byteLength);
        return new Response(JSON.stringify({ error: { code: 529, message: "Provider overloaded" } }), { status: 529, headers: { "content-type": "application/json" } });
      }
      return mock.fetch(request);
    }) as typeof globalThis.fetch;
    const client = new OpenRouter({ apiKey: "sk-test", baseUrl: BASE, fetch, retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    const result = await client.audio.transcribe({ file: new Blob([audio]), model: STT, filename: "r.wav" });
    // The retry sent the whole body again: the stand-in saw every byte.
    expect(result.text).toContain("r.wav (1000 bytes)");
    expect(received[0]).toBeGreaterThan(1000);
    expect(mock.requests).toHaveLength(1);

    failNext = true;
    const once = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(audio);
        c.close();
      },
    });
    await expect(client.audio.transcribe({ file: once, model: STT })).rejects.toMatchObject({ status: 529, attempts: 1 });
    expect(mock.requests).toHaveLength(1);
  });

  it("takes the cost from the answer's usage; an answer without text is an InvalidResponseError", async () => {
    const answer = (body: unknown) =>
      new OpenRouter({
        apiKey: "sk-test",
        baseUrl: BASE,
        fetch: (async () => new Response(JSON.stringify(body), { headers: { "content-type": "application/json", "x-generation-id": "gen-stt-1" } })) as typeof globalThis.fetch,
      });
    const paid = answer({ text: "hi", usage: { cost: 0.0021, seconds: 3 } });
    const result = await paid.audio.transcribe({ file: audio, model: STT });
    expect([result.text, result.cost, result.generationId]).toEqual(["hi", 0.0021, "gen-stt-1"]);
    expect(paid.usage.snapshot().costUsd).toBeCloseTo(0.0021);
    await expect(answer({ segments: [] }).audio.transcribe({ file: audio, model: STT })).rejects.toThrow(/no text/);
    await expect(answer([1, 2]).audio.transcribe({ file: audio, model: STT })).rejects.toThrow(/JSON object/);
  });

  it("refuses bad input before sending: no file, a wrong type, a locked stream, bad names and types", async () => {
    const { mock, client } = setup();
    const locked = new ReadableStream<Uint8Array>();
    locked.getReader();
    const bad: unknown[] = [
      undefined,
      [],
      { model: STT },
      { file: "not a file", model: STT },
      { file: audio },
      { file: audio, model: "" },
      { file: locked, model: STT },
      { file: audio, model: STT, filename: "" },
      { file: audio, model: STT, filename: "a\0b" },
      { file: audio, model: STT, contentType: "audio/mpeg\r\nX-Evil: 1" },
      { file: audio, model: STT, contentType: "not a type" },
      { file: audio, model: STT, language: { en: true } },
    ];
    for (const params of bad) {
      await expect(client.audio.transcribe(params as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    expect(mock.requests).toHaveLength(0);
  });
});
