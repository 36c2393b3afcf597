import { InvalidArgumentError } from "./errors.js";

/**
 * A stream-shaped value whose implementation is loaded on first use. The client returns these synchronously
 * for verbs whose code (and ajv behind it) must stay out of the core bundle.
 */
export interface IterableWithFinal<E, R> extends AsyncIterable<E> {
  final(): Promise<R>;
}

export function lazyIterable<E, R>(load: () => Promise<IterableWithFinal<E, R>>): IterableWithFinal<E, R> {
  let loaded: Promise<IterableWithFinal<E, R>> | undefined;
  const get = () => (loaded ??= load());
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

/**
 * Wraps an async generator factory as a read-once stream with `final()`. Nothing runs until the first
 * `next()` or `final()`; `final()` after (or during) iteration resolves with the generator's return value
 * and rejects with its error. Breaking out of a loop early cancels the work (the generator's `finally`
 * blocks run) and `final()` then rejects, unless the result had already been produced.
 *
 * @example
 * const stream = iterableWithFinal(async function* () { yield 1; return "done"; }, "demo()");
 */
export function iterableWithFinal<E, R>(
  factory: () => AsyncGenerator<E, R>,
  what: string,
  /** Picks the result out of a final event, so breaking out right after it still resolves `final()`. */
  resultOf?: (event: E) => R | undefined,
): AsyncIterable<E> & { final(): Promise<R> } {
  let generator: AsyncGenerator<E, R> | undefined;
  let settled: { ok: true; value: R } | { ok: false; error: unknown } | undefined;
  let waiters: Array<{ resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  let draining: Promise<R> | undefined;
  let seen: { value: R } | undefined;

  const settle = (outcome: NonNullable<typeof settled>) => {
    if (settled) return;
    settled = outcome;
    for (const w of waiters) outcome.ok ? w.resolve(outcome.value) : w.reject(outcome.error);
    waiters = [];
  };
  const start = () => {
    if (generator) throw new InvalidArgumentError(`${what}: a stream can be iterated only once`);
    generator = factory();
    return generator;
  };
  const step = async (g: AsyncGenerator<E, R>): Promise<IteratorResult<E, undefined>> => {
    try {
      const r = await g.next();
      if (r.done) {
        settle({ ok: true, value: r.value });
        return { done: true, value: undefined };
      }
      const result = resultOf?.(r.value);
      if (result !== undefined) seen = { value: result };
      return r;
    } catch (e) {
      settle({ ok: false, error: e });
      throw e;
    }
  };

  return {
    [Symbol.asyncIterator](): AsyncIterator<E> {
      const g = start();
      return {
        next: () => step(g),
        async return() {
          await g.return(undefined as never).catch(() => undefined);
          if (seen) settle({ ok: true, value: seen.value });
          settle({ ok: false, error: new InvalidArgumentError(`${what}: iteration stopped before the end`) });
          return { done: true, value: undefined };
        },
      };
    },
    final(): Promise<R> {
      if (settled) return settled.ok ? Promise.resolve(settled.value) : Promise.reject(settled.error);
      if (generator) return new Promise<R>((resolve, reject) => waiters.push({ resolve, reject }));
      const g = start();
      draining ??= (async () => {
        for (;;) if ((await step(g)).done) return (settled as unknown as { ok: true; value: R }).value;
      })();
      return draining;
    },
  };
}
