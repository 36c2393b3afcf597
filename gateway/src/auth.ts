/**
 * Who is calling: the gateway key from `Authorization`, looked up by its hash, and the model it may use.
 *
 * Key rows are cached in memory (by hash, for `ttlMs`), so a request does not pay a database round trip to
 * learn who it is. That cache can never let a revoked key spend: the reservation every chat and embeddings
 * call makes is one statement that also requires `revoked_at IS NULL`, so a key revoked anywhere (another
 * instance, the CLI) is refused at that point with the same 401, and dropped from the cache. A revoke through
 * this instance's admin API drops the key at once; routes that reserve nothing look the key up fresh.
 */
import type { Context } from "hono";
import { GatewayError } from "./errors.js";
import { requestHeader } from "./http.js";
import { bearer, hashKey } from "./keys.js";
import type { HotPath, KeyRow } from "./store.js";

export interface CallerKey {
  row: KeyRow;
  /** The key's model list, parsed once; null when any model is allowed. */
  allowed: ReadonlySet<string> | null;
}

const DEFAULT_TTL_MS = 30_000;
/** More distinct keys than this in one window and the cache starts over (memory stays bounded). */
const MAX_ENTRIES = 10_000;

export class KeyCache {
  readonly #byHash = new Map<string, { key: CallerKey; expires: number }>();
  readonly #hot: HotPath;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(hot: HotPath, options: { ttlMs?: number | undefined; now?: () => number } = {}) {
    this.#hot = hot;
    this.#ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  /** The key for a hash: from the cache unless `fresh`, else from the store. Undefined for an unknown key. */
  async get(keyHash: string, fresh = false): Promise<CallerKey | undefined> {
    const now = this.#now();
    if (!fresh && this.#ttlMs > 0) {
      const hit = this.#byHash.get(keyHash);
      if (hit && hit.expires > now) return hit.key;
    }
    const row = await this.#hot.findKey(keyHash);
    if (!row) {
      this.#byHash.delete(keyHash);
      return undefined;
    }
    const key: CallerKey = { row, allowed: row.models ? new Set(JSON.parse(row.models) as string[]) : null };
    // A revoked key is not cached: every request for it looks again (and is refused).
    if (row.revoked_at === null && this.#ttlMs > 0) {
      if (this.#byHash.size >= MAX_ENTRIES) this.#byHash.clear();
      this.#byHash.set(keyHash, { key, expires: now + this.#ttlMs });
    }
    return key;
  }

  /** Forget a key (revoked here, or found revoked by a reservation). */
  invalidate(keyId: string): void {
    for (const [hash, entry] of this.#byHash) if (entry.key.row.id === keyId) this.#byHash.delete(hash);
  }
}

/** The caller's key: 401 when missing, unknown or revoked. */
export async function authenticate(c: Context, keys: KeyCache, fresh = false): Promise<CallerKey> {
  const token = bearer(requestHeader(c, "authorization"));
  if (!token) throw new GatewayError(401, "Missing gateway key: send Authorization: Bearer sk-gw-…", "missing_api_key");
  const key = await keys.get(hashKey(token), fresh);
  if (!key) throw new GatewayError(401, "Unknown gateway key.", "invalid_api_key");
  if (key.row.revoked_at !== null) throw revokedError();
  return key;
}

export function revokedError(): GatewayError {
  return new GatewayError(401, "This gateway key has been revoked.", "revoked_api_key");
}

/** The OpenRouter model id for the body's `model` (aliases applied); 404 when the key may not use it. */
export function resolveModel(key: CallerKey, body: Record<string, unknown>, aliases: Readonly<Record<string, string>>): string {
  const model = body["model"];
  if (typeof model !== "string" || model.trim() === "") throw new GatewayError(400, "`model` is required and must be a string.", "missing_field", "model");
  const resolved = Object.hasOwn(aliases, model) ? (aliases[model] as string) : model;
  const allowed = key.allowed;
  if (allowed) {
    const base = resolved.split(":")[0] as string;
    if (!allowed.has(resolved) && !allowed.has(base) && !allowed.has(model)) {
      throw new GatewayError(404, `The model ${model} is not allowed for this key.`, "model_not_allowed", "model");
    }
  }
  body["model"] = resolved;
  return resolved;
}
