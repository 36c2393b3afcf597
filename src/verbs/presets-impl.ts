/**
 * What `client.presets` does (loaded on first use by presets.ts): input checks, then one request through the
 * pipeline with the API key.
 */
import type { CallOptions } from "../core/types.js";
import type { VerbContext } from "./context.js";
import { checkInteger, paramsObject, runJson, segment } from "./json-call.js";
import type { PresetListParams, PresetListResponse, PresetResponse, PresetVersionListResponse, PresetVersionResponse } from "./presets-types.js";

/** `offset` and `limit` checked (the spec allows 1 to 100 per page) and ready for the query. */
function paging(verb: string, params: PresetListParams | undefined): { offset: number | undefined; limit: number | undefined } {
  const p = paramsObject(verb, params, false);
  checkInteger(verb, "offset", p["offset"], 0);
  checkInteger(verb, "limit", p["limit"], 1, 100);
  return { offset: (p["offset"] ?? undefined) as number | undefined, limit: p["limit"] as number | undefined };
}

export async function list(ctx: VerbContext, params: PresetListParams | undefined, options?: CallOptions): Promise<PresetListResponse> {
  const verb = "presets.list";
  return runJson(ctx, { verb, method: "GET", path: "/presets", query: paging(verb, params), required: ["data", "total_count"] }, options);
}

export async function get(ctx: VerbContext, slug: string, options?: CallOptions): Promise<PresetResponse> {
  const verb = "presets.get";
  return runJson(ctx, { verb, method: "GET", path: `/presets/${segment(verb, "the preset's slug", slug)}` }, options);
}

export async function versions(ctx: VerbContext, slug: string, params: PresetListParams | undefined, options?: CallOptions): Promise<PresetVersionListResponse> {
  const verb = "presets.versions";
  const path = `/presets/${segment(verb, "the preset's slug", slug)}/versions`;
  return runJson(ctx, { verb, method: "GET", path, query: paging(verb, params), required: ["data", "total_count"] }, options);
}

export async function version(ctx: VerbContext, slug: string, version: string | number, options?: CallOptions): Promise<PresetVersionResponse> {
  const verb = "presets.version";
  const v = typeof version === "number" && Number.isInteger(version) && version > 0 ? String(version) : version;
  const path = `/presets/${segment(verb, "the preset's slug", slug)}/versions/${segment(verb, "the version", v)}`;
  return runJson(ctx, { verb, method: "GET", path }, options);
}
