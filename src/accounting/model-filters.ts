/**
 * Catalogue filters of `client.models.list()` / `cheapest()`, per-token prices and the id distance behind
 * "did you mean". Pure functions over the generated `Model`; the registry (models.ts) imports this file.
 */
import { InvalidArgumentError } from "../core/errors.js";
import type { components } from "../generated/openrouter.js";
import { type Json } from "../internal/json.js";
import { parseModelId } from "./routing.js";

type Model = components["schemas"]["Model"];

/** Filters for `ModelRegistry.list`; every given filter must match. */
export interface ModelFilters {
  /** Every listed input modality must be accepted (`"image"`, `"file"`, `"audio"`, …). */
  inputModalities?: readonly string[];
  /** Every listed output modality must be produced (`"text"`, `"image"`, …). */
  outputModalities?: readonly string[];
  /** Every listed name must be in `supported_parameters` (`"tools"`, `"structured_outputs"`, `"reasoning"`, …). */
  supports?: string | readonly string[];
  /** Highest prompt price, USD per **million** tokens (the unit of `provider.max_price`). */
  maxPromptPrice?: number;
  /** Highest completion price, USD per **million** tokens. */
  maxCompletionPrice?: number;
  /** Smallest context window in tokens. */
  minContextLength?: number;
  /**
   * The model's author prefix (`"openai"` in `openai/gpt-4o`), one or several. The catalogue does not say which
   * hosting providers serve a model; use `ModelRegistry.endpoints` for that.
   */
  provider?: string | readonly string[];
  /** `true`: only models that cost nothing (prompt and completion price 0); `false`: exclude them. */
  free?: boolean;
  /** Include routers (`openrouter/auto`, variable price) and `~…-latest` aliases. Default true for `list`, false for `cheapest`. */
  includeRouters?: boolean;
  /** Case-insensitive substring of the id or name. */
  search?: string;
  /** Any other condition. */
  where?: (model: Model) => boolean;
}

export const HOUR = 60 * 60 * 1000;
export const PER_MILLION = 1_000_000;

/** Per-token price as a number; `undefined` when absent or negative ("-1" marks variable-price routers). */
export function priceOf(model: Model, key: "prompt" | "completion"): number | undefined {
  const raw = (model.pricing as Json | undefined)?.[key];
  const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : Number.NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function isRouterOrAlias(model: Model): boolean {
  if (model.id.startsWith("~")) return true;
  try {
    if (parseModelId(model.id).isRouter) return true;
  } catch {
    // Ids the catalogue uses but our parser would reject are still models; only prices decide below.
  }
  return priceOf(model, "prompt") === undefined || priceOf(model, "completion") === undefined;
}

function list(value: string | readonly string[] | undefined): readonly string[] {
  return value === undefined ? [] : typeof value === "string" ? [value] : value;
}

export function checkFilters(f: ModelFilters): void {
  if (f === null || typeof f !== "object") throw new InvalidArgumentError("Model filters must be an object.");
  for (const key of ["maxPromptPrice", "maxCompletionPrice", "minContextLength"] as const) {
    const v = f[key];
    if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || v < 0)) {
      throw new InvalidArgumentError(`Model filter ${key} must be a non-negative number; got ${String(v)}.`);
    }
  }
  if (f.where !== undefined && typeof f.where !== "function") throw new InvalidArgumentError("Model filter `where` must be a function.");
}

/**
 * True when `model` passes every filter.
 *
 * @example
 * matchesFilters(model, { supports: "tools", maxPromptPrice: 1 });
 */
export function matchesFilters(model: Model, f: ModelFilters, defaultIncludeRouters = true): boolean {
  const arch = model.architecture ?? {};
  const inputs = arch.input_modalities ?? [];
  const outputs = arch.output_modalities ?? [];
  if (!list(f.inputModalities).every((m) => inputs.includes(m))) return false;
  if (!list(f.outputModalities).every((m) => outputs.includes(m))) return false;
  const params = model.supported_parameters ?? [];
  if (!list(f.supports).every((p) => params.includes(p))) return false;
  if (!(f.includeRouters ?? defaultIncludeRouters) && isRouterOrAlias(model)) return false;
  const prompt = priceOf(model, "prompt");
  const completion = priceOf(model, "completion");
  // Per-token prices against per-million limits: compare in the caller's unit to avoid 1e-7 rounding noise.
  if (f.maxPromptPrice !== undefined && (prompt === undefined || prompt * PER_MILLION > f.maxPromptPrice + 1e-9)) return false;
  if (f.maxCompletionPrice !== undefined && (completion === undefined || completion * PER_MILLION > f.maxCompletionPrice + 1e-9)) return false;
  if (f.free !== undefined && (prompt === 0 && completion === 0) !== f.free) return false;
  if (f.minContextLength !== undefined && !((model.context_length ?? 0) >= f.minContextLength)) return false;
  const providers = list(f.provider).map((p) => p.toLowerCase());
  if (providers.length > 0) {
    const author = model.id.replace(/^~/, "").split("/")[0]?.toLowerCase() ?? "";
    if (!providers.includes(author)) return false;
  }
  if (f.search !== undefined) {
    const q = f.search.toLowerCase();
    if (!model.id.toLowerCase().includes(q) && !(model.name ?? "").toLowerCase().includes(q)) return false;
  }
  if (f.where && !f.where(model)) return false;
  return true;
}

/** Levenshtein distance, O(n·m) with two rows: ids are short. */
export function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
