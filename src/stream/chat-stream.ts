/**
 * `ChatStream`: a streamed chat completion. It reads the SSE body once, in one pass, turns each `data:` chunk
 * into typed events and folds it into a `ChatResponse`-shaped accumulator; at the end that accumulator goes
 * through `chatResultFromResponse`, so a streamed call and a plain call of the same generation give the same
 * `ChatResult`.
 *
 * Every stream ends in exactly one of these outcomes (see `StreamOutcome`):
 * - `completed`: `data: [DONE]`, or the body ended cleanly after a finish reason;
 * - `error`: an in-band error chunk (top-level `error`, a choice `error` or `finish_reason: "error"`), an
 *   event that is not JSON, or more text than `maxResponseBytes` (`ResponseTooLargeError`);
 * - `truncated`: the connection dropped, or the body ended with neither `[DONE]` nor a finish reason;
 * - `timeout`: `firstEventTimeoutMs` / `idleTimeoutMs` passed without a data event (keep-alive comments do
 *   not count);
 * - `aborted`: the caller's signal, `stream.abort()`, or leaving the `for await` loop before the end;
 * - `failed`: the request failed before the stream started (the same typed error `client.chat` raises), or
 *   the answer was an HTML page instead of an event stream (`InvalidResponseError`).
 * Every failure after the first data event carries what arrived before it as `error.partial`.
 *
 * The `stream/` folder (layer 2) owns streamed chat completions: this public class over `machine.ts` (the
 * state machine: reads, timeouts via `timers.ts`, settling), `accumulator.ts` (chunks -> events and the
 * assembled response), `sse.ts` (bytes -> `data:` payloads), `events.ts` (the public types), and the rare
 * paths in `non-sse.ts` / `failures.ts`. The consumer's side is core's `EventChannel`. It may import
 * `core/`, `internal/` and `generated/`, never accounting, agents or the client.
 *
 * This class is all of the stream that `import { OpenRouter }` loads: the machine, the accumulator and the SSE
 * parser are loaded with `import()` when the first stream opens. That first stream checks its settings at once,
 * then waits for the code before it sends; every later stream builds its machine synchronously.
 */
import { InvalidArgumentError, type OpenRouterError } from "../core/errors.js";
import { lazy } from "../core/load.js";
import type { ChatResult } from "../core/result.js";
import type { ChatStreamEvent, ChatStreamInit, StreamOutcome } from "./events.js";
import type { StreamMachine } from "./machine.js";
import { checkStreamInit } from "./options.js";

const machineCode = /* @__PURE__ */ lazy("the stream reader", () => import("./machine.js"));

export type {
  AnnotationEvent,
  ChatStreamEvent,
  ChatStreamInit,
  ChatStreamSettled,
  ContentEvent,
  DoneEvent,
  FinishEvent,
  ImageEvent,
  ImageOutput,
  ReasoningEvent,
  RefusalEvent,
  StreamOutcome,
  ToolCallEvent,
  UsageEvent,
} from "./events.js";

/**
 * A streamed chat completion: an `AsyncIterable` of `ChatStreamEvent`s (read once; `break` aborts the
 * request), plus `final()` for the assembled `ChatResult`.
 *
 * @example
 * const stream = client.chatStream({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });
 * for await (const event of stream) {
 *   if (event.type === "content") process.stdout.write(event.text);
 * }
 * const result = await stream.final(); // usage, cost, tool calls, timing
 */
export class ChatStream implements AsyncIterable<ChatStreamEvent> {
  #machine: StreamMachine | undefined;
  /** The first stream's wait for the machine's code; undefined once the code was loaded before. */
  #ready: Promise<StreamMachine> | undefined;
  /** Set when the stream ended before its machine existed: aborted, or its code could not load. */
  #early: { outcome: StreamOutcome; reason?: unknown } | undefined;
  /** An iterator asked for before the machine existed; attached to the machine's channel first thing. */
  #waiting: { inner?: AsyncIterator<ChatStreamEvent> } | undefined;

  constructor(init: ChatStreamInit) {
    const code = machineCode.value;
    if (code) {
      this.#machine = new code.StreamMachine(init);
      return;
    }
    // The checks the machine's constructor makes, thrown here as they would be once the code is loaded.
    checkStreamInit(init);
    this.#ready = machineCode().then(
      ({ StreamMachine }) => {
        // Aborted while the code loaded: the machine settles as aborted at once and never sends.
        const early = this.#early;
        const machine = (this.#machine = new StreamMachine(early ? { ...init, signal: AbortSignal.abort(early.reason) } : init));
        if (this.#waiting) this.#waiting.inner = machine.channel[Symbol.asyncIterator]();
        return machine;
      },
      (error: OpenRouterError) => {
        this.#early ??= { outcome: "failed" };
        try {
          init.onSettled?.({ outcome: "failed", error });
        } catch {
          // As for the machine's onSettled: a callback's exception is not the stream's.
        }
        throw error;
      },
    );
    // The error reaches the caller through final() or the iterator; the stream itself must not reject unseen.
    this.#ready.catch(() => undefined);
  }

  /** The machine, waiting for its code on the first stream. */
  #loaded(): Promise<StreamMachine> {
    return this.#machine ? Promise.resolve(this.#machine) : (this.#ready as Promise<StreamMachine>);
  }

  /** How the stream ended, once it has (`undefined` while it runs). */
  get outcome(): StreamOutcome | undefined {
    return this.#machine ? this.#machine.outcome : this.#early?.outcome;
  }

  /** True once the stream has completed, failed or been aborted. */
  get done(): boolean {
    return this.#machine ? this.#machine.settled : this.#early !== undefined;
  }

  /**
   * The events, in order, ending with `{ type: "done", result }`. Read once: a second iterator throws
   * (`InvalidArgumentError`: "already being iterated" while the first is in use, "already been consumed"
   * after it ended). Leaving the loop early (`break`, `return`, an exception) aborts the request; `final()`
   * then rejects with an `AbortError` that says the loop ended early and carries what arrived as `partial`
   * (usage and cost are usually missing: they come last). Breaking after the `done` event changes nothing.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<ChatStreamEvent> {
    if (this.#machine) return this.#machine.channel[Symbol.asyncIterator]();
    if (this.#waiting) throw new InvalidArgumentError("This ChatStream is already being iterated; a stream can be read only once");
    const waiting: { inner?: AsyncIterator<ChatStreamEvent> } = (this.#waiting = {});
    // Once attached, each call goes straight to the channel's iterator: no extra await per event.
    const inner = (): Promise<AsyncIterator<ChatStreamEvent>> | AsyncIterator<ChatStreamEvent> =>
      waiting.inner ?? this.#loaded().then(() => waiting.inner as AsyncIterator<ChatStreamEvent>);
    return {
      next: () => {
        const it = inner();
        return "next" in it ? it.next() : it.then((i) => i.next());
      },
      return: async (value?: unknown) => {
        const it = await inner();
        return it.return ? it.return(value) : { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /**
   * The assembled `ChatResult` (the same `client.chat` gives for the generation), with `timing`. Rejects with
   * the typed error (with `partial`) when the stream did not complete, including an `AbortError` when the
   * caller's loop left the stream early. Works whether or not the caller iterates: without an iterator it
   * reads the body itself and keeps no events. Always settles: every stream ends in one outcome.
   *
   * @example
   * const { text, usage, cost } = await client.chatStream(params).final();
   */
  final(): Promise<ChatResult> {
    return this.#machine ? this.#machine.channel.final() : this.#loaded().then((machine) => machine.channel.final());
  }

  /**
   * Stops the request and the body read at once; the stream ends with an `AbortError` carrying the partial
   * result. No-op once the stream has ended.
   *
   * @example
   * setTimeout(() => stream.abort(), 5_000);
   */
  abort(reason?: unknown): void {
    if (this.#machine) this.#machine.abort(reason);
    else this.#early ??= { outcome: "aborted", reason };
  }

  /**
   * The answer's text as a web `ReadableStream` of UTF-8 bytes, e.g. to return from a fetch handler
   * (`new Response(stream.toReadableStream())`). Errors the stream on failure; cancelling it aborts the request.
   *
   * @example
   * return new Response(client.chatStream(params).toReadableStream(), { headers: { "content-type": "text/plain; charset=utf-8" } });
   */
  toReadableStream(): ReadableStream<Uint8Array> {
    const iterator = this[Symbol.asyncIterator]();
    const encoder = new TextEncoder();
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        for (;;) {
          const next = await iterator.next();
          if (next.done) {
            controller.close();
            return;
          }
          const event = next.value;
          if (event.type === "content") {
            controller.enqueue(encoder.encode(event.text));
            return;
          }
        }
      },
      cancel: async (reason) => {
        this.abort(reason);
        await iterator.return?.();
      },
    });
  }

  /**
   * Only the text deltas, as an async iterable (read once, like the stream itself).
   *
   * @example
   * for await (const text of client.chatStream(params).textStream()) process.stdout.write(text);
   */
  textStream(): AsyncIterable<string> {
    const iterator = this[Symbol.asyncIterator]();
    return {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<string>> => {
          for (;;) {
            const next = await iterator.next();
            if (next.done) return { done: true, value: undefined };
            if (next.value.type === "content") return { done: false, value: next.value.text };
          }
        },
        return: async (): Promise<IteratorResult<string>> => {
          await iterator.return?.();
          return { done: true, value: undefined };
        },
      }),
    };
  }
}
