/**
 * `src/internal/` (layer 0): small leaves every layer may use (redaction, bounded quoting, JSON guards, the
 * abortable sleep). They import nothing of ours, so nothing here can pull a layer above into a bundle.
 *
 * Scrubs secrets out of text we did not write ourselves (a fetch implementation's error message, an
 * upstream's echo, a body excerpt), so a credential cannot leak into an error, log, hook payload or span.
 *
 * Errors are built in many modules (transport, result, stream, embeddings, cost, …) that never see the
 * client's options, so the secrets live in one registry: each client registers its key when it is built, and
 * the `OpenRouterError` constructor scrubs everything it is given against the registry. Redacting a string
 * that happens to be another live client's key too is harmless; a key is forgotten once no live client holds
 * it, so a server that builds a client per tenant does not accumulate keys.
 */
const KEY_PATTERN = /\b(sk-or-[A-Za-z0-9_-]{2,}|Bearer\s+[A-Za-z0-9._~+/=-]{8,})/g;
const KEY_TEST = /\bsk-or-[A-Za-z0-9_-]{2,}|\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/;
/** Shorter strings would redact ordinary words; no real credential is this short. */
const MIN_SECRET_LENGTH = 8;
const REDACTED = "[REDACTED]";

/** Each secret of a live client, with how many live clients hold it. */
const live = new Map<string, number>();

function forget(secret: string): void {
  const holders = (live.get(secret) ?? 1) - 1;
  if (holders <= 0) live.delete(secret);
  else live.set(secret, holders);
}

const owners = typeof FinalizationRegistry === "function" ? new FinalizationRegistry<string>(forget) : undefined;

/**
 * Makes `secret` redacted from every error built while `owner` (normally the client) is alive.
 *
 * @example
 * registerSecret(this, apiKey);
 */
export function registerSecret(owner: object, secret: string | undefined): void {
  if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) return;
  live.set(secret, (live.get(secret) ?? 0) + 1);
  owners?.register(owner, secret);
}

/** True when `text` holds a registered secret, or something shaped like an OpenRouter key or a bearer token. */
export function holdsSecret(text: string): boolean {
  for (const secret of live.keys()) if (text.includes(secret)) return true;
  return KEY_TEST.test(text);
}

/**
 * `text` with every registered secret, `apiKey`, OpenRouter-shaped key and bearer token replaced by
 * `[REDACTED]`. Returns `text` itself (no copy) when there is nothing to scrub.
 *
 * @example
 * redact(`echo: ${key}`, key); // "echo: [REDACTED]"
 */
export function redact(text: string, apiKey?: string): string {
  let out = text;
  if (apiKey && apiKey.length >= 4 && out.includes(apiKey)) out = out.split(apiKey).join(REDACTED);
  for (const secret of live.keys()) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return KEY_TEST.test(out) ? out.replace(KEY_PATTERN, (match) => (match.startsWith("Bearer") ? `Bearer ${REDACTED}` : REDACTED)) : out;
}

/**
 * A copy of `value` with secrets scrubbed from every string inside it (plain objects, arrays, errors), or
 * `value` itself when it holds none. Class instances other than errors (Headers, Dates, …) are kept as they are.
 *
 * @example
 * redactValue({ raw: `key=${key}` }); // { raw: "key=[REDACTED]" }
 */
export function redactValue<T>(value: T, seen: WeakSet<object> = new WeakSet()): T {
  if (typeof value === "string") return redact(value) as T;
  if (typeof value !== "object" || value === null || seen.has(value)) return value;
  if (value instanceof Error) return redactError(value, seen) as T;
  const proto = Object.getPrototypeOf(value) as unknown;
  const array = Array.isArray(value);
  if (!array && proto !== Object.prototype && proto !== null) return value;
  seen.add(value);
  let copy: Record<string, unknown> | unknown[] | undefined;
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const before = source[key];
    const after = redactValue(before, seen);
    if (after !== before) {
      copy ??= array ? [...(value as unknown[])] : { ...source };
      (copy as Record<string, unknown>)[key] = after;
    }
  }
  return (copy ?? value) as T;
}

/**
 * An error whose message, stack, own fields or cause chain hold a secret becomes a scrubbed copy of the same
 * class (name, message, stack, `code`, cause); other errors are returned as they are, so identity is kept
 * whenever nothing had to change.
 */
function redactError(error: Error, seen: WeakSet<object>): Error {
  seen.add(error);
  const message = typeof error.message === "string" ? error.message : "";
  const stack = typeof error.stack === "string" ? error.stack : undefined;
  const inner = (error as { cause?: unknown }).cause;
  const cleanInner = inner === undefined ? undefined : redactValue(inner, seen);
  let fields: string;
  try {
    fields = JSON.stringify(error) ?? "";
  } catch {
    fields = "";
  }
  if (!holdsSecret(message) && !(stack !== undefined && holdsSecret(stack)) && !holdsSecret(fields) && cleanInner === inner) return error;
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
  const hidden = (key: string, v: unknown) => Object.defineProperty(copy, key, { value: v, writable: true, configurable: true, enumerable: false });
  hidden("message", redact(message));
  if (stack !== undefined) hidden("stack", redact(stack));
  if (Object.prototype.hasOwnProperty.call(error, "name")) hidden("name", redact(String(error.name)));
  if (inner !== undefined) hidden("cause", cleanInner);
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) (copy as Error & { code?: unknown }).code = redactValue(code, seen);
  return copy;
}
