/**
 * The video verbs. `wait` is a polling loop of ordinary calls (each one a pipeline call with its own retries),
 * with backoff between polls; its clock and sleep are injectable so tests run on fake time.
 */
import { InvalidArgumentError, describe } from "../core/errors.js";
import { AbortError, TimeoutError } from "../core/call-errors.js";
import type { CallOptions } from "../core/types.js";
import { SleepAbortedError, abortableSleep } from "../internal/sleep.js";
import { type BinaryResponse, binaryResponse, openBinary } from "./binary.js";
import type { VerbContext } from "./context.js";
import { callFor, checkParams, checkString, pathId, queryString, recordUsage, run, runJson } from "./media-common.js";
import { VideoJobError } from "./videos-errors.js";
import type { VideoJob, VideoModelList, VideoParams, VideoWaitOptions } from "./videos-types.js";

/** The states a job does not leave without a video. */
const FAILED = new Set(["failed", "cancelled", "expired"]);
const DEFAULT_POLL_MS = 2_000;
const DEFAULT_MAX_POLL_MS = 30_000;
const DEFAULT_WAIT_MS = 30 * 60_000;

export async function create(ctx: VerbContext, params: VideoParams, options?: CallOptions): Promise<VideoJob> {
  const verb = "videos.create";
  const body = checkParams(verb, params);
  checkString(verb, "params.model", body["model"]);
  return runJson<VideoJob>(ctx, callFor(verb, "POST", "/videos", options, body), options);
}

export async function get(ctx: VerbContext, id: string, options?: CallOptions): Promise<VideoJob> {
  return runJson<VideoJob>(ctx, callFor("videos.get", "GET", `/videos/${pathId("videos.get", id)}`, options), options);
}

export async function content(ctx: VerbContext, id: string, options: CallOptions & { index?: number | undefined } = {}): Promise<BinaryResponse> {
  const verb = "videos.content";
  const { index, ...callOptions } = checkParams(verb, options, "an options object") as CallOptions & { index?: number };
  if (index !== undefined && (!Number.isInteger(index) || index < 0)) throw new InvalidArgumentError(`${verb}(): index must be a non-negative integer, got ${String(index)}`);
  const path = `/videos/${pathId(verb, id)}/content${queryString(verb, { index })}`;
  return binaryResponse(await run(ctx, callFor(verb, "GET", path, callOptions), openBinary, callOptions));
}

export async function models(ctx: VerbContext, options?: CallOptions): Promise<VideoModelList> {
  return runJson<VideoModelList>(ctx, callFor("videos.models", "GET", "/videos/models", options), options);
}

function checkMs(name: string, value: unknown, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) {
    throw new InvalidArgumentError(`videos.wait(): ${name} must be a ${allowZero ? "non-negative" : "positive"} number of ms, got ${String(value)}`);
  }
  return value;
}

export async function wait(ctx: VerbContext, id: string, options: VideoWaitOptions = {}): Promise<VideoJob> {
  const verb = "videos.wait";
  const o = checkParams(verb, options, "an options object") as VideoWaitOptions;
  pathId(verb, id);
  let interval = checkMs("pollIntervalMs", o.pollIntervalMs, DEFAULT_POLL_MS);
  const maxInterval = Math.max(interval, checkMs("maxPollIntervalMs", o.maxPollIntervalMs, DEFAULT_MAX_POLL_MS));
  const timeoutMs = checkMs("timeoutMs", o.timeoutMs, DEFAULT_WAIT_MS, true);
  for (const name of ["onProgress", "sleep", "now"] as const) {
    if (o[name] !== undefined && typeof o[name] !== "function") throw new InvalidArgumentError(`${verb}(): ${name} must be a function`);
  }
  const sleep = o.sleep ?? abortableSleep;
  const now = o.now ?? Date.now;
  const signal = o.signal;
  const request: CallOptions = { ...o.request, ...(signal && { signal }) };
  const info = { method: "GET", path: `/videos/${id}` };
  const started = now();
  for (;;) {
    const job = await get(ctx, id, request);
    o.onProgress?.(job);
    if (job.status === "completed") {
      recordUsage(ctx, undefined, job.generation_id, job.usage?.cost);
      return job;
    }
    if (FAILED.has(job.status)) {
      const why = job.error ? `: ${job.error}` : "";
      throw new VideoJobError(`Video job ${id} ended ${job.status}${why}${describe(info)}`, { ...info, job, ...(job.generation_id && { generationId: job.generation_id }) });
    }
    if (timeoutMs > 0 && now() - started + interval > timeoutMs) {
      throw new TimeoutError(`Video job ${id} was still ${job.status} after waiting ${timeoutMs} ms; it goes on, wait for it again or poll it${describe(info)}`, {
        ...info,
        retryable: false,
        metadata: { job },
      });
    }
    try {
      await sleep(interval, signal);
    } catch (cause) {
      if (cause instanceof SleepAbortedError || signal?.aborted) throw new AbortError(`Waiting for video job ${id} aborted by the caller${describe(info)}`, { ...info, cause });
      throw cause;
    }
    interval = Math.min(interval * 1.5, maxInterval);
  }
}
