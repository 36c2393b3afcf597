/**
 * `client.responses`: the OpenAI Responses API (`POST /responses`) on OpenRouter. A tiny facade: the code
 * behind each method (responses-impl.ts and the stream it builds) is loaded on first use.
 */
import type { CallOptions } from "../core/types.js";
import { type AbortableStream, lazyStream } from "../stream/lazy-stream.js";
import type { ResponsesParams, ResponsesResult, ResponsesStreamEvent } from "../stream/responses-result.js";
import type { VerbContext } from "./context.js";

/** A streamed Responses call: its typed events (read once), `final()` for the result, `abort()`. */
export type ResponsesStream = AbortableStream<ResponsesStreamEvent, ResponsesResult>;

/** The Responses API. */
export interface Responses {
  /**
   * One response (not streamed). Throws a typed `OpenRouterError` on failure, including a `status: "failed"`
   * response sent as a 200; bad input is an `InvalidArgumentError` and nothing is sent.
   *
   * @example
   * const { text, usage, cost } = await client.responses.create({ model: "openai/gpt-4o-mini", input: "Hi" });
   */
  create(params: ResponsesParams, options?: CallOptions): Promise<ResponsesResult>;
  /**
   * A streamed response: iterate its typed events, or `await stream.final()` for the result. Bad input
   * rejects the first `next()` / `final()` with an `InvalidArgumentError`, and nothing is sent.
   *
   * @example
   * const stream = client.responses.stream({ model: "openai/gpt-4o-mini", input: "Hi" });
   * for await (const e of stream) if (e.type === "response.output_text.delta") process.stdout.write(e.delta);
   */
  stream(params: ResponsesParams, options?: CallOptions): ResponsesStream;
}

export function responsesNamespace(ctx: VerbContext): Responses {
  const load = () => import("./responses-messages-impl.js");
  return {
    create: (params, options) => load().then((m) => m.createResponse(ctx, params, options)),
    stream: (params, options) => lazyStream(() => load().then((m) => m.streamResponse(ctx, params, options))),
  };
}
