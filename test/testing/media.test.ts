/**
 * The stand-in's media operations (src/testing/media.ts): images as JSON and as partial-image events, text to
 * speech as audio bytes with an audio content type, transcription from JSON or a multipart upload. JSON
 * answers validate against the spec; media answers carry `X-Generation-Id` with the service's prefixes.
 */
import { describe, expect, it } from "vitest";
import { createMockOpenRouter } from "../../src/testing/index.js";
import { validateResponse } from "../helpers/spec.js";
import { readStream } from "./sse.js";

const BASE = "https://openrouter.ai/api/v1";
const postJson = (mock: ReturnType<typeof createMockOpenRouter>, path: string, body: unknown) =>
  mock.fetch(`${BASE}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("images", () => {
  it("POST /images answers n decodable PNG images as JSON", async () => {
    const mock = createMockOpenRouter();
    const response = await postJson(mock, "/images", { model: "openai/gpt-image-1", prompt: "a red fox", n: 2 });
    const body = await response.json();
    expect(validateResponse("POST", "/images", 200, body).errors).toBe("");
    expect(body.data).toHaveLength(2);
    const png = Buffer.from(body.data[0].b64_json, "base64");
    expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect(response.headers.get("x-generation-id")).toMatch(/^gen-img-/);
  });

  it("with stream: true, a partial image then each completed image as events, then [DONE]", async () => {
    const mock = createMockOpenRouter();
    const response = await postJson(mock, "/images", { model: "openai/gpt-image-1", prompt: "a red fox", stream: true, n: 2 });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const types = (await readStream(response)).events.map((e) => (typeof e.data === "string" ? e.data : e.data.type));
    expect(types).toEqual(["image_generation.partial_image", "image_generation.completed", "image_generation.completed", "[DONE]"]);
  });

  it("refuses a request without a prompt", async () => {
    const mock = createMockOpenRouter();
    const response = await postJson(mock, "/images", { model: "openai/gpt-image-1" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("prompt");
  });
});

describe("audio", () => {
  it("POST /audio/speech answers audio bytes typed by response_format, the same for the same text", async () => {
    const mock = createMockOpenRouter();
    const mp3 = await postJson(mock, "/audio/speech", { model: "openai/gpt-4o-mini-tts", input: "Hello", voice: "alloy" });
    expect(mp3.status).toBe(200);
    expect(mp3.headers.get("content-type")).toBe("audio/mpeg");
    expect(mp3.headers.get("x-generation-id")).toMatch(/^gen-tts-/);
    const bytes = new Uint8Array(await mp3.arrayBuffer());
    expect(bytes[0]).toBe(0xff);
    const again = new Uint8Array(await (await postJson(mock, "/audio/speech", { model: "openai/gpt-4o-mini-tts", input: "Hello", voice: "alloy" })).arrayBuffer());
    expect(again).toEqual(bytes);
    const pcm = await postJson(mock, "/audio/speech", { model: "openai/gpt-4o-mini-tts", input: "Hello", response_format: "pcm" });
    expect(pcm.headers.get("content-type")).toBe("audio/pcm");
  });

  it("refuses speech with an unknown field (the request object is closed)", async () => {
    const mock = createMockOpenRouter();
    expect((await postJson(mock, "/audio/speech", { model: "m", input: "Hi", volume: 11 })).status).toBe(400);
  });

  it("POST /audio/transcriptions takes a multipart upload and names its size; a missing model is refused", async () => {
    const mock = createMockOpenRouter();
    const form = new FormData();
    form.append("file", new File([new Uint8Array(1234)], "meeting.wav", { type: "audio/wav" }));
    form.append("model", "openai/whisper-1");
    const response = await mock.fetch(`${BASE}/audio/transcriptions`, { method: "POST", body: form });
    const body = await response.json();
    expect(validateResponse("POST", "/audio/transcriptions", 200, body).errors).toBe("");
    expect(body.text).toBe("Stand-in transcript of meeting.wav (1234 bytes).");

    const noModel = new FormData();
    noModel.append("file", new File([new Uint8Array(4)], "a.wav"));
    const refused = await mock.fetch(`${BASE}/audio/transcriptions`, { method: "POST", body: noModel });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain("model");
  });

  it("transcription also takes JSON with base64 audio", async () => {
    const mock = createMockOpenRouter();
    const response = await postJson(mock, "/audio/transcriptions", { model: "openai/whisper-1", input_audio: { data: "AAAAAAAA", format: "wav" } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { text: string }).text).toContain("(6 bytes)");
  });
});
