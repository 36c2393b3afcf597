/**
 * Media operations in the stand-in, generated deterministically from the request: text to speech answers
 * audio bytes with an audio content type; transcription answers text derived from the upload; image
 * generation answers JSON, or with `stream: true` partial-image events then the final image. Media answers
 * carry `X-Generation-Id` with the `gen-img-`/`gen-tts-`/`gen-stt-` prefixes the service uses.
 */
import type { IncomingBody } from "./spec-operations.js";
import { json, type WirePlan } from "./wire.js";

type Json = Record<string, unknown>;

/** A 1×1 transparent PNG: the image every generation returns (small, valid, decodable). */
export const STAND_IN_PNG_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

const AUDIO_TYPES: Record<string, string> = { mp3: "audio/mpeg", pcm: "audio/pcm" };

/**
 * Audio bytes for a text: an MP3 frame header (or raw PCM samples) followed by bytes derived from the text,
 * so the same text always gives the same audio.
 *
 * @example
 * speechBytes("Hi", "mp3")[0] // 0xff
 */
export function speechBytes(text: string, format: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  const header = format === "pcm" ? [] : [0xff, 0xfb, 0x90, 0x64];
  return Uint8Array.from([...header, ...payload]);
}

/**
 * `POST /audio/speech`.
 *
 * @example
 * speechPlan({ model: "m", input: "Hi" }, "gen-tts-1").headers["content-type"] // "audio/mpeg"
 */
export function speechPlan(body: Json, generationId: string): WirePlan {
  const format = typeof body["response_format"] === "string" ? body["response_format"] : "mp3";
  const bytes = speechBytes(String(body["input"] ?? ""), format);
  return {
    status: 200,
    headers: {
      "content-type": AUDIO_TYPES[format] ?? "audio/mpeg",
      "content-length": String(bytes.byteLength),
      "x-generation-id": generationId,
      "x-provider-name": "OpenAI",
    },
    chunks: [{ text: "", bytes }],
    end: "close",
  };
}

/**
 * `POST /audio/transcriptions` (JSON with base64 audio, or a multipart upload): the transcript names the
 * audio's size, so a test can tell which upload was transcribed.
 *
 * @example
 * (await transcriptionPlan({ kind: "json", value: { model: "m", input_audio: { data: "AAAA", format: "wav" } } }, "gen-stt-1")).status // 200
 */
export async function transcriptionPlan(body: IncomingBody, generationId: string): Promise<WirePlan> {
  let size = 0;
  let name = "audio";
  if (body.kind === "form") {
    const file = body.form.get("file");
    if (file && typeof file !== "string") {
      size = (await file.arrayBuffer()).byteLength;
      name = file.name || name;
    }
  } else if (body.kind === "json") {
    const audio = (body.value as Json)["input_audio"] as Json | undefined;
    size = Math.floor((String(audio?.["data"] ?? "").length * 3) / 4);
  }
  const text = `Stand-in transcript of ${name} (${size} bytes).`;
  return json(200, { text, usage: { type: "tokens", input_tokens: 10, output_tokens: 9, total_tokens: 19 } }, { "x-generation-id": generationId, "x-provider-name": "OpenAI" });
}

/**
 * `POST /images`: JSON, or with `stream: true` one `image_generation.partial_image` event, then an
 * `image_generation.completed` event per image and `[DONE]`.
 *
 * @example
 * imagePlan({ model: "m", prompt: "a cat" }, "gen-img-1", 1_780_000_000).status // 200
 */
export function imagePlan(body: Json, generationId: string, createdSeconds: number): WirePlan {
  const n = typeof body["n"] === "number" && body["n"] > 0 ? Math.min(body["n"], 10) : 1;
  const format = typeof body["output_format"] === "string" ? body["output_format"] : "png";
  const media_type = `image/${format === "jpeg" ? "jpeg" : format === "svg" ? "svg+xml" : format}`;
  const usage = { prompt_tokens: 10, completion_tokens: 1290 * n, total_tokens: 10 + 1290 * n, cost: 0.04 * n };
  const headers = { "x-generation-id": generationId, "x-provider-name": "OpenAI" };
  const data = Array.from({ length: n }, () => ({ b64_json: STAND_IN_PNG_BASE64, media_type }));
  if (body["stream"] !== true) return json(200, { created: createdSeconds, data, usage }, headers);
  const chunks: WirePlan["chunks"] = [{ text: ": OPENROUTER PROCESSING\n\n" }];
  const event = (value: Json) => chunks.push({ text: `data: ${JSON.stringify(value)}\n\n` });
  event({ type: "image_generation.partial_image", partial_image_index: 0, b64_json: STAND_IN_PNG_BASE64, media_type, created_at: createdSeconds });
  data.forEach((image, index) => event({ type: "image_generation.completed", index, ...image, created_at: createdSeconds, usage }));
  chunks.push({ text: "data: [DONE]\n\n" });
  return { status: 200, headers: { "content-type": "text/event-stream", "cache-control": "no-cache", ...headers }, chunks, end: "close" };
}
