/**
 * The one facade builder of the media and files namespaces: an object whose methods load the implementation
 * (media-impl.ts, one chunk for the four areas) with `import()` on first use and call the area's function of
 * the same name with the client's `VerbContext`. One small function in the core bundle for every namespace,
 * instead of a class each.
 */
import type { VerbContext } from "./context.js";

type Area = "images" | "audio" | "videos" | "files";

/**
 * An area facade: each name in `methods` (space-separated) becomes an async method that forwards its
 * arguments, after the context, to the implementation's function of that name.
 *
 * @example
 * const images = lazyArea<Images>(ctx, "images", "generate models");
 */
export function lazyArea<T>(ctx: VerbContext, area: Area, methods: string): T {
  const facade: Record<string, unknown> = {};
  for (const name of methods.split(" ")) {
    facade[name] = async (...args: unknown[]) => ((await import("./media-impl.js"))[area] as Record<string, (...a: unknown[]) => unknown>)[name]!(ctx, ...args);
  }
  return facade as T;
}
