/**
 * Which calls OpenRouter's free-model limits apply to, and a rough size of a request in tokens. Static and
 * tiny: the client decides with it whether the (lazily loaded) pacer is needed for a call at all.
 *
 * @module
 */

const FREE_ROUTER = "openrouter/free";

/**
 * Whether OpenRouter's free-model limits apply to `model` (a `:free` variant or the free router).
 *
 * @example
 * ```ts
 * isFreeModel("meta-llama/llama-3.3-70b-instruct:free"); // true
 * isFreeModel("openai/gpt-4o"); // false
 * ```
 */
export function isFreeModel(model: string | undefined): boolean {
  if (typeof model !== "string") return false;
  return model === FREE_ROUTER || /:free$/i.test(model) || /:free:/i.test(model);
}

function textLength(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === "string") return value.length;
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return 0;
  }
}

/**
 * A rough, dependency-free token estimate for rate limiting only: about 4 characters per token
 * of the input (`messages`, `prompt` or `input`) plus the requested output budget
 * (`max_tokens` / `max_completion_tokens` / `max_output_tokens`). The real usage corrects it.
 *
 * @example
 * ```ts
 * estimateRequestTokens({ messages: [{ role: "user", content: "hello" }], max_tokens: 100 }); // ~110
 * ```
 */
export function estimateRequestTokens(body: Record<string, unknown> | undefined): number {
  if (!body) return 0;
  const input = textLength(body["messages"]) + textLength(body["prompt"]) + textLength(body["input"]);
  const out = [body["max_tokens"], body["max_completion_tokens"], body["max_output_tokens"]].find(
    (v): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0,
  );
  return Math.ceil(input / 4) + (out ?? 0);
}
