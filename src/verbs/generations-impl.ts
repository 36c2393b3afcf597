/**
 * What `client.generations` does (loaded on first use by generations.ts): input checks, then one request
 * through the pipeline.
 */
import { InvalidArgumentError } from "../core/errors.js";
import type { CallOptions } from "../core/types.js";
import { quote } from "../internal/quote.js";
import type { VerbContext } from "./context.js";
import { type ManagementCallOptions, paramsObject, runJson } from "./json-call.js";
import type { GenerationContentResponse, GenerationFeedbackParams, GenerationFeedbackResponse } from "./generations-types.js";

/** The categories the spec's feedback body accepts (a closed enum there). */
const CATEGORIES: ReadonlySet<string> = new Set(["latency", "incoherence", "incorrect_response", "formatting", "billing", "api_error", "other"]);
/** The longest comment the spec accepts. */
const MAX_COMMENT = 1000;

function generationId(verb: string, id: unknown): string {
  if (typeof id !== "string" || id.trim() === "") throw new InvalidArgumentError(`${verb}() needs the generation's id (e.g. result.generationId); got ${quote(id)}`);
  return id;
}

export async function content(ctx: VerbContext, id: string, options?: CallOptions): Promise<GenerationContentResponse> {
  const verb = "generations.content";
  return runJson(ctx, { verb, method: "GET", path: "/generation/content", query: { id: generationId(verb, id) } }, options);
}

export async function feedback(
  ctx: VerbContext,
  id: string,
  params: GenerationFeedbackParams,
  options?: ManagementCallOptions,
): Promise<GenerationFeedbackResponse> {
  const verb = "generations.feedback";
  const generation_id = generationId(verb, id);
  const p = paramsObject(verb, params, true);
  if (typeof p["category"] !== "string" || !CATEGORIES.has(p["category"])) {
    throw new InvalidArgumentError(`${verb}(): params.category is ${quote(p["category"])}; expected one of ${[...CATEGORIES].join(", ")}`);
  }
  const comment = p["comment"];
  if (comment !== undefined && (typeof comment !== "string" || comment.length > MAX_COMMENT)) {
    throw new InvalidArgumentError(`${verb}(): params.comment must be a string of at most ${MAX_COMMENT} characters`);
  }
  const body = { ...p, generation_id };
  return runJson(ctx, { verb, method: "POST", path: "/generation/feedback", body, management: true }, options);
}
