/**
 * The code behind a client's first request, loaded with one `import()` (see `lazy-pipeline.ts`): the pipeline
 * and what it stands on (request building, bounded reads, results, wire errors, the fetch transport), the
 * per-call options (`callOf`) and readers the client's verbs hand it, and the resilience run loop. Re-exports
 * only: a `new OpenRouter()` that never calls loads none of this.
 */
export { createPipeline, wasAccepted } from "./pipeline.js";
export { readChat, readJson, shapeError } from "./read.js";
export { fetchTransport } from "./transport.js";
export { callOf } from "./request.js";
// Not called from here: re-exported so the run loop's code arrives with this load, and the resilience layer's
// own `import()` of it (core/resilience/lazy.ts) then fetches only its small entry file, not the code.
export { createResilience } from "./resilience/run.js";
