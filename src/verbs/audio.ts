/**
 * `client.audio`: text to speech (`POST /audio/speech`, the audio as a stream or bytes) and speech to text
 * (`POST /audio/transcriptions`, a multipart upload). The facade; its types are in audio-types.ts, the code in audio-impl.ts,
 * loaded on first use.
 */
import type { Audio } from "./audio-types.js";
import type { VerbContext } from "./context.js";
import { lazyNamespace } from "./lazy-namespace.js";

export type * from "./audio-types.js";

/** The facade the client builds. */
export const audio = (ctx: VerbContext): Audio => lazyNamespace(ctx, () => import("./media-impl.js").then((m) => m.audio), ["speech", "transcribe"]);
