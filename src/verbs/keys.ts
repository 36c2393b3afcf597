/**
 * `client.keys`: API key management with a management key (OpenRouter's provisioning key). A thin facade:
 * each method loads keys-impl.ts on first use, so none of it weighs on the core bundle.
 */
import type { VerbContext } from "./context.js";
import type { ManagementCallOptions } from "./json-call.js";
import type { CreatedKey, KeyCreateParams, KeyDeletedResponse, KeyListParams, KeyListResponse, KeyResponse, KeyUpdateParams } from "./keys-types.js";
import { lazyNamespace } from "./lazy-namespace.js";

/**
 * List, create, read, change and delete API keys. Every method needs a management key: `managementKey` given
 * to the client (or `OPENROUTER_MANAGEMENT_KEY`), or `{ managementKey }` in the call's options; without one
 * it fails with `AuthenticationError` before sending anything.
 *
 * @example
 * const client = new OpenRouter({ managementKey: process.env.OPENROUTER_MANAGEMENT_KEY });
 * const { data } = await client.keys.list();
 */
export interface Keys {
  /** `GET /keys`: the account's keys (disabled ones too with `include_disabled: true`). */
  list(params?: KeyListParams, options?: ManagementCallOptions): Promise<KeyListResponse>;
  /** `POST /keys`: a new key. Its secret is `created.key`, returned this once (see {@link CreatedKey}). */
  create(params: KeyCreateParams, options?: ManagementCallOptions): Promise<CreatedKey>;
  /** `GET /keys/{hash}`: one key. */
  get(hash: string, options?: ManagementCallOptions): Promise<KeyResponse>;
  /** `PATCH /keys/{hash}`: change a key's name, limit or state. */
  update(hash: string, params: KeyUpdateParams, options?: ManagementCallOptions): Promise<KeyResponse>;
  /** `DELETE /keys/{hash}`: delete a key. */
  delete(hash: string, options?: ManagementCallOptions): Promise<KeyDeletedResponse>;
}

/** `client.keys`, built on the client's context (the return type checks the code behind it has these signatures). */
export const keys = (ctx: VerbContext): Keys => lazyNamespace(ctx, () => import("./keys-impl.js"), ["list", "create", "get", "update", "delete"]);
