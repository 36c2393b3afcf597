/**
 * Builders for multimodal message content, typed to the spec's content parts. Binary input (images, audio,
 * PDFs) is base64-encoded here with `btoa`, which every runtime we target has; no `Buffer`, so the core stays
 * free of Node APIs.
 *
 * @example
 * const message = { role: "user", content: [text("What is in this picture?"), image(bytes, "image/png")] } as const;
 */
import type { components } from "../generated/openrouter.js";
import { InvalidArgumentError } from "./errors.js";
import { quote } from "../internal/quote.js";

type Schemas = components["schemas"];
export type ContentPart = Schemas["ContentPart"];
export type TextContentPart = Schemas["TextContentPart"];
export type ImageUrlContentPart = Schemas["ImageUrlContentPart"];
export type InputAudioContentPart = Schemas["InputAudioContentPart"];
export type FileContentPart = Schemas["FileContentPart"];
export type VideoUrlContentPart = Schemas["VideoUrlContentPart"];

/** Raw bytes as any runtime hands them out: `Uint8Array` (Node's `Buffer` is one), `ArrayBuffer`, a view. */
export type Bytes = Uint8Array | ArrayBuffer | ArrayBufferView;

/** The image detail levels OpenRouter documents (others pass through for newer models). */
export type ImageDetail = "auto" | "low" | "high" | "original" | (string & {});
/** Audio formats OpenRouter documents for `input_audio` (others pass through). */
export type AudioFormat = "wav" | "mp3" | "aiff" | "aac" | "ogg" | "flac" | "m4a" | "pcm16" | "pcm24" | (string & {});

function bytesOf(input: unknown, what: string): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new InvalidArgumentError(`${what} expects bytes (Uint8Array, ArrayBuffer or a typed array); got ${input === null ? "null" : typeof input}`);
}

/**
 * Base64 of raw bytes, without Node's `Buffer`. Chunked so `String.fromCharCode` never receives more
 * arguments than an engine's call-stack limit allows.
 *
 * @example
 * toBase64(new Uint8Array([104, 105])); // "aGk="
 */
export function toBase64(input: Bytes): string {
  const bytes = bytesOf(input, "toBase64()");
  let binary = "";
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return btoa(binary);
}

/**
 * A `data:` URL for bytes.
 *
 * @example
 * dataUrl(new Uint8Array([1, 2]), "application/pdf"); // "data:application/pdf;base64,AQI="
 */
export function dataUrl(bytes: Bytes, mimeType: string): string {
  if (typeof mimeType !== "string" || !/^[\w.+-]+\/[\w.+-]+$/.test(mimeType)) {
    throw new InvalidArgumentError(`dataUrl(): mimeType must look like "type/subtype"; got ${quote(mimeType)}`);
  }
  return `data:${mimeType};base64,${toBase64(bytes)}`;
}

function nonEmptyString(value: unknown, what: string): string {
  if (typeof value !== "string" || value === "") throw new InvalidArgumentError(`${what} must be a non-empty string; got ${quote(value)}`);
  return value;
}

/**
 * A text part.
 *
 * @example
 * text("Summarise this PDF");
 */
export function text(value: string): TextContentPart {
  if (typeof value !== "string") throw new InvalidArgumentError(`text() expects a string; got ${typeof value}`);
  return { type: "text", text: value };
}

/**
 * An image by URL (https or a `data:` URL), with an optional detail level.
 *
 * @example
 * imageUrl("https://example.com/cat.png", "low");
 */
export function imageUrl(url: string, detail?: ImageDetail): ImageUrlContentPart {
  nonEmptyString(url, "imageUrl(): url");
  return { type: "image_url", image_url: detail === undefined ? { url } : { url, detail } };
}

/**
 * An image from raw bytes, sent inline as a base64 data URL.
 *
 * @example
 * image(await readFile("cat.png"), "image/png");
 */
export function image(bytes: Bytes, mimeType: string, detail?: ImageDetail): ImageUrlContentPart {
  if (typeof mimeType !== "string" || !mimeType.startsWith("image/")) {
    throw new InvalidArgumentError(`image(): mimeType must be an image type such as "image/png"; got ${quote(mimeType)}`);
  }
  return imageUrl(dataUrl(bytesOf(bytes, "image()"), mimeType), detail);
}

/**
 * A file (PDFs) by URL or from bytes; bytes become a data URL of `mimeType` (default `application/pdf`).
 *
 * @example
 * file("https://example.com/report.pdf", "report.pdf");
 * file(pdfBytes, "report.pdf");
 */
export function file(urlOrBytes: string | Bytes, filename: string, mimeType = "application/pdf"): FileContentPart {
  nonEmptyString(filename, "file(): filename");
  const fileData = typeof urlOrBytes === "string" ? nonEmptyString(urlOrBytes, "file(): url") : dataUrl(bytesOf(urlOrBytes, "file()"), mimeType);
  return { type: "file", file: { filename, file_data: fileData } };
}

/**
 * Audio from raw bytes, sent as base64 with its format.
 *
 * @example
 * audio(wavBytes, "wav");
 */
export function audio(bytes: Bytes, format: AudioFormat): InputAudioContentPart {
  nonEmptyString(format, "audio(): format");
  return { type: "input_audio", input_audio: { data: toBase64(bytesOf(bytes, "audio()")), format } };
}

/**
 * A video by URL (https, a YouTube link for Gemini models, or a data URL).
 *
 * @example
 * video("https://www.youtube.com/watch?v=dQw4w9WgXcQ");
 */
export function video(url: string): VideoUrlContentPart {
  nonEmptyString(url, "video(): url");
  return { type: "video_url", video_url: { url } };
}
