/**
 * The error of a video job that ended without a video. It loads with the videos verbs; the public index exports
 * it through verbs/public.ts, which keeps it out of the core bundle.
 */
import { OpenRouterError, type OpenRouterErrorInit } from "../core/errors.js";
import type { components } from "../generated/openrouter.js";

/**
 * A video job ended `failed`, `cancelled` or `expired`. Not retryable: the job is over; create a new one. The
 * last state of the job (its `error`, `status`, `generation_id`) is on `job`.
 *
 * @example
 * catch (e) { if (isOpenRouterError(e) && e.kind === "job_failed") console.log((e as VideoJobError).job.status); }
 */
export class VideoJobError extends OpenRouterError {
  override name = "VideoJobError";
  override readonly kind = "job_failed" as const;
  /** The job as the last poll returned it. */
  readonly job: components["schemas"]["VideoJob"];

  constructor(message: string, init: OpenRouterErrorInit & { job: components["schemas"]["VideoJob"] }) {
    const { job, ...rest } = init;
    super(message, { ...rest, retryable: false });
    this.job = job;
  }
}
Object.defineProperty(VideoJobError, "name", { value: "VideoJobError" });
