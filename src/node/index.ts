/**
 * `openrouter-fetch/node`: the Node transport (undici's connection pool, no fetch layer) and `fileFromPath` (a file
 * on disk as a `File`, read as it is uploaded). Opt-in: the core
 * entry stays on `fetch` and never loads this file or undici.
 *
 * @example
 * import { OpenRouter } from "openrouter-fetch";
 * import { nodeTransport } from "openrouter-fetch/node";
 * const client = new OpenRouter({ transport: nodeTransport() });
 */
export { nodeTransport } from "./transport.js";
export type { NodeTransport, NodeTransportOptions } from "./transport.js";
export { fileFromPath, type FileFromPathOptions } from "./file.js";
