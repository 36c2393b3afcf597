/**
 * The `Call` of a multipart upload: the form checked and its body factory attached before anything is sent.
 * An upload from a one-shot stream cannot be sent twice, so its call runs without retries or fallbacks.
 */
import type { Reader } from "../core/read.js";
import type { CallOptions } from "../core/types.js";
import type { VerbContext } from "./context.js";
import { callFor, run } from "./media-common.js";
import { type FieldValue, type FilePart, multipartBody } from "./multipart.js";

/** A multipart upload to send: the form, where it goes, and the model it names (for errors and usage). */
export interface UploadRequest {
  verb: string;
  path: string;
  fields: Record<string, FieldValue>;
  part: FilePart;
  /** The filename when neither the caller nor a `File` gives one. */
  fallbackName: string;
  model?: string | undefined;
}

/**
 * `POST`s a multipart form on the client's pipeline; the reader's value. Everything is checked before sending.
 *
 * @example
 * const reply = await sendUpload(ctx, { verb: "files.upload", path: "/files", fields: {}, part: { name: "file", file: blob }, fallbackName: "upload.bin" }, {}, readJson);
 */
export async function sendUpload<T>(ctx: VerbContext, request: UploadRequest, options: CallOptions, reader: Reader<T>): Promise<T> {
  const body = multipartBody(request.verb, request.fields, request.part, request.fallbackName);
  const call = callFor(request.verb, "POST", request.path, options);
  call.upload = body.upload;
  if (request.model !== undefined) call.model = request.model;
  if (!body.replayable) {
    call.retry = false;
    call.fallbackModels = [];
  }
  try {
    return await run(ctx, call, reader, options);
  } catch (error) {
    // fetch reports a bad source chunk only as "fetch failed": the caller gets the reason instead.
    throw body.sourceError() ?? error;
  }
}
