/**
 * What the media and files verbs share (and the small JSON verbs, for the `Call` and the run): input checks made
 * before anything is sent, the `Call` of one request, running it on the client's pipeline with the call's response
 * limit, and recording the cost of a media call
 * on the client's usage tracker. Loaded only with the verbs' implementation modules.
 */
import { checkMaxResponseBytes } from "../core/response-limit.js";
import { InvalidArgumentError } from "../core/errors.js";
import { type JsonReply, type Reader, readJson, shapeError } from "../core/read.js";
import type { ChatResult } from "../core/result.js";
import type { Call, CallOptions, HttpMethod } from "../core/types.js";
import { checkCallOptions, serializeBody } from "../core/validate.js";
import { callOf } from "../core/request.js";
import type { VerbContext } from "./context.js";

type Json = Record<string, unknown>;

/** `params` as a plain object, or the typed error naming the verb. */
export function checkParams(verb: string, params: unknown, what = "a parameters object"): Json {
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    throw new InvalidArgumentError(`${verb}() needs ${what}, got ${params === null ? "null" : Array.isArray(params) ? "an array" : typeof params}`);
  }
  return params as Json;
}

/** A required non-empty string field of `params`. */
export function checkString(verb: string, name: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new InvalidArgumentError(`${verb}() needs ${name} as a non-empty string, got ${typeof value === "string" ? "an empty string" : typeof value}`);
  }
  return value;
}

/** An id that goes into the path: checked, then percent-encoded so it cannot change which path is called. */
export function pathId(verb: string, id: unknown): string {
  return encodeURIComponent(checkString(verb, "an id", id));
}

/** `?a=1&b=x` from the defined values of `query` (strings, numbers, booleans), or "". */
export function queryString(verb: string, query: Json | undefined): string {
  if (query === undefined) return "";
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(checkParams(verb, query, "an options object"))) {
    if (value === undefined || value === null) continue;
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      throw new InvalidArgumentError(`${verb}(): ${key} must be a string, number or boolean, got ${typeof value}`);
    }
    search.set(key, String(value));
  }
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}

/** The `Call` of one request; a JSON body is serialised here, so one that cannot be sent fails before sending. */
export function callFor(verb: string, method: HttpMethod, path: string, options: CallOptions = {}, body?: Json): Call {
  checkCallOptions(verb, options);
  checkMaxResponseBytes(options.maxResponseBytes, `${verb}(): maxResponseBytes`);
  const call: Call = { verb, method, path, stream: false };
  if (body !== undefined) {
    call.body = body;
    call.serialized = serializeBody(verb, body);
    if (typeof body["model"] === "string") call.model = body["model"];
  }
  return callOf(call, options);
}

/** Runs `call` on the client's pipeline; the value the reader made of the 2xx answer. */
export async function run<T>(ctx: VerbContext, call: Call, reader: Reader<T>, options: CallOptions = {}): Promise<T> {
  const limit = options.maxResponseBytes ?? ctx.options.maxResponseBytes;
  return (await ctx.pipeline.call(call, reader, limit)).value;
}

/** A JSON answer with its headers (the generation id rides in them). */
export interface ObjectReply<T> {
  value: T;
  headers: Headers;
}

/** The reader of a JSON answer that must be an object (every media and files answer is). */
export const readObject: Reader<ObjectReply<never>> = async (res, ctx) => {
  const reply: JsonReply = await readJson(res, ctx);
  const value = reply.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw shapeError("JSON object", { ...ctx.info, status: reply.status });
  return { value: value as never, headers: reply.headers };
};

/** Runs `call` for a JSON object answer. */
export async function runJson<T>(ctx: VerbContext, call: Call, options?: CallOptions): Promise<T> {
  return (await runJsonReply<T>(ctx, call, options)).value;
}

/** {@link runJson} with the response headers. */
export async function runJsonReply<T>(ctx: VerbContext, call: Call, options?: CallOptions): Promise<ObjectReply<T>> {
  return run(ctx, call, readObject as Reader<ObjectReply<T>>, options);
}

/** The generation id a media answer names in its headers (`X-Generation-Id`). */
export function generationIdOf(headers: Headers): string | undefined {
  return headers.get("x-generation-id") ?? undefined;
}

/**
 * Records a media call on the client's usage tracker, as chat calls are: its cost when the answer gave one,
 * else (with a generation id) as pending until `client.usage.reconcile()` looks it up.
 */
export function recordUsage(ctx: VerbContext, model: string | undefined, generationId: string | undefined, cost: unknown, usage?: unknown): void {
  const result = {
    id: generationId ?? "",
    model: model ?? "unknown",
    generationId,
    cost: typeof cost === "number" ? cost : undefined,
    costSource: typeof cost === "number" ? "usage" : undefined,
    usage: typeof usage === "object" && usage !== null ? usage : undefined,
  };
  // The tracker reads only these fields of a ChatResult.
  ctx.usage.record(result as unknown as ChatResult);
}
