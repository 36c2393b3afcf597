/**
 * Multipart uploads byte for byte, at a loopback server on 127.0.0.1: every part's headers and bytes as
 * received, the declared length equal to what arrived, names and filenames escaped so no input can break
 * a header, a standard parser (undici's FormData) reading the same parts, a retried upload sending the
 * identical body again, and a stream of unknown size sent chunked.
 */
import { afterEach, describe, expect, it } from "vitest";
import { InvalidArgumentError, OpenRouter } from "../../src/index.js";
import { escapeQuoted, multipartBody } from "../../src/verbs/multipart.js";
import { boundaryOf, parseMultipart, uploadServer, type UploadServer } from "../helpers/upload-server.js";

let server: UploadServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const fileReply = () => ({ _shape: "openrouter", id: "file_1", type: "file", filename: "x", mime_type: "x", size_bytes: 0, created_at: "", downloadable: true });
const bytes = (n: number, seed = 7) => new Uint8Array(n).map((_, i) => (i * seed + (i >> 8)) % 256);

describe("multipart uploads at a loopback server", () => {
  it("sends every part's headers and bytes exactly, with the declared content-length", async () => {
    server = await uploadServer({ mode: "buffer", reply: () => ({ text: "ok" }) });
    const client = new OpenRouter({ apiKey: "sk-test", baseUrl: server.baseUrl });
    const audio = bytes(300_000);
    await client.audio.transcribe({
      file: new Blob([audio], { type: "audio/wav" }),
      filename: "clip.wav",
      model: "openai/whisper-1",
      language: "fr",
      temperature: 0.5,
      timestamp_granularities: ["word", "segment"],
    });
    const upload = server.received[0]!;
    expect(upload.method).toBe("POST");
    expect(upload.url).toBe("/api/v1/audio/transcriptions");
    expect(upload.headers["authorization"]).toBe("Bearer sk-test");
    expect(Number(upload.headers["content-length"])).toBe(upload.length);
    const boundary = boundaryOf(upload.headers["content-type"]);
    expect(boundary).toMatch(/^----openrouter-fetch-[0-9a-f]{32}$/);
    const parts = parseMultipart(upload.body!, boundary);
    const field = (name: string, value: string) => ({ headers: [`Content-Disposition: form-data; name="${name}"`], body: Buffer.from(value) });
    expect(parts).toEqual([
      field("model", "openai/whisper-1"),
      field("language", "fr"),
      field("temperature", "0.5"),
      field("timestamp_granularities[]", "word"),
      field("timestamp_granularities[]", "segment"),
      { headers: ['Content-Disposition: form-data; name="file"; filename="clip.wav"', "Content-Type: audio/wav"], body: Buffer.from(audio) },
    ]);

    // A standard parser reads the same form.
    const form = await new Response(new Uint8Array(upload.body!), { headers: { "content-type": upload.headers["content-type"]! } }).formData();
    expect(form.getAll("timestamp_granularities[]")).toEqual(["word", "segment"]);
    const file = form.get("file") as File;
    expect([file.name, file.type]).toEqual(["clip.wav", "audio/wav"]);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(audio);
  });

  it("escapes CR, LF and quotes in filenames, keeps UTF-8 names, so no input ends a header early", async () => {
    server = await uploadServer({ mode: "buffer", reply: fileReply });
    const client = new OpenRouter({ apiKey: "sk-test", baseUrl: server.baseUrl });
    const evil = 'a"; name="purpose"\r\nX-Injected: yes\r\n\r\nété.txt';
    await client.files.upload({ file: new Uint8Array([1, 2, 3]), filename: evil, contentType: "text/plain; charset=utf-8", purpose: 'line\r\nbreak "quoted"' });
    const upload = server.received[0]!;
    const parts = parseMultipart(upload.body!, boundaryOf(upload.headers["content-type"]));
    expect(parts).toHaveLength(2);
    expect(parts[0]).toEqual({ headers: ['Content-Disposition: form-data; name="purpose"'], body: Buffer.from('line\r\nbreak "quoted"') });
    expect(parts[1]!.headers).toEqual([
      `Content-Disposition: form-data; name="file"; filename="a%22; name=%22purpose%22%0D%0AX-Injected: yes%0D%0A%0D%0Aété.txt"`,
      "Content-Type: text/plain; charset=utf-8",
    ]);
    expect(parts[1]!.body).toEqual(Buffer.from([1, 2, 3]));
    expect(escapeQuoted('"\r\n')).toBe("%22%0D%0A");
  });

  it("a retried upload sends the identical body again", async () => {
    server = await uploadServer({ mode: "buffer", statuses: [503], reply: fileReply });
    const client = new OpenRouter({ apiKey: "sk-test", baseUrl: server.baseUrl, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    await client.files.upload({ file: new Blob([bytes(50_000, 13)]), filename: "r.bin" });
    expect(server.received).toHaveLength(2);
    const [first, second] = server.received;
    expect(first!.length).toBe(second!.length);
    expect(first!.sha256).toBe(second!.sha256);
    expect(parseMultipart(second!.body!, boundaryOf(second!.headers["content-type"]))[0]!.body).toEqual(Buffer.from(bytes(50_000, 13)));
  });

  it("a stream of unknown size goes chunked, once, byte for byte", async () => {
    server = await uploadServer({ mode: "buffer", statuses: [503], reply: fileReply });
    const client = new OpenRouter({ apiKey: "sk-test", baseUrl: server.baseUrl, retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 1 } });
    const data = bytes(200_000, 3);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < data.length; i += 7000) c.enqueue(data.slice(i, i + 7000));
        c.close();
      },
    });
    // The scripted 503 is not retried: the stream cannot be read a second time.
    await expect(client.files.upload({ file: stream, filename: "s.bin" })).rejects.toMatchObject({ status: 503 });
    expect(server.received).toHaveLength(1);
    const upload = server.received[0]!;
    expect(upload.headers["content-length"]).toBeUndefined();
    expect(upload.headers["transfer-encoding"]).toBe("chunked");
    const parts = parseMultipart(upload.body!, boundaryOf(upload.headers["content-type"]));
    expect(parts[0]!.headers).toEqual(['Content-Disposition: form-data; name="file"; filename="s.bin"', "Content-Type: application/octet-stream"]);
    expect(parts[0]!.body).toEqual(Buffer.from(data));
  });

  it("a stream that yields something other than bytes fails the upload with a typed error", async () => {
    server = await uploadServer({ mode: "buffer", reply: fileReply });
    const client = new OpenRouter({ apiKey: "sk-test", baseUrl: server.baseUrl });
    const stream = new ReadableStream({
      start(c) {
        c.enqueue("text, not bytes" as unknown as Uint8Array);
        c.close();
      },
    }) as ReadableStream<Uint8Array>;
    const error = await client.files.upload({ file: stream }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(String((error as Error).message)).toContain("Uint8Array");
    await expect(client.files.upload({ file: new Uint8Array(1), contentType: "bad" })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe("multipartBody", () => {
  it("builds a fresh body per attempt for a replayable file, and refuses to open a one-shot stream twice", async () => {
    const replayable = multipartBody("t", {}, { name: "file", file: new Uint8Array([9]) }, "f.bin", "B");
    expect(replayable.replayable).toBe(true);
    const read = async (body: Uint8Array | ReadableStream<Uint8Array>) => new TextDecoder().decode(new Uint8Array(await new Response(body as BodyInit).arrayBuffer()));
    const first = await read(replayable.upload.body());
    expect(await read(replayable.upload.body())).toBe(first);
    expect(first).toBe('--B\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\nContent-Type: application/octet-stream\r\n\r\n\u0009\r\n--B--\r\n');
    expect(replayable.upload.length).toBe(new TextEncoder().encode(first).byteLength);

    const once = multipartBody("t", {}, { name: "file", file: new ReadableStream<Uint8Array>() }, "f.bin", "B");
    expect([once.replayable, once.upload.length]).toEqual([false, undefined]);
    once.upload.body();
    expect(() => once.upload.body()).toThrow(InvalidArgumentError);
    // A field that contains the boundary could end its part early: refused.
    expect(() => multipartBody("t", { note: "x--B" }, { name: "file", file: new Uint8Array() }, "f", "B")).toThrow(InvalidArgumentError);
  });

  it("cancelling the body cancels the file's stream", async () => {
    let cancelled: unknown;
    const source = new ReadableStream<Uint8Array>({ pull: (c) => c.enqueue(new Uint8Array([1])), cancel: (reason) => void (cancelled = reason) });
    const body = multipartBody("t", {}, { name: "file", file: source }, "f", "B").upload.body() as ReadableStream<Uint8Array>;
    const reader = body.getReader();
    await reader.read();
    await reader.read();
    await reader.cancel("stop");
    expect(cancelled).toBe("stop");
  });
});
