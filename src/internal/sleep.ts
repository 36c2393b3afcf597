/**
 * A sleep that the caller's AbortSignal cancels, for backoff waits. Standard timers only.
 *
 * @module
 */

/** Thrown by {@link abortableSleep} when its signal fires; callers turn it into their AbortError. */
export class SleepAbortedError extends Error {
  override readonly name = "SleepAbortedError";
  constructor(readonly reason: unknown) {
    super("sleep aborted");
  }
}

/**
 * Wait `ms` milliseconds; rejects with {@link SleepAbortedError} as soon as `signal` aborts (at
 * once when it is already aborted). The timer is cleared on abort so nothing keeps the process alive.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const wait = abortableSleep(1000, controller.signal);
 * controller.abort(); // wait rejects with SleepAbortedError
 * ```
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (!Number.isFinite(ms) || ms < 0) return Promise.reject(new RangeError(`sleep: bad duration ${ms}`));
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new SleepAbortedError(signal.reason));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new SleepAbortedError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
