/**
 * A client's pipeline as the client holds it from its constructor: a facade with the `Pipeline` shape whose
 * code (core/runtime.ts: the pipeline, request building, reads, results, wire errors, the run loop) is loaded
 * with `import()` on the first request. From then on every call goes straight to the real pipeline, with no
 * extra `await`, so the per-call cost is that of the pipeline itself.
 */
import { type Lazy, lazy } from "./load.js";
import type { Pipeline, PipelineConfig } from "./pipeline.js";
import type { Transport } from "./transport.js";

/** The runtime module; its `value` is set once loaded, so code that runs after a request reads it synchronously. */
export const runtime: Lazy<typeof import("./runtime.js")> = /* @__PURE__ */ lazy("the request pipeline", () => import("./runtime.js"));

export interface LazyPipelineConfig extends Omit<PipelineConfig, "transport"> {
  /** The caller's transport; without one, the fetch transport over `fetch` is built when the code loads. */
  transport: Transport | undefined;
  fetch: typeof globalThis.fetch;
}

/**
 * The pipeline of `config`, built on the first request.
 *
 * @example
 * const pipeline = lazyPipeline({ ...config, transport: undefined, fetch });
 * const { value } = await pipeline.call(call, readJson); // loads core/runtime.ts once
 */
export function lazyPipeline(config: LazyPipelineConfig): Pipeline {
  let loaded: Pipeline | undefined;
  const build = (m: typeof import("./runtime.js")): Pipeline => {
    const { fetch, ...rest } = config;
    return (loaded ??= m.createPipeline({ ...rest, transport: config.transport ?? m.fetchTransport(fetch) }));
  };
  return {
    call(call, read, maxResponseBytes) {
      if (loaded) return loaded.call(call, read, maxResponseBytes);
      // Loaded by another client (or by the verb, for its reader): build at once, without a microtask hop.
      if (runtime.value) return build(runtime.value).call(call, read, maxResponseBytes);
      return runtime().then((m) => build(m).call(call, read, maxResponseBytes));
    },
    exchange(call) {
      if (loaded) return loaded.exchange(call);
      if (runtime.value) return build(runtime.value).exchange(call);
      return runtime().then((m) => build(m).exchange(call));
    },
  };
}
