/**
 * Structured outputs: ask for JSON matching a schema (`response_format: json_schema`), parse it, validate it,
 * and repair when the model gets it wrong by sending the validation errors back. `data` is typed from the
 * schema. Loaded by the client with a dynamic `import()`; ajv itself is loaded by `src/agents/validator/ajv.ts`
 * only when the first value is validated.
 *
 * Parsing: the reply is trimmed and a Markdown code fence around it (```` ```json … ``` ````) is removed
 * before `JSON.parse`, because some providers wrap JSON in a fence even under `json_schema`. Nothing else
 * is "extracted": prose around the JSON is a failure and goes to the repair loop.
 */
import type { CallOptions, ChatCaller, ChatParams } from "./caller.js";
import { InvalidArgumentError, isOpenRouterError } from "../core/errors.js";
import type { FromSchema, JSONSchema } from "./json-schema.js";
import { parsePartialJson } from "./partial-json.js";
import { iterableWithFinal } from "../core/final-iterable.js";
import type { ChatMessage, ChatResult, Usage } from "../core/result.js";
import { sumUsage } from "../core/usage-sum.js";
import type { ValidationError, ValidatorOption } from "./validator/types.js";

/** The client methods structured outputs need (an `OpenRouter`, or anything shaped like it). */
export type StructuredClient = ChatCaller;

/** Recursively optional: what a partial object of a streamed answer may look like. */
export type DeepPartial<T> = T extends (infer U)[]
  ? DeepPartial<U>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/**
 * Parameters of `client.structured()`: the chat parameters (minus `response_format`) plus the schema.
 *
 * @example
 * const params: StructuredParams<typeof Person> = { model, messages, schema: Person };
 */
export type StructuredParams<S extends JSONSchema = JSONSchema> = Omit<ChatParams, "response_format" | "messages"> & {
  messages: ChatMessage[];
  /** The JSON Schema the answer must match. Declare it inline or `as const` for a typed `data`. */
  schema: S;
  /** `json_schema.name` (≤ 64 characters of `[A-Za-z0-9_-]`); default `"response"`. */
  name?: string;
  /** `json_schema.description`, a hint some providers forward to the model. */
  description?: string;
  /** `json_schema.strict`; default true (providers that support it then constrain decoding). */
  strict?: boolean;
  /** Follow-up attempts after an invalid reply; default 2 (so up to 3 model calls). */
  maxRepairs?: number;
  /** Which validator to use (see `src/agents/validator/index.ts`); default "auto" (ajv, or the interpreter where code generation is banned). */
  validator?: ValidatorOption;
};

// Declared beside StructuredOutputError, which carries them (agents/errors.ts imports nothing from here).
import type { StructuredFailure } from "./errors.js";
export type { StructuredFailure };

/**
 * The result of `client.structured()`: every `ChatResult` field of the final (valid) reply, plus the typed
 * `data`; `usage` and `cost` are summed over every attempt.
 */
export type StructuredResult<T> = ChatResult & {
  data: T;
  /** How many model calls it took (1 when the first reply was valid). */
  attempts: number;
  /** The rejected replies that were repaired. */
  failures: StructuredFailure[];
  /** The `ChatResult` of each call, in order (the last one is the valid reply). */
  results: ChatResult[];
};

import { StructuredOutputError } from "./errors.js";
import { quote } from "../internal/quote.js";
export { StructuredOutputError };
Object.defineProperty(StructuredOutputError, "name", { value: "StructuredOutputError" });

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

interface Normalised {
  chat: ChatParams;
  schema: JSONSchema;
  maxRepairs: number;
  validator: ValidatorOption | undefined;
  messages: ChatMessage[];
}

function normalise(params: StructuredParams, verb: string): Normalised {
  if (typeof params !== "object" || params === null) throw new InvalidArgumentError(`${verb}() needs a parameters object`);
  const { schema, name = "response", description, strict = true, maxRepairs = 2, validator, messages, ...rest } = params;
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new InvalidArgumentError(`${verb}(): schema must be a JSON Schema object`);
  }
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new InvalidArgumentError(`${verb}(): name must be 1-64 characters of A-Z, a-z, 0-9, _ or -; got ${quote(name)}`);
  }
  if (!Number.isInteger(maxRepairs) || maxRepairs < 0) throw new InvalidArgumentError(`${verb}(): maxRepairs must be a non-negative integer`);
  if (!Array.isArray(messages) || messages.length === 0) throw new InvalidArgumentError(`${verb}() needs at least one message in params.messages`);
  if ("stream" in rest) delete (rest as { stream?: unknown }).stream;
  const chat = {
    ...rest,
    messages,
    response_format: {
      type: "json_schema",
      json_schema: { name, schema: schema as Record<string, unknown>, strict, ...(description !== undefined && { description }) },
    },
  } as ChatParams;
  return { chat, schema, maxRepairs, validator, messages };
}

/** Removes a Markdown fence wrapped around the whole reply (```json … ``` or ``` … ```). */
export function stripCodeFence(text: string): string {
  const trimmed = text.trim();
  const m = /^```[A-Za-z0-9_-]*[^\S\n]*\n?([\s\S]*?)\n?[^\S\n]*```$/.exec(trimmed);
  return m ? (m[1] ?? "").trim() : trimmed;
}

/**
 * Parses and validates one reply. Returns the data, or the errors to send back for repair.
 *
 * @example
 * const checked = await checkStructuredText('{"name":"Ada"}', schema);
 */
export async function checkStructuredText(
  text: string,
  schema: JSONSchema,
  validator?: ValidatorOption,
): Promise<{ ok: true; data: unknown } | { ok: false; errors: ValidationError[] }> {
  const body = stripCodeFence(text);
  let data: unknown;
  try {
    if (body === "") throw new SyntaxError("the reply is empty");
    data = JSON.parse(body);
  } catch (e) {
    return { ok: false, errors: [{ path: "", keyword: "json", message: `is not valid JSON: ${e instanceof Error ? e.message : String(e)}` }] };
  }
  const { prepareValidator } = await import("./validator/index.js");
  const v = await prepareValidator(validator, schema);
  const result = v.validate(schema, data);
  return result.valid ? { ok: true, data } : { ok: false, errors: result.errors };
}

/**
 * The follow-up message of a repair: what was wrong and what to do. Plain wording; the model sees its own
 * bad reply right before it (as the assistant turn).
 */
export function repairMessage(errors: readonly ValidationError[]): ChatMessage {
  const lines = errors.slice(0, 20).map((e) => `- ${e.path === "" ? "(root)" : e.path}: ${e.message}`);
  const parseFailed = errors.some((e) => e.keyword === "json");
  const intro = parseFailed
    ? "Your previous reply was not valid JSON."
    : "Your previous reply was valid JSON but did not match the required JSON schema:";
  return {
    role: "user",
    content: `${intro}\n${lines.join("\n")}\nReply again with only the corrected JSON value that matches the schema: no prose, no code fence.`,
  } as ChatMessage;
}

function sumCost(results: readonly ChatResult[]): number | undefined {
  let total: number | undefined;
  for (const r of results) if (r.cost !== undefined) total = (total ?? 0) + r.cost;
  return total;
}

function summed(results: readonly ChatResult[]): { usage: Usage | undefined; cost: number | undefined } {
  return { usage: results.reduce<Usage | undefined>((u, r) => sumUsage(u, r.usage), undefined), cost: sumCost(results) };
}

/** A copy of the last result with usage and cost summed over all attempts. */
function totalled(results: ChatResult[]): ChatResult {
  const last = results.at(-1) as ChatResult;
  return { ...last, ...summed(results) };
}

function failureError(verb: string, model: string | undefined, results: ChatResult[], failures: StructuredFailure[], refusal?: string): StructuredOutputError {
  const last = failures.at(-1);
  const first = last?.errors[0];
  const why = refusal !== undefined ? `the model refused: ${refusal}` : first ? `${first.path || "(root)"} ${first.message}` : "no valid reply";
  const message = `${verb}(): no valid structured output after ${results.length} attempt${results.length === 1 ? "" : "s"} (${why})${model ? ` (model ${model})` : ""}`;
  return new StructuredOutputError(message, {
    ...(model !== undefined && { model }),
    method: "POST",
    path: "/chat/completions",
    partial: totalled(results),
    lastText: results.at(-1)?.text ?? "",
    failures,
    results,
  });
}

/**
 * Asks for JSON matching `schema`, validates it, repairs up to `maxRepairs` times, and returns typed data.
 * Throws `StructuredOutputError` when no attempt was valid (and the API's own errors as usual).
 *
 * @example
 * const { data } = await structured(client, {
 *   model: "openai/gpt-4o-mini",
 *   messages: [{ role: "user", content: "Invent a person" }],
 *   schema: { type: "object", properties: { name: { type: "string" }, age: { type: "integer" } }, required: ["name", "age"], additionalProperties: false },
 * });
 * data.name; // string
 */
export async function structured<const S extends JSONSchema>(
  client: StructuredClient,
  params: StructuredParams<S>,
  options?: CallOptions,
): Promise<StructuredResult<FromSchema<S>>> {
  const n = normalise(params as StructuredParams, "structured");
  const messages = [...n.messages];
  const results: ChatResult[] = [];
  const failures: StructuredFailure[] = [];
  for (let attempt = 1; ; attempt++) {
    let result: ChatResult;
    try {
      result = await client.chat({ ...n.chat, messages: [...messages] } as ChatParams, options);
    } catch (e) {
      // Earlier attempts were paid for: keep them on the error.
      if (results.length > 0 && isOpenRouterError(e) && e.partial === undefined) e.partial = totalled(results);
      throw e;
    }
    results.push(result);
    if (result.refusal !== undefined && result.text.trim() === "") {
      throw failureError("structured", result.model || modelOf(n.chat), results, [...failures, { attempt, text: "", errors: [{ path: "", keyword: "refusal", message: result.refusal }] }], result.refusal);
    }
    const checked = await checkStructuredText(result.text, n.schema, n.validator);
    if (checked.ok) {
      return { ...totalled(results), data: checked.data as FromSchema<S>, attempts: attempt, failures, results };
    }
    failures.push({ attempt, text: result.text, errors: checked.errors });
    if (attempt > n.maxRepairs) throw failureError("structured", result.model || modelOf(n.chat), results, failures);
    messages.push({ role: "assistant", content: result.text } as ChatMessage, repairMessage(checked.errors));
  }
}

function modelOf(chat: ChatParams): string | undefined {
  const m = (chat as { model?: unknown }).model;
  return typeof m === "string" ? m : undefined;
}

/** Events of `structuredStream`. */
export type StructuredStreamEvent<T> =
  | { type: "partial"; attempt: number; data: DeepPartial<T>; text: string }
  | { type: "repair"; attempt: number; text: string; errors: ValidationError[] }
  | { type: "done"; result: StructuredResult<T> };

/**
 * A streamed structured answer: iterate for partial objects, or `await final()` for the validated result.
 * Nothing is sent until one of the two starts.
 */
export interface StructuredStream<T> extends AsyncIterable<StructuredStreamEvent<T>> {
  final(): Promise<StructuredResult<T>>;
}

/**
 * Streams a structured answer: yields best-effort partial objects as the JSON arrives (see
 * `src/agents/partial-json.ts`), validates the final text, and repairs like `structured()` (each repair attempt is
 * streamed too, after a `repair` event). Partial objects are not validated: they are previews.
 *
 * @example
 * const stream = structuredStream(client, { model, messages, schema });
 * for await (const e of stream) if (e.type === "partial") render(e.data);
 * const { data } = await stream.final();
 */
export function structuredStream<const S extends JSONSchema>(
  client: StructuredClient,
  params: StructuredParams<S>,
  options?: CallOptions,
): StructuredStream<FromSchema<S>> {
  type T = FromSchema<S>;
  const n = normalise(params as StructuredParams, "structuredStream");

  async function* run(): AsyncGenerator<StructuredStreamEvent<T>, StructuredResult<T>> {
    const messages = [...n.messages];
    const results: ChatResult[] = [];
    const failures: StructuredFailure[] = [];
    for (let attempt = 1; ; attempt++) {
      const stream = client.chatStream({ ...n.chat, messages: [...messages] } as ChatParams, options);
      let text = "";
      let lastShown = "";
      let parsedAt = 0;
      let result: ChatResult;
      try {
        for await (const event of stream) {
          if (event.type !== "content") continue;
          text += event.text;
          if (!previewDue(text.length, parsedAt)) continue;
          parsedAt = text.length;
          const preview = previewOf(text);
          if (preview === undefined) continue;
          const key = JSON.stringify(preview);
          if (key === lastShown) continue;
          lastShown = key;
          yield { type: "partial", attempt, data: preview as DeepPartial<T>, text };
        }
        if (parsedAt < text.length) {
          // The text grew since the last preview: show where it ended up before validating it.
          const preview = previewOf(text);
          if (preview !== undefined && JSON.stringify(preview) !== lastShown) yield { type: "partial", attempt, data: preview as DeepPartial<T>, text };
        }
        result = await stream.final();
      } catch (e) {
        if (results.length > 0 && isOpenRouterError(e) && e.partial === undefined) e.partial = totalled(results);
        throw e;
      }
      results.push(result);
      const checked = await checkStructuredText(result.text, n.schema, n.validator);
      if (checked.ok) {
        const done: StructuredResult<T> = { ...totalled(results), data: checked.data as T, attempts: attempt, failures, results };
        yield { type: "done", result: done };
        return done;
      }
      failures.push({ attempt, text: result.text, errors: checked.errors });
      if (attempt > n.maxRepairs) throw failureError("structuredStream", result.model || modelOf(n.chat), results, failures);
      yield { type: "repair", attempt, text: result.text, errors: checked.errors };
      messages.push({ role: "assistant", content: result.text } as ChatMessage, repairMessage(checked.errors));
    }
  }

  return iterableWithFinal(run, "structuredStream()", (e) => (e.type === "done" ? e.result : undefined));
}

/**
 * Below this many characters every content event gets a fresh preview (each parse is cheap, and short answers
 * are the common case).
 */
const EAGER_PREVIEW_CHARS = 2048;

/**
 * Whether the text has grown enough since the last preview to parse it again. Each parse reads the whole text,
 * so parsing on every event is quadratic (20,000 events took close to a minute). Past
 * `EAGER_PREVIEW_CHARS`, a new preview waits until the text has grown by an eighth: the lengths parsed then
 * grow geometrically, and the total work stays below about 9 × the final length plus the eager part.
 */
function previewDue(length: number, parsedAt: number): boolean {
  return length <= EAGER_PREVIEW_CHARS || length - parsedAt >= parsedAt / 8;
}

/** The partial value of streamed text, or undefined when nothing is usable (or it cannot be JSON). */
function previewOf(text: string): unknown {
  // Drop an opening fence while it streams in (the closing one is removed by the final parse).
  const body = text.trimStart().replace(/^```[A-Za-z0-9_-]*[^\S\n]*\n?/, "").replace(/\n?`{1,3}\s*$/, "");
  try {
    return parsePartialJson(body).value;
  } catch {
    return undefined;
  }
}
