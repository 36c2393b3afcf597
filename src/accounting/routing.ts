/**
 * Model ids, variants and routing helpers.
 *
 * OpenRouter model ids look like `author/slug[:variant]`. Two kinds of variant exist and they behave very
 * differently (see docs/money-and-routing.md):
 * - routing-only variants (`:nitro`, `:floor`, `:exacto`, deprecated `:online`) change how OpenRouter picks an
 *   endpoint; the model's metadata and catalogue prices are the base model's;
 * - catalogue variants (`:free`, `:thinking`, `:extended`, and any variant OpenRouter lists, e.g. `:batch`)
 *   are separate catalogue entries with their own prices and limits.
 *
 * Nothing here touches the network.
 */
import { InvalidArgumentError } from "../core/errors.js";
import type { components } from "../generated/openrouter.js";
import { quote } from "../internal/quote.js";

/** Provider routing preferences, exactly as the spec types the `provider` request field. */
export type ProviderPreferences = components["schemas"]["ProviderPreferences"];

/** The variants OpenRouter documents. */
export type Variant = "nitro" | "floor" | "online" | "free" | "thinking" | "extended" | "exacto";

/**
 * Every documented variant, in a stable order.
 *
 * @example
 * VARIANTS.includes("nitro"); // true
 */
export const VARIANTS: readonly Variant[] = Object.freeze([
  "nitro",
  "floor",
  "online",
  "free",
  "thinking",
  "extended",
  "exacto",
]);

/**
 * Variants that only influence endpoint selection; they share the base model's catalogue entry.
 *
 * @example
 * ROUTING_ONLY_VARIANTS; // ["nitro", "floor", "exacto", "online"]
 */
export const ROUTING_ONLY_VARIANTS: readonly Variant[] = Object.freeze(["nitro", "floor", "exacto", "online"]);

/** The parts of a model id. */
export interface ParsedModelId {
  /** The id exactly as given. */
  id: string;
  /** `openai` in `openai/gpt-4o:nitro`; without the alias marker `~`. */
  author: string;
  /** `gpt-4o` in `openai/gpt-4o:nitro`. */
  slug: string;
  /**
   * The suffix after `:`, when present. Usually a {@link Variant}; OpenRouter also lists entries with other
   * suffixes (for example `:batch`), which are kept as plain strings.
   */
  variant: Variant | (string & {}) | undefined;
  /** The id without its variant: `openai/gpt-4o`, `~x-ai/grok-latest`. */
  base: string;
  /** `~author/family-latest`: always resolves to the newest model of a family. */
  isAlias: boolean;
  /** OpenRouter's own routers (`openrouter/auto`, `openrouter/free`, …) that pick a model per request. */
  isRouter: boolean;
}

// Characters seen in every catalogue id; upper case is accepted because OpenRouter ids are matched
// case-insensitively by some endpoints and a few historic ids carried capitals.
const PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const VARIANT_PART = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

// Routers have no fixed price (the catalogue lists "-1") and no fixed capabilities.
const ROUTER_SLUGS = new Set(["auto", "auto-beta", "free", "fusion", "bodybuilder"]);

function fail(id: unknown, why: string): never {
  throw new InvalidArgumentError(
    `Invalid model id ${quote(id)}: ${why}. Expected "author/slug" or "author/slug:variant" ` +
      `(for example "openai/gpt-4o" or "openai/gpt-4o:nitro").`,
  );
}

/**
 * Splits a model id into author, slug and variant.
 *
 * @throws InvalidArgumentError for anything that is not `author/slug[:variant]` (also `~author/slug` aliases).
 * @example
 * parseModelId("openai/gpt-4o:nitro");
 * // { id: "openai/gpt-4o:nitro", author: "openai", slug: "gpt-4o", variant: "nitro",
 * //   base: "openai/gpt-4o", isAlias: false, isRouter: false }
 */
export function parseModelId(id: string): ParsedModelId {
  if (typeof id !== "string") fail(id, `expected a string, got ${id === null ? "null" : typeof id}`);
  if (id.length === 0) fail(id, "it is empty");
  if (id.trim() !== id) fail(id, "it has leading or trailing whitespace");
  const isAlias = id.startsWith("~");
  const body = isAlias ? id.slice(1) : id;
  const slash = body.indexOf("/");
  if (slash < 0) fail(id, "it has no author prefix");
  const author = body.slice(0, slash);
  let rest = body.slice(slash + 1);
  if (rest.includes("/")) fail(id, "it has more than one '/'");
  let variant: string | undefined;
  const colon = rest.indexOf(":");
  if (colon >= 0) {
    variant = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (variant.includes(":")) fail(id, "variants cannot be stacked (more than one ':')");
    if (!VARIANT_PART.test(variant)) fail(id, "the variant after ':' is empty or has invalid characters");
  }
  if (!PART.test(author)) fail(id, "the author is empty or has invalid characters");
  if (!PART.test(rest)) fail(id, "the slug is empty or has invalid characters");
  const base = `${isAlias ? "~" : ""}${author}/${rest}`;
  return {
    id,
    author,
    slug: rest,
    variant,
    base,
    isAlias,
    isRouter: !isAlias && author === "openrouter" && (ROUTER_SLUGS.has(rest) || rest.startsWith("pareto")),
  };
}

/**
 * True for a documented variant name.
 *
 * @example
 * isVariant("nitro"); // true
 * isVariant("batch"); // false
 */
export function isVariant(value: unknown): value is Variant {
  return typeof value === "string" && (VARIANTS as readonly string[]).includes(value);
}

/**
 * True for variants that only change routing (`nitro`, `floor`, `exacto`, `online`): their metadata and
 * catalogue prices are the base model's. `:nitro` may still be billed at priority-tier rates when such an
 * endpoint serves the call, and `:floor` may be cheaper; the catalogue cannot tell in advance.
 *
 * @example
 * isRoutingOnlyVariant("floor"); // true
 * isRoutingOnlyVariant("free");  // false: `:free` is its own catalogue entry
 */
export function isRoutingOnlyVariant(variant: string | undefined): boolean {
  return variant !== undefined && (ROUTING_ONLY_VARIANTS as readonly string[]).includes(variant);
}

/**
 * Returns `model` with `variant` as its only suffix, replacing any existing one (variants never stack).
 * Pass `undefined` to strip the variant.
 *
 * @throws InvalidArgumentError for a malformed id or an unknown variant name.
 * @example
 * withVariant("openai/gpt-4o", "nitro");       // "openai/gpt-4o:nitro"
 * withVariant("openai/gpt-4o:free", "floor");  // "openai/gpt-4o:floor"
 * withVariant("openai/gpt-4o:nitro", undefined); // "openai/gpt-4o"
 */
export function withVariant(model: string, variant: Variant | undefined): string {
  const parsed = parseModelId(model);
  if (variant === undefined) return parsed.base;
  if (!isVariant(variant)) {
    throw new InvalidArgumentError(`Unknown variant ${quote(variant)}; expected one of ${VARIANTS.join(", ")}.`);
  }
  if (parsed.isRouter) {
    throw new InvalidArgumentError(`withVariant(${quote(model)}): routers such as ${parsed.base} take no variant.`);
  }
  return `${parsed.base}:${variant}`;
}

/**
 * Builds the `models` fallback array: OpenRouter tries them in order when the first is unavailable.
 * Validates every id and rejects duplicates (a repeated id would only repeat a failure).
 *
 * @example
 * const body = {
 *   model: "anthropic/claude-sonnet-4.5",
 *   models: fallbackModels("openai/gpt-4o", "google/gemini-2.5-pro"),
 *   messages: [{ role: "user", content: "Hi" }],
 * };
 */
export function fallbackModels(...ids: string[]): string[] {
  if (ids.length === 0) throw new InvalidArgumentError("fallbackModels() needs at least one model id.");
  const seen = new Set<string>();
  for (const id of ids) {
    parseModelId(id);
    if (seen.has(id)) throw new InvalidArgumentError(`fallbackModels(): ${quote(id)} is listed twice.`);
    seen.add(id);
  }
  return [...ids];
}

const SORT_VALUES = new Set(["price", "throughput", "latency", "exacto"]);
const PARTITION_VALUES = new Set(["model", "none"]);
const PRICE_KEYS = ["prompt", "completion", "image", "audio", "request"] as const;
const PERCENTILE_KEYS = ["p50", "p75", "p90", "p99"] as const;

function checkStringList(field: string, value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new InvalidArgumentError(`provider.${field} must be an array of strings.`);
  const seen = new Set<string>();
  for (const item of value) {
    if (typeof item !== "string" || item.trim() === "") {
      throw new InvalidArgumentError(`provider.${field} must contain non-empty strings; got ${quote(item)}.`);
    }
    if (seen.has(item.toLowerCase())) throw new InvalidArgumentError(`provider.${field} lists ${quote(item)} twice.`);
    seen.add(item.toLowerCase());
  }
  return value as string[];
}

function checkNonNegative(field: string, value: unknown): void {
  if (value === undefined || value === null) return;
  // max_price values are strings in the spec and numbers in the docs; both are accepted on the wire.
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n)) {
    throw new InvalidArgumentError(`provider.${field} must be a finite number (or numeric string); got ${quote(value)}.`);
  }
  if (n < 0) throw new InvalidArgumentError(`provider.${field} must not be negative; got ${quote(value)}.`);
}

function checkPercentiles(field: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (typeof value === "object" && !Array.isArray(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (!(PERCENTILE_KEYS as readonly string[]).includes(key)) {
        throw new InvalidArgumentError(`provider.${field} has unknown key ${quote(key)}; use ${PERCENTILE_KEYS.join(", ")}.`);
      }
      checkNonNegative(`${field}.${key}`, v);
    }
    return;
  }
  checkNonNegative(field, value);
}

/**
 * Checks provider routing preferences for mistakes OpenRouter would either reject or silently turn into a
 * "no endpoints" 404, and returns them unchanged (typed as the spec's `ProviderPreferences`).
 *
 * Caught: a provider both in `only` and `ignore`; an `order` entry that `ignore` excludes; duplicate entries;
 * negative or non-numeric `max_price` / throughput / latency values (`max_price` is USD per **million**
 * tokens for prompt and completion, number or numeric string); an unknown `sort`.
 *
 * @example
 * const provider = providerPreferences({
 *   order: ["anthropic", "amazon-bedrock"],
 *   allow_fallbacks: false,
 *   data_collection: "deny",
 *   max_price: { prompt: 3, completion: 15 },
 * });
 */
export function providerPreferences<const P extends ProviderPreferences>(prefs: P): P {
  if (prefs === null || typeof prefs !== "object" || Array.isArray(prefs)) {
    throw new InvalidArgumentError("providerPreferences() expects an object.");
  }
  const p = prefs as Record<string, unknown>;
  const order = checkStringList("order", p["order"]);
  const only = checkStringList("only", p["only"]);
  const ignore = checkStringList("ignore", p["ignore"]);
  checkStringList("quantizations", p["quantizations"]);
  if (ignore) {
    const ignored = new Set(ignore.map((s) => s.toLowerCase()));
    const both = (only ?? []).filter((s) => ignored.has(s.toLowerCase()));
    if (both.length > 0) {
      throw new InvalidArgumentError(`provider.only and provider.ignore both list ${both.join(", ")}; no endpoint could match.`);
    }
    const ordered = (order ?? []).filter((s) => ignored.has(s.toLowerCase()));
    if (ordered.length > 0) {
      throw new InvalidArgumentError(`provider.order lists ${ordered.join(", ")}, which provider.ignore excludes.`);
    }
  }
  const sort = p["sort"];
  if (sort !== undefined && sort !== null) {
    if (typeof sort === "string") {
      if (!SORT_VALUES.has(sort)) {
        throw new InvalidArgumentError(`provider.sort must be one of ${[...SORT_VALUES].join(", ")} or {by, partition}; got ${quote(sort)}.`);
      }
    } else if (typeof sort === "object" && !Array.isArray(sort)) {
      const { by, partition } = sort as { by?: unknown; partition?: unknown };
      if (typeof by !== "string" || !SORT_VALUES.has(by)) {
        throw new InvalidArgumentError(`provider.sort.by must be one of ${[...SORT_VALUES].join(", ")}; got ${quote(by)}.`);
      }
      if (partition !== undefined && partition !== null && (typeof partition !== "string" || !PARTITION_VALUES.has(partition))) {
        throw new InvalidArgumentError(`provider.sort.partition must be "model" or "none"; got ${quote(partition)}.`);
      }
    } else {
      throw new InvalidArgumentError(`provider.sort must be a string or {by, partition}; got ${quote(sort)}.`);
    }
  }
  const dataCollection = p["data_collection"];
  if (dataCollection !== undefined && dataCollection !== null && dataCollection !== "allow" && dataCollection !== "deny") {
    throw new InvalidArgumentError(`provider.data_collection must be "allow" or "deny"; got ${quote(dataCollection)}.`);
  }
  for (const flag of ["allow_fallbacks", "require_parameters", "zdr", "enforce_distillable_text"]) {
    const v = p[flag];
    if (v !== undefined && v !== null && typeof v !== "boolean") {
      throw new InvalidArgumentError(`provider.${flag} must be a boolean; got ${quote(v)}.`);
    }
  }
  const maxPrice = p["max_price"];
  if (maxPrice !== undefined && maxPrice !== null) {
    if (typeof maxPrice !== "object" || Array.isArray(maxPrice)) {
      throw new InvalidArgumentError("provider.max_price must be an object such as { prompt: 1, completion: 2 } (USD per million tokens).");
    }
    for (const [key, v] of Object.entries(maxPrice)) {
      if (!(PRICE_KEYS as readonly string[]).includes(key)) {
        throw new InvalidArgumentError(`provider.max_price has unknown key ${quote(key)}; use ${PRICE_KEYS.join(", ")}.`);
      }
      checkNonNegative(`max_price.${key}`, v);
    }
  }
  checkPercentiles("preferred_min_throughput", p["preferred_min_throughput"]);
  checkPercentiles("preferred_max_latency", p["preferred_max_latency"]);
  return prefs;
}
