/**
 * Where `client.models` gets the catalogue from: `GET /models?output_modalities=all` and
 * `GET /models/{author}/{slug}/endpoints`, run on the client's pipeline (typed errors, retries, deadline), with
 * the shape of each answer checked. The client loads this module with `import()` the first time its catalogue
 * is needed.
 */
import { InvalidArgumentError } from "../core/errors.js";
import { quote } from "../internal/quote.js";
import type { Pipeline } from "../core/pipeline.js";
import { readJson, shapeError } from "../core/read.js";
import type { Call } from "../core/types.js";
import type { Model, ModelEndpoint } from "./models.js";

export interface ModelSource {
  fetchModels(signal: AbortSignal | undefined): Promise<Model[]>;
  fetchEndpoints(id: string, signal: AbortSignal | undefined): Promise<ModelEndpoint[]>;
}

function get(path: string, signal: AbortSignal | undefined, model?: string): Call {
  const call: Call = { verb: "models", method: "GET", path, stream: false };
  if (signal) call.signal = signal;
  if (model !== undefined) call.model = model;
  return call;
}

export function modelSource(pipeline: Pipeline): ModelSource {
  return {
    async fetchModels(signal) {
      const { value } = await pipeline.call(get("/models?output_modalities=all", signal), readJson);
      const data = (value.value as { data?: unknown } | null)?.data;
      if (!Array.isArray(data)) throw shapeError("a data array of models", { method: "GET", path: "/models", status: value.status });
      return data as Model[];
    },
    async fetchEndpoints(id, signal) {
      const [author, ...rest] = id.split("/");
      const slug = rest.join("/").split(":")[0];
      if (!author || !slug) throw new InvalidArgumentError(`models.endpoints(): ${quote(id)} is not an author/slug model id`);
      const path = `/models/${author}/${slug}/endpoints`;
      const { value } = await pipeline.call(get(path, signal, id), readJson);
      const endpoints = (value.value as { data?: { endpoints?: unknown } } | null)?.data?.endpoints;
      if (!Array.isArray(endpoints)) throw shapeError("data.endpoints, an array", { method: "GET", path, model: id, status: value.status });
      return endpoints as ModelEndpoint[];
    },
  };
}
