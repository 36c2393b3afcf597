/**
 * `ModelRegistry`, the model catalogue behind `client.models`. The class is small on purpose: it checks its
 * dependencies at once and loads the catalogue code (model-catalogue.ts, with the filters and the routing
 * rules) with `import()` on the first call that needs it, so a client that never looks a model up never loads
 * it. Before that first load nothing is cached, so the synchronous methods answer as an empty cache does:
 * `isFresh` is false, `peek` `undefined`, `suggest` `[]`.
 */
import { InvalidArgumentError } from "../core/errors.js";
import { lazy } from "../core/load.js";
import type { ModelCatalogue, ModelRegistryDeps, Model, ModelEndpoint, ResolvedModel } from "./model-catalogue.js";
import type { ModelFilters } from "./model-filters.js";

export type { ModelFilters, ModelRegistryDeps, Model, ModelEndpoint, ResolvedModel };

const catalogueCode = /* @__PURE__ */ lazy("the model catalogue", () => import("./model-catalogue.js"));

/**
 * The model catalogue with a TTL cache (default one hour). Concurrent callers share one in-flight request;
 * a caller's abort only stops its own wait. When a refresh fails and an older catalogue is cached, the older
 * catalogue keeps serving (and the next call tries again).
 *
 * @example
 * const tools = await client.models.list({ supports: "tools", maxPromptPrice: 1, minContextLength: 100_000 });
 * const m = await client.models.get("openai/gpt-4o:nitro"); // m.resolvedId === "openai/gpt-4o"
 */
export class ModelRegistry {
  readonly #deps: ModelRegistryDeps;
  /** The catalogue, from the first call that needed it on. */
  #loaded: ModelCatalogue | undefined;

  constructor(deps: ModelRegistryDeps) {
    if (deps === null || typeof deps !== "object" || typeof deps.fetchModels !== "function") {
      throw new InvalidArgumentError("new ModelRegistry(deps) needs deps.fetchModels.");
    }
    const ttl = deps.ttlMs;
    if (ttl !== undefined && (typeof ttl !== "number" || !(ttl >= 0))) throw new InvalidArgumentError(`ModelRegistry ttlMs must be a non-negative number; got ${String(ttl)}.`);
    if (deps.fetchEndpoints !== undefined && typeof deps.fetchEndpoints !== "function") {
      throw new InvalidArgumentError("ModelRegistry deps.fetchEndpoints must be a function.");
    }
    this.#deps = deps;
  }

  async #catalogue(): Promise<ModelCatalogue> {
    const { ModelCatalogue } = catalogueCode.value ?? (await catalogueCode());
    // After the await: concurrent first calls share the one catalogue (and its one in-flight request).
    return (this.#loaded ??= new ModelCatalogue(this.#deps));
  }

  /** True when a catalogue is cached and within its TTL (so lookups need no network). */
  get isFresh(): boolean {
    return this.#loaded?.isFresh ?? false;
  }

  /**
   * Loads the catalogue now, ignoring the cache (concurrent callers still share one request).
   *
   * @example
   * await client.models.refresh();
   */
  async refresh(signal?: AbortSignal): Promise<Model[]> {
    return (this.#loaded ?? (await this.#catalogue())).refresh(signal);
  }

  /**
   * Drops the cached catalogue and endpoints.
   *
   * @example
   * client.models.invalidate();
   */
  invalidate(): void {
    this.#loaded?.invalidate();
  }

  /**
   * The catalogue, filtered. Loads it on first use and after the TTL.
   *
   * @example
   * const vision = await client.models.list({ inputModalities: ["image"], supports: ["tools"] });
   */
  async list(filters?: ModelFilters, signal?: AbortSignal): Promise<Model[]> {
    return (this.#loaded ?? (await this.#catalogue())).list(filters, signal);
  }

  /**
   * The cheapest model (by prompt + completion price per token, then by prompt price) that passes the filters;
   * routers and aliases are skipped unless `includeRouters` is set. `undefined` when none matches.
   *
   * @example
   * const m = await client.models.cheapest({ supports: "tools", free: false, minContextLength: 32_000 });
   */
  async cheapest(filters?: ModelFilters, signal?: AbortSignal): Promise<Model | undefined> {
    return (this.#loaded ?? (await this.#catalogue())).cheapest(filters, signal);
  }

  /**
   * Looks a model up by the id you would send. Routing-only variants (`:nitro`, `:floor`, `:exacto`, `:online`)
   * resolve to the base entry; `:free`, `:thinking`, `:extended` only to their own entry. Dated canonical slugs
   * (`openai/gpt-4o-mini-2024-07-18`) match too. `undefined` when the catalogue has no such model.
   *
   * @example
   * const m = await client.models.get("anthropic/claude-sonnet-4.5:floor");
   * m?.resolvedId; // "anthropic/claude-sonnet-4.5" — its pricing and context_length apply
   */
  async get(id: string, signal?: AbortSignal): Promise<ResolvedModel | undefined> {
    if (typeof id !== "string" || id.trim() === "") throw new InvalidArgumentError("models.get() needs a model id.");
    return (this.#loaded ?? (await this.#catalogue())).get(id, signal);
  }

  /**
   * Like {@link get}, but only from a fresh cached catalogue and without any request; `undefined` when not
   * cached. For hot paths that must not wait on the network.
   *
   * @example
   * const m = client.models.peek("openai/gpt-4o-mini");
   */
  peek(id: string): ResolvedModel | undefined {
    return this.#loaded?.peek(id);
  }

  /**
   * The known ids closest to `id` (edit distance on the whole id and on the slug, plus substring matches),
   * best first. Uses the cached catalogue only; empty before the first load.
   *
   * @example
   * client.models.suggest("openai/gpt4o-mini"); // ["openai/gpt-4o-mini", …]
   */
  suggest(id: string, limit?: number): string[] {
    return this.#loaded?.suggest(id, limit) ?? [];
  }

  /**
   * The provider endpoints serving a model (prices, limits, quantization, uptime), cached like the catalogue.
   * Routing-only variants use the base model's endpoints.
   *
   * @throws InvalidArgumentError when the registry was built without `fetchEndpoints` or the id is malformed.
   * @example
   * const endpoints = await client.models.endpoints("openai/gpt-4o");
   * endpoints.map((e) => [e.provider_name, e.pricing?.prompt]);
   */
  async endpoints(id: string, signal?: AbortSignal): Promise<ModelEndpoint[]> {
    return (this.#loaded ?? (await this.#catalogue())).endpoints(id, signal);
  }
}
