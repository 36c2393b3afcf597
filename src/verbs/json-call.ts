/**
 * The request side shared by the small JSON verbs (keys, presets, generations): a `Call` described once, the
 * key it needs (the management key, given to the client or to the call, for the management operations), the
 * checks that run before anything is sent, and the one pipeline with `readJson`. Loaded only by the verbs'
 * implementation modules, never by the client's core.
 */
import { AuthenticationError, InvalidArgumentError, describe } from "../core/errors.js";
import { type Reader, readJson, shapeError } from "../core/read.js";
import type { CallOptions, HttpMethod } from "../core/types.js";
import { checkKey } from "../core/validate.js";
import { quote } from "../internal/quote.js";
import { registerSecret } from "../internal/redact.js";
import type { VerbContext } from "./context.js";
import { callFor, run } from "./media-common.js";

/** Per-call options of a management verb: the usual ones, and the management key for this call only. */
export interface ManagementCallOptions extends CallOptions {
  /** Replaces the client's `managementKey` for this call. */
  managementKey?: string | undefined;
}

/** One JSON request of a verb. */
export interface JsonRequest {
  /** The verb as messages name it, e.g. `keys.get`. */
  verb: string;
  method: HttpMethod;
  /** The path with its parameters already encoded. */
  path: string;
  query?: Record<string, string | number | boolean | null | undefined>;
  body?: Record<string, unknown>;
  /** Sends the management key instead of the API key (the spec's `managementKey` security). */
  management?: boolean;
  /** Fields the answer must have (default `data`). */
  required?: readonly string[];
  /**
   * Turns the checked answer into the verb's value inside the attempt, before hooks and spans see the result
   * (so a secret in it can be registered for redaction and wrapped first).
   */
  map?: (body: Record<string, unknown>) => unknown;
}

/**
 * Runs one request on the client's pipeline and returns its JSON body, which must be an object with `data`
 * (every answer of these operations is) and whatever else `req.required` names. Bad options, a missing
 * management key or a body JSON cannot encode fail here, before anything is sent.
 *
 * @example
 * const body = await runJson<{ data: ApiKey }>(ctx, { verb: "keys.get", method: "GET", path: `/keys/${hash}`, management: true }, {});
 */
export async function runJson<T>(ctx: VerbContext, req: JsonRequest, options: ManagementCallOptions = {}): Promise<T> {
  const verb = req.verb;
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(req.query ?? {})) if (value !== undefined) search.set(name, String(value));
  const query = search.toString();
  const path = query === "" ? req.path : `${req.path}?${query}`;
  // The call options, the response limit and the body checked and the `Call` built as for the media verbs.
  const call = callFor(verb, req.method, path, options, req.body);
  if (req.management) {
    const given = options.managementKey;
    const key = given !== undefined ? checkKey(`${verb}(): options.managementKey`, given) : ctx.options.managementKey;
    if (key === undefined) {
      const info = { method: req.method, path };
      throw new AuthenticationError(
        `${verb}() needs a management key: pass { managementKey } to new OpenRouter() or to this call, or set OPENROUTER_MANAGEMENT_KEY${describe(info)}`,
        info,
      );
    }
    // A key given to this call only is scrubbed from everything the call reports, like the client's keys.
    if (given !== undefined) registerSecret(call, key);
    call.headers = { ...call.headers, authorization: `Bearer ${key}` };
  }
  const read: Reader<unknown> = async (res, attempt) => {
    const { value, status } = await readJson(res, attempt);
    for (const field of req.required ?? ["data"]) {
      if (typeof value !== "object" || value === null || !(field in value)) throw shapeError(`\`${field}\``, { method: req.method, path, status });
    }
    return req.map ? req.map(value as Record<string, unknown>) : value;
  };
  return (await run(ctx, call, read, options)) as T;
}

/**
 * A path parameter a caller gave: a non-empty string, encoded as one path segment.
 *
 * @example
 * segment("presets.get", "the preset's slug", "a/b"); // "a%2Fb"
 */
export function segment(verb: string, name: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") throw new InvalidArgumentError(`${verb}() needs ${name}: a non-empty string; got ${quote(value)}`);
  return encodeURIComponent(value);
}

/**
 * A parameters object (optional ones may be left out).
 *
 * @example
 * paramsObject("keys.list", undefined, false); // {}
 */
export function paramsObject(verb: string, params: unknown, required: boolean): Record<string, unknown> {
  if (params === undefined && !required) return {};
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    throw new InvalidArgumentError(`${verb}() needs a parameters object; got ${quote(params)}`);
  }
  return params as Record<string, unknown>;
}

/**
 * A pagination or count parameter: a whole number within bounds, or absent.
 *
 * @example
 * checkInteger("presets.list", "limit", 0, 1, 100); // throws InvalidArgumentError
 */
export function checkInteger(verb: string, name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `${min} to ${max}`;
    throw new InvalidArgumentError(`${verb}(): params.${name} must be a whole number ${range}; got ${quote(value)}`);
  }
}
