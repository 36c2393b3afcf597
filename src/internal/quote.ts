/**
 * Bounded quoting of caller input in error messages. A message quotes what the caller gave so they can find
 * their mistake, but a 1 MB model id or a huge object must not become a 1 MB message (held by the error, sent
 * to logs, hooks and spans). Imports nothing, so `errors.ts` can use it.
 */

/** How many characters of a caller's value a message quotes before cutting it short. */
export const QUOTE_LIMIT = 200;

/**
 * `text` cut to `limit` characters, with a note of how much was left out; never splits a surrogate pair.
 *
 * @example
 * bounded("x".repeat(300)); // "xxx…x… (100 more characters)"
 */
export function bounded(text: string, limit = QUOTE_LIMIT): string {
  if (text.length <= limit) return text;
  let end = limit;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}… (${text.length - end} more characters)`;
}

/**
 * A caller's value as a message quotes it: strings JSON-quoted, other values in their JSON or `String` form,
 * all bounded by {@link bounded}. Never throws (BigInt, circular objects and hostile `toString`s included).
 *
 * @example
 * quote("a\nb"); // "\"a\\nb\""
 * quote(10n);    // "10n"
 */
export function quote(value: unknown, limit = QUOTE_LIMIT): string {
  if (typeof value === "string") {
    if (value.length <= limit) return JSON.stringify(value);
    const cut = bounded(value, limit);
    const ellipsis = cut.lastIndexOf("…");
    return `${JSON.stringify(cut.slice(0, ellipsis))}${cut.slice(ellipsis)}`;
  }
  if (typeof value === "bigint") return bounded(`${value}n`, limit);
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol" || value === undefined || typeof value === "number" || typeof value === "boolean") return String(value);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  return bounded(text ?? Object.prototype.toString.call(value), limit);
}
