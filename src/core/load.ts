/**
 * Code loaded on first use. The client's core bundle holds only what a plain chat or stream needs; the rest
 * (the model catalogue, the breaker and limiters, the stream machine, ...) is behind `import()`. This is the one
 * place those loads are cached and their failures typed.
 */
import { ConnectionError } from "./errors.js";

/** Loads a module once; `value` holds it from then on, so hot paths use it without an `await`. */
export interface Lazy<T> {
  (): Promise<T>;
  value?: T;
}

/**
 * One shared `import()`: concurrent callers wait for the same load, later callers read `value` synchronously.
 * A failed load (a chunk missing from a deployment, a network error while a browser fetches it) is not
 * cached, so the next call tries again, and it reaches the caller as a `ConnectionError` with the cause.
 *
 * @example
 * const machine = lazy("the stream reader", () => import("./machine.js"));
 * const { StreamMachine } = machine.value ?? (await machine());
 */
export function lazy<T>(what: string, load: () => Promise<T>): Lazy<T> {
  let loading: Promise<T> | undefined;
  const get: Lazy<T> = () =>
    (loading ??= load().then(
      (module) => (get.value = module),
      (cause: unknown) => {
        loading = undefined;
        throw new ConnectionError(`Could not load ${what} (part of openrouter-fetch loaded on first use): ${String(cause)}`, { cause });
      },
    ));
  return get;
}
