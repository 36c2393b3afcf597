/** A parsed JSON object, read defensively: OpenRouter's responses are open and sometimes surprising. */
export type Json = Record<string, unknown>;

/** True for a plain JSON object (not null, not an array). */
export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
