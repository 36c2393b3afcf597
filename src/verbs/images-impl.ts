/**
 * images.generate and images.models. A JSON answer is read bounded inside the attempt; a streamed one (SSE
 * with `image_generation.partial_image` and `image_generation.completed` events) is read after the headers,
 * like a chat stream, each partial image handed to the callback as it arrives.
 */
import { InvalidArgumentError, describe } from "../core/errors.js";
import { InvalidResponseError, StreamError } from "../core/call-errors.js";
import { tooLargeError } from "../core/body.js";
import { readJson } from "../core/read.js";
import type { CallOptions } from "../core/types.js";
import { SseReader } from "../stream/sse.js";
import { type OpenedBody, openBinary, readFailure } from "./binary.js";
import type { VerbContext } from "./context.js";
import type { Image, ImageCallOptions, ImageModelList, ImageParams, ImageResult } from "./images-types.js";
import { callFor, checkParams, checkString, generationIdOf, recordUsage, run, runJson } from "./media-common.js";

type Json = Record<string, unknown>;

const PATH = "/images";

/**
 * Base64 to bytes (`atob`, available in every runtime the client supports).
 *
 * @example
 * decodeBase64("AQID") // Uint8Array [1, 2, 3]
 */
export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** An image item of the answer (`{ b64_json, media_type }`) decoded; the typed error when it has no image. */
function imageOf(item: unknown, index: number, where: string): Image {
  const b64 = typeof item === "object" && item !== null ? (item as Json)["b64_json"] : undefined;
  if (typeof b64 !== "string") throw new InvalidResponseError(`Image ${index} of the answer has no b64_json${where}`);
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(b64);
  } catch {
    throw new InvalidResponseError(`Image ${index} of the answer is not valid base64${where}`);
  }
  const type = (item as Json)["media_type"];
  return { index, bytes, contentType: typeof type === "string" ? type : "image/png" };
}

export async function generate(ctx: VerbContext, params: ImageParams, options: ImageCallOptions = {}): Promise<ImageResult> {
  const verb = "images.generate";
  const body = { ...checkParams(verb, params) };
  checkString(verb, "params.model", body["model"]);
  checkString(verb, "params.prompt", body["prompt"]);
  const { onPartialImage, ...callOptions } = checkParams(verb, options, "an options object") as ImageCallOptions;
  if (onPartialImage !== undefined && typeof onPartialImage !== "function") {
    throw new InvalidArgumentError(`${verb}(): onPartialImage must be a function`);
  }
  const stream = body["stream"] === true || onPartialImage !== undefined;
  if (stream) body["stream"] = true;
  const call = callFor(verb, "POST", PATH, callOptions, body);
  call.stream = stream;
  const model = call.model;
  const where = describe({ method: "POST", path: PATH, ...(model !== undefined && { model }) });
  let result: ImageResult;
  if (!stream) {
    const reply = await run(ctx, call, readJson, callOptions);
    const raw = reply.value as Json;
    const data = raw && typeof raw === "object" ? raw["data"] : undefined;
    if (!Array.isArray(data)) throw new InvalidResponseError(`The answer has no data array${where}`, { status: reply.status });
    const usage = raw["usage"] as ImageResult["usage"];
    result = {
      images: data.map((item, i) => imageOf(item, i, where)),
      created: typeof raw["created"] === "number" ? raw["created"] : undefined,
      usage,
      cost: typeof usage?.cost === "number" ? usage.cost : undefined,
      generationId: generationIdOf(reply.headers),
      provider: reply.headers.get("x-provider-name") ?? undefined,
      headers: reply.headers,
      raw: raw as ImageResult["raw"],
    };
  } else {
    const opened = await run(ctx, call, openBinary, callOptions);
    const limit = callOptions.maxResponseBytes ?? ctx.options.maxResponseBytes;
    result = await readImageEvents(opened, limit, where, onPartialImage);
  }
  recordUsage(ctx, model, result.generationId, result.cost, result.usage);
  return result;
}

/** Reads a streamed answer: partial images to the callback, completed images collected, `[DONE]` ends it. */
async function readImageEvents(
  opened: OpenedBody,
  limit: number,
  where: string,
  onPartialImage: ((image: Image) => void) | undefined,
): Promise<ImageResult> {
  const { res, ctx } = opened;
  const events: Json[] = [];
  const images: Image[] = [];
  let usage: ImageResult["usage"];
  let created: number | undefined;
  let done = false;
  let failure: Error | undefined;
  const sse = new SseReader(
    {
      sseData(data) {
        if (failure !== undefined || done) return;
        if (data === "[DONE]") {
          done = true;
          return;
        }
        let event: Json;
        try {
          event = JSON.parse(data) as Json;
        } catch {
          failure = new StreamError(`An image event is not JSON${where}`, { retryable: false });
          return;
        }
        events.push(event);
        const error = event["error"] as Json | undefined;
        if (error !== undefined) {
          const message = typeof error === "object" && error !== null && typeof error["message"] === "string" ? error["message"] : "unknown error";
          failure = new StreamError(`Image generation failed: ${message}${where}`, { retryable: false, metadata: { event } });
          return;
        }
        if (typeof event["created_at"] === "number") created ??= event["created_at"];
        const index = typeof event["index"] === "number" ? event["index"] : typeof event["partial_image_index"] === "number" ? event["partial_image_index"] : images.length;
        try {
          if (event["type"] === "image_generation.partial_image") onPartialImage?.(imageOf(event, index, where));
          else if (event["type"] === "image_generation.completed") {
            images.push(imageOf(event, index, where));
            if (event["usage"] !== undefined) usage = event["usage"] as ImageResult["usage"];
          }
        } catch (error) {
          failure = error as Error;
        }
      },
      sseComment() {},
      sseOverflow(message) {
        failure ??= new StreamError(`The image stream could not be parsed: ${message}${where}`, { retryable: false });
      },
    },
    limit,
  );
  const reader = res.body.reader();
  let bytes = 0;
  try {
    while (failure === undefined && !done) {
      const chunk = await reader.read();
      if (chunk === undefined) {
        sse.end();
        break;
      }
      bytes += chunk.byteLength;
      if (bytes > limit) throw tooLargeError(limit, "The image stream", where, { status: res.status });
      sse.push(chunk);
    }
  } catch (cause) {
    reader.cancel();
    if (cause instanceof Error && "kind" in cause) throw cause;
    throw readFailure(cause, ctx, res.status);
  }
  // Past `[DONE]` (or a failure) nothing more is read: release the connection.
  if (done || failure !== undefined) reader.cancel();
  if (failure !== undefined) throw failure;
  if (!done && images.length === 0) throw new StreamError(`The image stream ended before any image was completed${where}`, { retryable: false });
  images.sort((a, b) => a.index - b.index);
  return {
    images,
    created,
    usage,
    cost: typeof usage?.cost === "number" ? usage.cost : undefined,
    generationId: generationIdOf(res.headers),
    provider: res.headers.get("x-provider-name") ?? undefined,
    headers: res.headers,
    raw: events,
  };
}

export async function models(ctx: VerbContext, options: CallOptions = {}): Promise<ImageModelList> {
  return runJson<ImageModelList>(ctx, callFor("images.models", "GET", `${PATH}/models`, options), options);
}
