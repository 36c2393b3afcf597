/**
 * What `client.keys` does (loaded on first use by keys.ts): each method checks its input, sends one request
 * with the management key through the pipeline, and hands back the spec's answer. The secret of a created key
 * is registered for redaction the moment it arrives and kept out of the result's JSON and inspect output.
 */
import { InvalidArgumentError } from "../core/errors.js";
import { quote } from "../internal/quote.js";
import { registerSecret } from "../internal/redact.js";
import type { VerbContext } from "./context.js";
import { type ManagementCallOptions, checkInteger, paramsObject, runJson, segment } from "./json-call.js";
import type { ApiKey, CreatedKey, KeyCreateParams, KeyDeletedResponse, KeyListParams, KeyListResponse, KeyResponse, KeyUpdateParams } from "./keys-types.js";

const REDACTED = "[REDACTED]";

/** A created key whose secret is a non-enumerable field: read on purpose, never printed or serialised whole. */
class CreatedApiKey implements CreatedKey {
  readonly data: ApiKey;
  declare readonly key: string;

  constructor(data: ApiKey, key: string) {
    this.data = data;
    Object.defineProperty(this, "key", { value: key, enumerable: false });
  }

  toJSON(): { data: ApiKey; key: string } {
    return { data: this.data, key: REDACTED };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): unknown {
    return this.toJSON();
  }
}

export async function list(ctx: VerbContext, params: KeyListParams | undefined, options?: ManagementCallOptions): Promise<KeyListResponse> {
  const verb = "keys.list";
  const p = paramsObject(verb, params, false);
  checkInteger(verb, "offset", p["offset"], 0);
  const include = p["include_disabled"];
  if (include !== undefined && typeof include !== "boolean" && typeof include !== "string") {
    throw new InvalidArgumentError(`${verb}(): params.include_disabled must be a boolean; got ${quote(include)}`);
  }
  const query = { include_disabled: include as boolean | string | undefined, offset: p["offset"] as number | undefined, workspace_id: p["workspace_id"] as string | undefined };
  return runJson(ctx, { verb, method: "GET", path: "/keys", query, management: true }, options);
}

export async function create(ctx: VerbContext, params: KeyCreateParams, options?: ManagementCallOptions): Promise<CreatedKey> {
  const verb = "keys.create";
  const p = paramsObject(verb, params, true);
  if (typeof p["name"] !== "string" || p["name"].trim() === "") {
    throw new InvalidArgumentError(`${verb}() needs params.name: a non-empty string; got ${quote(p["name"])}`);
  }
  const map = (body: Record<string, unknown>) => {
    const key = String(body["key"]);
    // Before the call reports its result to hooks and spans: from here on the secret is scrubbed from every
    // error, hook payload and span of the client's calls, and the result shows it only when read on purpose.
    registerSecret(ctx, key);
    return new CreatedApiKey(body["data"] as ApiKey, key);
  };
  return runJson(ctx, { verb, method: "POST", path: "/keys", body: p, management: true, required: ["data", "key"], map }, options);
}

export async function get(ctx: VerbContext, hash: string, options?: ManagementCallOptions): Promise<KeyResponse> {
  const verb = "keys.get";
  return runJson(ctx, { verb, method: "GET", path: `/keys/${segment(verb, "the key's hash", hash)}`, management: true }, options);
}

export async function update(ctx: VerbContext, hash: string, params: KeyUpdateParams, options?: ManagementCallOptions): Promise<KeyResponse> {
  const verb = "keys.update";
  const path = `/keys/${segment(verb, "the key's hash", hash)}`;
  return runJson(ctx, { verb, method: "PATCH", path, body: paramsObject(verb, params, true), management: true }, options);
}

async function remove(ctx: VerbContext, hash: string, options?: ManagementCallOptions): Promise<KeyDeletedResponse> {
  const verb = "keys.delete";
  const path = `/keys/${segment(verb, "the key's hash", hash)}`;
  return runJson(ctx, { verb, method: "DELETE", path, management: true, required: ["deleted"] }, options);
}

// `delete` is a reserved word: it can only be an export name.
export { remove as delete };
