/**
 * Embeddings (`POST /embeddings`): vectors in input order, base64 responses decoded (little-endian float32,
 * the OpenAI encoding OpenRouter passes through), usage and cost summed, and inputs larger than `batchSize`
 * split into several requests and recombined in order. Each request goes through a {@link JsonCaller} (the
 * client's request path); an object with `client.api` is still accepted and adapted. Loaded by the client
 * with a dynamic `import()`.
 */
import type { Client } from "openapi-fetch";
import { InvalidArgumentError } from "../core/errors.js";
import { InvalidResponseError } from "../core/call-errors.js";
import { errorFromWire, wireErrorOf } from "../core/wire-error.js";
import type { Call } from "../core/types.js";
import type { components, paths } from "../generated/openrouter.js";
import { quote } from "../internal/quote.js";
import type { CallOptions, JsonCaller } from "./caller.js";

type EmbeddingsRequest = components["schemas"]["EmbeddingsRequest"];
type EmbeddingsResponse = components["schemas"]["EmbeddingsResponse"];

/** An object with an openapi-fetch `api` (an `OpenRouter`): adapted to a {@link JsonCaller}. */
export interface EmbedClient {
  api: Pick<Client<paths, "application/json">, "POST">;
}

/** Where embed's requests go: the client's request path, or a client whose `api` it adapts. */
export type EmbedSource = JsonCaller | EmbedClient;

/** What can be embedded: one text, several texts, or token arrays. */
export type EmbedInput = string | readonly string[] | readonly number[] | readonly (readonly number[])[];

export interface EmbedOptions {
  model: string;
  /** Output dimensions, for models that can shorten their vectors. */
  dimensions?: number;
  /** "base64" makes the response smaller on the wire; vectors are decoded either way. Default "float". */
  encodingFormat?: "float" | "base64";
  /** Most inputs per request; larger inputs are split and recombined in order. Default 512. */
  batchSize?: number;
  /** Passed through as `input_type` (some providers distinguish queries from documents). */
  inputType?: string;
  provider?: EmbeddingsRequest["provider"];
  user?: string;
}

export interface EmbeddingsUsage {
  promptTokens: number;
  totalTokens: number;
}

export interface EmbedResult {
  /** One vector per input, in input order. */
  vectors: number[][];
  /** The model that answered (as OpenRouter names it). */
  model: string | undefined;
  provider: string | undefined;
  /** Summed over every batch. */
  usage: EmbeddingsUsage;
  /** Reported cost (USD) summed over every batch; undefined when no batch reported one. */
  cost: number | undefined;
  /** Generation ids of the batches. */
  ids: string[];
  /** The raw response bodies, one per batch. */
  raw: EmbeddingsResponse[];
}

/**
 * Decodes a base64 embedding (little-endian float32) to numbers, without Node's `Buffer`.
 *
 * @example
 * decodeBase64Embedding("AACAPw=="); // [1]
 */
export function decodeBase64Embedding(b64: string): number[] {
  let binary: string;
  try {
    binary = atob(b64);
  } catch {
    throw new InvalidResponseError("An embedding is not valid base64");
  }
  if (binary.length % 4 !== 0) throw new InvalidResponseError(`A base64 embedding has ${binary.length} bytes, not a multiple of 4 (float32)`);
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) view.setUint8(i, binary.charCodeAt(i));
  const out = new Array<number>(binary.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

const PATH = "/embeddings";

/**
 * A {@link JsonCaller} over `client.api.POST`: HTTP failures become the typed error, thrown, as the request
 * path does it.
 */
function apiCaller(api: EmbedClient["api"]): JsonCaller {
  return async <T>(call: Call) => {
    const { data, error, response } = await api.POST(PATH, {
      body: call.body as EmbeddingsRequest,
      ...(call.signal && { signal: call.signal }),
      ...(call.headers && { headers: call.headers }),
    });
    if (error !== undefined || !response.ok) {
      throw errorFromWire(wireErrorOf(error) ?? { message: `HTTP ${response.status}` }, {
        method: call.method,
        path: call.path,
        ...(call.model !== undefined && { model: call.model }),
        status: response.status,
        headers: response.headers,
      });
    }
    return { value: data as T, headers: response.headers };
  };
}

/** The request of one batch, as the request path runs it. */
function callOf(body: EmbeddingsRequest, model: string, options: CallOptions): Call {
  return {
    verb: "embed",
    method: "POST",
    path: PATH,
    body: body as unknown as Record<string, unknown>,
    model,
    stream: false,
    ...(options.signal && { signal: options.signal }),
    ...(options.headers && { headers: options.headers }),
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    ...(options.retry !== undefined && { retry: options.retry }),
  };
}

function batches(input: EmbedInput, size: number): Array<EmbeddingsRequest["input"]> {
  if (typeof input === "string") return [input];
  // A flat token array is one input, not many.
  if (input.length > 0 && input.every((x) => typeof x === "number")) return [input as number[]];
  const out: Array<EmbeddingsRequest["input"]> = [];
  for (let i = 0; i < input.length; i += size) out.push(input.slice(i, i + size) as EmbeddingsRequest["input"]);
  return out;
}

function checkInput(input: unknown): asserts input is EmbedInput {
  if (typeof input === "string") {
    if (input === "") throw new InvalidArgumentError("embed(): input must not be empty");
    return;
  }
  if (!Array.isArray(input) || input.length === 0) throw new InvalidArgumentError("embed(): input must be a string or a non-empty array");
  const ok =
    input.every((x) => typeof x === "string") ||
    input.every((x) => typeof x === "number" && Number.isInteger(x)) ||
    input.every((x) => Array.isArray(x) && x.every((t) => typeof t === "number" && Number.isInteger(t)));
  if (!ok) throw new InvalidArgumentError("embed(): input must be strings, one token array, or token arrays (not a mix)");
}

/**
 * Embeds text (or token arrays).
 *
 * @example
 * const { vectors, usage, cost } = await embed(client, ["cats", "dogs"], { model: "openai/text-embedding-3-small", dimensions: 256 });
 */
export async function embed(source: EmbedSource, input: EmbedInput, options: EmbedOptions, callOptions: CallOptions = {}): Promise<EmbedResult> {
  const send: JsonCaller | undefined =
    typeof source === "function" ? source : typeof source === "object" && source !== null && typeof source.api === "object" ? apiCaller(source.api) : undefined;
  if (!send) throw new InvalidArgumentError("embed(): the first argument must be a client or a JSON caller");
  checkInput(input);
  if (typeof options !== "object" || options === null || typeof options.model !== "string" || options.model.trim() === "") {
    throw new InvalidArgumentError("embed(): options.model must be a non-empty string");
  }
  const { model, dimensions, encodingFormat, batchSize = 512, inputType, provider, user } = options;
  if (dimensions !== undefined && !(Number.isInteger(dimensions) && dimensions > 0)) throw new InvalidArgumentError("embed(): dimensions must be a positive integer");
  if (encodingFormat !== undefined && encodingFormat !== "float" && encodingFormat !== "base64") {
    throw new InvalidArgumentError(`embed(): encodingFormat must be "float" or "base64"; got ${quote(encodingFormat)}`);
  }
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new InvalidArgumentError("embed(): batchSize must be a positive integer");

  const result: EmbedResult = { vectors: [], model: undefined, provider: undefined, usage: { promptTokens: 0, totalTokens: 0 }, cost: undefined, ids: [], raw: [] };
  const info = { method: "POST", path: PATH, model };
  for (const batch of batches(input, batchSize)) {
    const body: EmbeddingsRequest = {
      model,
      input: batch,
      ...(dimensions !== undefined && { dimensions }),
      ...(encodingFormat !== undefined && { encoding_format: encodingFormat }),
      ...(inputType !== undefined && { input_type: inputType }),
      ...(provider !== undefined && { provider }),
      ...(user !== undefined && { user }),
    };
    const { value: data, headers } = await send<EmbeddingsResponse | undefined>(callOf(body, model, callOptions));
    const inBand = wireErrorOf(data);
    if (inBand || !data || !Array.isArray(data.data)) {
      if (inBand) throw errorFromWire(inBand, { ...info, inBand: true, headers });
      throw new InvalidResponseError(`The embeddings response has no data array (POST ${PATH}, model ${model})`, { ...info, retryable: true });
    }
    const expected = Array.isArray(batch) && !batch.every((x) => typeof x === "number") ? batch.length : 1;
    if (data.data.length !== expected) {
      throw new InvalidResponseError(`Asked for ${expected} embeddings, got ${data.data.length} (POST ${PATH}, model ${model})`, info);
    }
    // Providers usually answer in order, but `index` is authoritative.
    const ordered = [...data.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    for (const item of ordered) {
      const e = item.embedding;
      result.vectors.push(typeof e === "string" ? decodeBase64Embedding(e) : (e as number[]));
    }
    result.raw.push(data);
    result.model ??= data.model;
    result.provider ??= data.provider;
    if (data.id) result.ids.push(data.id);
    const usage = data.usage;
    result.usage.promptTokens += usage?.prompt_tokens ?? 0;
    result.usage.totalTokens += usage?.total_tokens ?? 0;
    if (typeof usage?.cost === "number") result.cost = (result.cost ?? 0) + usage.cost;
  }
  return result;
}
