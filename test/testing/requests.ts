/**
 * Test helper: a valid request for any operation of the spec, built from the operation's own request
 * schemas (required parameters, a JSON or multipart body), with ids that name the stand-in's state where
 * an operation reads it (an uploaded file, a created key, a finished video job, a served generation).
 */
import { synthesize, derefSchema, resolveRef } from "../../src/testing/synthesize.js";
import type { MockOpenRouter } from "../../src/testing/index.js";
import { loadSpec } from "../helpers/spec.js";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export const BASE = "https://openrouter.ai/api/v1";
export const INFERENCE_KEY = "sk-or-v1-inference";
export const MANAGEMENT_KEY = "sk-or-v1-management";

/** Ids of state prepared in a stand-in, used for path and query parameters of that name. */
export interface PreparedState {
  file_id: string;
  hash: string;
  jobId: string;
  generationId: string;
}

/** Upload a file, create a key, run a video job to completion and serve one chat generation. */
export async function prepareState(mock: MockOpenRouter): Promise<PreparedState> {
  const auth = { authorization: `Bearer ${INFERENCE_KEY}` };
  const form = new FormData();
  form.append("file", new File(["hello"], "hello.txt", { type: "text/plain" }));
  const file = (await (await mock.fetch(`${BASE}/files`, { method: "POST", headers: auth, body: form })).json()) as Json;
  const key = (await (
    await mock.fetch(`${BASE}/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${MANAGEMENT_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "ci" }),
    })
  ).json()) as { data: Json };
  const job = (await (
    await mock.fetch(`${BASE}/videos`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ model: "google/veo-3.1", prompt: "a cat" }) })
  ).json()) as Json;
  for (let i = 0; i < 3; i++) await mock.fetch(`${BASE}/videos/${String(job["id"])}`, { headers: auth });
  const chat = await mock.fetch(`${BASE}/chat/completions`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] }),
  });
  const generationId = String(((await chat.json()) as Json)["id"]);
  return { file_id: String(file["id"]), hash: String(key.data["hash"]), jobId: String(job["id"]), generationId };
}

/** Body fields the schema alone cannot know: a model the stand-in's catalogue has, per operation. */
const BODY_OVERRIDES: Record<string, Json> = {
  "POST /chat/completions": { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] },
  "POST /presets/{slug}/chat/completions": { messages: [{ role: "user", content: "Hi" }] },
  "POST /completions": { model: "openai/gpt-4o-mini" },
  "POST /responses": { model: "openai/gpt-4o-mini", input: "Hi" },
  "POST /presets/{slug}/responses": { input: "Hi" },
  "POST /messages": { model: "anthropic/claude-haiku-4.5", max_tokens: 100, messages: [{ role: "user", content: "Hi" }] },
  "POST /presets/{slug}/messages": { model: "anthropic/claude-haiku-4.5", max_tokens: 100, messages: [{ role: "user", content: "Hi" }] },
  "POST /embeddings": { model: "openai/text-embedding-3-small", input: "Hi" },
};

function paramValue(name: string, state: PreparedState, path: string, schema?: unknown): string {
  if (name === "file_id" || name === "hash" || name === "jobId") return state[name];
  if (path.startsWith("/generation") && name === "id") return state.generationId;
  if (path.startsWith("/presets") && name === "slug") return "concise";
  if (name === "version") return "1";
  if (name === "author") return "openai";
  if (name === "slug") return "gpt-4o-mini";
  return String(synthesize(loadSpec(), schema, name));
}

/** A valid `Request` for `method path` against the stand-in, carrying the key the operation needs. */
export function requestFor(method: string, path: string, state: PreparedState): Request {
  const doc = loadSpec();
  const op = ((doc["paths"] as Json)[path] as Json)[method.toLowerCase()] as Json;
  let url = path;
  const query = new URLSearchParams();
  const headers: Record<string, string> = {};
  for (const raw of (op["parameters"] as unknown[] | undefined) ?? []) {
    const p = (isObject(raw) && typeof raw["$ref"] === "string" ? resolveRef(doc, raw["$ref"]) : raw) as Json;
    const name = String(p["name"]);
    if (p["in"] === "path") url = url.replace(`{${name}}`, encodeURIComponent(paramValue(name, state, path, p["schema"])));
    else if (p["required"] === true && p["in"] === "query") {
      const v = name === "id" ? paramValue(name, state, path) : synthesize(doc, p["schema"], name);
      query.set(name, String(v));
    }
  }
  const security = (op["security"] ?? doc["security"]) as Json[];
  const management = security.some((r) => "managementKey" in r);
  headers["authorization"] = `Bearer ${management ? MANAGEMENT_KEY : INFERENCE_KEY}`;
  let body: BodyInit | undefined;
  const requestBody = isObject(op["requestBody"]) ? derefSchema(doc, op["requestBody"]) : undefined;
  const content = requestBody && isObject(requestBody["content"]) ? requestBody["content"] : undefined;
  if (content && isObject(content["application/json"])) {
    const value = { ...(synthesize(doc, content["application/json"]["schema"]) as Json), ...(BODY_OVERRIDES[`${method} ${path}`] ?? {}) };
    if (`${method} ${path}` === "POST /generation/feedback") value["generation_id"] = state.generationId;
    headers["content-type"] = "application/json";
    body = JSON.stringify(value);
  } else if (content && isObject(content["multipart/form-data"])) {
    body = formFor(doc, derefSchema(doc, content["multipart/form-data"]["schema"]));
  }
  const qs = query.toString();
  return new Request(`${BASE}${url}${qs ? `?${qs}` : ""}`, { method, headers, ...(body !== undefined ? { body } : {}) });
}

/** Multipart form data with every required part: binary properties as files, the rest as text. */
export function formFor(doc: Json, schema: Json): FormData {
  const form = new FormData();
  const props = (schema["properties"] ?? {}) as Json;
  for (const name of (schema["required"] as string[] | undefined) ?? []) {
    const prop = derefSchema(doc, props[name]);
    if (prop["format"] === "binary") form.append(name, new File([new Uint8Array([1, 2, 3, 4])], `${name}.bin`, { type: "application/octet-stream" }));
    else form.append(name, name === "model" ? "openai/whisper-1" : String(synthesize(doc, prop, name)));
  }
  return form;
}
