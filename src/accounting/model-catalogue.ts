/**
 * The model catalogue behind `client.models` (`ModelRegistry`, models.ts, loads it on first use): `GET /models`
 * with an in-memory TTL cache, filters, variant-aware lookup and "did you mean" suggestions.
 *
 * Variant semantics (see routing.ts): `:nitro`, `:floor`, `:exacto` and `:online` resolve to the base model's
 * catalogue entry (same metadata and prices); `:free`, `:thinking`, `:extended` (and any other suffix the
 * catalogue lists) resolve only to their own entry. A lookup tells both the id asked for and the entry used.
 */
import { InvalidArgumentError } from "../core/errors.js";
import { AbortError, InvalidResponseError } from "../core/call-errors.js";
import type { components } from "../generated/openrouter.js";
import { type ParsedModelId, isRoutingOnlyVariant, parseModelId } from "./routing.js";
import { type Json, isObject } from "../internal/json.js";
import { type ModelFilters, HOUR, checkFilters, distance, matchesFilters, priceOf } from "./model-filters.js";

export type { ModelFilters };

export type Model = components["schemas"]["Model"];
export type ModelEndpoint = components["schemas"]["ModelEndpoint"];

/** A catalogue entry resolved from the id a caller asked for. */
export type ResolvedModel = Model & {
  /** The id as asked for, e.g. `openai/gpt-4o:nitro`. */
  requestedId: string;
  /** The catalogue entry whose metadata and prices apply, e.g. `openai/gpt-4o`. */
  resolvedId: string;
  /** The variant of the requested id, if any. */
  variant: string | undefined;
  /** True when the variant only changes routing and the base entry was used. */
  routingOnlyVariant: boolean;
  /** For `~author/family-latest` aliases: the model it currently points at, when the catalogue says. */
  aliasTarget: string | undefined;
  /** How the id was matched. */
  matchedBy: "id" | "base" | "canonical_slug";
};

export interface ModelRegistryDeps {
  /** Loads the whole catalogue (`GET /models`). */
  fetchModels: (signal?: AbortSignal) => Promise<Model[]>;
  /** Loads one model's endpoints (`GET /models/{author}/{slug}/endpoints`). */
  fetchEndpoints?: (id: string, signal?: AbortSignal) => Promise<ModelEndpoint[]>;
  /** Cache lifetime. Default one hour. */
  ttlMs?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

interface Catalogue {
  models: Model[];
  byId: Map<string, Model>;
  byCanonical: Map<string, Model>;
  fetchedAt: number;
}

interface CachedEndpoints {
  endpoints: ModelEndpoint[];
  fetchedAt: number;
}

function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string, path = "/models"): Promise<T> {
  if (!signal) return promise;
  const abortError = () =>
    new AbortError(`${what} was aborted (GET ${path})`, { method: "GET", path, ...(signal.reason !== undefined && { cause: signal.reason }) });
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/**
 * The model catalogue with a TTL cache (default one hour). Concurrent callers share one in-flight request;
 * a caller's abort only stops its own wait. When a refresh fails and an older catalogue is cached, the older
 * catalogue keeps serving (and the next call tries again). `ModelRegistry` (models.ts) checks the deps and
 * documents each method; this class does the work.
 */
export class ModelCatalogue {
  readonly #fetchModels: ModelRegistryDeps["fetchModels"];
  readonly #fetchEndpoints: ModelRegistryDeps["fetchEndpoints"];
  readonly #ttlMs: number;
  readonly #now: () => number;
  #catalogue: Catalogue | undefined;
  #inflight: Promise<Catalogue> | undefined;
  #endpoints = new Map<string, CachedEndpoints>();
  #endpointsInflight = new Map<string, Promise<ModelEndpoint[]>>();

  /** `deps` as checked by `ModelRegistry`'s constructor. */
  constructor(deps: ModelRegistryDeps) {
    this.#fetchModels = deps.fetchModels;
    this.#fetchEndpoints = deps.fetchEndpoints;
    this.#ttlMs = deps.ttlMs ?? HOUR;
    this.#now = deps.now ?? Date.now;
  }

  #fresh(fetchedAt: number): boolean {
    return this.#now() - fetchedAt < this.#ttlMs;
  }

  /** True when a catalogue is cached and within its TTL (so lookups need no network). */
  get isFresh(): boolean {
    return this.#catalogue !== undefined && this.#fresh(this.#catalogue.fetchedAt);
  }

  #load(force: boolean): Promise<Catalogue> {
    const cached = this.#catalogue;
    if (!force && cached && this.#fresh(cached.fetchedAt)) return Promise.resolve(cached);
    if (this.#inflight) return this.#inflight;
    const p = (async () => {
      try {
        // A fetchModels that throws at once becomes a rejection here: `finally` must run after `#inflight` is
        // set, or that failed load would be shared by every later call.
        const models = await new Promise<Model[]>((resolve) => resolve(this.#fetchModels()));
        if (!Array.isArray(models)) throw new InvalidResponseError("The model catalogue is not an array of models (GET /models)", { method: "GET", path: "/models" });
        const byId = new Map<string, Model>();
        const byCanonical = new Map<string, Model>();
        for (const m of models) {
          if (!isObject(m) || typeof m.id !== "string") continue;
          byId.set(m.id, m);
          if (typeof m.canonical_slug === "string" && !byCanonical.has(m.canonical_slug)) byCanonical.set(m.canonical_slug, m);
        }
        const catalogue: Catalogue = { models: [...byId.values()], byId, byCanonical, fetchedAt: this.#now() };
        this.#catalogue = catalogue;
        return catalogue;
      } catch (error) {
        // Serve the stale catalogue rather than failing every call on a transient /models error.
        if (cached && !force) return cached;
        throw error;
      } finally {
        this.#inflight = undefined;
      }
    })();
    this.#inflight = p;
    return p;
  }

  /** `ModelRegistry.refresh` (models.ts documents it). */
  async refresh(signal?: AbortSignal): Promise<Model[]> {
    return (await raceSignal(this.#load(true), signal, "Refreshing the model list")).models;
  }

  /** `ModelRegistry.invalidate` (models.ts documents it). */
  invalidate(): void {
    this.#catalogue = undefined;
    this.#endpoints.clear();
  }

  /** `ModelRegistry.list` (models.ts documents it). */
  async list(filters: ModelFilters = {}, signal?: AbortSignal): Promise<Model[]> {
    checkFilters(filters);
    const { models } = await raceSignal(this.#load(false), signal, "Loading the model list");
    return models.filter((m) => matchesFilters(m, filters, true));
  }

  /** `ModelRegistry.cheapest` (models.ts documents it). */
  async cheapest(filters: ModelFilters = {}, signal?: AbortSignal): Promise<Model | undefined> {
    checkFilters(filters);
    const { models } = await raceSignal(this.#load(false), signal, "Loading the model list");
    let best: Model | undefined;
    let bestKey: [number, number] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
    for (const m of models) {
      if (!matchesFilters(m, filters, false)) continue;
      const p = priceOf(m, "prompt");
      const c = priceOf(m, "completion");
      if (p === undefined || c === undefined) continue;
      const key: [number, number] = [p + c, p];
      if (key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
        best = m;
        bestKey = key;
      }
    }
    return best;
  }

  #resolve(catalogue: Catalogue, id: string): ResolvedModel | undefined {
    let parsed: ParsedModelId | undefined;
    try {
      parsed = parseModelId(id);
    } catch {
      parsed = undefined;
    }
    const make = (entry: Model, matchedBy: ResolvedModel["matchedBy"], routingOnly: boolean): ResolvedModel => {
      const target = (entry as Json)["alias_target"];
      return {
        ...entry,
        requestedId: id,
        resolvedId: entry.id,
        variant: parsed?.variant,
        routingOnlyVariant: routingOnly,
        aliasTarget: isObject(target) && typeof target["slug"] === "string" ? target["slug"] : undefined,
        matchedBy,
      };
    };
    const exact = catalogue.byId.get(id);
    if (exact) return make(exact, "id", false);
    if (parsed?.variant !== undefined && isRoutingOnlyVariant(parsed.variant)) {
      const base = catalogue.byId.get(parsed.base) ?? catalogue.byCanonical.get(parsed.base);
      if (base) return make(base, "base", true);
      return undefined;
    }
    if (parsed?.variant === undefined) {
      const canonical = catalogue.byCanonical.get(id);
      if (canonical) return make(canonical, "canonical_slug", false);
    }
    return undefined;
  }

  /** `ModelRegistry.get` (models.ts documents it). */
  async get(id: string, signal?: AbortSignal): Promise<ResolvedModel | undefined> {
    if (typeof id !== "string" || id.trim() === "") throw new InvalidArgumentError("models.get() needs a model id.");
    const catalogue = await raceSignal(this.#load(false), signal, "Loading the model list");
    return this.#resolve(catalogue, id);
  }

  /** `ModelRegistry.peek` (models.ts documents it). */
  peek(id: string): ResolvedModel | undefined {
    const c = this.#catalogue;
    if (!c || !this.#fresh(c.fetchedAt) || typeof id !== "string") return undefined;
    return this.#resolve(c, id);
  }

  /** `ModelRegistry.suggest` (models.ts documents it). */
  suggest(id: string, limit = 3): string[] {
    const c = this.#catalogue;
    if (!c || typeof id !== "string" || id === "") return [];
    const q = id.toLowerCase();
    const slugOf = (s: string): string => {
      const bare = s.replace(/^~/, "");
      const slash = bare.indexOf("/");
      return (slash < 0 ? bare : bare.slice(slash + 1)).split(":")[0] ?? bare;
    };
    // Without an author ("claude-opus-4.5") the whole input is compared with each slug.
    const qSlug = slugOf(q);
    const scored: Array<[number, string]> = [];
    for (const m of c.models) {
      const cand = m.id.toLowerCase();
      const slug = slugOf(cand);
      let score = Math.min(distance(q, cand), qSlug ? distance(qSlug, slug) + 1 : Number.POSITIVE_INFINITY);
      if (qSlug && (slug.includes(qSlug) || qSlug.includes(slug))) score = Math.min(score, 1 + Math.abs(slug.length - qSlug.length) / 4);
      scored.push([score, m.id]);
    }
    // Only suggestions that are plausibly what was meant: within about a third of the id's length.
    const cutoff = Math.max(3, Math.ceil(q.length / 3));
    return scored
      .filter(([s]) => s <= cutoff)
      .sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]))
      .slice(0, Math.max(0, limit))
      .map(([, mid]) => mid);
  }

  /** `ModelRegistry.endpoints` (models.ts documents it). */
  async endpoints(id: string, signal?: AbortSignal): Promise<ModelEndpoint[]> {
    const fetchEndpoints = this.#fetchEndpoints;
    if (!fetchEndpoints) throw new InvalidArgumentError("models.endpoints() is not available: the registry has no fetchEndpoints.");
    const parsed = parseModelId(id);
    const key = parsed.variant !== undefined && isRoutingOnlyVariant(parsed.variant) ? parsed.base : id;
    const cached = this.#endpoints.get(key);
    if (cached && this.#fresh(cached.fetchedAt)) return cached.endpoints;
    let p = this.#endpointsInflight.get(key);
    if (!p) {
      p = (async () => {
        try {
          const endpoints = await fetchEndpoints(key);
          if (!Array.isArray(endpoints)) throw new TypeError("fetchEndpoints() did not return an array");
          this.#endpoints.set(key, { endpoints, fetchedAt: this.#now() });
          return endpoints;
        } finally {
          this.#endpointsInflight.delete(key);
        }
      })();
      this.#endpointsInflight.set(key, p);
    }
    return raceSignal(p, signal, `Loading the endpoints of ${key}`, `/models/${key}/endpoints`);
  }
}
