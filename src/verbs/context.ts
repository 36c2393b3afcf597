/**
 * verbs/: the API areas beyond chat (Responses, Messages, images, audio, videos, files, keys, presets,
 * generations), each a small namespace on the client whose methods describe their request as a `Call` and run
 * it on the one pipeline. A namespace's module holds only a thin facade; the code behind each method is loaded
 * with `import()` on first use so it never weighs on the core bundle. May import core/, stream/, accounting/,
 * internal/ and options.ts; never client.ts (the client builds the context and hands it down).
 *
 * This file is the context every namespace is built with.
 */
import type { Pipeline } from "../core/pipeline.js";
import type { UsageTracker } from "../accounting/usage.js";
import type { ModelRegistry } from "../accounting/models.js";
import type { ResolvedOptions } from "../options.js";

/** What a namespace needs from its client: the pipeline, the resolved options and the usage tracker. */
export interface VerbContext {
  readonly pipeline: Pipeline;
  readonly options: ResolvedOptions;
  /** Read through a getter: a namespace records cost and usage on the client's tracker. */
  readonly usage: UsageTracker;
  /** The client's model catalogue, which prices a text call's budget hold (one `/models` load per client). */
  readonly models: ModelRegistry;
}
