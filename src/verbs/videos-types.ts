/**
 * The public types of `client.videos` (the facade is videos.ts, the code videos-impl.ts).
 */
import type { components } from "../generated/openrouter.js";
import type { CallOptions } from "../core/types.js";
import type { BinaryResponse } from "./binary.js";

type Schemas = components["schemas"];

/** The request body of `POST /videos`. */
export type VideoParams = Schemas["VideoGenerationRequest"];
/** A video job: `id`, `status` (`pending`, `in_progress`, `completed`, `failed`, …), `unsigned_urls` when done. */
export type VideoJob = Schemas["VideoJob"];
/** The answer of `GET /videos/models`. */
export type VideoModelList = Schemas["VideoModelListResponse"];

/** Options of `videos.wait`. */
export interface VideoWaitOptions {
  /** Stops waiting (`AbortError`); the job itself goes on. */
  signal?: AbortSignal | undefined;
  /** Called with the job after every poll. */
  onProgress?: ((job: VideoJob) => void) | undefined;
  /** The first wait between polls, in ms (default 2,000); each wait is 1.5 times the last, up to `maxPollIntervalMs`. */
  pollIntervalMs?: number | undefined;
  /** The longest wait between polls, in ms (default 30,000). */
  maxPollIntervalMs?: number | undefined;
  /** Gives up (`TimeoutError`, the last job on `metadata.job`) after this many ms; default 30 minutes, 0 for never. */
  timeoutMs?: number | undefined;
  /** The wait between polls (tests inject a fake); default a timer the signal cancels. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** The clock `timeoutMs` is measured with (default `Date.now`). */
  now?: (() => number) | undefined;
  /** Options of each poll request (headers, retry, per-poll timeoutMs). */
  request?: CallOptions | undefined;
}

/** `client.videos`. */
export interface Videos {
  /**
   * Starts a job; the answer (202) is the queued job.
   *
   * @example
   * const job = await client.videos.create({ model: "google/veo-3.1", prompt: "a paper boat on a river" });
   */
  create(params: VideoParams, options?: CallOptions): Promise<VideoJob>;
  /**
   * The job's current state (one poll).
   *
   * @example
   * const { status } = await client.videos.get(job.id);
   */
  get(id: string, options?: CallOptions): Promise<VideoJob>;
  /**
   * Polls with backoff until the job is `completed` (resolves with it) or ends without a video (`VideoJobError`).
   *
   * @example
   * const done = await client.videos.wait(job.id, { onProgress: (j) => console.log(j.status) });
   */
  wait(id: string, options?: VideoWaitOptions): Promise<VideoJob>;
  /**
   * A finished job's video (`index` picks one of several), as a stream or bytes.
   *
   * @example
   * const video = await client.videos.content(job.id);
   * const mp4 = await video.bytes();
   */
  content(id: string, options?: CallOptions & { index?: number | undefined }): Promise<BinaryResponse>;
  /**
   * The video generation models.
   *
   * @example
   * const { data } = await client.videos.models();
   */
  models(options?: CallOptions): Promise<VideoModelList>;
}
