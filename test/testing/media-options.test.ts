/**
 * The stand-in's media operations (src/testing/media.ts) with their less common options: image count and
 * output formats (JSON and streamed), speech formats without a content type of their own, and an upload
 * part without a file name. JSON answers validate against the spec.
 */
import { describe, expect, it } from "vitest";
import { createMockOpenRouter } from "../../src/testing/index.js";
import { STAND_IN_PNG_BASE64 } from "../../src/testing/media.js";
import { validateResponse } from "../helpers/spec.js";
import { readStream } from "./sse.js";

const BASE = "https://openrouter.ai/api/v1";
const postJson = (mock: ReturnType<typeof createMockOpenRouter>, path: string, body: unknown) =>
  mock.fetch(`${BASE}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const model = "openai/gpt-image-1";

describe("images: count and format", () => {
  it("answers n images typed by output_format, and usage that scales with n", async () => {
    const mock = createMockOpenRouter();
    for (const [format, type] of [["jpeg", "image/jpeg"], ["webp", "image/webp"], ["svg", "image/svg+xml"], ["png", "image/png"]] as const) {
      const response = await postJson(mock, "/images", { model, prompt: "a cat", n: 3, output_format: format });
      const body = await response.json();
      expect(response.status, JSON.stringify(body)).toBe(200);
      expect(validateResponse("POST", "/images", 200, body).errors).toBe("");
      expect(body.data).toHaveLength(3);
      expect(body.data.every((d: { media_type: string; b64_json: string }) => d.media_type === type && d.b64_json.length > 0)).toBe(true);
      expect(body.usage.cost).toBeCloseTo(0.12);
    }
  });

  it("streams one completed event per image, each with the format's media type", async () => {
    const mock = createMockOpenRouter();
    const stream = await readStream(await postJson(mock, "/images", { model, prompt: "a cat", n: 2, output_format: "jpeg", stream: true }));
    const data = stream.events.map((e) => e.data).filter((d) => d !== "[DONE]") as Array<{ type: string; media_type: string; index?: number }>;
    expect(data.map((d) => d.type)).toEqual(["image_generation.partial_image", "image_generation.completed", "image_generation.completed"]);
    expect(data.map((d) => d.media_type)).toEqual(["image/jpeg", "image/jpeg", "image/jpeg"]);
    expect(data.slice(1).map((d) => d.index)).toEqual([0, 1]);
    expect(stream.events.at(-1)?.data).toBe("[DONE]");
  });

  it("without n or output_format, one PNG image", async () => {
    const body = await (await postJson(createMockOpenRouter(), "/images", { model, prompt: "x" })).json();
    expect(body.data).toEqual([{ b64_json: STAND_IN_PNG_BASE64, media_type: "image/png" }]);
  });
});

describe("audio: formats and unnamed uploads", () => {
  it("pcm speech is the raw bytes of the text (no MP3 frame header), with their length", async () => {
    const mock = createMockOpenRouter();
    const response = await postJson(mock, "/audio/speech", { model: "openai/gpt-4o-mini-tts", input: "Hi", response_format: "pcm" });
    const pcm = new Uint8Array(await response.arrayBuffer());
    // Raw PCM has no frame header: the bytes are the text's.
    expect(Array.from(pcm)).toEqual(Array.from(new TextEncoder().encode("Hi")));
    expect(response.headers.get("content-length")).toBe(String(pcm.byteLength));
  });

  it("a transcription upload sent as a Blob part is named after the part", async () => {
    const mock = createMockOpenRouter();
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(10)], { type: "audio/wav" }));
    form.append("model", "openai/whisper-1");
    const response = await mock.fetch(`${BASE}/audio/transcriptions`, { method: "POST", body: form });
    const body = await response.json();
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body.text).toMatch(/^Stand-in transcript of .+ \(10 bytes\)\.$/);
  });

  it("a JSON transcription without audio data counts zero bytes", async () => {
    const mock = createMockOpenRouter();
    const response = await postJson(mock, "/audio/transcriptions", { model: "openai/whisper-1", input_audio: { data: "", format: "wav" } });
    const body = await response.json();
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body.text).toContain("(0 bytes)");
  });
});
