/** audio.speech and audio.transcribe on the client's pipeline. */
import { InvalidArgumentError, describe } from "../core/errors.js";
import { InvalidResponseError } from "../core/call-errors.js";
import type { CallOptions } from "../core/types.js";
import { binaryResponse, openBinary } from "./binary.js";
import type { VerbContext } from "./context.js";
import type { SpeechParams, SpeechResult, TranscribeParams, TranscriptionResult } from "./audio-types.js";
import type { Reader } from "../core/read.js";
import { type ObjectReply, callFor, checkParams, checkString, generationIdOf, readObject, recordUsage, run } from "./media-common.js";
import { sendUpload } from "./multipart-call.js";

export async function speech(ctx: VerbContext, params: SpeechParams, options: CallOptions = {}): Promise<SpeechResult> {
  const verb = "audio.speech";
  const body = checkParams(verb, params);
  checkString(verb, "params.model", body["model"]);
  if (typeof body["input"] !== "string") throw new InvalidArgumentError(`${verb}() needs params.input as a string`);
  const call = callFor(verb, "POST", "/audio/speech", options, body);
  const opened = await run(ctx, call, openBinary, options);
  const generationId = generationIdOf(opened.res.headers);
  recordUsage(ctx, call.model, generationId, undefined);
  return Object.assign(binaryResponse(opened), { generationId, provider: opened.res.headers.get("x-provider-name") ?? undefined });
}

export async function transcribe(ctx: VerbContext, params: TranscribeParams, options: CallOptions = {}): Promise<TranscriptionResult> {
  const verb = "audio.transcribe";
  const { file, filename, contentType, timestamp_granularities, ...fields } = checkParams(verb, params) as unknown as TranscribeParams;
  const model = checkString(verb, "params.model", fields.model);
  const path = "/audio/transcriptions";
  const { value: raw, headers } = await sendUpload(
    ctx,
    { verb, path, model, fields: { ...fields, "timestamp_granularities[]": timestamp_granularities }, part: { name: "file", file, filename, contentType }, fallbackName: "audio" },
    options,
    readObject as Reader<ObjectReply<TranscriptionResult["raw"]>>,
  );
  if (typeof raw.text !== "string") throw new InvalidResponseError(`The transcription has no text${describe({ method: "POST", path, model })}`);
  const generationId = generationIdOf(headers);
  const cost = typeof raw.usage?.cost === "number" ? raw.usage.cost : undefined;
  recordUsage(ctx, model, generationId, cost);
  return { text: raw.text, usage: raw.usage, cost, generationId, headers, raw };
}
