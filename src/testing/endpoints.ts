/**
 * The stand-in's catalogue and accounting answers: the model list with its filters, one model's
 * endpoints, embeddings (deterministic vectors) and the key. Pure functions of the catalogue and the
 * mock's books, so `mock.ts` only routes.
 */
import { providerFor, type MockModel } from "./catalogue.js";
import { embeddingFor, vectorToBase64 } from "./ids.js";
import { costOf, countTokens } from "./usage.js";

/**
 * `GET /models` filtering: `output_modalities` (default `text`, as on the real service, so embedding
 * models are hidden unless `all` or `embeddings` is asked for) and `supported_parameters` (all of them).
 *
 * @example
 * listModels(BUILTIN_MODELS, new URLSearchParams("supported_parameters=tools")).length > 0 // true
 */
export function listModels(models: readonly MockModel[], query: URLSearchParams): MockModel[] {
  const modalities = (query.get("output_modalities") ?? "text").split(",").map((s) => s.trim());
  const needed = (query.get("supported_parameters") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  return models.filter(
    (m) =>
      (modalities.includes("all") || m.architecture.output_modalities.some((o) => modalities.includes(o))) &&
      needed.every((p) => m.supported_parameters.includes(p)),
  );
}

/**
 * `GET /models/{author}/{slug}/endpoints` data: one healthy endpoint served by the model's provider.
 *
 * @example
 * endpointsOf(model).endpoints[0].provider_name // "OpenAI" for openai/*
 */
export function endpointsOf(m: MockModel) {
  const provider = providerFor(m.id);
  return {
    id: m.id,
    name: m.name,
    created: m.created,
    description: m.description,
    architecture: m.architecture,
    endpoints: [
      {
        name: `${provider} | ${m.canonical_slug}`,
        model_id: m.id,
        model_name: m.name,
        context_length: m.context_length,
        pricing: m.pricing,
        provider_name: provider,
        tag: provider.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
        quantization: "unknown",
        max_completion_tokens: m.top_provider.max_completion_tokens,
        max_prompt_tokens: null,
        supported_parameters: m.supported_parameters,
        status: 0,
        uptime_last_30m: 100,
        uptime_last_1d: 100,
        supports_implicit_caching: false,
        latency_last_30m: null,
        throughput_last_30m: null,
      },
    ],
  };
}

/**
 * `POST /embeddings` body for an embedding model: one deterministic unit vector per input (float list,
 * or base64 float32 with `encoding_format: "base64"`), usage and cost.
 *
 * @example
 * embeddingsBody(model, { input: ["a", "b"], dimensions: 8 }, "gen-emb-1-x").body.data.length // 2
 */
export function embeddingsBody(entry: MockModel, body: Record<string, unknown>, id: string) {
  const raw = body["input"];
  const inputs: string[] = (Array.isArray(raw) ? raw : [raw]).map((x) => (typeof x === "string" ? x : JSON.stringify(x)));
  const dims = typeof body["dimensions"] === "number" ? body["dimensions"] : 1536;
  const base64 = body["encoding_format"] === "base64";
  const tokens = inputs.reduce((s, t) => s + countTokens(t), 0);
  const { cost } = costOf(entry, tokens, 0);
  return {
    cost,
    body: {
      object: "list",
      data: inputs.map((text, index) => {
        const v = embeddingFor(text, dims);
        return { object: "embedding", embedding: base64 ? vectorToBase64(v) : v, index };
      }),
      model: entry.id.split("/")[1] ?? entry.id,
      usage: { prompt_tokens: tokens, total_tokens: tokens, cost, is_byok: false },
      provider: providerFor(entry.id),
      id,
    },
  };
}

/**
 * `GET /key` body: an unlimited, non-management key whose usage is what the mock has charged.
 *
 * @example
 * keyBody(0.5).data.usage // 0.5
 */
export function keyBody(spentUsd: number) {
  return {
    data: {
      // A label shaped like the real ones (prefix…suffix of the key); never the key the caller sent.
      label: "sk-or-v1-moc...ock",
      limit: null,
      limit_remaining: null,
      limit_reset: null,
      include_byok_in_limit: false,
      usage: spentUsd,
      usage_daily: spentUsd,
      usage_weekly: spentUsd,
      usage_monthly: spentUsd,
      byok_usage: 0,
      byok_usage_daily: 0,
      byok_usage_weekly: 0,
      byok_usage_monthly: 0,
      is_free_tier: false,
      is_management_key: false,
      is_provisioning_key: false,
      expires_at: null,
    },
  };
}
