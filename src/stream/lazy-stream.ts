/**
 * A stream whose implementation is loaded on first use, with `abort()`: what the client's lazy verbs
 * (`client.responses.stream`, `client.messages.stream`) return synchronously while their code stays out of the
 * core bundle. A thin layer over core's `deferred`.
 */
import type { FinalIterable } from "../core/final-iterable.js";
import { deferred, once } from "../core/deferred.js";

/** A read-once stream of events with the assembled result, that can be stopped. */
export interface AbortableStream<E, R> extends FinalIterable<E, R> {
  /** Stops the request (or keeps it from being sent); the stream ends with an `AbortError`. */
  abort(reason?: unknown): void;
}

/**
 * @example
 * const stream = lazyStream(() => import("./impl.js").then((m) => m.stream(params)));
 */
export function lazyStream<E, R>(load: () => Promise<AbortableStream<E, R>>): AbortableStream<E, R> {
  // Called once, then dropped: `load` holds the verb's params, which an open stream must not keep.
  const get = once(load);
  const stream = deferred(get) as AbortableStream<E, R>;
  // A load that failed (bad input) is reported by final() and the iterator; abort has nothing to stop then.
  stream.abort = (reason) => void get().then((inner) => inner.abort(reason), () => undefined);
  return stream;
}
