/**
 * The facade of an API-area namespace, built from its implementation module's functions: each method loads the
 * module on first use (`import()`, cached by the runtime) and calls the function of the same name with the
 * client's context first. A namespace costs the core bundle a list of names, not its code.
 */
import type { VerbContext } from "./context.js";

/** A module's functions with the context bound: what the namespace's methods look like to a caller. */
export type Bound<M> = { [K in keyof M]: M[K] extends (ctx: VerbContext, ...args: infer A) => infer R ? (...args: A) => R : never };

/**
 * The namespace of `names`, each a method that loads `load()` and calls its function.
 *
 * @example
 * export const keys = (ctx: VerbContext): Keys => lazyNamespace(ctx, () => import("./keys-impl.js"), ["list", "get"]);
 */
export function lazyNamespace<M, K extends keyof M & string>(ctx: VerbContext, load: () => Promise<M>, names: readonly K[]): Pick<Bound<M>, K> {
  const namespace: Record<string, unknown> = {};
  for (const name of names) namespace[name] = async (...args: unknown[]) => ((await load())[name] as (...a: unknown[]) => unknown)(ctx, ...args);
  return namespace as Pick<Bound<M>, K>;
}
