/**
 * The types of `client.presets`, from the spec (spec/presets.yaml), shared by presets.ts and presets-impl.ts.
 */
import type { components, operations } from "../generated/openrouter.js";

type Schemas = components["schemas"];

/** A saved preset with its designated (current) version. */
export type Preset = Schemas["Preset"];
/** One version of a preset: its saved request settings (`config`) and system prompt. */
export type PresetVersion = Schemas["PresetVersion"];
/** Paging of `presets.list` and `presets.versions`: `offset` from 0, `limit` 1 to 100. */
export type PresetListParams = NonNullable<operations["listPresets"]["parameters"]["query"]>;
/** Answer of `presets.list`. */
export type PresetListResponse = Schemas["PresetListResponse"];
/** Answer of `presets.get`. */
export type PresetResponse = Schemas["PresetResponse"];
/** Answer of `presets.versions`. */
export type PresetVersionListResponse = Schemas["PresetVersionListResponse"];
/** Answer of `presets.version`. */
export type PresetVersionResponse = Schemas["PresetVersionResponse"];
