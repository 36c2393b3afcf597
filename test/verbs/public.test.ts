/**
 * verbs/public.ts: the package entry's `VideoJobError` is the videos code's own class (same identity, so
 * `instanceof` holds for what the videos verbs throw), reached through this file so bundlers leave it lazy.
 */
import { describe, expect, it } from "vitest";
import * as face from "../../src/verbs/public.js";
import * as entry from "../../src/index.js";
import { VideoJobError } from "../../src/verbs/videos-errors.js";

describe("verbs/public", () => {
  it("is the videos code's own error class, as the package entry exports it", () => {
    expect(face.VideoJobError).toBe(VideoJobError);
    expect(entry.VideoJobError).toBe(VideoJobError);
    const job = { id: "job-1", status: "failed" } as ConstructorParameters<typeof VideoJobError>[1]["job"];
    const error: entry.VideoJobError = new VideoJobError("the job failed", { job });
    expect(error).toBeInstanceOf(entry.VideoJobError);
    expect(error).toBeInstanceOf(entry.OpenRouterError);
    expect(error.kind).toBe("job_failed");
    expect(error.job).toBe(job);
  });
});
