/**
 * `deferred`: a read-once "async iterable + final()" whose implementation is loaded on first use. A module of its
 * own, apart from the channel in final-iterable.ts, because the client returns these synchronously from its
 * lazily loaded verbs (structuredStream, runTools, the Responses/Messages streams): the client's static code
 * needs these few lines, not the channel.
 */
import type { FinalIterable } from "./final-iterable.js";

/**
 * A stream-shaped value whose implementation is loaded on first use. The client returns these synchronously
 * for verbs whose code (and ajv behind it) must stay out of the core bundle.
 */
export function deferred<E, R>(load: () => Promise<FinalIterable<E, R>>): FinalIterable<E, R> {
  const get = once(load);
  return {
    final: () => get().then((inner) => inner.final()),
    [Symbol.asyncIterator]() {
      let iterator: AsyncIterator<E> | undefined;
      const it = async () => (iterator ??= (await get())[Symbol.asyncIterator]());
      return {
        next: async () => (await it()).next(),
        return: async (value?: unknown) => {
          const inner = await it();
          return inner.return ? inner.return(value) : { done: true as const, value: undefined };
        },
      };
    },
  };
}

/** Former name of `deferred`, kept while callers move over. */
export const lazyIterable = deferred;

/**
 * `load`'s first result, every time; `load` itself is dropped once called, since it may hold the request (a
 * verb's params) that a long-lived stream must not keep.
 */
export function once<T>(load: () => T): () => T {
  let start: (() => T) | undefined = load;
  let value: T;
  return () => {
    if (start !== undefined) {
      value = start();
      start = undefined;
    }
    return value;
  };
}
