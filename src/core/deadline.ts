/**
 * The deadline of one call: the caller's signal and the total `timeoutMs`, merged once, with one timer. It is
 * also the one place the abort/timeout error of a call is built (`failure`), so a timeout never surfaces as a
 * bare `AbortError` DOMException and the caller's abort is never mistaken for a timeout.
 *
 * A call that succeeds first time never needs its deadline to fire, so the deadline makes no `AbortController`
 * until someone asks for a real `AbortSignal` (`signal`: the fetch transport, a backoff sleep, a limiter's queue).
 * A transport that watches abort sources itself (the Node transport) is handed the deadline as its signal: the
 * deadline keeps the `aborted`, `reason` and "abort" listener part of `AbortSignal`'s shape, without the event
 * target an `AbortSignal` costs on every call.
 *
 * A caller may also hand over its signal's own controller (a stream does: the request is its own, and it outlives
 * the call). The deadline then aborts that controller at the timeout, and makes no controller of its own and no
 * listener on the caller's signal: an open stream holds one `AbortSignal` for its request, not two.
 */
import { type OpenRouterError, describe, type RequestInfo } from "./errors.js";
import { AbortError, TimeoutError } from "./call-errors.js";

/** An "abort" listener as `AbortSignal` takes it: a function or an object with `handleEvent`. */
type Listener = EventListenerOrEventListenerObject;

export class Deadline {
  readonly timeoutMs: number | undefined;
  readonly callerSignal: AbortSignal | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timedOut = false;
  /** Set by the timer or the caller's abort, when there is a timer (without one, the caller's signal says). */
  #aborted = false;
  #reason: unknown;
  /** Made on the first read of `signal`, only when there is a timer. */
  #controller: AbortController | undefined;
  /** "abort" listeners added to the deadline itself (a transport's request in flight), when there is a timer. */
  #listeners: Listener[] | undefined;
  /**
   * The caller's signal is `#controller`'s, handed over with it: the signal alone says whether the call was
   * aborted (by the caller or by the timer), and the deadline is watched through it, never itself.
   */
  readonly #owned: boolean = false;

  /**
   * @param callerSignal The caller's signal: aborting it aborts the call.
   * @param timeoutMs The call's total time; undefined, 0 or Infinity for none.
   * @param callerController `callerSignal`'s own controller, when the caller lets the call abort it (at the timeout).
   */
  constructor(callerSignal: AbortSignal | undefined, timeoutMs: number | undefined, callerController?: AbortController) {
    this.callerSignal = callerSignal;
    if (timeoutMs === undefined || timeoutMs <= 0 || !Number.isFinite(timeoutMs)) return;
    this.timeoutMs = timeoutMs;
    this.#timer = setTimeout(() => {
      // A call the caller already aborted stays aborted, not timed out.
      if (this.aborted) return;
      this.#timedOut = true;
      this.#abort(new DOMException("timeout", "TimeoutError"));
    }, timeoutMs);
    if (callerController !== undefined && callerController.signal === callerSignal) {
      this.#controller = callerController;
      this.#owned = true;
      return;
    }
    if (callerSignal) {
      if (callerSignal.aborted) this.#abort(callerSignal.reason);
      // `this` as the listener: no closure per call. Kept after `clear()`: the caller's abort still ends a stream.
      else callerSignal.addEventListener("abort", this, { once: true });
    }
  }

  /** The caller's signal fired. */
  handleEvent(): void {
    this.#abort(this.callerSignal?.reason);
  }

  /**
   * The call's signal: the caller's when there is no timeout (undefined when there is neither), otherwise one
   * that aborts at the timeout or with the caller's signal, made on first use.
   */
  get signal(): AbortSignal | undefined {
    if (this.timeoutMs === undefined) return this.callerSignal;
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.timeoutMs === undefined || this.#owned ? this.callerSignal?.aborted === true : this.#aborted;
  }

  /** Why the call was aborted: the caller's reason, or a `TimeoutError` DOMException at the timeout. */
  get reason(): unknown {
    return this.timeoutMs === undefined || this.#owned ? this.callerSignal?.reason : this.#reason;
  }

  /** Whether the call was handed `callerSignal`'s controller: transports then watch that signal, not the deadline. */
  get ownsCallerSignal(): boolean {
    return this.#owned;
  }

  /**
   * As `AbortSignal.addEventListener("abort", listener)`, for a transport that watches the deadline itself; the
   * pipeline hands a deadline only when it has a timer (without one, the caller's signal goes as is).
   */
  addEventListener(_type: "abort", listener: Listener): void {
    (this.#listeners ??= []).push(listener);
  }

  removeEventListener(_type: "abort", listener: Listener): void {
    const i = this.#listeners?.indexOf(listener) ?? -1;
    if (i >= 0) this.#listeners!.splice(i, 1);
  }

  /** Stops the timer once the call has finished (successfully or not). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The typed error for an abort of this deadline's signal: `TimeoutError` (client-side, not retried) or `AbortError`. */
  failure(info: RequestInfo, cause?: unknown): OpenRouterError {
    if (this.#timedOut) {
      return new TimeoutError(`Request timed out after ${this.timeoutMs} ms${describe(info)}`, { ...info, cause, retryable: false });
    }
    return new AbortError(`Request aborted by the caller${describe(info)}`, { ...info, cause });
  }

  #abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    const listeners = this.#listeners;
    this.#listeners = undefined;
    const event = new Event("abort");
    for (const l of listeners ?? []) typeof l === "function" ? l.call(this, event) : l.handleEvent(event);
  }
}
