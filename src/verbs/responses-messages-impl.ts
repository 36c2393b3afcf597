/**
 * The one module `client.responses` and `client.messages` load on first use: a single lazy entry for both, so
 * a bundler splits the shared code into as few chunks as before (each lazy entry point re-partitions the
 * chunks the core bundle is made of, and every chunk boundary costs import/export glue).
 */
export { create as createResponse, stream as streamResponse } from "./responses-impl.js";
export { create as createMessage, stream as streamMessage } from "./messages-impl.js";
