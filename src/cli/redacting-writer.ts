/**
 * A writer that never lets the API key through, even when the text arrives in pieces: a streamed answer can
 * hold the key split across two events ("sk-or-v1-ab" then "cd…"), which no per-write replacement would see.
 * The writer holds back the end of what it was given while that end could be the start of the key, and
 * writes it with the next piece (or at `flush()`).
 */
const REDACTED = "[REDACTED]";

export interface RedactingWriter {
  write(text: string): void;
  /** Writes what was held back (the end of the output: it can no longer become the key). */
  flush(): void;
}

/**
 * Wraps `target` so every occurrence of `secret` is written as `[REDACTED]`, across write boundaries.
 * Secrets shorter than 4 characters are not redacted (they would match ordinary text).
 *
 * @example
 * const out = redactingWriter(process.stdout, key);
 * out.write("sk-or-v1-"); out.write("rest-of-key"); out.flush(); // prints "[REDACTED]"
 */
export function redactingWriter(target: { write(text: string): unknown }, secret: string | undefined): RedactingWriter {
  if (!secret || secret.length < 4) return { write: (text) => void target.write(text), flush: () => undefined };
  let held = "";
  return {
    write(text: string): void {
      const whole = held + text;
      const clean = whole.includes(secret) ? whole.split(secret).join(REDACTED) : whole;
      const keep = heldBackLength(clean, secret);
      held = clean.slice(clean.length - keep);
      const ready = clean.slice(0, clean.length - keep);
      if (ready !== "") target.write(ready);
    },
    flush(): void {
      if (held !== "") target.write(held);
      held = "";
    },
  };
}

/** Length of the longest end of `text` that is a start of `secret` (shorter than the secret itself). */
function heldBackLength(text: string, secret: string): number {
  const max = Math.min(secret.length - 1, text.length);
  for (let n = max; n > 0; n--) {
    if (secret.startsWith(text.slice(text.length - n))) return n;
  }
  return 0;
}
