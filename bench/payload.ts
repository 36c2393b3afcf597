/**
 * Deterministic wire payloads shared by the fake server and the bench workers.
 *
 * The server sends exactly these bytes and the workers rebuild the expected text from the same functions, so
 * every adapter's output can be checked byte for byte without sending the expectation over the wire.
 *
 * @example
 * ```ts
 * const { bytes } = sseStream(20_000, 64);
 * expectedStreamText(20_000) === "<what every client must assemble>";
 * ```
 */

export const MODEL = "bench/fake-model";
export const GENERATION_ID = "gen-1780944361-BenchBenchBench0000";
const CREATED = 1780944361;

/** The text of a plain (non-streaming) completion. Contains multi-byte characters on purpose. */
export const CHAT_TEXT = "Hello from the fake OpenRouter server — 2 + 2 = 4. Ünïcödé ✓ 🚀";

/** The JSON document a structured-output call returns (matches {@link STRUCTURED_SCHEMA}). */
export const STRUCTURED_TEXT = JSON.stringify({ name: "Ada Lovelace", born: 1815, tags: ["math", "engines"] });

/** JSON schema used by the structured-output micro-benchmark. */
export const STRUCTURED_SCHEMA = {
  type: "object",
  properties: {
    name: { type: "string", minLength: 1 },
    born: { type: "integer", minimum: 0 },
    tags: { type: "array", items: { type: "string" } },
  },
  required: ["name", "born", "tags"],
  additionalProperties: false,
} as const;

/**
 * The content of the i-th streamed token. Mostly short ASCII words like a real model, with a multi-byte
 * character every 97 tokens and an emoji every 389 so a decoder that splits UTF-8 sequences badly is caught.
 */
export function tokenText(i: number): string {
  if (i % 389 === 0) return " 🚀";
  if (i % 97 === 0) return " café";
  return ` w${i % 1000}`;
}

/** The text a client must assemble from an N-chunk stream. */
export function expectedStreamText(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += tokenText(i);
  return s;
}

const usage = {
  prompt_tokens: 16,
  completion_tokens: 13,
  total_tokens: 29,
  cost: 0.000081,
  is_byok: false,
  prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0, audio_tokens: 0, video_tokens: 0 },
  cost_details: {
    upstream_inference_cost: 0.000081,
    upstream_inference_prompt_cost: 0.000016,
    upstream_inference_completions_cost: 0.000065,
  },
  completion_tokens_details: { reasoning_tokens: 0, image_tokens: 0, audio_tokens: 0 },
};

/** A non-streaming chat completion body shaped like a recorded OpenRouter response. */
export function chatCompletionBody(content: string): string {
  return JSON.stringify({
    id: GENERATION_ID,
    object: "chat.completion",
    created: CREATED,
    model: MODEL,
    provider: "BenchProvider",
    system_fingerprint: null,
    service_tier: null,
    choices: [
      {
        index: 0,
        logprobs: null,
        finish_reason: "stop",
        native_finish_reason: "end_turn",
        message: { role: "assistant", content, refusal: null, reasoning: null },
      },
    ],
    usage,
  });
}

function chunk(choices: unknown[], extra?: Record<string, unknown>): string {
  const body = {
    id: GENERATION_ID,
    object: "chat.completion.chunk",
    created: CREATED,
    model: MODEL,
    provider: "BenchProvider",
    choices,
    ...extra,
  };
  return `data: ${JSON.stringify(body)}\n\n`;
}

const KEEP_ALIVE = ": OPENROUTER PROCESSING\n\n";

/**
 * SSE events for an N-chunk stream: three keep-alive comments up front, one every 500 chunks, a finish chunk,
 * a `choices: []` usage chunk and `data: [DONE]`.
 */
export function sseEvents(n: number): string[] {
  const events: string[] = [KEEP_ALIVE, KEEP_ALIVE, KEEP_ALIVE];
  for (let i = 0; i < n; i++) {
    if (i > 0 && i % 500 === 0) events.push(KEEP_ALIVE);
    events.push(
      chunk([
        {
          index: 0,
          delta: { role: "assistant", content: tokenText(i) },
          finish_reason: null,
          native_finish_reason: null,
        },
      ]),
    );
  }
  events.push(
    chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: "stop", native_finish_reason: "end_turn" }]),
  );
  events.push(chunk([], { usage }));
  events.push("data: [DONE]\n\n");
  return events;
}

/** The first part of a stream that the "hold" scenario sends before keeping the connection open. */
export function sseHoldPrefix(): string {
  return (
    KEEP_ALIVE +
    chunk([{ index: 0, delta: { role: "assistant", content: tokenText(1) }, finish_reason: null, native_finish_reason: null }])
  );
}

/** Groups events `perWrite` at a time into the buffers the server writes, one socket write each. */
export function sseWrites(n: number, perWrite: number): { writes: Buffer[]; bytes: number; events: number } {
  const events = sseEvents(n);
  const writes: Buffer[] = [];
  let bytes = 0;
  for (let i = 0; i < events.length; i += perWrite) {
    const b = Buffer.from(events.slice(i, i + perWrite).join(""), "utf8");
    bytes += b.length;
    writes.push(b);
  }
  return { writes, bytes, events: events.length };
}

/** Total SSE bytes of an N-chunk stream (what MB/s is computed from). */
export function sseBytes(n: number): number {
  let bytes = 0;
  for (const e of sseEvents(n)) bytes += Buffer.byteLength(e, "utf8");
  return bytes;
}

/** The request every adapter sends (the fake server ignores the content). */
export function requestBody(stream: boolean): { model: string; messages: { role: "user"; content: string }[]; stream: boolean } {
  return { model: MODEL, messages: [{ role: "user", content: "Count to twenty thousand, please." }], stream };
}
