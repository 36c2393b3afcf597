/**
 * The stand-in's stateful resources, for the operations whose answers depend on earlier calls:
 * - files: upload (multipart), list, metadata, content (byte for byte what was uploaded), delete;
 * - video jobs: `POST /videos` answers 202 with a `pending` job; each poll moves it on
 *   (`pending` → `in_progress` → `completed`), and a completed job's content is video bytes;
 * - API keys: create returns the secret once; list and get never show it; update; delete;
 * - presets: a seeded catalogue with versions (the spec has no create), whose runs use the preset's model.
 * Everything else is answered from the spec's schemas (see synthesize.ts).
 */
import type { MatchedOperation, IncomingBody } from "./spec-operations.js";
import { errorPlan, json, type WirePlan } from "./wire.js";

type Json = Record<string, unknown>;

/** A preset the stand-in serves (`GET /presets*`, `POST /presets/{slug}/…`). */
export interface MockPreset {
  slug: string;
  name?: string;
  /** Request settings the preset applies (a `model` is used when the request names none). */
  config?: Record<string, unknown>;
  /** A system prompt put before the request's messages. */
  systemPrompt?: string | null;
}

/** The preset every stand-in has unless `presets` replaces it. */
export const DEFAULT_PRESETS: MockPreset[] = [
  { slug: "concise", name: "Concise", config: { model: "openai/gpt-4o-mini", temperature: 0.2 }, systemPrompt: "Answer in one sentence." },
];

interface StoredFile {
  id: string;
  filename: string;
  mimeType: string;
  bytes: Uint8Array;
  createdAt: string;
}

interface VideoJob {
  id: string;
  polls: number;
  prompt: string;
  generationId: string;
}

interface StoredKey {
  hash: string;
  secret: string;
  record: Json;
}

/** What the resources need from the mock. */
export interface ResourceContext {
  newId: (prefix: string) => string;
  now: () => number;
}

/** The poll (`GET /videos/{jobId}`) at which a job is completed: polls before it see pending, then in_progress. */
export const VIDEO_POLLS_TO_COMPLETE = 3;

function notFound(what: string): WirePlan {
  return errorPlan(404, `${what} not found`, { error_type: "not_found" });
}

/** A deterministic stand-in for an MP4 file: a valid `ftyp` box, then bytes derived from the job. */
function videoBytes(job: VideoJob, index: number): Uint8Array {
  const ftyp = [0, 0, 0, 0x18, ...Array.from("ftypmp42", (c) => c.charCodeAt(0)), 0, 0, 0, 0, ...Array.from("mp42isom", (c) => c.charCodeAt(0))];
  const tail = new TextEncoder().encode(`stand-in video ${job.id} #${index}: ${job.prompt}`);
  return Uint8Array.from([...ftyp, ...tail]);
}

/**
 * The stores and the operations they answer.
 *
 * @example
 * const r = createResources({ newId: (p) => `${p}1`, now: Date.now }, DEFAULT_PRESETS);
 * r.presetBySlug("concise")?.config?.model // "openai/gpt-4o-mini"
 */
export function createResources(ctx: ResourceContext, presets: readonly MockPreset[]) {
  const files = new Map<string, StoredFile>();
  const videos = new Map<string, VideoJob>();
  const keys = new Map<string, StoredKey>();
  const iso = () => new Date(ctx.now()).toISOString();

  const fileObject = (f: StoredFile) => ({
    _shape: "openrouter",
    id: f.id,
    object: "file",
    type: "file",
    filename: f.filename,
    mime_type: f.mimeType,
    size_bytes: f.bytes.byteLength,
    bytes: f.bytes.byteLength,
    created_at: f.createdAt,
    downloadable: true,
    purpose: "user_data",
    status: "processed",
  });

  const presetRecord = (p: MockPreset, i: number) => {
    const created = "2026-01-01T00:00:00.000Z";
    const version = {
      id: `pv_${i + 1}`,
      preset_id: `preset_${i + 1}`,
      creator_id: "user_mock",
      version: 1,
      system_prompt: p.systemPrompt ?? null,
      config: p.config ?? {},
      created_at: created,
      updated_at: created,
    };
    const preset = {
      id: `preset_${i + 1}`,
      slug: p.slug,
      name: p.name ?? p.slug,
      status: "active",
      created_at: created,
      updated_at: created,
      status_updated_at: null,
      creator_user_id: "user_mock",
      workspace_id: null,
      designated_version_id: version.id,
      designated_version: version,
    };
    return { preset, version };
  };

  function videoJob(job: VideoJob, origin: string): Json {
    const status = job.polls < VIDEO_POLLS_TO_COMPLETE - 1 ? "pending" : job.polls < VIDEO_POLLS_TO_COMPLETE ? "in_progress" : "completed";
    const out: Json = { id: job.id, polling_url: `${origin}/api/v1/videos/${job.id}`, status };
    if (status === "completed") {
      out["generation_id"] = job.generationId;
      out["unsigned_urls"] = [`${origin}/api/v1/videos/${job.id}/content?index=0`];
      out["usage"] = { cost: 0.5, is_byok: false };
    }
    return out;
  }

  function keyRecord(body: Json, hash: string): Json {
    const at = iso();
    const limit = typeof body["limit"] === "number" ? body["limit"] : null;
    return {
      hash,
      name: body["name"],
      label: `sk-or-v1-${hash.slice(0, 3)}...${hash.slice(-3)}`,
      disabled: false,
      limit,
      limit_remaining: limit,
      limit_reset: body["limit_reset"] ?? null,
      include_byok_in_limit: body["include_byok_in_limit"] ?? false,
      usage: 0, usage_daily: 0, usage_weekly: 0, usage_monthly: 0,
      byok_usage: 0, byok_usage_daily: 0, byok_usage_weekly: 0, byok_usage_monthly: 0,
      created_at: at,
      updated_at: null,
      expires_at: body["expires_at"] ?? null,
      creator_user_id: body["creator_user_id"] ?? null,
      workspace_id: typeof body["workspace_id"] === "string" ? body["workspace_id"] : "ws_default",
    };
  }

  /**
   * The answer of a stateful operation, or undefined when the operation has no state (answered from the
   * schema instead).
   */
  async function answer(matched: MatchedOperation, query: URLSearchParams, body: IncomingBody, origin: string): Promise<WirePlan | undefined> {
    const { method, path } = matched.operation;
    const p = matched.params;
    const jsonBody = (body.kind === "json" && body.value && typeof body.value === "object" ? body.value : {}) as Json;
    switch (`${method} ${path}`) {
      case "POST /files": {
        if (body.kind !== "form") return undefined;
        const part = body.form.get("file");
        if (!part || typeof part === "string") return undefined;
        const f: StoredFile = {
          id: ctx.newId("file"),
          filename: part.name || "upload.bin",
          mimeType: part.type || "application/octet-stream",
          bytes: new Uint8Array(await part.arrayBuffer()),
          createdAt: iso(),
        };
        files.set(f.id, f);
        return json(200, fileObject(f));
      }
      case "GET /files": {
        let list = [...files.values()];
        if (query.get("order") === "desc") list.reverse();
        const limit = Number(query.get("limit") ?? 1000);
        const page = list.slice(0, limit).map(fileObject);
        return json(200, {
          _shape: "openrouter",
          object: "list",
          data: page,
          first_id: page[0]?.id ?? null,
          last_id: page[page.length - 1]?.id ?? null,
          has_more: list.length > page.length,
          cursor: null,
        });
      }
      case "GET /files/{file_id}": {
        const f = files.get(p["file_id"]!);
        return f ? json(200, fileObject(f)) : notFound(`File ${p["file_id"]}`);
      }
      case "GET /files/{file_id}/content": {
        const f = files.get(p["file_id"]!);
        if (!f) return notFound(`File ${p["file_id"]}`);
        return { status: 200, headers: { "content-type": f.mimeType, "content-length": String(f.bytes.byteLength) }, chunks: [{ text: "", bytes: f.bytes }], end: "close" };
      }
      case "DELETE /files/{file_id}": {
        if (!files.delete(p["file_id"]!)) return notFound(`File ${p["file_id"]}`);
        return json(200, { _shape: "openrouter", id: p["file_id"], object: "file", type: "file_deleted", deleted: "true" });
      }
      case "POST /videos": {
        const job: VideoJob = { id: ctx.newId("vid"), polls: 0, prompt: String(jsonBody["prompt"] ?? ""), generationId: ctx.newId("gen-vid") };
        videos.set(job.id, job);
        return json(202, videoJob(job, origin));
      }
      case "GET /videos/{jobId}": {
        const job = videos.get(p["jobId"]!);
        if (!job) return notFound(`Video job ${p["jobId"]}`);
        // Each poll moves the job one step on, so a polling loop sees every state.
        job.polls = Math.min(job.polls + 1, VIDEO_POLLS_TO_COMPLETE);
        return json(200, videoJob(job, origin));
      }
      case "GET /videos/{jobId}/content": {
        const job = videos.get(p["jobId"]!);
        if (!job) return notFound(`Video job ${p["jobId"]}`);
        if (job.polls < VIDEO_POLLS_TO_COMPLETE) {
          return errorPlan(400, `Video job ${job.id} is not completed yet`, { error_type: "invalid_request" });
        }
        const bytes = videoBytes(job, Number(query.get("index") ?? 0));
        return { status: 200, headers: { "content-type": "video/mp4", "content-length": String(bytes.byteLength) }, chunks: [{ text: "", bytes }], end: "close" };
      }
      case "POST /keys": {
        const hash = ctx.newId("").replace(/[^a-z0-9]/gi, "").toLowerCase().padEnd(64, "0").slice(0, 64);
        const secret = `sk-or-v1-${hash}`;
        const stored: StoredKey = { hash, secret, record: keyRecord(jsonBody, hash) };
        keys.set(hash, stored);
        // The only time the secret is shown.
        return json(201, { data: stored.record, key: secret });
      }
      case "GET /keys": {
        const includeDisabled = query.get("include_disabled") === "true";
        const data = [...keys.values()].map((k) => k.record).filter((r) => includeDisabled || r["disabled"] !== true);
        return json(200, { data });
      }
      case "GET /keys/{hash}": {
        const k = keys.get(p["hash"]!);
        return k ? json(200, { data: k.record }) : notFound(`Key ${p["hash"]}`);
      }
      case "PATCH /keys/{hash}": {
        const k = keys.get(p["hash"]!);
        if (!k) return notFound(`Key ${p["hash"]}`);
        for (const field of ["name", "disabled", "limit", "limit_reset", "include_byok_in_limit"]) {
          if (field in jsonBody) k.record[field] = jsonBody[field];
        }
        if ("limit" in jsonBody) k.record["limit_remaining"] = jsonBody["limit"];
        k.record["updated_at"] = iso();
        return json(200, { data: k.record });
      }
      case "DELETE /keys/{hash}": {
        return keys.delete(p["hash"]!) ? json(200, { deleted: "true" }) : notFound(`Key ${p["hash"]}`);
      }
      case "GET /presets": {
        const data = presets.map((x, i) => presetRecord(x, i).preset);
        return json(200, { data, total_count: data.length });
      }
      case "GET /presets/{slug}":
      case "GET /presets/{slug}/versions":
      case "GET /presets/{slug}/versions/{version}": {
        const i = presets.findIndex((x) => x.slug === p["slug"]);
        if (i < 0) return notFound(`Preset ${p["slug"]}`);
        const { preset, version } = presetRecord(presets[i]!, i);
        if (path === "/presets/{slug}") return json(200, { data: preset });
        if (path === "/presets/{slug}/versions") return json(200, { data: [version], total_count: 1 });
        return p["version"] === "1" || p["version"] === version.id ? json(200, { data: version }) : notFound(`Version ${p["version"]} of preset ${p["slug"]}`);
      }
      default:
        return undefined;
    }
  }

  return {
    answer,
    presetBySlug: (slug: string) => presets.find((x) => x.slug === slug),
    /** Whether `secret` is a key created through `POST /keys` and not deleted or disabled. */
    isLiveKey: (secret: string) => [...keys.values()].some((k) => k.secret === secret && k.record["disabled"] !== true),
    reset() {
      files.clear();
      videos.clear();
      keys.clear();
    },
  };
}

/** The resources of one stand-in. */
export type Resources = ReturnType<typeof createResources>;
