/**
 * `client.presets`: the account's saved presets and their versions. A thin facade: each method loads
 * presets-impl.ts on first use. To call a model through a preset, name it as the model: `model: "@preset/<slug>"`.
 */
import type { CallOptions } from "../core/types.js";
import type { VerbContext } from "./context.js";
import { lazyNamespace } from "./lazy-namespace.js";
import type { PresetListParams, PresetListResponse, PresetResponse, PresetVersionListResponse, PresetVersionResponse } from "./presets-types.js";

/**
 * Read the account's presets and their versions (with the API key).
 *
 * @example
 * const { data } = await client.presets.list();
 * const reply = await client.chat({ model: `@preset/${data[0]!.slug}`, messages });
 */
export interface Presets {
  /** `GET /presets`: one page of presets, and the total count. */
  list(params?: PresetListParams, options?: CallOptions): Promise<PresetListResponse>;
  /** `GET /presets/{slug}`: one preset with its designated version. */
  get(slug: string, options?: CallOptions): Promise<PresetResponse>;
  /** `GET /presets/{slug}/versions`: one page of a preset's versions, and the total count. */
  versions(slug: string, params?: PresetListParams, options?: CallOptions): Promise<PresetVersionListResponse>;
  /** `GET /presets/{slug}/versions/{version}`: one version, by number (`2`) or id. */
  version(slug: string, version: string | number, options?: CallOptions): Promise<PresetVersionResponse>;
}

/** `client.presets`, built on the client's context. */
export const presets = (ctx: VerbContext): Presets => lazyNamespace(ctx, () => import("./presets-impl.js"), ["list", "get", "versions", "version"]);
