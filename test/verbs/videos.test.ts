/**
 * client.videos against the stand-in, whose jobs go pending → in_progress → completed across polls (or fail
 * when the prompt asks for it): create answers the 202 job, wait polls with growing intervals on fake time
 * until the job is done or failed (VideoJobError carrying the job), gives up at its timeout, stops on the
 * caller's abort; content downloads the video; bad input is refused with nothing sent.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { AbortError, InvalidArgumentError, NotFoundError, OpenRouter, OpenRouterError, TimeoutError, type VideoJobError } from "../../src/index.js";
import { VideoJobError as VideoJobErrorClass } from "../../src/verbs/videos-errors.js";
import { createMockOpenRouter } from "../../src/testing/index.js";

const BASE = "https://openrouter.ai/api/v1";
const MODEL = "google/veo-3.1";

function setup() {
  const mock = createMockOpenRouter();
  const client = new OpenRouter({ apiKey: "sk-test", baseUrl: BASE, fetch: mock.fetch });
  return { mock, client };
}

/** A fake clock and a sleep that advances it, recording every wait. */
function fakeTime() {
  let now = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("videos", () => {
  it("create answers the queued job; wait polls with backoff until completed; content is the video", async () => {
    const { mock, client } = setup();
    const job = await client.videos.create({ model: MODEL, prompt: "a paper boat" });
    expect(job.status).toBe("pending");
    expect(job.id).toBeTruthy();
    const seen: string[] = [];
    const time = fakeTime();
    const done = await client.videos.wait(job.id, { pollIntervalMs: 1000, maxPollIntervalMs: 1600, onProgress: (j) => seen.push(j.status), ...time });
    expect(seen).toEqual(["pending", "in_progress", "completed"]);
    expect(time.waits).toEqual([1000, 1500]);
    expect(done.unsigned_urls?.length).toBe(1);
    expect(done.usage?.cost).toBe(0.5);
    expect(client.usage.snapshot().costUsd).toBeCloseTo(0.5);

    const video = await client.videos.content(job.id, { index: 0 });
    expect(video.contentType).toBe("video/mp4");
    const bytes = await video.bytes();
    expect(new TextDecoder().decode(bytes.subarray(4, 8))).toBe("ftyp");
    expect(new TextDecoder().decode(bytes)).toContain("a paper boat");
    expect(mock.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /videos",
      `GET /videos/${job.id}`,
      `GET /videos/${job.id}`,
      `GET /videos/${job.id}`,
      `GET /videos/${job.id}/content?index=0`,
    ]);
  });

  it("backs off up to maxPollIntervalMs, on fake timers with the default sleep", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const { client } = setup();
    const job = await client.videos.create({ model: MODEL, prompt: "timers" });
    let settled = false;
    const waiting = client.videos.wait(job.id, { pollIntervalMs: 2000 }).finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(1999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1 + 3000);
    expect((await waiting).status).toBe("completed");
  });

  it("a failed job is a VideoJobError carrying the job; get shows each state", async () => {
    const { client } = setup();
    const job = await client.videos.create({ model: MODEL, prompt: "please [mock:fail]" });
    const error = await client.videos.wait(job.id, fakeTime()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VideoJobErrorClass);
    expect(error).toBeInstanceOf(OpenRouterError);
    const failed = error as VideoJobError;
    expect(failed.name).toBe("VideoJobError");
    expect(failed.job.status).toBe("failed");
    expect(failed.job.error).toContain("mock:fail");
    expect(failed.retryable).toBe(false);
    expect(failed.kind).toBe("job_failed");
    expect(failed.message).toContain(job.id);
    expect((await client.videos.get(job.id)).status).toBe("failed");
    await expect(client.videos.content(job.id)).rejects.toMatchObject({ status: 400 });
  });

  it("gives up after timeoutMs with the last job; the caller's abort stops the wait", async () => {
    const { client } = setup();
    const job = await client.videos.create({ model: MODEL, prompt: "slow" });
    const error = await client.videos.wait(job.id, { ...fakeTime(), pollIntervalMs: 1000, timeoutMs: 1500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).metadata?.["job"]).toMatchObject({ id: job.id });

    const controller = new AbortController();
    const fresh = await client.videos.create({ model: MODEL, prompt: "aborted" });
    const aborting = client.videos.wait(fresh.id, {
      signal: controller.signal,
      sleep: (_ms, signal) =>
        new Promise((_, reject) => {
          signal?.addEventListener("abort", () => reject(signal.reason));
          controller.abort();
        }),
    });
    await expect(aborting).rejects.toBeInstanceOf(AbortError);

    // A sleep that fails for its own reasons fails the wait with its error.
    const broken = new Error("clock broke");
    const other = await client.videos.create({ model: MODEL, prompt: "broken sleep" });
    await expect(client.videos.wait(other.id, { sleep: async () => { throw broken; } })).rejects.toBe(broken);
  });

  it("an unknown job is a NotFoundError; video models are listed", async () => {
    const { client } = setup();
    await expect(client.videos.get("vid-missing")).rejects.toBeInstanceOf(NotFoundError);
    expect(Array.isArray((await client.videos.models()).data)).toBe(true);
  });

  it("refuses bad input before sending", async () => {
    const { mock, client } = setup();
    await expect(client.videos.create(null as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.videos.create({ prompt: "x" } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.videos.get("")).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.videos.get(42 as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.videos.content("v", { index: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.videos.content("v", { index: 1.5 })).rejects.toBeInstanceOf(InvalidArgumentError);
    for (const options of [{ pollIntervalMs: 0 }, { pollIntervalMs: -5 }, { maxPollIntervalMs: Number.NaN }, { timeoutMs: -1 }, { onProgress: 1 }, { sleep: "no" }, null]) {
      await expect(client.videos.wait("v", options as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    expect(mock.requests).toHaveLength(0);
  });

  it("an id cannot change the path it is sent to", async () => {
    const { mock, client } = setup();
    await expect(client.videos.get("../keys")).rejects.toBeInstanceOf(NotFoundError);
    expect(mock.requests[0]?.path).toBe("/videos/..%2Fkeys");
  });
});
