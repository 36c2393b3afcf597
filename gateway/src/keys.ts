/**
 * Gateway keys: `sk-gw-` + 32 random bytes (base64url). Only a SHA-256 of the key is stored; the key itself
 * is shown once, when it is created.
 */
import { createHash, randomBytes } from "node:crypto";

export const KEY_PREFIX = "sk-gw-";

export function newKey(): string {
  return KEY_PREFIX + randomBytes(32).toString("base64url");
}

export function newId(prefix: string): string {
  return prefix + randomBytes(9).toString("base64url");
}

export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** The bearer token of an `Authorization` header, or undefined. */
export function bearer(header: string | undefined | null): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/**
 * Request ids (also the usage rows' primary keys): a random per-process prefix and a counter, so they stay
 * unique across instances and restarts without asking the system for random bytes on every request.
 */
export function requestIdSource(prefix = "req_"): () => string {
  const base = prefix + randomBytes(9).toString("base64url");
  let n = 0;
  return () => `${base}${(n++).toString(36)}`;
}
