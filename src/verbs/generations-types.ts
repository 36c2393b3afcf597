/**
 * The types of `client.generations`, from the spec (spec/generations.yaml), shared by generations.ts and
 * generations-impl.ts.
 */
import type { components } from "../generated/openrouter.js";

type Schemas = components["schemas"];

/** Answer of `generations.content`: the stored prompt (`data.input`) and output (`data.output`). */
export type GenerationContentResponse = Schemas["GenerationContentResponse"];
/** What `generations.feedback` sends besides the generation's id: a category and an optional comment. */
export type GenerationFeedbackParams = Omit<Schemas["GenerationFeedbackRequest"], "generation_id">;
/** Answer of `generations.feedback`. */
export type GenerationFeedbackResponse = Schemas["GenerationFeedbackResponse"];
