/**
 * The hand-kept spec (spec/openrouter.yaml and its area files): every operation is present, every operation declares
 * the error envelope for its error statuses, the schema names of docs/ARCHITECTURE.md exist, and each key rule
 * (open responses, closed requests, open enums, error.code number|string, decimal-string prices, …) holds,
 * checked with ajv through test/helpers/spec.ts. A few type-level checks pin the generated types.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseYaml } from "@redocly/openapi-core";
import { describe, expect, expectTypeOf, it } from "vitest";
import { lintSpec } from "../scripts/lint-spec.js";
import type { components, operations, paths } from "../src/generated/openrouter.js";
import {
  SPEC_FILE,
  listOperations,
  loadSpec,
  responseRefName,
  validateRequest,
  validateResponse,
  validateResponseDescribed,
  validateSchema,
  validateSseData,
} from "./helpers/spec.js";

type Schemas = components["schemas"];
type Json = Record<string, unknown>;

function obj(value: unknown): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not an object");
  return value as Json;
}

const spec = loadSpec();
const schemas = obj(obj(spec["components"])["schemas"]);
const sharedResponses = obj(obj(spec["components"])["responses"]);

/**
 * Every operation the spec must describe: the 97 of OpenRouter's published description (2026-08) plus the legacy
 * POST /completions, which it dropped but the service still answers (facts §2.1). Committed so that this check
 * needs nothing outside the repository; test/contract/reference.test.ts compares with the published file itself.
 */
const REQUIRED_OPERATIONS: [method: string, path: string, operationId: string][] = [
  ["POST", "/chat/completions", "sendChatCompletionRequest"],
  ["POST", "/completions", "createCompletion"],
  ["POST", "/responses", "createResponses"],
  ["POST", "/messages", "createMessages"],
  ["POST", "/embeddings", "createEmbeddings"],
  ["GET", "/embeddings/models", "listEmbeddingsModels"],
  ["POST", "/rerank", "createRerank"],
  ["GET", "/models", "getModels"],
  ["GET", "/models/count", "listModelsCount"],
  ["GET", "/models/user", "listModelsUser"],
  ["GET", "/model/{author}/{slug}", "getModel"],
  ["GET", "/models/{author}/{slug}/endpoints", "listEndpoints"],
  ["GET", "/endpoints/zdr", "listEndpointsZdr"],
  ["GET", "/providers", "listProviders"],
  ["GET", "/generation", "getGeneration"],
  ["GET", "/credits", "getCredits"],
  ["POST", "/credits/coinbase", "createCoinbaseCharge"],
  ["GET", "/generation/content", "listGenerationContent"],
  ["POST", "/generation/feedback", "submitGenerationFeedback"],
  ["GET", "/key", "getCurrentKey"],
  ["GET", "/keys", "listKeys"],
  ["POST", "/keys", "createKeys"],
  ["GET", "/keys/{hash}", "getKey"],
  ["PATCH", "/keys/{hash}", "updateKeys"],
  ["DELETE", "/keys/{hash}", "deleteKeys"],
  ["GET", "/guardrails", "listGuardrails"],
  ["POST", "/guardrails", "createGuardrail"],
  ["GET", "/guardrails/{id}", "getGuardrail"],
  ["PATCH", "/guardrails/{id}", "updateGuardrail"],
  ["DELETE", "/guardrails/{id}", "deleteGuardrail"],
  ["GET", "/guardrails/{id}/assignments/keys", "listGuardrailKeyAssignments"],
  ["POST", "/guardrails/{id}/assignments/keys", "bulkAssignKeysToGuardrail"],
  ["POST", "/guardrails/{id}/assignments/keys/remove", "bulkUnassignKeysFromGuardrail"],
  ["GET", "/guardrails/{id}/assignments/members", "listGuardrailMemberAssignments"],
  ["POST", "/guardrails/{id}/assignments/members", "bulkAssignMembersToGuardrail"],
  ["POST", "/guardrails/{id}/assignments/members/remove", "bulkUnassignMembersFromGuardrail"],
  ["GET", "/guardrails/assignments/keys", "listKeyAssignments"],
  ["GET", "/guardrails/assignments/members", "listMemberAssignments"],
  ["GET", "/workspaces", "listWorkspaces"],
  ["POST", "/workspaces", "createWorkspace"],
  ["GET", "/workspaces/{id}", "getWorkspace"],
  ["PATCH", "/workspaces/{id}", "updateWorkspace"],
  ["DELETE", "/workspaces/{id}", "deleteWorkspace"],
  ["GET", "/workspaces/{id}/budgets", "listWorkspaceBudgets"],
  ["GET", "/workspaces/{id}/budgets/{interval}", "getWorkspaceBudget"],
  ["PUT", "/workspaces/{id}/budgets/{interval}", "upsertWorkspaceBudget"],
  ["DELETE", "/workspaces/{id}/budgets/{interval}", "deleteWorkspaceBudget"],
  ["GET", "/workspaces/{id}/members", "listWorkspaceMembers"],
  ["POST", "/workspaces/{id}/members/add", "bulkAddWorkspaceMembers"],
  ["POST", "/workspaces/{id}/members/remove", "bulkRemoveWorkspaceMembers"],
  ["GET", "/presets", "listPresets"],
  ["GET", "/presets/{slug}", "getPreset"],
  ["POST", "/presets/{slug}/chat/completions", "createPresetsChatCompletions"],
  ["POST", "/presets/{slug}/messages", "createPresetsMessages"],
  ["POST", "/presets/{slug}/responses", "createPresetsResponses"],
  ["GET", "/presets/{slug}/versions", "listPresetVersions"],
  ["GET", "/presets/{slug}/versions/{version}", "getPresetVersion"],
  ["GET", "/files", "listFiles"],
  ["POST", "/files", "uploadFile"],
  ["GET", "/files/{file_id}", "getFileMetadata"],
  ["DELETE", "/files/{file_id}", "deleteFile"],
  ["GET", "/files/{file_id}/content", "downloadFileContent"],
  ["POST", "/audio/speech", "createAudioSpeech"],
  ["POST", "/audio/transcriptions", "createAudioTranscriptions"],
  ["POST", "/images", "createImages"],
  ["GET", "/images/models", "listImageModels"],
  ["GET", "/images/models/{author}/{slug}/endpoints", "listImageModelEndpoints"],
  ["POST", "/videos", "createVideos"],
  ["GET", "/videos/{jobId}", "getVideos"],
  ["GET", "/videos/{jobId}/content", "listVideosContent"],
  ["GET", "/videos/models", "listVideosModels"],
  ["GET", "/byok", "listBYOKKeys"],
  ["POST", "/byok", "createBYOKKey"],
  ["GET", "/byok/{id}", "getBYOKKey"],
  ["PATCH", "/byok/{id}", "updateBYOKKey"],
  ["DELETE", "/byok/{id}", "deleteBYOKKey"],
  ["GET", "/observability/destinations", "listObservabilityDestinations"],
  ["POST", "/observability/destinations", "createObservabilityDestination"],
  ["GET", "/observability/destinations/{id}", "getObservabilityDestination"],
  ["PATCH", "/observability/destinations/{id}", "updateObservabilityDestination"],
  ["DELETE", "/observability/destinations/{id}", "deleteObservabilityDestination"],
  ["GET", "/activity", "getUserActivity"],
  ["GET", "/analytics/meta", "getAnalyticsMeta"],
  ["POST", "/analytics/query", "queryAnalytics"],
  ["GET", "/benchmarks", "getBenchmarks"],
  ["GET", "/classifications/task", "getTaskClassifications"],
  ["GET", "/datasets/app-rankings", "getAppRankings"],
  ["GET", "/datasets/rankings-daily", "getRankingsDaily"],
  ["GET", "/datasets/session-cost", "getSessionCost"],
  ["GET", "/organization/members", "listOrganizationMembers"],
  ["GET", "/scim/group-mappings", "listScimGroupMappings"],
  ["POST", "/scim/group-mappings", "createScimGroupMapping"],
  ["GET", "/scim/group-mappings/{id}", "getScimGroupMapping"],
  ["PATCH", "/scim/group-mappings/{id}", "updateScimGroupMapping"],
  ["DELETE", "/scim/group-mappings/{id}", "deleteScimGroupMapping"],
  ["GET", "/scim/groups", "listScimGroups"],
  ["POST", "/auth/keys/code", "createAuthKeysCode"],
  ["POST", "/auth/keys", "exchangeAuthCodeForAPIKey"],
];
const REQUIRED_ENDPOINTS = REQUIRED_OPERATIONS.map(([method, path]) => [method, path] as [string, string]);

/** Operations that take no request body although their method could carry one. */
const BODYLESS_WRITES = new Set(["POST /credits/coinbase"]);

/** Operations that need a management key rather than an inference key (facts §1). */
const MANAGEMENT_AREAS = new Set(["keys", "guardrails", "workspaces", "byok", "observability", "organization", "analytics"]);

/** docs/ARCHITECTURE.md: schema names the handwritten code relies on. */
const FIXED_SCHEMA_NAMES = [
  "ChatRequest",
  "ChatMessage",
  "SystemMessage",
  "DeveloperMessage",
  "UserMessage",
  "AssistantMessage",
  "ToolMessage",
  "ContentPart",
  "TextContentPart",
  "ImageUrlContentPart",
  "InputAudioContentPart",
  "FileContentPart",
  "VideoUrlContentPart",
  "Tool",
  "FunctionTool",
  "ServerTool",
  "ToolChoice",
  "ResponseFormat",
  "ProviderPreferences",
  "Plugin",
  "ReasoningConfig",
  "ChatResponse",
  "ChatChoice",
  "ChatResponseMessage",
  "ToolCall",
  "ReasoningDetail",
  "Annotation",
  "Usage",
  "ChatStreamChunk",
  "ChatStreamChoice",
  "ChatStreamDelta",
  "ToolCallDelta",
  "ErrorResponse",
  "ErrorObject",
  "ErrorAvailability",
  "Model",
  "ModelPricing",
  "ModelsListResponse",
  "ModelEndpoint",
  "ModelEndpointsResponse",
  "GenerationResponse",
  "GenerationData",
  "KeyResponse",
  "CreditsResponse",
  "EmbeddingsRequest",
  "EmbeddingsResponse",
  "CompletionRequest",
  "CompletionResponse",
  "ResponsesRequest",
  "ResponsesResponse",
  "MessagesRequest",
  "MessagesResponse",
  "RerankRequest",
  "RerankResponse",
];

/** The error statuses a generation endpoint can return (facts §7.2). */
const INFERENCE_ERROR_STATUSES = ["400", "401", "402", "403", "404", "408", "413", "422", "429", "500", "502", "503", "504", "524", "529"];

const user = (content: string) => ({ role: "user", content });
const chat = (extra: Json = {}) => ({ model: "openai/gpt-4o", messages: [user("hi")], ...extra });
const chunk = (extra: Json = {}) => ({
  id: "gen-1",
  object: "chat.completion.chunk",
  created: 1,
  model: "openai/gpt-4o",
  choices: [{ index: 0, delta: { content: "Hel" }, finish_reason: null }],
  ...extra,
});
const completion = (extra: Json = {}) => ({
  id: "gen-1",
  object: "chat.completion",
  created: 1,
  model: "openai/gpt-4o",
  choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "Hello" } }],
  ...extra,
});

describe("lint", () => {
  it("Redocly (recommended ruleset + .redocly.yaml) reports no errors and no warnings", async () => {
    const { problems, errors, warnings } = await lintSpec();
    expect(problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(errors).toBe(0);
    expect(warnings).toBe(0);
  }, 60_000);
});

describe("endpoints (every operation of the published description, and /completions)", () => {
  const ops = listOperations();

  it("holds at least the 97 published operations plus /completions", () => {
    expect(REQUIRED_OPERATIONS).toHaveLength(98);
    expect(ops.length).toBeGreaterThanOrEqual(98);
  });

  it.each(REQUIRED_OPERATIONS)("%s %s is in the spec as %s", (method, path, operationId) => {
    expect(ops.find((o) => o.method === method && o.path === path)?.operationId).toBe(operationId);
  });

  it("has no operation outside the list, and operationIds are unique", () => {
    const listed = new Set(REQUIRED_ENDPOINTS.map(([m, p]) => `${m} ${p}`));
    expect(ops.map((o) => `${o.method} ${o.path}`).filter((k) => !listed.has(k))).toEqual([]);
    const ids = ops.map((o) => o.operationId);
    expect(ids.every((id) => typeof id === "string")).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("request bodies exist on every POST, PUT and PATCH (except the body-less Coinbase charge) and never on GET or DELETE", () => {
    for (const op of ops) {
      const key = `${op.method} ${op.path}`;
      const writes = ["POST", "PUT", "PATCH"].includes(op.method) && !BODYLESS_WRITES.has(key);
      expect(op.hasRequestBody, key).toBe(writes);
    }
  });

  it("declares an inference key and a management key scheme; management areas require the management key", () => {
    const schemes = obj(obj(spec["components"])["securitySchemes"]);
    expect(obj(schemes["inferenceKey"])).toMatchObject({ type: "http", scheme: "bearer" });
    expect(obj(schemes["managementKey"])).toMatchObject({ type: "http", scheme: "bearer" });
    expect(spec["security"]).toEqual([{ inferenceKey: [] }]);
    const management: string[] = [];
    for (const [path, item] of Object.entries(obj(spec["paths"]))) {
      for (const [method, op] of Object.entries(obj(item))) {
        const operation = obj(op);
        const tag = (operation["tags"] as string[])[0] ?? "";
        const needsManagement = MANAGEMENT_AREAS.has(tag) && path !== "/key" && !path.startsWith("/benchmarks") &&
          !path.startsWith("/datasets") && !path.startsWith("/classifications");
        if (needsManagement || path === "/credits" || path === "/generation/feedback") {
          expect(operation["security"], `${method} ${path}`).toEqual([{ managementKey: [] }]);
          management.push(`${method} ${path}`);
        } else {
          expect(JSON.stringify(operation["security"] ?? []), `${method} ${path}`).not.toContain("managementKey");
        }
      }
    }
    expect(management).toContain("get /keys");
    expect(management).toContain("post /guardrails");
    expect(management.length).toBeGreaterThan(50);
  });

  it("is split by area: the root holds info, servers, security and a path index into one file per area", () => {
    const raw = parseYaml(readFileSync(SPEC_FILE, "utf8")) as Json;
    expect(Object.keys(raw)).toEqual(expect.arrayContaining(["openapi", "info", "servers", "security", "paths"]));
    expect(Object.keys(obj(raw["components"]))).toEqual(["securitySchemes"]);
    const areaOf = new Map<string, string>();
    for (const [path, entry] of Object.entries(obj(raw["paths"]))) {
      const ref = obj(entry)["$ref"];
      expect(typeof ref, path).toBe("string");
      const match = /^\.\/([a-z]+)\.yaml#\/paths\/(.+)$/.exec(ref as string);
      expect(match, `${path}: ${String(ref)}`).not.toBeNull();
      expect(match?.[2]?.replace(/~1/g, "/")).toBe(path);
      areaOf.set(path, match?.[1] ?? "");
    }
    // Each operation's tag is the name of the file it lives in, so a reader finds an area by file name.
    for (const [path, item] of Object.entries(obj(spec["paths"]))) {
      for (const op of Object.values(obj(item))) expect((obj(op)["tags"] as string[])[0], path).toBe(areaOf.get(path));
    }
    const areas = new Set(areaOf.values());
    for (const area of ["chat", "responses", "messages", "embeddings", "models", "generations", "keys", "guardrails", "workspaces",
      "presets", "files", "media", "byok", "observability", "analytics", "organization", "auth"]) {
      expect(areas.has(area), area).toBe(true);
      expect(existsSync(resolve(dirname(SPEC_FILE), `${area}.yaml`)), area).toBe(true);
    }
  });

  it("every operation is filed under the tag of its area file, and every tag is declared", () => {
    const declared = new Set((spec["tags"] as Json[]).map((t) => t["name"]));
    for (const item of Object.values(obj(spec["paths"]))) {
      for (const op of Object.values(obj(item))) {
        const tags = obj(op)["tags"] as string[];
        expect(tags).toHaveLength(1);
        expect(declared.has(tags[0])).toBe(true);
      }
    }
  });

  it("chat completions answers JSON or an event stream whose data is ChatStreamChunk", () => {
    const chatOp = ops.find((o) => o.path === "/chat/completions");
    expect(chatOp?.successContentTypes).toEqual(["application/json", "text/event-stream"]);
    const media = obj(
      obj(obj(obj(obj(obj(obj(obj(spec["paths"])["/chat/completions"])["post"])["responses"])["200"])["content"])[
        "text/event-stream"
      ])["schema"],
    );
    expect(media["type"]).toBe("string");
    expect(media["x-sse-data"]).toEqual({ $ref: "#/components/schemas/ChatStreamChunk" });
    expect(validateSseData("POST", "/chat/completions", chunk()).valid).toBe(true);
    expect(validateSseData("POST", "/chat/completions", { choices: [] }).valid).toBe(false);
  });

  it("GET /models declares its query filters; GET /generation requires `id`", () => {
    const params = (path: string) =>
      (obj(obj(obj(spec["paths"])[path])["get"])["parameters"] as Json[]).map((p) => {
        const ref = p["$ref"];
        return typeof ref === "string"
          ? obj(obj(obj(spec["components"])["parameters"])[ref.split("/").pop() ?? ""])
          : p;
      });
    const modelParams = params("/models").map((p) => p["name"]);
    for (const name of ["offset", "limit", "output_modalities", "input_modalities", "supported_parameters", "category", "sort", "q", "providers", "zdr", "region"]) {
      expect(modelParams).toContain(name);
    }
    const id = params("/generation").find((p) => p["name"] === "id");
    expect(id).toMatchObject({ in: "query", required: true });
  });
});

describe("error envelope for every error status", () => {
  const ops = listOperations();

  it.each(ops.map((o) => [o.method, o.path, o] as const))("%s %s", (method, path, op) => {
    const errorStatuses = op.statuses.filter((s) => /^[45]/.test(s));
    expect(errorStatuses.some((s) => s.startsWith("4"))).toBe(true);
    expect(errorStatuses.some((s) => s.startsWith("5"))).toBe(true);
    const expectedSchema = path === "/messages" ? "MessagesErrorResponse" : "ErrorResponse";
    for (const status of errorStatuses) {
      // Shared components/responses, never an inline copy.
      const name = responseRefName(method, path, status);
      expect(name, `${method} ${path} ${status}`).toBeDefined();
      const schema = obj(obj(obj(obj(sharedResponses[name ?? ""])["content"])["application/json"])["schema"]);
      expect(schema["$ref"]).toBe(`#/components/schemas/${expectedSchema}`);
    }
  });

  it.each(["/chat/completions", "/completions", "/responses", "/messages"])(
    "POST %s declares every status a generation can fail with",
    (path) => {
      const op = ops.find((o) => o.method === "POST" && o.path === path);
      expect(op?.statuses).toEqual(expect.arrayContaining(INFERENCE_ERROR_STATUSES));
    },
  );

  it("validateResponse follows $ref to components/responses", () => {
    const envelope = { error: { code: 429, message: "Rate limit exceeded" } };
    expect(validateResponse("POST", "/chat/completions", 429, envelope).valid).toBe(true);
    // A completion is not an error envelope, and an envelope is not a completion.
    expect(validateResponse("POST", "/chat/completions", 429, completion()).valid).toBe(false);
    expect(validateResponse("POST", "/chat/completions", 200, envelope).valid).toBe(false);
    expect(() => validateResponse("GET", "/models", 418, envelope)).toThrow(/declares no response for status 418/);
    expect(() => validateResponse("GET", "/nope", 200, {})).toThrow(/not in the spec/);
  });
});

describe("schema names (docs/ARCHITECTURE.md)", () => {
  it.each(FIXED_SCHEMA_NAMES)("%s exists", (name) => {
    expect(schemas[name]).toBeDefined();
  });

  it("ChatMessage and ContentPart are the documented unions", () => {
    const members = (name: string) => (obj(schemas[name])["oneOf"] as Json[]).map((m) => m["$ref"]);
    expect(members("ChatMessage")).toEqual(
      ["SystemMessage", "DeveloperMessage", "UserMessage", "AssistantMessage", "ToolMessage"].map(
        (n) => `#/components/schemas/${n}`,
      ),
    );
    expect(members("ContentPart")).toEqual(
      ["TextContentPart", "ImageUrlContentPart", "InputAudioContentPart", "FileContentPart", "VideoUrlContentPart"].map(
        (n) => `#/components/schemas/${n}`,
      ),
    );
  });

  it("every component schema compiles with ajv despite OpenAPI keywords (discriminator, examples, x-*)", () => {
    for (const name of Object.keys(schemas)) {
      expect(() => validateSchema(name, {}), name).not.toThrow();
    }
    expect(() => validateSchema("NoSuchSchema", {})).toThrow(/not in the spec/);
  });

  it("uses 3.1 nullability only (no `nullable:` keyword anywhere)", () => {
    const offenders: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${where}/${i}`));
      else if (typeof node === "object" && node !== null) {
        for (const [k, v] of Object.entries(node)) {
          if (k === "nullable") offenders.push(where);
          walk(v, `${where}/${k}`);
        }
      }
    };
    walk(spec, "#");
    expect(offenders).toEqual([]);
  });
});

describe("responses are open, requests are closed", () => {
  it("a response with an unknown extra field is accepted (at every level)", () => {
    const body = completion({ brand_new_field: { x: 1 } });
    (body.choices[0] as Json)["new_choice_field"] = true;
    expect(validateResponse("POST", "/chat/completions", 200, body).errors).toBe("");
    expect(validateSchema("ChatStreamChunk", chunk({ surprise: 1 })).valid).toBe(true);
    expect(validateSchema("Model", { id: "a/b", new_thing: [1] }).valid).toBe(true);
    expect(validateSchema("ErrorResponse", { error: { message: "x", extra: 1 }, extra: 2 }).valid).toBe(true);
    // …while the completeness check used by the contract tests does report it.
    expect(validateResponseDescribed("POST", "/chat/completions", 200, body).valid).toBe(false);
    expect(validateResponseDescribed("POST", "/chat/completions", 200, completion()).errors).toBe("");
  });

  it("a request with an unknown field is rejected (top level and nested)", () => {
    expect(validateRequest("POST", "/chat/completions", chat()).errors).toBe("");
    expect(validateRequest("POST", "/chat/completions", chat({ temprature: 0.5 })).valid).toBe(false);
    expect(validateRequest("POST", "/chat/completions", chat({ messages: [{ ...user("hi"), foo: 1 }] })).valid).toBe(false);
    expect(validateRequest("POST", "/chat/completions", chat({ provider: { sortt: "price" } })).valid).toBe(false);
    expect(validateRequest("POST", "/chat/completions", chat({ reasoning: { effort: "high", budget: 1 } })).valid).toBe(false);
    expect(validateRequest("POST", "/embeddings", { model: "m", input: "x", foo: 1 }).valid).toBe(false);
    expect(validateRequest("POST", "/rerank", { model: "m", query: "q", documents: ["a"], foo: 1 }).valid).toBe(false);
  });

  it("free-form request maps stay open", () => {
    const parameters = { type: "object", properties: { city: { type: "string" } }, required: ["city"], anything: 1 };
    const tool = { type: "function", function: { name: "get_weather", parameters } };
    expect(validateRequest("POST", "/chat/completions", chat({ tools: [tool] })).errors).toBe("");
    expect(validateRequest("POST", "/chat/completions", chat({ image_config: { aspect_ratio: "16:9" } })).errors).toBe("");
    expect(validateRequest("POST", "/chat/completions", chat({ plugins: [{ id: "web", max_results: 3, x: 1 }] })).errors).toBe("");
    expect(validateRequest("POST", "/chat/completions", chat({ metadata: { a: "b" } })).errors).toBe("");
    expect(validateRequest("POST", "/chat/completions", chat({ metadata: { a: 1 } })).valid).toBe(false);
  });

  it("only `messages` is required; messages may not be empty", () => {
    expect(validateRequest("POST", "/chat/completions", { messages: [user("hi")] }).valid).toBe(true);
    expect(validateRequest("POST", "/chat/completions", { model: "m" }).valid).toBe(false);
    expect(validateRequest("POST", "/chat/completions", { messages: [] }).valid).toBe(false);
  });
});

describe("open enums accept unknown strings", () => {
  it.each([
    ["FinishReason", "stop", "a_new_reason"],
    ["ReasoningEffort", "high", "ultra"],
    ["ErrorType", "rate_limit_exceeded", "brand_new_type"],
    ["Quantization", "fp8", "fp2"],
    ["ProviderSortBy", "price", "carbon"],
    ["ReasoningDetailFormat", "anthropic-claude-v1", "new-format-v9"],
  ])("%s: known %s and unknown %s pass, a number does not", (name, known, unknown) => {
    expect(validateSchema(name, known).valid).toBe(true);
    expect(validateSchema(name, unknown).valid).toBe(true);
    expect(validateSchema(name, 42).valid).toBe(false);
  });

  it("availability codes, server tools, plugins, service tiers and modalities are open", () => {
    expect(validateSchema("ErrorAvailability", { code: "a_new_code", retryable: true }).valid).toBe(true);
    expect(validateSchema("ServerTool", { type: "openrouter:new_tool" }).valid).toBe(true);
    expect(validateSchema("ServerTool", { type: "web_search" }).valid).toBe(false);
    expect(validateSchema("Plugin", { id: "a-new-plugin" }).valid).toBe(true);
    expect(validateRequest("POST", "/chat/completions", chat({ service_tier: "turbo", modalities: ["text", "smell"] })).errors).toBe("");
  });
});

describe("key rules of the facts §9 checklist", () => {
  it("error.code is number | string and optional; message is required", () => {
    expect(validateSchema("ErrorObject", { code: 400, message: "m" }).valid).toBe(true);
    expect(validateSchema("ErrorObject", { code: "server_error", message: "m" }).valid).toBe(true);
    expect(validateSchema("ErrorObject", { message: "m" }).valid).toBe(true);
    expect(validateSchema("ErrorObject", { code: true, message: "m" }).valid).toBe(false);
    expect(validateSchema("ErrorObject", { code: 400 }).valid).toBe(false);
    expect(validateSchema("ErrorResponse", { message: "no envelope" }).valid).toBe(false);
  });

  it("availability may come without code; metadata is open", () => {
    const error = {
      message: "No endpoints",
      error_type: "not_found",
      http_status: 404,
      metadata: { anything: { nested: true } },
      availability: { retryable: false, requested_models: ["a/b"], docs_url: "https://x" },
    };
    expect(validateSchema("ErrorResponse", { error, user_id: null }).errors).toBe("");
  });

  it("prices are decimal strings; max_price values are number or string", () => {
    expect(validateSchema("ModelPricing", { prompt: "0.0000003", completion: "0" }).valid).toBe(true);
    expect(validateSchema("ModelPricing", { prompt: 0.0000003 }).valid).toBe(false);
    expect(validateSchema("MaxPrice", { prompt: 1, completion: "2", request: "0.5" }).valid).toBe(true);
    expect(validateSchema("MaxPrice", { prompt: true }).valid).toBe(false);
  });

  it("chunks allow `choices: []`, an in-band `error`, native_finish_reason, choice error and provider", () => {
    const usageChunk = chunk({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3, cost: 6e-7 } });
    expect(validateSchema("ChatStreamChunk", usageChunk).errors).toBe("");
    const errorChunk = chunk({
      provider: "OpenAI",
      error: { code: 429, message: "Rate limit exceeded", metadata: { error_type: "rate_limit_exceeded" } },
      choices: [
        {
          index: 0,
          delta: { content: "" },
          finish_reason: "error",
          native_finish_reason: "error",
          error: { code: "server_error", message: "boom" },
        },
      ],
    });
    expect(validateSchema("ChatStreamChunk", errorChunk).errors).toBe("");
    expect(validateSchema("ChatStreamChunk", chunk({ choices: null })).valid).toBe(false);
  });

  it("the JSON response has provider, native_finish_reason and choice-level error", () => {
    const body = completion({ provider: "OpenAI" });
    Object.assign(body.choices[0] as Json, { native_finish_reason: "end_turn", error: { code: 502, message: "x" } });
    expect(validateSchema("ChatResponse", body).errors).toBe("");
    const badProvider = completion({ provider: 7 });
    expect(validateSchema("ChatResponse", badProvider).valid).toBe(false);
  });

  it("usage carries cost (number|null), cost_details, token details and both server-tool blocks", () => {
    const usage = {
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
      cost: null,
      is_byok: false,
      cost_details: { upstream_inference_cost: null, upstream_inference_prompt_cost: 0.1, upstream_inference_completions_cost: 0.2 },
      prompt_tokens_details: { cached_tokens: 3, cache_write_tokens: 1, audio_tokens: 0, video_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 2, image_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      server_tool_use_details: { web_search_requests: 1, tool_calls_requested: 1, tool_calls_executed: 1 },
      server_tool_use: { web_search_requests: 1 },
    };
    expect(validateSchema("Usage", usage).errors).toBe("");
    expect(validateSchema("Usage", { ...usage, cost: "0.1" }).valid).toBe(false);
    expect(validateSchema("Usage", { prompt_tokens: 1, completion_tokens: 1 }).valid).toBe(false);
  });

  it("reasoning config has effort, max_tokens, exclude, enabled and summary", () => {
    const reasoning = { effort: "high", max_tokens: 2000, exclude: true, enabled: true, summary: "concise" };
    expect(validateRequest("POST", "/chat/completions", chat({ reasoning })).errors).toBe("");
  });

  it("legacy transforms, usage and include_reasoning are accepted and marked deprecated", () => {
    const legacy = { transforms: ["middle-out"], usage: { include: true }, include_reasoning: true, route: "fallback" };
    expect(validateRequest("POST", "/chat/completions", chat(legacy)).errors).toBe("");
    const props = obj(obj(schemas["ChatRequest"])["properties"]);
    for (const key of ["transforms", "usage", "include_reasoning", "route", "max_tokens"]) {
      expect(obj(props[key])["deprecated"], key).toBe(true);
    }
  });

  it("stream_options, models fallback, session_id, trace, cache_control and prediction are accepted", () => {
    const body = chat({
      stream: true,
      stream_options: { include_usage: true },
      models: ["a/b", "c/d"],
      session_id: "s-1",
      trace: { trace_id: "t", span_name: "s", custom: "kept" },
      cache_control: { type: "ephemeral", ttl: "1h" },
      prediction: { type: "content", content: "draft" },
      provider: {
        order: ["deepinfra/turbo"],
        allow_fallbacks: false,
        require_parameters: true,
        data_collection: "deny",
        zdr: true,
        enforce_distillable_text: false,
        only: ["openai"],
        ignore: ["azure"],
        quantizations: ["fp8"],
        sort: { by: "throughput", partition: "none" },
        preferred_min_throughput: { p90: 50 },
        preferred_max_latency: 2,
        max_price: { prompt: 1, completion: "2" },
      },
    });
    expect(validateRequest("POST", "/chat/completions", body).errors).toBe("");
    expect(validateRequest("POST", "/chat/completions", chat({ session_id: "x".repeat(257) })).valid).toBe(false);
  });

  it("every message role and content-part kind is accepted; malformed ones are not", () => {
    const parts = [
      { type: "text", text: "look", cache_control: { type: "ephemeral" } },
      { type: "image_url", image_url: { url: "data:image/png;base64,AAAA", detail: "high" } },
      { type: "input_audio", input_audio: { data: "AAAA", format: "wav" } },
      { type: "file", file: { filename: "a.pdf", file_data: "https://x/a.pdf" } },
      { type: "video_url", video_url: { url: "https://x/v.mp4" } },
    ];
    const messages = [
      { role: "system", content: "s" },
      { role: "developer", content: [{ type: "text", text: "d" }] },
      { role: "user", content: parts },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }],
        reasoning_details: [{ type: "reasoning.text", text: "hm", signature: "sig", format: "anthropic-claude-v1", index: 0 }],
      },
      { role: "tool", tool_call_id: "call_1", content: "42" },
    ];
    expect(validateRequest("POST", "/chat/completions", chat({ messages })).errors).toBe("");
    expect(validateSchema("ChatMessage", { role: "tool", content: "42" }).valid).toBe(false);
    expect(validateSchema("ChatMessage", { role: "robot", content: "x" }).valid).toBe(false);
    expect(validateSchema("ContentPart", { type: "hologram", url: "x" }).valid).toBe(false);
  });

  it("tools, tool_choice and response_format cover every documented shape", () => {
    const tools = [
      { type: "function", function: { name: "get_weather", description: "d", parameters: {}, strict: true } },
      { type: "openrouter:web_search", parameters: { max_results: 3 } },
      { type: "web_search_preview" },
    ];
    for (const tool_choice of ["none", "auto", "required", { type: "function", function: { name: "get_weather" } }, { type: "openrouter:web_search" }]) {
      expect(validateRequest("POST", "/chat/completions", chat({ tools, tool_choice })).errors).toBe("");
    }
    expect(validateSchema("FunctionTool", { type: "function", function: { name: "bad name!" } }).valid).toBe(false);
    for (const response_format of [
      { type: "text" },
      { type: "json_object" },
      { type: "json_schema", json_schema: { name: "x", schema: { type: "object" }, strict: true } },
      { type: "grammar", grammar: "root ::= 'a'" },
      { type: "python" },
    ]) {
      expect(validateSchema("ResponseFormat", response_format).errors).toBe("");
    }
    expect(validateSchema("ResponseFormat", { type: "json_schema", json_schema: { schema: {} } }).valid).toBe(false);
  });

  it("a streamed tool call may arrive without id, type or even index (known anomaly)", () => {
    expect(validateSchema("ToolCallDelta", { index: 0, function: { arguments: "{\"a\"" } }).valid).toBe(true);
    expect(validateSchema("ToolCallDelta", { function: { arguments: "1}" } }).valid).toBe(true);
    expect(validateSchema("ToolCallDelta", { index: "0" }).valid).toBe(false);
  });

  it("reasoning details are a union tagged by type", () => {
    expect(validateSchema("ReasoningDetail", { type: "reasoning.encrypted", data: "enc", format: null }).valid).toBe(true);
    expect(validateSchema("ReasoningDetail", { type: "reasoning.summary", summary: "s" }).valid).toBe(true);
    expect(validateSchema("ReasoningDetail", { type: "reasoning.encrypted" }).valid).toBe(false);
  });
});

describe("generated types (compile-time, checked by tsc -p tsconfig.node.json)", () => {
  it("pins the shapes handwritten code depends on", () => {
    expectTypeOf<Schemas["ErrorObject"]["code"]>().toEqualTypeOf<number | string | undefined>();
    expectTypeOf<"a_new_reason">().toMatchTypeOf<NonNullable<Schemas["FinishReason"]>>();
    expectTypeOf<null>().toMatchTypeOf<Schemas["FinishReason"]>();
    expectTypeOf<Schemas["ModelPricing"]["prompt"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Schemas["ChatStreamChunk"]["choices"]>().toEqualTypeOf<Schemas["ChatStreamChoice"][]>();
    expectTypeOf<Schemas["Usage"]["cost"]>().toEqualTypeOf<number | null | undefined>();
    expectTypeOf<Schemas["ChatRequest"]["stream"]>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<{ messages: [{ role: "user"; content: "hi" }] }>().toMatchTypeOf<Schemas["ChatRequest"]>();
    expectTypeOf<paths["/chat/completions"]["post"]>().toEqualTypeOf<operations["sendChatCompletionRequest"]>();
    // Runtime anchor so the test is not empty: the generated module is importable as types only.
    expect(FIXED_SCHEMA_NAMES.length).toBeGreaterThan(50);
  });
});
