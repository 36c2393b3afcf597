/**
 * The one facade builder the media and files namespaces share: an object whose methods load the area's
 * implementation module with `import()` on first use and call it with the client's `VerbContext`. Kept this
 * small because it sits in the core bundle (one function for every namespace, instead of a class each).
 */
import type { VerbContext } from "./context.js";

/**
 * An area facade: each name in `methods` (space-separated) becomes an async method that forwards its
 * arguments, after the context, to the export of the same name of the module `load` resolves to.
 *
 * @example
 * const images = lazyArea<Images>(ctx, () => import("./images-impl.js"), "generate models");
 */
export function lazyArea<T>(ctx: VerbContext, load: () => Promise<object>, methods: string): T {
  const area: Record<string, unknown> = {};
  for (const name of methods.split(" ")) {
    area[name] = async (...args: unknown[]) => ((await load()) as Record<string, (...a: unknown[]) => unknown>)[name]!(ctx, ...args);
  }
  return area as T;
}
