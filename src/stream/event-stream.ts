/**
 * A typed SSE event stream over the transport seam's `TransportResponse` (`res.body.reader()`), for the APIs
 * whose streams are typed events ending in a terminal event: Responses (`response.completed`) and Messages
 * (`message_stop`). What is specific to an API is its `EventFolder` (payload -> event, what the payload means,
 * the assembled result); everything else is here, with the guarantees of `chatStream`:
 *
 * - one outcome per stream (`StreamOutcome`): `completed` only at the terminal event; an in-band error event
 *   is the typed error (`error`); a body that ends (or a connection that drops) before the terminal event is a
 *   `ConnectionError` (`truncated`), never a success; `timeout`, `aborted`, `failed` as for chat;
 * - first-event and idle timeouts (timers.ts) count data events only: a keep-alive comment, and a folder's
 *   keep-alive event (Messages' `ping`), prove the connection lives, not that the model makes progress, and
 *   OpenRouter sends them while it waits on a provider that may never answer;
 * - `maxResponseBytes` is counted on the accumulated text (`ResponseTooLargeError` with `partial`);
 * - every failure after the first data event carries what arrived as `error.partial`;
 * - the caller's signal, `abort()` and leaving the loop early cancel the request and the body read.
 *
 * Retries and fallbacks are the pipeline's and end at the response headers (`open`): nothing is re-sent once
 * the body has started. The consumer's side is core's `EventChannel` (async iterable + `final()`).
 */
import type { FinalIterable } from "../core/final-iterable.js";
import type { StreamOutcome } from "./events.js";
import { EventMachine } from "./event-machine.js";
import type { EventStreamInit } from "./event-types.js";

export type { StreamOutcome };
export { END, KEEP_ALIVE, PROGRESS } from "./event-types.js";
export type { EventFolder, EventStreamInit, EventStreamSettled, Verdict } from "./event-types.js";

/**
 * A typed event stream: iterate its events (read once; `break` aborts the request), or `await final()`.
 *
 * @example
 * const stream = client.responses.stream({ model: "openai/gpt-4o-mini", input: "Hi" });
 * for await (const e of stream) if (e.type === "response.output_text.delta") process.stdout.write(e.delta);
 * const { text, usage, cost } = await stream.final();
 */
export class EventStream<E, R> implements FinalIterable<E, R> {
  readonly #machine: EventMachine<E, R>;

  constructor(init: EventStreamInit<E, R>) {
    this.#machine = new EventMachine(init);
  }

  /** How the stream ended, once it has (`undefined` while it runs). */
  get outcome(): StreamOutcome | undefined {
    return this.#machine.outcome;
  }

  /** True once the stream has completed, failed or been aborted. */
  get done(): boolean {
    return this.#machine.outcome !== undefined;
  }

  /** The events, in order. Read once; leaving the loop early aborts the request (`final()` then rejects). */
  [Symbol.asyncIterator](): AsyncIterableIterator<E> {
    return this.#machine.channel[Symbol.asyncIterator]();
  }

  /** The assembled result, or the typed error (with `partial`). Reads the body itself when nobody iterates. */
  final(): Promise<R> {
    return this.#machine.channel.final();
  }

  /** Stops the request and the body read; the stream ends with an `AbortError` carrying the partial output. */
  abort(reason?: unknown): void {
    this.#machine.abort(reason);
  }
}

