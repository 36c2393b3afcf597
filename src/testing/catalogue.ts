/**
 * The stand-in's built-in model catalogue: a handful of entries shaped like `GET /models` answers
 * (decimal-string USD-per-token prices, `supported_parameters`, `top_provider`, a `:free` variant and
 * one embedding model), so cost and registry code can be exercised offline with realistic numbers.
 *
 * Prices mirror the public list prices at the time of writing; they only need to be plausible and
 * stable, because the stand-in computes `usage.cost` from them and tests assert against that.
 */

/** One catalogue entry, in the wire shape of OpenRouter's `Model` object (kept open on purpose). */
export interface MockModel {
  id: string;
  canonical_slug: string;
  hugging_face_id: string | null;
  name: string;
  created: number;
  description: string;
  context_length: number;
  architecture: {
    modality: string;
    input_modalities: string[];
    output_modalities: string[];
    tokenizer: string;
    instruct_type: string | null;
  };
  pricing: Record<string, string>;
  top_provider: { context_length: number; max_completion_tokens: number | null; is_moderated: boolean };
  per_request_limits: null;
  supported_parameters: string[];
  default_parameters: Record<string, unknown>;
  reasoning?: {
    supported_efforts?: string[];
    default_effort?: string;
    default_enabled?: boolean;
    mandatory: boolean;
    supports_max_tokens?: boolean;
  };
}

/**
 * The provider name the stand-in reports for each model author (the `provider` field of responses).
 *
 * @example
 * PROVIDER_BY_AUTHOR["openai"] // "OpenAI"
 */
export const PROVIDER_BY_AUTHOR: Readonly<Record<string, string>> = {
  openai: "OpenAI",
  anthropic: "Anthropic",
  google: "Google AI Studio",
  "meta-llama": "DeepInfra",
  mistralai: "Mistral",
};

const OPENAI_PARAMS = [
  "frequency_penalty", "logit_bias", "logprobs", "max_completion_tokens", "max_tokens", "presence_penalty",
  "response_format", "seed", "stop", "structured_outputs", "temperature", "tool_choice", "tools",
  "top_logprobs", "top_p",
];

function model(
  id: string,
  fields: Omit<MockModel, "id" | "canonical_slug" | "hugging_face_id" | "per_request_limits" | "default_parameters" | "architecture"> & {
    architecture?: Partial<MockModel["architecture"]>;
  },
): MockModel {
  const { architecture, ...rest } = fields;
  return {
    id,
    canonical_slug: id.replace(/:.*$/, ""),
    hugging_face_id: null,
    per_request_limits: null,
    default_parameters: {},
    architecture: {
      modality: "text->text",
      input_modalities: ["text"],
      output_modalities: ["text"],
      tokenizer: "Other",
      instruct_type: null,
      ...architecture,
    },
    ...rest,
  };
}

/**
 * Built-in catalogue, newest first like the real listing. `created` values are fixed dates.
 *
 * @example
 * BUILTIN_MODELS.map((m) => m.id) // ["anthropic/claude-haiku-4.5", …, "openai/text-embedding-3-small"]
 */
export const BUILTIN_MODELS: readonly MockModel[] = [
  model("anthropic/claude-haiku-4.5", {
    name: "Anthropic: Claude Haiku 4.5",
    created: 1760486400,
    description: "Stand-in entry for Anthropic's small, fast model with extended thinking.",
    context_length: 200000,
    architecture: { modality: "text+image->text", input_modalities: ["text", "image"], tokenizer: "Claude" },
    pricing: { prompt: "0.000001", completion: "0.000005", input_cache_read: "0.0000001", input_cache_write: "0.00000125" },
    top_provider: { context_length: 200000, max_completion_tokens: 64000, is_moderated: true },
    supported_parameters: [
      "include_reasoning", "max_tokens", "reasoning", "response_format", "stop", "structured_outputs",
      "temperature", "tool_choice", "tools", "top_k", "top_p",
    ],
    reasoning: { supported_efforts: ["high", "medium", "low"], default_enabled: false, mandatory: false, supports_max_tokens: true },
  }),
  model("google/gemini-2.5-flash", {
    name: "Google: Gemini 2.5 Flash",
    created: 1750172488,
    description: "Stand-in entry for Google's fast multimodal reasoning model.",
    context_length: 1048576,
    architecture: { modality: "text+image+file->text", input_modalities: ["text", "image", "file"], tokenizer: "Gemini" },
    pricing: { prompt: "0.0000003", completion: "0.0000025", input_cache_read: "0.00000003" },
    top_provider: { context_length: 1048576, max_completion_tokens: 65535, is_moderated: false },
    supported_parameters: [
      "include_reasoning", "max_tokens", "reasoning", "response_format", "seed", "stop", "structured_outputs",
      "temperature", "tool_choice", "tools", "top_p",
    ],
    reasoning: { supported_efforts: ["high", "medium", "low"], default_enabled: true, mandatory: false, supports_max_tokens: true },
  }),
  model("meta-llama/llama-3.3-70b-instruct", {
    name: "Meta: Llama 3.3 70B Instruct",
    created: 1733506137,
    description: "Stand-in entry for Meta's 70B multilingual instruction-tuned model.",
    context_length: 131072,
    architecture: { tokenizer: "Llama3" },
    pricing: { prompt: "0.00000013", completion: "0.0000004" },
    top_provider: { context_length: 131072, max_completion_tokens: 16384, is_moderated: false },
    supported_parameters: [
      "frequency_penalty", "max_tokens", "min_p", "presence_penalty", "repetition_penalty", "response_format",
      "seed", "stop", "temperature", "tool_choice", "tools", "top_k", "top_p",
    ],
  }),
  model("meta-llama/llama-3.3-70b-instruct:free", {
    name: "Meta: Llama 3.3 70B Instruct (free)",
    created: 1733506137,
    description: "Free variant of the Llama 3.3 70B stand-in entry (rate-limited on the real service).",
    context_length: 65536,
    architecture: { tokenizer: "Llama3" },
    pricing: { prompt: "0", completion: "0" },
    top_provider: { context_length: 65536, max_completion_tokens: 8192, is_moderated: false },
    supported_parameters: ["max_tokens", "seed", "stop", "temperature", "tool_choice", "tools", "top_k", "top_p"],
  }),
  model("openai/gpt-4o-mini", {
    name: "OpenAI: GPT-4o-mini",
    created: 1721260800,
    description: "Stand-in entry for OpenAI's small, affordable multimodal model.",
    context_length: 128000,
    architecture: { modality: "text+image+file->text", input_modalities: ["text", "image", "file"], tokenizer: "GPT" },
    pricing: { prompt: "0.00000015", completion: "0.0000006", input_cache_read: "0.000000075" },
    top_provider: { context_length: 128000, max_completion_tokens: 16384, is_moderated: true },
    supported_parameters: [...OPENAI_PARAMS, "prediction", "web_search_options"],
  }),
  model("openai/gpt-4o", {
    name: "OpenAI: GPT-4o",
    created: 1715558400,
    description: "Stand-in entry for OpenAI's GPT-4o omni model.",
    context_length: 128000,
    architecture: { modality: "text+image+file->text", input_modalities: ["text", "image", "file"], tokenizer: "GPT" },
    pricing: { prompt: "0.0000025", completion: "0.00001", input_cache_read: "0.00000125" },
    top_provider: { context_length: 128000, max_completion_tokens: 16384, is_moderated: true },
    supported_parameters: [...OPENAI_PARAMS, "prediction", "web_search_options"],
  }),
  model("openai/text-embedding-3-small", {
    name: "OpenAI: Text Embedding 3 Small",
    created: 1705881600,
    description: "Stand-in entry for OpenAI's small embedding model (1536 dimensions).",
    context_length: 8192,
    architecture: { modality: "text->embeddings", output_modalities: ["embeddings"], tokenizer: "GPT" },
    pricing: { prompt: "0.00000002", completion: "0" },
    top_provider: { context_length: 8192, max_completion_tokens: null, is_moderated: false },
    supported_parameters: ["dimensions", "encoding_format"],
  }),
];

/** Variant suffixes that route differently but bill like the base model (`:free` is its own entry). */
const ROUTING_VARIANTS = new Set(["nitro", "floor", "exacto", "online", "extended", "thinking"]);

/**
 * Find a catalogue entry for a requested model id, resolving routing variants (`:nitro`, `:floor`, …)
 * to their base model. Returns `undefined` for unknown ids.
 *
 * @example
 * findModel(BUILTIN_MODELS, "openai/gpt-4o-mini:nitro")?.id // "openai/gpt-4o-mini"
 */
export function findModel(models: readonly MockModel[], id: string): MockModel | undefined {
  const exact = models.find((m) => m.id === id || m.canonical_slug === id && !m.id.includes(":"));
  if (exact) return exact;
  const colon = id.lastIndexOf(":");
  if (colon > 0 && ROUTING_VARIANTS.has(id.slice(colon + 1))) {
    return models.find((m) => m.id === id.slice(0, colon));
  }
  return undefined;
}

/**
 * The provider name the stand-in reports for a model id (`"OpenAI"` for `openai/...`).
 *
 * @example
 * providerFor("anthropic/claude-haiku-4.5") // "Anthropic"
 */
export function providerFor(modelId: string): string {
  const author = modelId.split("/")[0] ?? "";
  return PROVIDER_BY_AUTHOR[author] ?? "Mock Provider";
}
