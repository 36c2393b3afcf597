/**
 * `client.generations`: a finished generation's stored content, and feedback on it. A thin facade: each method
 * loads generations-impl.ts on first use. (Its stats and cost stay `client.generation(id)`.)
 */
import type { CallOptions } from "../core/types.js";
import type { VerbContext } from "./context.js";
import type { ManagementCallOptions } from "./json-call.js";
import type { GenerationContentResponse, GenerationFeedbackParams, GenerationFeedbackResponse } from "./generations-types.js";
import { lazyNamespace } from "./lazy-namespace.js";

/**
 * Content and feedback of finished generations, by id (`result.generationId`).
 *
 * @example
 * const { data } = await client.generations.content(result.generationId!);
 * console.log(data.output.completion);
 */
export interface Generations {
  /** `GET /generation/content`: the prompt and output OpenRouter stored for a generation (with the API key). */
  content(id: string, options?: CallOptions): Promise<GenerationContentResponse>;
  /** `POST /generation/feedback`: rate a generation. Needs a management key (the client's or `{ managementKey }`). */
  feedback(id: string, params: GenerationFeedbackParams, options?: ManagementCallOptions): Promise<GenerationFeedbackResponse>;
}

/** `client.generations`, built on the client's context. */
export const generations = (ctx: VerbContext): Generations => lazyNamespace(ctx, () => import("./generations-impl.js"), ["content", "feedback"]);
