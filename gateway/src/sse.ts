/**
 * Faithful SSE forwarding. The upstream body is split at event boundaries and each event goes out as it
 * arrived (same bytes), with three exceptions that make the stream honest to an OpenAI SDK:
 * - `data: [DONE]` is held back until the caller's `finish` has run (the usage row is written first) and is
 *   only sent when the upstream really completed;
 * - an in-band error chunk (`{"error":{…}}`) is rewritten into OpenAI's error shape;
 * - a stream that breaks or ends early gets an error event instead of `[DONE]`.
 * Keep-alive comments (`: OPENROUTER PROCESSING`) pass through as comments.
 */
import { errorBody } from "./errors.js";

export interface SseOutcome {
  /** The upstream sent `[DONE]` after no error event. */
  completed: boolean;
  /** An in-band error event came through. */
  inBandError: boolean;
  /** The client went away. */
  cancelled: boolean;
  /** Reading the upstream body failed (reset, timeout). */
  readFailed: boolean;
  ttftMs: number | undefined;
  /** The `id` of the first data chunk (the generation id). */
  firstChunkId: string | undefined;
}

export interface ForwardHooks {
  now: () => number;
  startedAt: number;
  /** Called once with the first chunk's id (to record the generation id before the stream ends). */
  onFirstChunk?: ((id: string | undefined) => void) | undefined;
  /** Runs once the upstream has ended (or failed, or the client left); its text (SSE comments) goes out before `[DONE]`. */
  finish: (outcome: SseOutcome) => Promise<string | undefined>;
  /** Cancel the upstream request (client disconnected). */
  cancelUpstream: () => void;
}

const encoder = new TextEncoder();

function isCommentOnly(event: string): boolean {
  for (const line of event.split("\n")) if (line !== "" && !line.startsWith(":")) return false;
  return true;
}

function dataOf(event: string): string {
  let data = "";
  let first = true;
  for (const line of event.split("\n")) {
    if (!line.startsWith("data:")) continue;
    const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
    data = first ? value : `${data}\n${value}`;
    first = false;
  }
  return data;
}

/** OpenAI-shaped error event from an upstream error object. */
export function errorEvent(message: string, code: string | number | null, status = 502): string {
  return `data: ${JSON.stringify(errorBody(status, message, code))}\n\n`;
}

export function forwardSse(upstream: ReadableStream<Uint8Array>, hooks: ForwardHooks): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const outcome: SseOutcome = { completed: false, inBandError: false, cancelled: false, readFailed: false, ttftMs: undefined, firstChunkId: undefined };
  let sawDone = false;
  let sawData = false;
  let finished = false;

  const handle = (event: string): string => {
    if (isCommentOnly(event)) return event;
    const data = dataOf(event);
    if (data === "[DONE]") {
      sawDone = true;
      return "";
    }
    if (!sawData) {
      sawData = true;
      outcome.ttftMs = hooks.now() - hooks.startedAt;
      let id: string | undefined;
      try {
        const parsed = JSON.parse(data) as { id?: unknown };
        if (typeof parsed.id === "string") id = parsed.id;
      } catch {
        // A broken first chunk is the parser's business; the id stays unknown.
      }
      outcome.firstChunkId = id;
      hooks.onFirstChunk?.(id);
    }
    if (data.includes('"error"')) {
      try {
        const parsed = JSON.parse(data) as { error?: { message?: unknown; code?: unknown } };
        if (parsed && typeof parsed.error === "object" && parsed.error !== null) {
          outcome.inBandError = true;
          const message = typeof parsed.error.message === "string" ? parsed.error.message : "The upstream reported an error mid-stream.";
          const code = typeof parsed.error.code === "string" || typeof parsed.error.code === "number" ? parsed.error.code : "upstream_error";
          const status = typeof parsed.error.code === "number" && parsed.error.code >= 400 && parsed.error.code < 600 ? parsed.error.code : 502;
          return errorEvent(message, code, status);
        }
      } catch {
        // Not JSON: forwarded as it is; the client's parser decides.
      }
    }
    return event;
  };

  const drain = (final: boolean): string => {
    if (buffer.includes("\r")) buffer = buffer.replace(/\r\n?/g, "\n");
    let out = "";
    let idx: number;
    while ((idx = buffer.indexOf("\n\n")) !== -1) {
      out += handle(buffer.slice(0, idx + 2));
      buffer = buffer.slice(idx + 2);
    }
    if (final && buffer.trim() !== "") {
      out += handle(`${buffer}\n\n`);
      buffer = "";
    }
    return out;
  };

  const end = async (controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> => {
    finished = true;
    outcome.completed = sawDone && !outcome.inBandError && !outcome.readFailed;
    const tail = await hooks.finish(outcome);
    let out = tail ?? "";
    if (outcome.completed) out += "data: [DONE]\n\n";
    else if (!outcome.inBandError) out += errorEvent("The upstream stream ended before the answer was complete.", "upstream_stream_incomplete");
    controller.enqueue(encoder.encode(out));
    controller.close();
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch {
          outcome.readFailed = true;
          const out = drain(true);
          if (out) controller.enqueue(encoder.encode(out));
          await end(controller);
          return;
        }
        if (chunk.done) {
          buffer += decoder.decode();
          const out = drain(true);
          if (out) controller.enqueue(encoder.encode(out));
          await end(controller);
          return;
        }
        buffer += decoder.decode(chunk.value, { stream: true });
        const out = drain(false);
        if (out) {
          controller.enqueue(encoder.encode(out));
          return;
        }
      }
    },
    async cancel() {
      if (finished) return;
      finished = true;
      outcome.cancelled = true;
      hooks.cancelUpstream();
      reader.cancel().catch(() => undefined);
      await hooks.finish(outcome).catch(() => undefined);
    },
  });
}
