/**
 * How the Responses and Messages verbs run on the one pipeline: a checked body becomes a `Call`; `create` reads
 * the JSON answer into the API's result, `stream` hands the 2xx response to an `EventStream` with the API's
 * folder. Both record the call on the client's usage tracker (through the result's chat-shaped view) and
 * report the result to the resilience layer's hooks and span, as `chat` and `chatStream` do.
 */
import { checkMaxResponseBytes } from "../core/response-limit.js";
import { type Outcome, wasAccepted } from "../core/pipeline.js";
import { type Reader, parseJson, readText } from "../core/read.js";
import type { ChatResult, ResultContext } from "../core/result.js";
import type { TransportResponse } from "../core/transport.js";
import type { Call, CallOptions } from "../core/types.js";
import { checkCallOptions, checkKeySet, serializeBody } from "../core/validate.js";
import { EventStream, type EventFolder } from "../stream/event-stream.js";
import type { TextResultBase } from "../stream/text-results.js";
import { streamTimeouts } from "../stream/options.js";
import { callOf } from "../core/request.js";
import type { VerbContext } from "./context.js";
import type { TextApiShape } from "./text-budget.js";
import type { BudgetReservation } from "../accounting/usage.js";
import { lazy } from "../core/load.js";

// The estimator and the catalogue load with the first call made under a budget, never without one.
const budgetCode = /* @__PURE__ */ lazy("the budget checks", () => import("./text-budget.js"));

/** Whether a call must hold its worst case on a budget (the client's, or `preSend.budgetUsd`), as chat does. */
function budgetOn(ctx: VerbContext): boolean {
  return ctx.usage.budgetUsd !== undefined || ctx.options.preSend.budgetUsd !== undefined;
}

/**
 * Reserves the call's worst case before sending (see UsageTracker.reserve): concurrent calls see each other's
 * holds, so together they cannot overrun the budget. Only called when {@link budgetOn}.
 */
async function reserve(ctx: VerbContext, shape: TextApiShape, body: Record<string, unknown>, signal: AbortSignal | undefined, options: CallOptions): Promise<BudgetReservation | undefined> {
  const { reserveTextCall } = budgetCode.value ?? (await budgetCode());
  return reserveTextCall(ctx, shape, body, signal, options.fallbackModels);
}

/** What differs between the text APIs. */
export interface TextApi<E, R extends TextResultBase> {
  path: string;
  /** How the budget prices a body of this API (text-budget.ts). */
  shape: TextApiShape;
  /** The stream's name in messages ("ResponsesStream"). */
  what: string;
  result(raw: unknown, ctx: ResultContext): R;
  chatView(result: R): ChatResult;
  folder(): EventFolder<E, R>;
}

/** A streamed attempt ends at its 2xx headers: the body is the stream's to read. */
const openStream = async (res: TransportResponse): Promise<TransportResponse> => res;

/** The `Call` of a checked body; the body is serialised here, so one JSON cannot encode fails before sending. */
function textCall(ctx: VerbContext, path: string, body: Record<string, unknown>, stream: boolean, options: CallOptions, verb: string): Call {
  checkCallOptions(verb, options);
  const model = typeof body["model"] === "string" ? body["model"] : undefined;
  checkKeySet(ctx.options, { method: "POST", path, ...(model !== undefined && { model }) });
  const sent = stream ? { ...body, stream: true } : body;
  return callOf({ verb, method: "POST", path, body: sent, serialized: serializeBody(verb, sent), stream, ...(model !== undefined && { model }) }, options);
}

function maxResponseBytesOf(ctx: VerbContext, options: CallOptions): number {
  return checkMaxResponseBytes(options.maxResponseBytes) ?? ctx.options.maxResponseBytes;
}

/** The API result behind each chat-shaped view a `create` attempt hands the pipeline. */
const RESULTS = new WeakMap<ChatResult, TextResultBase>();

/**
 * One non-streamed call: the API's result, with attempts and fallbacks; recorded on `client.usage`. The attempt
 * resolves with the result's chat-shaped view, so the hooks, the span and the token limiter read the same
 * fields (`prompt_tokens`, `completion_tokens`, `cost`, …) as for a chat call.
 */
export async function createText<E, R extends TextResultBase>(ctx: VerbContext, api: TextApi<E, R>, body: Record<string, unknown>, options: CallOptions, verb: string): Promise<R> {
  const call = textCall(ctx, api.path, body, false, options, verb);
  // With a budget, the call's worst case is held from here until it is recorded, as chat's is.
  const hold = budgetOn(ctx) ? await reserve(ctx, api.shape, body, options.signal, options) : undefined;
  const read: Reader<ChatResult> = async (res, attempt) => {
    const result = api.result(parseJson(await readText(res, attempt), attempt.info, res.status), {
      ...attempt.info,
      headers: res.headers,
      timing: { ttfbMs: attempt.ttfbMs, totalMs: performance.now() - attempt.startedAt },
    });
    const view = api.chatView(result);
    RESULTS.set(view, result);
    return view;
  };
  let run: Outcome<ChatResult>;
  try {
    run = await ctx.pipeline.call(call, read, maxResponseBytesOf(ctx, options));
  } catch (error) {
    // A failure after OpenRouter accepted the call may still have been billed (see UsageTracker.recordFailure).
    ctx.usage.recordFailure(error, { model: call.model, reservation: hold, accepted: wasAccepted(error) });
    throw error;
  }
  const view = run.value;
  const result = RESULTS.get(view) as R;
  result.attempts = view.attempts = run.attempts;
  result.fallbacks = view.fallbacks = run.fallbacks;
  ctx.usage.record(view, hold);
  return result;
}

/** One streamed call. Retries and fallbacks happen only before the first byte of the body. */
export function streamText<E, R extends TextResultBase>(ctx: VerbContext, api: TextApi<E, R>, body: Record<string, unknown>, options: CallOptions, verb: string): EventStream<E, R> {
  // `open` lets go of the request once it is sent: `onSettled` shares this scope and lives as long as the
  // stream, and the call and the body hold the request (the input and its serialised JSON).
  let call: Call | undefined = textCall(ctx, api.path, body, true, options, verb);
  let request: Record<string, unknown> | undefined = body;
  const model = call.model;
  let run: Outcome<TransportResponse> | undefined;
  let hold: BudgetReservation | undefined;
  // The stream's request controller, shared with the call's deadline: it aborts this one at the total timeout
  // rather than make a second one for the fetch.
  const controller = new AbortController();
  return new EventStream<E, R>({
    what: api.what,
    folder: api.folder(),
    controller,
    // The total timeout covers the wait for the response headers; the stream's own timeouts take over then.
    // `open` runs once per stream: the stream's signal (it aborts with the caller's) is set on the call in place.
    open: async (signal) => {
      if (budgetOn(ctx)) {
        hold = await reserve(ctx, api.shape, request!, signal, options);
        // Settled (aborted, timed out) while the hold was taken: nothing will be sent, so nothing is held.
        if (signal.aborted) hold?.release();
      }
      const sent = call!;
      call = request = undefined;
      sent.signal = signal;
      sent.signalController = controller;
      return (run = await ctx.pipeline.call(sent, openStream)).value;
    },
    info: { method: "POST", path: api.path, ...(model !== undefined && { model }) },
    signal: options.signal,
    ...streamTimeouts(options, ctx.options),
    maxResponseBytes: maxResponseBytesOf(ctx, options),
    onSettled: ({ result, error }) => {
      if (result) {
        if (run) {
          result.attempts = run.attempts;
          result.fallbacks = run.fallbacks;
        }
        const view = api.chatView(result);
        run?.recordResult(view);
        ctx.usage.record(view, hold);
      } else if (error) {
        run?.recordError(error);
        // `run` is set once a 2xx answer arrived: only then may the call have been billed.
        ctx.usage.recordFailure(error, { model, reservation: hold, accepted: run !== undefined });
      } else hold?.release();
    },
  });
}
