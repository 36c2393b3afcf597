/**
 * `client.images`: image generation (`POST /images`, as JSON or with partial images streamed as events) and
 * the image models (`GET /images/models`). The facade; its types are in images-types.ts, the code in
 * images-impl.ts, loaded on first use.
 */
import type { Images } from "./images-types.js";
import type { VerbContext } from "./context.js";
import { lazyNamespace } from "./lazy-namespace.js";

export type * from "./images-types.js";

/** The facade the client builds. */
export const images = (ctx: VerbContext): Images => lazyNamespace(ctx, () => import("./media-impl.js").then((m) => m.images), ["generate", "models"]);
