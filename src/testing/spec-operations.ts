/**
 * The spec's operations as the stand-in routes and checks them: each `paths` entry becomes a matcher, and a
 * request is checked against its operation (path, query and header parameters; a JSON body; a
 * multipart/form-data body with its file parts) before anything answers it. Which key an operation needs
 * comes from its security requirement (`inferenceKey`, `managementKey`, or none).
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { derefSchema, resolveRef } from "./synthesize.js";
import type { RequestIssue } from "./validate.js";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

/** Which key an operation accepts. `public`: none needed (a key may still be sent). */
export type KeyKind = "inference" | "management" | "public";

/** One operation of the spec. */
export interface SpecOperation {
  method: string;
  /** The path template, e.g. `/files/{file_id}`. */
  path: string;
  operationId: string | undefined;
  op: Json;
  key: KeyKind;
  /** The first 2xx status the spec declares, and its media types (first is the default). */
  successStatus: number;
  successMedia: Array<[string, Json]>;
}

/** A request matched to an operation, with its path parameters decoded. */
export interface MatchedOperation {
  operation: SpecOperation;
  params: Record<string, string>;
}

/** An incoming request body: nothing, parsed JSON, or parsed multipart form data. */
export type IncomingBody = { kind: "none" } | { kind: "json"; value: unknown } | { kind: "form"; form: FormData } | { kind: "other"; contentType: string };

interface Route {
  operation: SpecOperation;
  regex: RegExp;
  names: string[];
  literalWeight: number;
}

function pointer(segments: string[]): string {
  return "#/" + segments.map((s) => encodeURIComponent(s.replace(/~/g, "~0").replace(/\//g, "~1"))).join("/");
}

function keyKind(requirements: unknown): KeyKind {
  if (!Array.isArray(requirements)) return "inference";
  const names = requirements.flatMap((r) => (isObject(r) ? Object.keys(r) : []));
  if (names.includes("managementKey")) return "management";
  if (requirements.some((r) => isObject(r) && Object.keys(r).length === 0)) return "public";
  return names.length > 0 ? "inference" : "public";
}

/** The router and request checker for one OpenAPI document. */
export interface SpecOperations {
  readonly operations: readonly SpecOperation[];
  /** The operation a request is for; `methodNotAllowed` when the path exists with other methods only. */
  match(method: string, path: string): MatchedOperation | { methodNotAllowed: string[] } | undefined;
  /** Problems with a request, as the stand-in's 400 lists them (empty: valid). */
  check(matched: MatchedOperation, query: URLSearchParams, headers: Headers, body: IncomingBody): RequestIssue[];
  /** The document the operations come from. */
  readonly doc: Json;
}

const cache = new WeakMap<object, SpecOperations>();

/**
 * Routes and checks for every operation of an OpenAPI document (cached per document).
 *
 * @example
 * const ops = specOperations(doc);
 * const m = ops.match("GET", "/files/file_1"); // { operation: { path: "/files/{file_id}", … }, params: { file_id: "file_1" } }
 */
export function specOperations(doc: object): SpecOperations {
  const cached = cache.get(doc);
  if (cached) return cached;
  const root = doc as Json;
  const paths = isObject(root["paths"]) ? root["paths"] : {};
  const routes: Route[] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const responses = isObject(op["responses"]) ? op["responses"] : {};
      const success = Object.keys(responses).find((s) => /^2\d\d$/.test(s)) ?? "200";
      const response = derefResponse(root, responses[success]);
      const content = isObject(response["content"]) ? response["content"] : {};
      const operation: SpecOperation = {
        method: method.toUpperCase(),
        path,
        operationId: typeof op["operationId"] === "string" ? op["operationId"] : undefined,
        op,
        key: keyKind(op["security"] ?? root["security"]),
        successStatus: Number(success),
        successMedia: Object.entries(content).filter((e): e is [string, Json] => isObject(e[1])),
      };
      const names: string[] = [];
      const source = path
        .split("/")
        .map((segment) => {
          const m = /^\{(.+)\}$/.exec(segment);
          if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          names.push(m[1]!);
          return "([^/]+)";
        })
        .join("/");
      routes.push({ operation, regex: new RegExp(`^${source}$`), names, literalWeight: names.length });
    }
  }
  // `/videos/models` must win over `/videos/{jobId}`: fewer parameters first.
  routes.sort((a, b) => a.literalWeight - b.literalWeight);

  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, validateSchema: false, code: { optimize: false } });
  const id = "https://openrouter-fetch.invalid/operations";
  ajv.addSchema(root, id);
  const compiled = new Map<string, ValidateFunction>();
  const validatorAt = (segments: string[]): ValidateFunction => {
    const ref = pointer(segments);
    let v = compiled.get(ref);
    if (!v) {
      v = ajv.compile({ $ref: `${id}${ref}` });
      compiled.set(ref, v);
    }
    return v;
  };
  const issuesOf = (v: ValidateFunction, value: unknown, at: string): RequestIssue[] =>
    v(value) ? [] : (v.errors ?? []).slice(0, 10).map((e) => ({ path: `${at}${e.instancePath}` || "/", message: e.message ?? "is invalid" }));

  function check(matched: MatchedOperation, query: URLSearchParams, headers: Headers, body: IncomingBody): RequestIssue[] {
    const { operation } = matched;
    const base = ["paths", operation.path, operation.method.toLowerCase()];
    const issues: RequestIssue[] = [];
    const parameters = Array.isArray(operation.op["parameters"]) ? (operation.op["parameters"] as unknown[]) : [];
    parameters.forEach((raw, index) => {
      const p = isObject(raw) && typeof raw["$ref"] === "string" ? resolveRef(root, raw["$ref"]) : raw;
      if (!isObject(p) || typeof p["name"] !== "string") return;
      const name = p["name"];
      const where = p["in"];
      const schemaSegments =
        isObject(raw) && typeof raw["$ref"] === "string"
          ? [...(raw["$ref"] as string).slice(2).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~")), "schema"]
          : [...base, "parameters", String(index), "schema"];
      const at = `/${where}/${name}`;
      let values: string[] = [];
      if (where === "path") values = matched.params[name] !== undefined ? [matched.params[name]!] : [];
      else if (where === "query") values = query.getAll(name);
      else if (where === "header") values = headers.get(name) !== null ? [headers.get(name)!] : [];
      else return;
      if (values.length === 0) {
        if (p["required"] === true) issues.push({ path: at, message: `is required (${where} parameter ${name})` });
        return;
      }
      if (!isObject(p["schema"])) return;
      const schema = derefSchema(root, p["schema"]);
      issues.push(...issuesOf(validatorAt(schemaSegments), coerce(root, schema, values), at));
    });

    const requestBody = derefResponse(root, operation.op["requestBody"]);
    const content = isObject(requestBody["content"]) ? requestBody["content"] : undefined;
    if (!content) return issues;
    const bodyBase = [...base, "requestBody", "content"];
    if (body.kind === "none") {
      if (requestBody["required"] === true) issues.push({ path: "/", message: `a request body is required (${Object.keys(content).join(" or ")})` });
      return issues;
    }
    if (body.kind === "other") {
      issues.push({ path: "/", message: `content type ${body.contentType || "(none)"} is not accepted; send ${Object.keys(content).join(" or ")}` });
      return issues;
    }
    const mediaType = body.kind === "json" ? "application/json" : "multipart/form-data";
    if (!isObject(content[mediaType])) {
      issues.push({ path: "/", message: `${mediaType} is not accepted; send ${Object.keys(content).join(" or ")}` });
      return issues;
    }
    const validate = validatorAt([...bodyBase, mediaType, "schema"]);
    if (body.kind === "json") return [...issues, ...issuesOf(validate, body.value, "")];
    const schema = derefSchema(root, (content[mediaType] as Json)["schema"]);
    const { value, fileIssues } = formToObject(root, schema, body.form);
    return [...issues, ...fileIssues, ...issuesOf(validate, value, "")];
  }

  const result: SpecOperations = {
    operations: routes.map((r) => r.operation),
    doc: root,
    check,
    match(method, path) {
      const allowed: string[] = [];
      for (const route of routes) {
        const m = route.regex.exec(path);
        if (!m) continue;
        if (route.operation.method !== method.toUpperCase()) {
          if (!allowed.includes(route.operation.method)) allowed.push(route.operation.method);
          continue;
        }
        const params: Record<string, string> = {};
        route.names.forEach((name, i) => {
          params[name] = decodeURIComponent(m[i + 1]!);
        });
        return { operation: route.operation, params };
      }
      return allowed.length > 0 ? { methodNotAllowed: allowed } : undefined;
    },
  };
  cache.set(doc, result);
  return result;
}

function derefResponse(root: Json, node: unknown): Json {
  let current = node;
  for (let hops = 0; hops < 8 && isObject(current) && typeof current["$ref"] === "string"; hops++) {
    current = resolveRef(root, current["$ref"]);
  }
  return isObject(current) ? current : {};
}

function typesOf(root: Json, schema: Json): string[] {
  if (typeof schema["type"] === "string") return [schema["type"]];
  if (Array.isArray(schema["type"])) return schema["type"] as string[];
  const options = (schema["anyOf"] ?? schema["oneOf"]) as unknown[] | undefined;
  return Array.isArray(options) ? options.flatMap((o) => typesOf(root, derefSchema(root, o))) : [];
}

/** A parameter or form field arrives as text; turn it into the JSON value its schema describes. */
function coerce(root: Json, schema: Json, values: string[]): unknown {
  const types = typesOf(root, schema);
  if (types.includes("array")) {
    const items = derefSchema(root, schema["items"]);
    return values.flatMap((v) => v.split(",")).map((v) => coerce(root, items, [v]));
  }
  const v = values[values.length - 1]!;
  const numeric = (types.includes("integer") || types.includes("number")) && v.trim() !== "" && Number.isFinite(Number(v));
  // "A number or one of these words" (anyOf [number, string enum]): a numeric text that is none of the words is the number.
  if (types.includes("string") && !(numeric && onlyWordsOtherThan(root, schema, v))) return v;
  if (v === "null" && types.includes("null")) return null;
  if (numeric) return Number(v);
  if (types.includes("boolean") && (v === "true" || v === "false")) return v === "true";
  return v;
}

/** True when every string the schema allows is listed (`enum` / `const`) and `v` is not among them. */
function onlyWordsOtherThan(root: Json, schema: Json, v: string): boolean {
  const options = (schema["anyOf"] ?? schema["oneOf"]) as unknown[] | undefined;
  if (Array.isArray(options)) {
    return options.every((o) => {
      const option = derefSchema(root, o);
      return !typesOf(root, option).includes("string") || onlyWordsOtherThan(root, option, v);
    });
  }
  if ("const" in schema) return schema["const"] !== v;
  return Array.isArray(schema["enum"]) && !schema["enum"].includes(v);
}

function isBinary(root: Json, schema: unknown): boolean {
  const s = derefSchema(root, schema);
  return s["format"] === "binary" || s["contentMediaType"] !== undefined;
}

/** Form parts as the JSON object the multipart schema describes; a binary property must be a file part. */
function formToObject(root: Json, schema: Json, form: FormData): { value: Json; fileIssues: RequestIssue[] } {
  const props = isObject(schema["properties"]) ? schema["properties"] : {};
  const value: Json = {};
  const fileIssues: RequestIssue[] = [];
  const names = new Set<string>();
  form.forEach((_, name) => names.add(name));
  for (const name of names) {
    const parts = form.getAll(name);
    const propSchema = props[name.replace(/\[\]$/, "")];
    const key = name.replace(/\[\]$/, "");
    if (propSchema !== undefined && isBinary(root, propSchema)) {
      const file = parts.find((p): p is File => typeof p !== "string");
      if (!file) fileIssues.push({ path: `/${key}`, message: "must be a file part (filename and bytes)" });
      value[key] = "";
      continue;
    }
    const texts = parts.map((p) => (typeof p === "string" ? p : ""));
    value[key] = propSchema === undefined ? texts[texts.length - 1] : coerce(root, derefSchema(root, propSchema), texts);
  }
  return { value, fileIssues };
}
