/**
 * The stand-in's stateful resources, for the operations whose answers depend on earlier calls:
 * - files: upload (multipart), list, metadata, content (byte for byte what was uploaded), delete;
 * - video jobs: `POST /videos` answers 202 with a `pending` job; each poll moves it on
 *   (`pending` → `in_progress` → `completed`), and a completed job's content is video bytes; a job whose prompt
 *   contains `[mock:fail]` goes `pending` → `in_progress` → `failed` instead (with an `error`);
 * - API keys: create returns the secret once; list and get never show it; update; delete;
 * - presets: saving a chat, Messages or Responses request (`POST /presets/{slug}/…`) creates the preset or adds
 *   its next version; list, get and versions read them back (seeded from the `presets` option).
 * Everything else is answered from the spec's schemas (see synthesize.ts).
 */
import { createHash } from "node:crypto";
import type { MatchedOperation, IncomingBody } from "./spec-operations.js";
import { errorPlan, json, type WirePlan } from "./wire.js";

type Json = Record<string, unknown>;

/** A preset the stand-in starts with (its first version). */
export interface MockPreset {
  slug: string;
  name?: string;
  /** The saved request settings (the version's `config`). */
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
  /** Scripted with `[mock:fail]` in the prompt: the job fails where it would complete. */
  fails: boolean;
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
 * await r.answer(matched, new URLSearchParams(), { kind: "none" }, "http://127.0.0.1:1"); // a plan, or undefined
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

  /** Presets by slug, each with its versions (the last one is the designated version). */
  const presetStore = new Map<string, { preset: Json; versions: Json[] }>();
  const savePreset = (slug: string, config: Record<string, unknown>, systemPrompt: string | null, name?: string) => {
    const at = iso();
    let entry = presetStore.get(slug);
    if (!entry) {
      const id = `preset_${presetStore.size + 1}`;
      entry = {
        preset: { id, slug, name: name ?? slug, status: "active", created_at: at, updated_at: at, status_updated_at: null, creator_user_id: "user_mock", workspace_id: null },
        versions: [],
      };
      presetStore.set(slug, entry);
    }
    const n = entry.versions.length + 1;
    const version = { id: `${entry.preset["id"]}_v${n}`, preset_id: entry.preset["id"], creator_id: "user_mock", version: n, system_prompt: systemPrompt, config, created_at: at, updated_at: at };
    entry.versions.push(version);
    Object.assign(entry.preset, { updated_at: at, designated_version_id: version.id, designated_version: version });
    return entry.preset;
  };
  const seedPresets = () => {
    presetStore.clear();
    for (const p of presets) savePreset(p.slug, p.config ?? {}, p.systemPrompt ?? null, p.name);
  };
  seedPresets();

  /** The system prompt a saved request carries, and the request without it (the preset's config). */
  const splitSystemPrompt = (path: string, body: Json): { config: Json; systemPrompt: string | null } => {
    const config = { ...body };
    if (path.endsWith("/messages") && typeof body["system"] === "string") {
      delete config["system"];
      return { config, systemPrompt: body["system"] };
    }
    if (path.endsWith("/responses") && typeof body["instructions"] === "string") {
      delete config["instructions"];
      return { config, systemPrompt: body["instructions"] };
    }
    const messages = Array.isArray(body["messages"]) ? (body["messages"] as Json[]) : [];
    const system = messages.find((m) => m && m["role"] === "system" && typeof m["content"] === "string");
    if (system) config["messages"] = messages.filter((m) => m !== system);
    return { config, systemPrompt: system ? String(system["content"]) : null };
  };

  function videoJob(job: VideoJob, origin: string): Json {
    const status = job.polls < VIDEO_POLLS_TO_COMPLETE - 1 ? "pending" : job.polls < VIDEO_POLLS_TO_COMPLETE ? "in_progress" : "completed";
    if (status === "completed" && job.fails) {
      return { id: job.id, polling_url: `${origin}/api/v1/videos/${job.id}`, status: "failed", error: "Stand-in failure: the prompt asked for [mock:fail]", generation_id: job.generationId };
    }
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
        // The bytes as uploaded, typed as the spec declares; the original type and name are in the disposition.
        const headers = {
          "content-type": "application/octet-stream",
          "content-length": String(f.bytes.byteLength),
          "content-disposition": `attachment; filename="${f.filename.replace(/"/g, "")}"`,
          "x-original-content-type": f.mimeType,
        };
        return { status: 200, headers, chunks: [{ text: "", bytes: f.bytes }], end: "close" };
      }
      case "DELETE /files/{file_id}": {
        if (!files.delete(p["file_id"]!)) return notFound(`File ${p["file_id"]}`);
        return json(200, { _shape: "openrouter", id: p["file_id"], object: "file", type: "file_deleted", deleted: "true" });
      }
      case "POST /videos": {
        const prompt = String(jsonBody["prompt"] ?? "");
        const job: VideoJob = { id: ctx.newId("vid"), polls: 0, prompt, generationId: ctx.newId("gen-vid"), fails: prompt.includes("[mock:fail]") };
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
        if (job.polls < VIDEO_POLLS_TO_COMPLETE || job.fails) {
          return errorPlan(400, `Video job ${job.id} is not completed yet`, { error_type: "invalid_request" });
        }
        const bytes = videoBytes(job, Number(query.get("index") ?? 0));
        return { status: 200, headers: { "content-type": "video/mp4", "content-length": String(bytes.byteLength) }, chunks: [{ text: "", bytes }], end: "close" };
      }
      case "POST /keys": {
        // Key hashes are 64 hex characters on the real service (guardrail assignments check the pattern).
        const hash = createHash("sha256").update(ctx.newId("key")).digest("hex");
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
        const data = [...presetStore.values()].map((e) => e.preset);
        return json(200, { data, total_count: data.length });
      }
      case "POST /presets/{slug}/chat/completions":
      case "POST /presets/{slug}/messages":
      case "POST /presets/{slug}/responses": {
        // Saving a request makes it the preset's next (designated) version; the first save creates the preset.
        const { config, systemPrompt } = splitSystemPrompt(path, jsonBody);
        return json(200, { data: savePreset(p["slug"]!, config, systemPrompt) });
      }
      case "GET /presets/{slug}":
      case "GET /presets/{slug}/versions":
      case "GET /presets/{slug}/versions/{version}": {
        const entry = presetStore.get(p["slug"]!);
        if (!entry) return notFound(`Preset ${p["slug"]}`);
        if (path === "/presets/{slug}") return json(200, { data: entry.preset });
        if (path === "/presets/{slug}/versions") return json(200, { data: entry.versions, total_count: entry.versions.length });
        const version = entry.versions.find((v) => String(v["version"]) === p["version"] || v["id"] === p["version"]);
        return version ? json(200, { data: version }) : notFound(`Version ${p["version"]} of preset ${p["slug"]}`);
      }
      default:
        return undefined;
    }
  }

  return {
    answer,
    /** The designated version's settings of a saved preset, for chat through `model: "@preset/<slug>"`. */
    presetConfig: (slug: string) => {
      const version = presetStore.get(slug)?.preset["designated_version"] as Json | undefined;
      return version ? ((version["config"] as Json | undefined) ?? {}) : undefined;
    },
    /** Whether `secret` is a key created through `POST /keys` and not deleted or disabled. */
    isLiveKey: (secret: string) => [...keys.values()].some((k) => k.secret === secret && k.record["disabled"] !== true),
    reset() {
      files.clear();
      videos.clear();
      keys.clear();
      seedPresets();
    },
  };
}

/** The resources of one stand-in. */
export type Resources = ReturnType<typeof createResources>;
