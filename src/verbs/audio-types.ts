/**
 * The public types of `client.audio` (the facade is audio.ts, the code audio-impl.ts).
 */
import type { components } from "../generated/openrouter.js";
import type { CallOptions } from "../core/types.js";
import type { BinaryResponse } from "./binary.js";
import type { FileInput } from "./multipart.js";

type Schemas = components["schemas"];

export type { BinaryResponse, FileInput };

/** The request body of `POST /audio/speech`. */
export type SpeechParams = Schemas["SpeechRequest"];

/** The audio of `audio.speech`: read `body` as a stream or `bytes()`, once. */
export interface SpeechResult extends BinaryResponse {
  /** From `X-Generation-Id`. */
  generationId: string | undefined;
  /** From `X-Provider-Name`. */
  provider: string | undefined;
}

/** The fields of `POST /audio/transcriptions`, with the audio as a file input. */
export interface TranscribeParams {
  /** The audio: a `Blob` or `File`, bytes, a stream (sent once, without retries), or in Node `fileFromPath(path)`. */
  file: FileInput;
  model: string;
  /** The name sent with the file (its extension tells the format). Default: the `File`'s name, else `audio`. */
  filename?: string | undefined;
  /** Default: the `Blob`'s type, else `application/octet-stream`. */
  contentType?: string | undefined;
  language?: string | undefined;
  response_format?: Schemas["TranscriptionUploadRequest"]["response_format"] | undefined;
  temperature?: number | undefined;
  /** Sent as the `timestamp_granularities[]` fields. */
  timestamp_granularities?: ("word" | "segment")[] | undefined;
}

/** What `audio.transcribe` returns. */
export interface TranscriptionResult {
  text: string;
  usage: Schemas["TranscriptionResponse"]["usage"];
  /** USD, from `usage.cost`. */
  cost: number | undefined;
  generationId: string | undefined;
  headers: Headers;
  /** The JSON answer as sent (segments, words, language, duration, …). */
  raw: Schemas["TranscriptionResponse"];
}

/** `client.audio`. */
export interface Audio {
  /**
   * Text to speech: the audio as a stream (`body`) or bytes (`bytes()`), with its content type.
   *
   * @example
   * const audio = await client.audio.speech({ model: "openai/gpt-4o-mini-tts", input: "Hello", voice: "alloy" });
   * const mp3 = await audio.bytes();
   */
  speech(params: SpeechParams, options?: CallOptions): Promise<SpeechResult>;
  /**
   * Speech to text, uploading the audio as `multipart/form-data` (streamed, never read whole into memory).
   *
   * @example
   * const { text } = await client.audio.transcribe({ model: "openai/whisper-1", file: new Blob([bytes], { type: "audio/mpeg" }), filename: "a.mp3" });
   */
  transcribe(params: TranscribeParams, options?: CallOptions): Promise<TranscriptionResult>;
}
