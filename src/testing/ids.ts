/**
 * Seeded, deterministic id and vector generation for the stand-in, so two runs of the same test see
 * the same `gen-<unix>-<20 chars>` ids and the same embedding vectors.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * FNV-1a 32-bit hash of a string: a cheap, stable seed.
 *
 * @example
 * hashString("hello") === hashString("hello") // true
 */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * mulberry32: a tiny seeded PRNG returning floats in [0, 1).
 *
 * @example
 * const rand = seededRandom(42); rand(); // same value on every run
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A generator of OpenRouter-style ids (`gen-<unix>-<20 chars>`, `call_<24 chars>`), deterministic for a
 * given seed and clock.
 *
 * @example
 * const ids = idGenerator(1, () => 1_780_000_000_000);
 * ids.generation(); // "gen-1780000000-…" (20 characters after the second dash)
 */
export function idGenerator(seed: number, now: () => number) {
  const rand = seededRandom(seed);
  const chars = (n: number) => {
    let out = "";
    for (let i = 0; i < n; i++) out += ALPHABET[Math.floor(rand() * ALPHABET.length)];
    return out;
  };
  return {
    generation: (prefix = "gen") => `${prefix}-${Math.floor(now() / 1000)}-${chars(20)}`,
    toolCall: () => `call_${chars(24)}`,
  };
}

/**
 * A deterministic unit vector for a text: the same text and dimension always give the same vector.
 *
 * @example
 * embeddingFor("hello", 8).length // 8
 */
export function embeddingFor(text: string, dimensions: number): number[] {
  const rand = seededRandom(hashString(text));
  const v = Array.from({ length: dimensions }, () => rand() * 2 - 1);
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  // Float32 rounding so the base64 encoding round-trips exactly to the same numbers.
  return v.map((x) => Math.fround(x / norm));
}

/**
 * Encode a vector the way OpenAI-compatible APIs do for `encoding_format: "base64"`: little-endian
 * float32 bytes, base64.
 *
 * @example
 * vectorToBase64([1, 0]) // "AACAPwAAAAA="
 */
export function vectorToBase64(vector: readonly number[]): string {
  const buf = Buffer.alloc(vector.length * 4);
  vector.forEach((x, i) => buf.writeFloatLE(x, i * 4));
  return buf.toString("base64");
}
