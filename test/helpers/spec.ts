/**
 * Test helper: validates values against spec/openrouter.yaml with one shared ajv (JSON Schema 2020-12) instance.
 * The spec is split by area; `loadSpec()` returns it assembled into one document (src/testing/spec-files.ts),
 * so every `$ref` below is local.
 *
 * The whole OpenAPI document is registered with ajv once, so every `$ref: "#/components/schemas/X"` resolves
 * inside it. Compiled validators are cached per schema location. OpenAPI-only keywords (`discriminator`,
 * `example`, `xml`, `externalDocs`, `x-*` extensions) are declared as annotations so ajv neither rejects
 * nor acts on them.
 *
 * @example
 * ```ts
 * import { validateSchema, validateResponse } from "./helpers/spec.js";
 * expect(validateSchema("ChatStreamChunk", chunk).errors).toBe("");
 * expect(validateResponse("POST", "/chat/completions", 200, body).valid).toBe(true);
 * ```
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseYaml } from "@redocly/openapi-core";
import { Ajv2020 } from "ajv/dist/2020.js";
import { assembleSpec } from "../../src/testing/spec-files.js";
import type { ErrorObject, ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

/** Repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** Absolute path of the spec. */
export const SPEC_FILE = resolve(ROOT, "spec/openrouter.yaml");
/** The `$id` under which the spec document is registered with ajv. */
const SPEC_ID = "https://openrouter-fetch.local/spec/openrouter.yaml";
/** The `$id` of the copy with closed objects (see `closedCopy`). */
const CLOSED_ID = "https://openrouter-fetch.local/spec/openrouter.closed.yaml";

/** Result of a validation: `errors` is "" when valid, else one line per problem. */
export interface ValidationResult {
  valid: boolean;
  errors: string;
}

/** One operation of the spec. */
export interface OperationInfo {
  method: HttpMethod;
  path: string;
  operationId: string | undefined;
  /** Declared response statuses, e.g. ["200", "400", …]. */
  statuses: string[];
  /** Content types of the 200 (or first 2xx) response. */
  successContentTypes: string[];
  hasRequestBody: boolean;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
const METHODS: HttpMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

let specCache: Json | undefined;

/**
 * The parsed spec document (parsed once).
 *
 * @example
 * ```ts
 * const spec = loadSpec(); spec.openapi; // "3.1.0"
 * ```
 */
export function loadSpec(): Json {
  if (!specCache) {
    specCache = assembleSpec(SPEC_FILE, { readText: (path) => readFileSync(path, "utf8"), parse: (text) => parseYaml(text) });
  }
  return specCache;
}

// ajv-formats ships CommonJS with `exports.default`; under NodeNext the default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

let ajvCache: Ajv2020 | undefined;

/**
 * A copy of the spec in which every component schema object that lists `properties` and says nothing about
 * `additionalProperties` is closed. Used to check that the spec *describes* every field the recordings
 * contain, while the real spec stays open for responses.
 */
function closedCopy(spec: Json): Json {
  const copy = structuredClone(spec);
  const close = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(close);
      return;
    }
    if (!isObject(node)) return;
    if (isObject(node["properties"]) && !("additionalProperties" in node)) node["additionalProperties"] = false;
    for (const value of Object.values(node)) close(value);
  };
  const components = copy["components"];
  if (isObject(components)) close(components["schemas"]);
  return copy;
}

/** The one ajv instance, with the spec registered under SPEC_ID (and its closed copy under CLOSED_ID). */
function ajv(): Ajv2020 {
  if (ajvCache) return ajvCache;
  const instance = new Ajv2020({
    allErrors: true,
    // The OpenAPI document is not itself a JSON Schema (paths, info, …), so strict mode would reject it.
    strict: false,
    // Numbers like 6e-7 and integers are validated as JSON values; never coerce.
    coerceTypes: false,
  });
  addFormats(instance);
  instance.addVocabulary(["discriminator", "example", "xml", "externalDocs", "x-sse-data", "x-sse-terminator"]);
  instance.addSchema(loadSpec(), SPEC_ID);
  instance.addSchema(closedCopy(loadSpec()), CLOSED_ID);
  ajvCache = instance;
  return instance;
}

const validatorCache = new Map<string, ValidateFunction>();

/** Encodes one JSON-pointer segment for use in a URI fragment. */
function pointerSegment(segment: string): string {
  return encodeURIComponent(segment.replace(/~/g, "~0").replace(/\//g, "~1"));
}

/** The validator for the schema at a JSON pointer (segments) inside the spec (or its closed copy), cached. */
function validatorAt(segments: string[], closed = false): ValidateFunction {
  const fragment = "/" + segments.map(pointerSegment).join("/");
  const id = closed ? CLOSED_ID : SPEC_ID;
  const key = `${id}#${fragment}`;
  const cached = validatorCache.get(key);
  if (cached) return cached;
  const validate = ajv().getSchema(key);
  if (!validate) throw new Error(`spec helper: no schema at #${fragment}`);
  validatorCache.set(key, validate);
  return validate;
}

function formatErrors(errors: ErrorObject[] | null | undefined): string {
  if (!errors || errors.length === 0) return "";
  return errors
    .map((e) => {
      const params = JSON.stringify(e.params);
      return `${e.instancePath || "(root)"} ${e.message ?? "invalid"} ${params} [${e.schemaPath}]`;
    })
    .join("\n");
}

function run(validate: ValidateFunction, value: unknown): ValidationResult {
  const valid = validate(value) === true;
  return { valid, errors: valid ? "" : formatErrors(validate.errors) };
}

/** Follows a local `$ref` ("#/a/b") inside the spec; returns the target and its pointer segments. */
function deref(node: unknown, segments: string[]): { node: unknown; segments: string[] } {
  let current = node;
  let where = segments;
  for (let hops = 0; hops < 10 && isObject(current) && typeof current["$ref"] === "string"; hops++) {
    const ref = current["$ref"];
    if (!ref.startsWith("#/")) throw new Error(`spec helper: only local $refs are supported, got ${ref}`);
    where = ref
      .slice(2)
      .split("/")
      .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    current = where.reduce<unknown>((acc, key) => (isObject(acc) ? acc[key] : undefined), loadSpec());
    if (current === undefined) throw new Error(`spec helper: dangling $ref ${ref}`);
  }
  return { node: current, segments: where };
}

function operation(method: string, path: string): Json {
  const paths = loadSpec()["paths"];
  const item = isObject(paths) ? paths[path] : undefined;
  if (!isObject(item)) throw new Error(`spec helper: path ${path} is not in the spec`);
  const op = item[method.toLowerCase()];
  if (!isObject(op)) throw new Error(`spec helper: ${method.toUpperCase()} ${path} is not in the spec`);
  return op;
}

/**
 * Validates `value` against `components/schemas/<name>`.
 *
 * @example
 * ```ts
 * validateSchema("ErrorResponse", { error: { code: "server_error", message: "x" } }).valid; // true
 * ```
 */
export function validateSchema(name: string, value: unknown): ValidationResult {
  const schemas = loadSpec()["components"];
  if (!isObject(schemas) || !isObject(schemas["schemas"]) || !(name in schemas["schemas"])) {
    throw new Error(`spec helper: components/schemas/${name} is not in the spec`);
  }
  return run(validatorAt(["components", "schemas", name]), value);
}

/** The JSON-pointer segments of the JSON schema of an operation's response for `status`. */
function responseSchemaSegments(method: string, path: string, status: number | string, mediaType: string): string[] {
  const op = operation(method, path);
  const responses = op["responses"];
  if (!isObject(responses)) throw new Error(`spec helper: ${method} ${path} has no responses`);
  const key = String(status);
  const wildcard = `${key.charAt(0)}XX`;
  const chosen = key in responses ? key : wildcard in responses ? wildcard : "default" in responses ? "default" : undefined;
  if (chosen === undefined) {
    throw new Error(`spec helper: ${method.toUpperCase()} ${path} declares no response for status ${key}`);
  }
  const base = ["paths", path, method.toLowerCase(), "responses", chosen];
  const { node: response, segments } = deref(responses[chosen], base);
  const content = isObject(response) ? response["content"] : undefined;
  const media = isObject(content) ? content[mediaType] : undefined;
  if (!isObject(media) || !("schema" in media)) {
    throw new Error(`spec helper: ${method.toUpperCase()} ${path} ${key} has no ${mediaType} schema`);
  }
  return [...segments, "content", mediaType, "schema"];
}

/**
 * Validates a JSON response body against the schema the spec declares for that operation and status
 * (following `$ref`s to `components/responses`).
 *
 * @example
 * ```ts
 * validateResponse("POST", "/chat/completions", 429, { error: { code: 429, message: "slow down" } });
 * ```
 */
export function validateResponse(
  method: string,
  path: string,
  status: number | string,
  value: unknown,
): ValidationResult {
  return run(validatorAt(responseSchemaSegments(method, path, status, "application/json")), value);
}

/**
 * Like `validateResponse`, but every object the spec describes is treated as closed, so a field the spec
 * does not describe is reported. The spec itself stays open; this checks its completeness.
 *
 * @example
 * ```ts
 * validateResponseDescribed("GET", "/models", 200, body).errors; // "" when every field is in the spec
 * ```
 */
export function validateResponseDescribed(
  method: string,
  path: string,
  status: number | string,
  value: unknown,
): ValidationResult {
  return run(validatorAt(responseSchemaSegments(method, path, status, "application/json"), true), value);
}

/**
 * Validates one SSE `data:` payload (parsed JSON) against the schema named by the 200 response's
 * `text/event-stream` `x-sse-data` extension (ChatStreamChunk for /chat/completions).
 *
 * @example
 * ```ts
 * validateSseData("POST", "/chat/completions", { id: "gen-1", choices: [] }).valid; // true
 * ```
 */
export function validateSseData(method: string, path: string, value: unknown): ValidationResult {
  return run(validatorAt(sseSegments(method, path)), value);
}

/**
 * Like `validateSseData` with every described object closed (see `validateResponseDescribed`).
 *
 * @example
 * ```ts
 * validateSseDataDescribed("POST", "/chat/completions", chunk).errors; // "" when every field is in the spec
 * ```
 */
export function validateSseDataDescribed(method: string, path: string, value: unknown): ValidationResult {
  return run(validatorAt(sseSegments(method, path), true), value);
}

function sseSegments(method: string, path: string): string[] {
  const segments = responseSchemaSegments(method, path, 200, "text/event-stream");
  const schema = segments.reduce<unknown>((acc, key) => (isObject(acc) ? acc[key] : undefined), loadSpec());
  if (!isObject(schema) || !isObject(schema["x-sse-data"])) {
    throw new Error(`spec helper: ${method.toUpperCase()} ${path} has no x-sse-data schema for its event stream`);
  }
  return [...segments, "x-sse-data"];
}

/**
 * Validates a request body against the operation's `application/json` request schema.
 *
 * @example
 * ```ts
 * validateRequest("POST", "/chat/completions", { messages: [{ role: "user", content: "hi" }] }).valid; // true
 * ```
 */
export function validateRequest(method: string, path: string, value: unknown): ValidationResult {
  const op = operation(method, path);
  if (!("requestBody" in op)) throw new Error(`spec helper: ${method.toUpperCase()} ${path} has no request body`);
  const { node: body, segments } = deref(op["requestBody"], ["paths", path, method.toLowerCase(), "requestBody"]);
  const content = isObject(body) ? body["content"] : undefined;
  if (!isObject(content) || !isObject(content["application/json"])) {
    throw new Error(`spec helper: ${method.toUpperCase()} ${path} has no application/json request body`);
  }
  return run(validatorAt([...segments, "content", "application/json", "schema"]), value);
}

/**
 * Every operation in the spec.
 *
 * @example
 * ```ts
 * listOperations().some((o) => o.method === "GET" && o.path === "/models"); // true
 * ```
 */
export function listOperations(): OperationInfo[] {
  const paths = loadSpec()["paths"];
  if (!isObject(paths)) return [];
  const out: OperationInfo[] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const op = item[method.toLowerCase()];
      if (!isObject(op)) continue;
      const responses = isObject(op["responses"]) ? op["responses"] : {};
      const statuses = Object.keys(responses);
      const success = statuses.find((s) => s.startsWith("2"));
      const successResponse = success ? deref(responses[success], []).node : undefined;
      const content = isObject(successResponse) ? successResponse["content"] : undefined;
      out.push({
        method,
        path,
        operationId: typeof op["operationId"] === "string" ? op["operationId"] : undefined,
        statuses,
        successContentTypes: isObject(content) ? Object.keys(content) : [],
        hasRequestBody: "requestBody" in op,
      });
    }
  }
  return out;
}

/**
 * The component name a response status refers to (`components/responses/<name>`), or undefined when inline.
 *
 * @example
 * ```ts
 * responseRefName("POST", "/chat/completions", 429); // "TooManyRequests"
 * ```
 */
export function responseRefName(method: string, path: string, status: number | string): string | undefined {
  const responses = operation(method, path)["responses"];
  const response = isObject(responses) ? responses[String(status)] : undefined;
  const ref = isObject(response) ? response["$ref"] : undefined;
  return typeof ref === "string" && ref.startsWith("#/components/responses/")
    ? ref.slice("#/components/responses/".length)
    : undefined;
}
