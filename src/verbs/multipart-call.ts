/**
 * The `Call` of a multipart upload: the form checked and its body factory attached before anything is sent.
 * An upload from a one-shot stream cannot be sent twice, so its call runs without retries or fallbacks.
 */
import type { Call, CallOptions } from "../core/types.js";
import { callFor } from "./media-common.js";
import { type FieldValue, type FilePart, multipartBody } from "./multipart.js";

/**
 * A `POST` of a multipart form to `path`.
 *
 * @example
 * const call = uploadCall("files.upload", "/files", {}, { purpose: "user_data" }, { name: "file", file: blob }, "upload.bin");
 */
export function uploadCall(verb: string, path: string, options: CallOptions, fields: Record<string, FieldValue>, part: FilePart, fallbackName: string): Call {
  const { upload, replayable } = multipartBody(verb, fields, part, fallbackName);
  const call = callFor(verb, "POST", path, options);
  call.upload = upload;
  if (!replayable) {
    call.retry = false;
    call.fallbackModels = [];
  }
  return call;
}
