/**
 * core/: the request path every verb shares, and what it stands on (types, errors, retry policy, deadline,
 * transport seam, request building, bounded reads, resilience, results, client.api). Imports only internal/
 * and generated/.
 *
 * This file is the one request pipeline: a verb describes its request once as a `Call`; the pipeline gives it a
 * `Deadline`, runs it through the resilience layer (breaker, limits, retries, fallbacks, hooks, spans), sends
 * each attempt through the `Transport` seam, refuses redirects, turns a non-2xx answer into the typed error
 * (reading only the head of its body) and hands a 2xx answer to the verb's `Reader` inside the attempt, so a
 * body cut short is retried like any other failure.
 */
import { ConnectionError, type OpenRouterError, type RequestInfo, describe } from "./errors.js";
import { InvalidResponseError } from "./call-errors.js";
import { errorFromResponse } from "./wire-error.js";
import { bounded } from "../internal/quote.js";
import { redact } from "../internal/redact.js";
import { Deadline } from "./deadline.js";
import { type AttemptContext, type Reader, readErrorBody, readText } from "./read.js";
import { type RequestBase, buildRequest, requestBase } from "./request.js";
import type { Resilience, ResilientResult } from "./resilience/run.js";
import { NO_SIGNAL, type Transport, type TransportResponse, asResponse, isRedirect, watchesAbortSources, networkMessage, stripCause } from "./transport.js";
import type { Call } from "./types.js";

export type { AttemptContext, Reader } from "./read.js";

/** A successful call: the reader's value, which model answered after how many attempts, and the report to close. */
export type Outcome<T> = ResilientResult<T>;

export interface PipelineConfig {
  baseUrl: string;
  apiKey: string | undefined;
  /** Client-wide headers (auth, app attribution, extra), checked, lower-case names. */
  headers: Readonly<Record<string, string>>;
  transport: Transport;
  /** Total time of a call, retries included; undefined or 0 for none. */
  timeoutMs: number | undefined;
  maxResponseBytes: number;
  resilience: Resilience;
}

export interface Pipeline {
  /** Runs `call`; resolves with what `read` made of the 2xx answer, or throws the typed `OpenRouterError`. */
  call<T>(call: Call, read: Reader<T>, maxResponseBytes?: number): Promise<Outcome<T>>;
  /** client.api: a real `Response` for any HTTP status (error bodies buffered, bounded); throws only network/deadline errors. */
  exchange(call: Call): Promise<Response>;
}

/** The typed error behind a `Response` that `exchange` handed back for a failed call. */
const API_ERRORS = new WeakMap<Response, OpenRouterError>();

/** The typed error of a non-2xx `client.api` response (CLI and in-package callers), without parsing it again. */
export function apiErrorOf(response: Response): OpenRouterError | undefined {
  return API_ERRORS.get(response);
}

/** Failures of calls that got a 2xx answer in some attempt: OpenRouter accepted them, so they may have been billed. */
const ACCEPTED = new WeakSet<object>();

/** Whether the call that failed with `error` got a 2xx answer before it failed (usage accounting). */
export function wasAccepted(error: unknown): boolean {
  return typeof error === "object" && error !== null && ACCEPTED.has(error);
}

export function createPipeline(config: PipelineConfig): Pipeline {
  return new RequestPipeline(config);
}

function infoOf(call: Call): RequestInfo {
  return call.model === undefined ? { method: call.method, path: call.path } : { method: call.method, path: call.path, model: call.model };
}

/** The failed answer of an `exchange` attempt, buffered, kept with its error until the run gives up. */
interface Failed {
  error: OpenRouterError;
  response: Response;
}

class RequestPipeline implements Pipeline {
  readonly #base: RequestBase;
  readonly #config: PipelineConfig;
  /** Whether the transport takes the deadline itself as its signal (no `AbortController` per call). */
  readonly #watchesDeadline: boolean;

  constructor(config: PipelineConfig) {
    this.#config = config;
    this.#base = requestBase(config.baseUrl, config.headers);
    this.#watchesDeadline = watchesAbortSources(config.transport);
  }

  async call<T>(call: Call, read: Reader<T>, maxResponseBytes = this.#config.maxResponseBytes): Promise<Outcome<T>> {
    const deadline = new Deadline(call.signal, call.timeoutMs ?? this.#config.timeoutMs, call.signalController);
    let accepted = false;
    try {
      return await this.#config.resilience.run(call, resilienceOptions(call, deadline), async (req) => {
        const startedAt = performance.now();
        const res = await this.#send(req, deadline);
        const ctx = this.#context(req, deadline, startedAt, maxResponseBytes);
        if (res.status >= 200 && res.status < 300) {
          accepted = true;
          // `return await`: an async function that returns a promise unawaited pays two extra microtask hops.
          return await read(res, ctx);
        }
        throw await this.#statusFailure(res, ctx);
      });
    } catch (error) {
      if (accepted && typeof error === "object" && error !== null) ACCEPTED.add(error);
      throw error;
    } finally {
      deadline.clear();
    }
  }

  async exchange(call: Call): Promise<Response> {
    const deadline = new Deadline(call.signal, call.timeoutMs ?? this.#config.timeoutMs, call.signalController);
    let failed: Failed | undefined;
    try {
      const run = await this.#config.resilience.run(call, resilienceOptions(call, deadline), async (req) => {
        const startedAt = performance.now();
        const res = await this.#send(req, deadline);
        const ctx = this.#context(req, deadline, startedAt, this.#config.maxResponseBytes);
        if (res.status >= 200 && res.status < 300) {
          if (req.stream) return asResponse(res);
          // Buffered inside the attempt, so a connection dropped mid-body is retried like any other failure.
          return new Response(await readText(res, ctx), { status: res.status, statusText: res.statusText, headers: res.headers });
        }
        if (isRedirect(res.status)) throw this.#redirectError(res, ctx.info);
        const text = await readErrorBody(res, ctx);
        const error = errorFromResponse(res.status, res.headers, text, ctx.info);
        failed = { error, response: new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers }) };
        throw error;
      });
      // client.api does not parse bodies: close the call's span and hooks with what the pipeline knows.
      run.recordResult(run.model === undefined ? {} : { model: run.model });
      return run.value;
    } catch (error) {
      // The run gave up on an HTTP failure: openapi-fetch gets that answer and builds its `{ error }` itself.
      if (failed !== undefined && error === failed.error) {
        API_ERRORS.set(failed.response, failed.error);
        return failed.response;
      }
      throw error;
    } finally {
      deadline.clear();
    }
  }

  /** One request through the transport; a rejection (network, deadline) becomes the typed error. */
  async #send(req: Call, deadline: Deadline): Promise<TransportResponse> {
    if (deadline.aborted) throw deadline.failure(infoOf(req), deadline.reason);
    try {
      return await this.#config.transport(buildRequest(req, this.#base), this.#signalFor(deadline));
    } catch (cause) {
      const info = infoOf(req);
      if (deadline.aborted) throw deadline.failure(info, cause);
      const key = this.#config.apiKey;
      throw new ConnectionError(`Network error: ${networkMessage(cause, key)}${describe(info)}`, { ...info, cause: stripCause(cause, key) });
    }
  }

  /**
   * What the transport watches: without a timeout, the caller's signal or nothing that can fire; with one, the
   * deadline itself for a transport that takes it, else a real `AbortSignal` (fetch needs one): the caller's own
   * when it handed over its controller.
   */
  #signalFor(deadline: Deadline): AbortSignal {
    if (deadline.timeoutMs === undefined) return deadline.callerSignal ?? NO_SIGNAL;
    return this.#watchesDeadline && !deadline.ownsCallerSignal ? (deadline as unknown as AbortSignal) : deadline.signal!;
  }

  #context(req: Call, deadline: Deadline, startedAt: number, maxResponseBytes: number): AttemptContext {
    const ttfbMs = performance.now() - startedAt;
    return { info: infoOf(req), deadline, startedAt, ttfbMs, maxResponseBytes, apiKey: this.#config.apiKey };
  }

  /** A non-2xx answer as the typed error: redirects refused, the status classified with the head of its body. */
  async #statusFailure(res: TransportResponse, ctx: AttemptContext): Promise<OpenRouterError> {
    if (isRedirect(res.status)) return this.#redirectError(res, ctx.info);
    return errorFromResponse(res.status, res.headers, await readErrorBody(res, ctx), ctx.info);
  }

  /**
   * OpenRouter does not redirect API calls, so one means the base URL is wrong; following it could send the key
   * elsewhere.
   */
  #redirectError(res: TransportResponse, info: RequestInfo): OpenRouterError {
    res.body.cancel();
    const location = res.headers.get("location");
    let target = "";
    if (location) {
      try {
        target = ` to ${bounded(redact(new URL(location, this.#base.baseUrl + (info.path ?? "/")).href, this.#config.apiKey))}`;
      } catch {
        target = " to an invalid address";
      }
    }
    const status = res.status !== 0 ? { status: res.status } : {};
    return new InvalidResponseError(
      `The server answered with a redirect${target}; the client does not follow redirects, so the API key only goes to baseUrl. ` +
        `Set baseUrl to where the API really is${describe({ ...info, ...status })}`,
      { ...info, ...status, retryable: false },
    );
  }
}

/**
 * The per-call part of the resilience layer's options. The deadline builds the abort/timeout errors, and makes
 * its `AbortSignal` only if a backoff sleep or a queue wait needs one.
 */
function resilienceOptions(call: Call, deadline: Deadline) {
  return {
    retry: call.retry,
    fallbackModels: call.fallbackModels,
    onInsufficientCredits: call.onInsufficientCredits,
    deadline,
  };
}
