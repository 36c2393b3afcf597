/**
 * accounting/'s public functions, as the package entry (index.ts) exports them. Each is a binding declared here,
 * not a re-export, and that is this file's whole job. Why: a bundler that splits code (esbuild) places every
 * module it can reach from an entry, through any import or re-export, in the entry's chunks when some chunk
 * uses that module, and the client's lazily loaded code uses these. Re-exported directly, cost.ts (with
 * tokens.ts, and result.ts and wire-error.ts behind it), routing.ts and generation.ts were loaded by every
 * `import { OpenRouter }`. A re-export through this file ends here: nothing but index.ts imports it, so for an
 * importer that takes none of these names it is dead, and the modules behind it stay in their lazy chunks.
 * Code inside the package imports the modules themselves.
 */
import { fallbackModels as fallbackModelsOf, isRoutingOnlyVariant as isRoutingOnly, parseModelId as parse, providerPreferences as preferences, withVariant as variantOf } from "./routing.js";
import { costOf as costOfCall, estimateCost as estimate, hasFixedPricing as fixedPricing } from "./cost.js";
import { fetchGeneration as fetchGenerationCost, generationCost as generationCostOf } from "./generation.js";
import { estimateTokens as tokensOf, fitsContext as fits } from "./tokens.js";

/** Splits a model id into author, slug and variant (see routing.ts). */
export const parseModelId: typeof parse = parse;
/** True for variants that only change routing (`nitro`, `floor`, `exacto`, `online`) (see routing.ts). */
export const isRoutingOnlyVariant: typeof isRoutingOnly = isRoutingOnly;
/** `model` with `variant` as its only suffix; `undefined` strips it (see routing.ts). */
export const withVariant: typeof variantOf = variantOf;
/** The `models` fallback array, every id checked, no duplicates (see routing.ts). */
export const fallbackModels: typeof fallbackModelsOf = fallbackModelsOf;
/** Provider routing preferences, checked and returned unchanged (see routing.ts). */
export const providerPreferences: typeof preferences = preferences;
/** True when the model has fixed catalogue prices (routers list `"-1"`) (see cost.ts). */
export const hasFixedPricing: typeof fixedPricing = fixedPricing;
/** The cost of one call, from the best source available (see cost.ts). */
export const costOf: typeof costOfCall = costOfCall;
/** Worst-case spend of a request on a model, from live catalogue pricing (see cost.ts). */
export const estimateCost: typeof estimate = estimate;
/** `GET /generation`'s `data` object as a `GenerationCost` (see generation.ts). */
export const generationCost: typeof generationCostOf = generationCostOf;
/** `GET /generation?id=…`: the authoritative cost of a finished call, the early 404 retried (see generation.ts). */
export const fetchGeneration: typeof fetchGenerationCost = fetchGenerationCost;
/** Approximate prompt tokens of text, a message, a message list or a request (see tokens.ts). */
export const estimateTokens: typeof tokensOf = tokensOf;
/** Whether a prompt plus `maxTokens` fits the model's context window (see tokens.ts). */
export const fitsContext: typeof fits = fits;
