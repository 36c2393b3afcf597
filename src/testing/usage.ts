/**
 * Deterministic token counts and costs for the stand-in. Real counts come from each model's native
 * tokenizer; tests only need numbers that are stable and easy to predict, so the rule is simple:
 * a token is a run of letters/digits or a single punctuation character.
 */
import type { MockModel } from "./catalogue.js";

/**
 * Count tokens the way the stand-in does: each run of word characters is one token and each other
 * non-space character is one token.
 *
 * @example
 * countTokens("Hello, world!") // 4
 */
export function countTokens(text: string): number {
  if (typeof text !== "string") throw new TypeError("countTokens(text): text must be a string");
  return text.match(/[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu)?.length ?? 0;
}

/**
 * Overhead the stand-in adds per message, like chat templates do on real models.
 *
 * @example
 * promptTokens({ messages: [{ role: "user", content: "" }] }) === TOKENS_PER_REQUEST + TOKENS_PER_MESSAGE // true
 */
export const TOKENS_PER_MESSAGE = 3;
/**
 * Overhead the stand-in adds per request.
 *
 * @example
 * promptTokens({ messages: [] }) === TOKENS_PER_REQUEST // true
 */
export const TOKENS_PER_REQUEST = 3;

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        if (part && typeof part === "object") {
          const p = part as Record<string, unknown>;
          if (typeof p["text"] === "string") return p["text"];
          // Non-text parts (images, audio, files) count as a fixed 85 "tokens" of placeholder text.
          return "x ".repeat(85);
        }
        return "";
      })
      .join(" ");
  }
  return "";
}

/**
 * Prompt tokens for a chat request body: per message `3 + tokens(content) + tokens(tool_calls JSON)`,
 * plus `3`, plus `tokens(JSON of tools)` when tools are offered.
 *
 * @example
 * promptTokens({ messages: [{ role: "user", content: "Hi" }] }) // 3 + 1 + 3 = 7
 */
export function promptTokens(body: { messages?: unknown; tools?: unknown }): number {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  let total = TOKENS_PER_REQUEST;
  for (const m of messages) {
    const msg = (m ?? {}) as Record<string, unknown>;
    total += TOKENS_PER_MESSAGE + countTokens(contentText(msg["content"]));
    if (msg["tool_calls"] !== undefined) total += countTokens(JSON.stringify(msg["tool_calls"]));
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) total += countTokens(JSON.stringify(body.tools));
  return total;
}

/**
 * Round away float noise (0.1+0.2) so costs compare with `toBe` after the same computation.
 *
 * @example
 * roundUsd(0.1 + 0.2) // 0.3
 */
export function roundUsd(value: number): number {
  return Math.round(value * 1e12) / 1e12;
}

/**
 * Cost in USD of a generation on a catalogue model: `prompt * pricing.prompt + completion *
 * pricing.completion + pricing.request` (reasoning tokens are billed as completion tokens).
 *
 * @example
 * costOf(model, 10, 5) // e.g. 10 * 0.00000015 + 5 * 0.0000006 for openai/gpt-4o-mini
 */
export function costOf(model: Pick<MockModel, "pricing"> | undefined, prompt: number, completion: number) {
  const price = (key: string) => Number(model?.pricing[key] ?? "0") || 0;
  const promptCost = roundUsd(prompt * price("prompt"));
  const completionCost = roundUsd(completion * price("completion"));
  return {
    cost: roundUsd(promptCost + completionCost + price("request")),
    promptCost,
    completionCost,
  };
}
