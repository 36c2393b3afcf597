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
