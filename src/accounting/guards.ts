/**
 * Opt-in checks before a chat request is sent: budget, model validation, capability pre-flight and context
 * fit. Each replaces a request that would fail (or overspend) with a clear local error. With none of the
 * options set, {@link runPreSendChecks} returns at once and makes no request, so the hot path stays free.
 */
import { type EstimateParams, estimateCost, hasFixedPricing, toAtto } from "./cost.js";
import { BadRequestError, ContextLengthError } from "../core/call-errors.js";
import type { ModelRegistry, ResolvedModel } from "./models.js";
import type { ChatRequest } from "../core/result.js";
import { parseModelId } from "./routing.js";
import { fitsContext } from "./tokens.js";
import type { BudgetReservation, UsageTracker } from "./usage.js";
import { type Json, isObject } from "../internal/json.js";
import { quote } from "../internal/quote.js";
import { type PreSendOptions, needsPreSendChecks } from "./guards-rule.js";

export { type PreSendOptions, needsPreSendChecks };

export interface PreSendContext {
  body: ChatRequest;
  registry: ModelRegistry;
  usage: UsageTracker;
  options: PreSendOptions;
  signal?: AbortSignal | undefined;
  /** Client-side fallback models the call may go to: the budget prices them as candidates too. */
  fallbackModels?: readonly string[] | false | undefined;
}

const INFO = { method: "POST", path: "/chat/completions" } as const;

/** A request feature that needs a `supported_parameters` entry. */
export interface RequiredParameter {
  /** The `supported_parameters` name. */
  parameter: string;
  /** The request field that needs it, as the caller wrote it. */
  field: string;
}

// Sampling and output parameters OpenRouter only enforces under provider.require_parameters (otherwise
// providers silently ignore what they do not support).
const SOFT_PARAMETERS = [
  "temperature", "top_p", "top_k", "top_a", "min_p", "frequency_penalty", "presence_penalty", "repetition_penalty",
  "seed", "stop", "logit_bias", "logprobs", "top_logprobs", "max_tokens", "max_completion_tokens", "prediction",
  "web_search_options", "parallel_tool_calls", "verbosity",
];

/**
 * The `supported_parameters` a request needs: tools (and tool_choice), response_format / structured_outputs,
 * reasoning; with `provider.require_parameters: true` also every sampling parameter sent.
 *
 * @example
 * requiredParameters({ model, messages, tools, response_format: { type: "json_schema", json_schema } });
 * // [{ parameter: "tools", field: "tools" }, { parameter: "structured_outputs", field: "response_format" }]
 */
export function requiredParameters(body: ChatRequest): RequiredParameter[] {
  const b: Json = isObject(body) ? body : {};
  const out: RequiredParameter[] = [];
  const strict = isObject(b["provider"]) && b["provider"]["require_parameters"] === true;
  const tools = Array.isArray(b["tools"]) ? b["tools"] : [];
  // Server tools (openrouter:web_search, …) run on OpenRouter's side; function tools need the model.
  if (tools.some((t) => isObject(t) && (t["type"] === "function" || t["type"] === undefined))) out.push({ parameter: "tools", field: "tools" });
  const choice = b["tool_choice"];
  if (strict && choice !== undefined && choice !== null && choice !== "auto") out.push({ parameter: "tool_choice", field: "tool_choice" });
  const rf = b["response_format"];
  if (isObject(rf)) {
    if (rf["type"] === "json_schema") out.push({ parameter: "structured_outputs", field: "response_format" });
    else if (rf["type"] === "json_object") out.push({ parameter: "response_format", field: "response_format" });
  }
  const reasoning = b["reasoning"];
  const reasoningOn = isObject(reasoning)
    ? reasoning["enabled"] !== false && reasoning["effort"] !== "none" && !(reasoning["exclude"] === true && Object.keys(reasoning).length === 1)
    : false;
  if (reasoningOn) out.push({ parameter: "reasoning", field: "reasoning" });
  if (typeof b["reasoning_effort"] === "string" && b["reasoning_effort"] !== "none") out.push({ parameter: "reasoning", field: "reasoning_effort" });
  if (b["include_reasoning"] === true) out.push({ parameter: "reasoning", field: "include_reasoning" });
  if (strict) {
    for (const p of SOFT_PARAMETERS) if (b[p] !== undefined && b[p] !== null) out.push({ parameter: p, field: p });
  }
  return out;
}

/** The call's models, the primary first: `model`, then `models` (each once). */
export function candidateIds(body: Json): string[] {
  const ids: string[] = [];
  if (typeof body["model"] === "string") ids.push(body["model"]);
  if (Array.isArray(body["models"])) for (const m of body["models"]) if (typeof m === "string" && !ids.includes(m)) ids.push(m);
  return ids;
}

function supports(model: ResolvedModel, parameter: string): boolean | undefined {
  const params = model.supported_parameters;
  // An empty or missing list means "unknown" (routers, brand-new models): never block on it.
  if (!Array.isArray(params) || params.length === 0) return undefined;
  if (params.includes(parameter)) return true;
  // Reasoning models list include_reasoning / reasoning_effort; either counts as reasoning support.
  if (parameter === "reasoning" && (params.includes("include_reasoning") || params.includes("reasoning_effort"))) return true;
  return false;
}

/** What to do instead when a structured-output mode is not supported. */
function structuredAdvice(model: ResolvedModel, wanted: string): { mode: "json_object" | "tools" | "prompt"; text: string } {
  if (wanted === "structured_outputs" && supports(model, "response_format")) {
    return { mode: "json_object", text: `use response_format {type:"json_object"} (JSON mode) and describe the schema in the prompt` };
  }
  if (supports(model, "tools")) {
    return { mode: "tools", text: "use a forced tool call whose parameters are the schema (tool_choice naming that function)" };
  }
  return { mode: "prompt", text: "ask for JSON in the prompt and validate the text yourself; this model has no JSON mode or tool calling" };
}

function preflightError(model: ResolvedModel, need: RequiredParameter): BadRequestError {
  const id = model.requestedId;
  const listed = (model.supported_parameters ?? []).join(", ");
  let message = `${id} does not support "${need.parameter}" (needed by ${need.field}); OpenRouter would answer 404 "No endpoints found"`;
  const metadata: Json = { parameter: need.parameter, field: need.field, supportedParameters: model.supported_parameters };
  if (need.parameter === "structured_outputs" || need.parameter === "response_format") {
    const advice = structuredAdvice(model, need.parameter);
    message += `. Instead, ${advice.text}`;
    metadata["suggestedMode"] = advice.mode;
  }
  message += `. Supported: ${listed}.`;
  return new BadRequestError(message, { ...INFO, model: id, code: "unsupported_parameter", errorType: "unsupported_parameter", metadata });
}

/**
 * Runs the enabled checks for one chat request, in order of cost: the budget already spent (no network), then
 * model validation, capability pre-flight and context fit (one cached `/models` load), then the budget
 * reservation. With fallbacks (`models`), pre-flight and context checks fail only when no candidate can serve
 * the request.
 *
 * With a budget, the call's worst case (the dearest candidate; prices from the catalogue, loaded once and shared
 * by concurrent calls when missing) is reserved on the tracker, checked and taken in one synchronous step: the
 * caller must settle the returned reservation (`usage.record` / `recordFailure`) or release it.
 *
 * @throws BudgetExceededError, BadRequestError (unknown model: `code: "model_not_found"` with
 *   `metadata.suggestions`; unsupported parameter: `code: "unsupported_parameter"`), ContextLengthError.
 * @example
 * const hold = await runPreSendChecks({ body, registry: client.models, usage: client.usage, options: { preflight: true } });
 */
export async function runPreSendChecks(ctx: PreSendContext): Promise<BudgetReservation | undefined> {
  const { options, usage, registry } = ctx;
  if (!needsPreSendChecks(options, usage)) return undefined;
  const body: Json = isObject(ctx.body) ? ctx.body : {};
  const ids = candidateIds(body);
  const primary = ids[0] ?? "(default model)";
  const budgetOn = options.budgetUsd !== undefined || usage.budgetUsd !== undefined;
  if (budgetOn) usage.assertBudget(primary, undefined, options.budgetUsd);

  const resolved = new Map<string, ResolvedModel>();
  if (options.validateModel || options.preflight || options.checkContext) {
    for (const id of ids) {
      // A preset (`@preset/<slug>`) picks its model on OpenRouter's side: there is nothing here to check it against.
      if (id.startsWith("@preset/")) continue;
      const parsed = parseModelId(id); // malformed ids fail here with InvalidArgumentError
      const model = await registry.get(id, ctx.signal);
      if (model) resolved.set(id, model);
      // Routers (openrouter/auto, …) are OpenRouter's own and always valid, listed or not.
      else if (options.validateModel && !parsed.isRouter) {
        const suggestions = registry.suggest(parsed.variant !== undefined ? parsed.base : id);
        const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.map((s) => `"${s}"`).join(", ")}?` : "";
        throw new BadRequestError(`Unknown model ${quote(id)}: it is not in OpenRouter's model list.${hint}`, {
          ...INFO,
          model: id,
          code: "model_not_found",
          errorType: "model_not_found",
          metadata: { suggestions },
        });
      }
    }
  }
  const known = ids.map((id) => resolved.get(id)).filter((m): m is ResolvedModel => m !== undefined && !isRouterId(m.requestedId));

  if (options.preflight && known.length > 0) {
    for (const need of requiredParameters(ctx.body)) {
      const verdicts = known.map((m) => supports(m, need.parameter));
      // Fail only when every candidate we know positively lacks it and no candidate is unknown.
      if (verdicts.length === ids.length && verdicts.every((v) => v === false)) throw preflightError(known[0] as ResolvedModel, need);
    }
  }

  if (options.checkContext && known.length > 0) {
    const maxTokens = typeof body["max_tokens"] === "number" ? body["max_tokens"] : typeof body["max_completion_tokens"] === "number" ? body["max_completion_tokens"] : undefined;
    const fits = known.map((m) => ({ m, fit: fitsContext(m, ctx.body as Parameters<typeof fitsContext>[1], maxTokens, { tokenizer: m.architecture?.tokenizer }) }));
    if (known.length === ids.length && fits.every(({ fit }) => !fit.fits)) {
      const { m, fit } = fits[0] as (typeof fits)[number];
      throw new ContextLengthError(`${fit.reason ?? "The prompt does not fit."} (estimated before sending; no request was made)`, {
        ...INFO,
        model: m.requestedId,
        errorType: "context_length_exceeded",
        metadata: { promptTokens: fit.promptTokens, limit: fit.limit, maxTokens: fit.maxTokens, maxCompletionTokens: fit.maxCompletionTokens, estimated: true },
      });
    }
  }

  if (!budgetOn) return undefined;
  return reserveWorstCase({ ids, estimate: ctx.body as EstimateParams, registry, usage, budgetUsd: options.budgetUsd, signal: ctx.signal, fallbackModels: ctx.fallbackModels, resolved });
}

/** What {@link reserveWorstCase} prices and holds. */
export interface WorstCaseContext {
  /** The call's models, the primary first (`model`, then `models`). */
  ids: readonly string[];
  /** The request as {@link estimateCost} reads it (chat-shaped; other APIs map theirs onto it). */
  estimate: EstimateParams;
  /** The catalogue that prices the candidates (`client.models`, or a catalogue of the same requests). */
  registry: Pick<ModelRegistry, "get" | "peek">;
  usage: UsageTracker;
  /** Overrides the tracker's budget. */
  budgetUsd?: number | undefined;
  signal?: AbortSignal | undefined;
  fallbackModels?: readonly string[] | false | undefined;
  /** Models already looked up by the other checks. */
  resolved?: ReadonlyMap<string, ResolvedModel> | undefined;
}

/**
 * Reserves a call's worst case on the budget: the dearest candidate's estimate, or everything that is left
 * (the call then runs alone) when any candidate cannot be priced. Shared by chat and the Responses and
 * Messages verbs, so every text call holds its worst case by the same rule.
 *
 * @throws BudgetExceededError when the worst case does not fit what is left.
 */
export async function reserveWorstCase(ctx: WorstCaseContext): Promise<BudgetReservation | undefined> {
  const { ids, registry, usage, budgetUsd } = ctx;
  const primary = ids[0] ?? "(default model)";
  const fallbacks = Array.isArray(ctx.fallbackModels) ? ctx.fallbackModels.filter((id): id is string => typeof id === "string") : [];
  const candidates = [...ids, ...fallbacks.filter((id) => !ids.includes(id))];
  // The dearest candidate's worst case; unknown (hold everything left) when any candidate cannot be priced.
  let worst: bigint | undefined = candidates.length > 0 ? 0n : undefined;
  for (const id of candidates) {
    const m = ctx.resolved?.get(id) ?? registry.peek(id) ?? (await lookupPrices(registry, id, ctx.signal));
    if (!m || !hasFixedPricing(m)) {
      worst = undefined;
      break;
    }
    const est = toAtto(estimateCost(ctx.estimate, m).worstCaseExact);
    if (worst !== undefined && est > worst) worst = est;
  }
  // No await from the check to the hold: concurrent calls see each other's holds.
  return usage.reserveAtto(primary, worst, budgetUsd === undefined ? undefined : toAtto(budgetUsd));
}

/**
 * A model's prices for the budget: the catalogue is loaded when missing (concurrent calls share that one
 * request). A catalogue that cannot be loaded leaves the model unpriced rather than failing the call.
 */
async function lookupPrices(registry: Pick<ModelRegistry, "get">, id: string, signal: AbortSignal | undefined): Promise<ResolvedModel | undefined> {
  try {
    return await registry.get(id, signal);
  } catch (error) {
    if (signal?.aborted) throw error;
    return undefined;
  }
}

function isRouterId(id: string): boolean {
  try {
    return parseModelId(id).isRouter;
  } catch {
    return false;
  }
}
