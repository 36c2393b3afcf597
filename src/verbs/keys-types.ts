/**
 * The types of `client.keys`, from the spec (spec/keys.yaml): shared by the facade (keys.ts) and the code
 * behind it (keys-impl.ts), so neither imports the other's types.
 */
import type { components, operations } from "../generated/openrouter.js";

type Schemas = components["schemas"];

/** One API key as the management endpoints describe it (never its secret). */
export type ApiKey = Schemas["ApiKey"];

/** Filters of `keys.list`. `include_disabled` may be given as a boolean. */
export type KeyListParams = Omit<NonNullable<operations["listKeys"]["parameters"]["query"]>, "include_disabled"> & {
  include_disabled?: boolean | string;
};

/** Body of `keys.create`: `name` is required; `limit` in USD, `null` for none. */
export type KeyCreateParams = Schemas["ApiKeyCreateRequest"];

/** Body of `keys.update`: what to change. */
export type KeyUpdateParams = Schemas["ApiKeyUpdateRequest"];

/** Answer of `keys.list`. */
export type KeyListResponse = Schemas["ApiKeyListResponse"];

/** Answer of `keys.get` and `keys.update`. */
export type KeyResponse = Schemas["ApiKeyResponse"];

/** Answer of `keys.delete`. */
export type KeyDeletedResponse = Schemas["DeletedResponse"];

/**
 * Answer of `keys.create`: the new key's record, and its secret. OpenRouter returns the secret this once. It is
 * read as `created.key`; `JSON.stringify(created)` and `console.log(created)` show `[REDACTED]` in its place,
 * and the client scrubs it from every error, hook payload and span from then on.
 */
export interface CreatedKey {
  readonly data: ApiKey;
  /** The new key's secret (`sk-or-v1-…`): store it now, it cannot be read again. */
  readonly key: string;
}
