/**
 * The deadline of one call: the caller's signal and the total `timeoutMs`, merged once, with one timer. It is
 * also the one place the abort/timeout error of a call is built (`failure`), so a timeout never surfaces as a
 * bare `AbortError` DOMException and the caller's abort is never mistaken for a timeout.
 */
import { AbortError, type OpenRouterError, TimeoutError, describe, type RequestInfo } from "./errors.js";

export class Deadline {
  readonly signal: AbortSignal | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timedOut = false;
  readonly timeoutMs: number | undefined;
  readonly callerSignal: AbortSignal | undefined;

  constructor(callerSignal: AbortSignal | undefined, timeoutMs: number | undefined) {
    this.callerSignal = callerSignal;
    this.timeoutMs = timeoutMs;
    if (timeoutMs === undefined || timeoutMs <= 0 || !Number.isFinite(timeoutMs)) {
      this.signal = callerSignal;
      return;
    }
    const controller = new AbortController();
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      controller.abort(new DOMException("timeout", "TimeoutError"));
    }, timeoutMs);
    if (callerSignal) {
      if (callerSignal.aborted) controller.abort(callerSignal.reason);
      else callerSignal.addEventListener("abort", () => controller.abort(callerSignal.reason), { once: true });
    }
    this.signal = controller.signal;
  }

  get timedOut(): boolean {
    return this.#timedOut;
  }

  get aborted(): boolean {
    return this.signal?.aborted === true;
  }

  /** Stops the timer once the call has finished (successfully or not). */
  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The typed error for an abort of this deadline's signal: `TimeoutError` (client-side, not retried) or `AbortError`. */
  failure(info: RequestInfo, cause?: unknown): OpenRouterError {
    if (this.#timedOut) {
      return new TimeoutError(`Request timed out after ${this.timeoutMs} ms${describe(info)}`, { ...info, cause, retryable: false });
    }
    return new AbortError(`Request aborted by the caller${describe(info)}`, { ...info, cause });
  }
}
