/**
 * `client.files`: uploads (`POST /files`, multipart, streamed), listing, metadata, content and deletion.
 * The facade; its types are in files-types.ts, the code in files-impl.ts, loaded on first use.
 */
import type { Files } from "./files-types.js";
import type { VerbContext } from "./context.js";
import { lazyNamespace } from "./lazy-namespace.js";

export type * from "./files-types.js";

/** The facade the client builds. */
export const files = (ctx: VerbContext): Files => lazyNamespace(ctx, () => import("./media-impl.js").then((m) => m.files), ["upload", "list", "get", "content", "delete"]);
