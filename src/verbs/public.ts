/**
 * verbs/'s public values, as the package entry (index.ts) exports them: `VideoJobError` as a binding declared
 * here, not a re-export, so that `import { OpenRouter }` does not load videos-errors.ts, which the lazily
 * loaded videos code uses (the reason is told in accounting/public.ts). It is the module's own class under a
 * constant of its type, with a type of the same name, so `instanceof` and annotations work as with the class.
 */
import { VideoJobError as VideoJobFailure } from "./videos-errors.js";

/** A video job ended `failed`, `cancelled` or `expired` (see videos-errors.ts). */
export const VideoJobError: typeof VideoJobFailure = VideoJobFailure;
export type VideoJobError = VideoJobFailure;
