/**
 * `client.videos`: video generation jobs (`POST /videos` answers 202 with a job), polling them
 * (`GET /videos/{id}`, and `wait` until done), downloading the result and listing the video models. This is
 * the facade; its types are in videos-types.ts, the code in videos-impl.ts, loaded on first use.
 */
import type { Videos } from "./videos-types.js";
import type { VerbContext } from "./context.js";
import { lazyNamespace } from "./lazy-namespace.js";

export type * from "./videos-types.js";

/** The facade the client builds. */
export const videos = (ctx: VerbContext): Videos => lazyNamespace(ctx, () => import("./media-impl.js").then((m) => m.videos), ["create", "get", "wait", "content", "models"]);
