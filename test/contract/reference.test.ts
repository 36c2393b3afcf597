/**
 * Our spec against OpenRouter's published description (../shared/reference, beside the clone; CI has a read-only
 * copy there). For every published operation: we have it, with every parameter, the same request content type,
 * every top-level request field, the success status and content types, every top-level success-response field
 * (and those of the `data` object or the `data[]` items where the payload is wrapped), and every error status.
 * Nothing is copied from the file: it is only read to compare names.
 *
 * Without ../shared (a bare local clone) the comparison is skipped with a message; test/spec.test.ts still checks
 * the committed list of operations.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseYaml } from "@redocly/openapi-core";
import { describe, expect, it } from "vitest";
import { ROOT, loadSpec } from "../helpers/spec.js";

type Json = Record<string, unknown>;
const METHODS = ["get", "post", "put", "patch", "delete"] as const;
const REFERENCE = resolve(ROOT, "../shared/reference/openrouter-published-openapi.yaml");
const present = existsSync(REFERENCE);

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Follows local `$ref`s inside `doc`. */
function deref(doc: Json, node: unknown): unknown {
  let current = node;
  for (let hops = 0; hops < 20 && isObject(current) && typeof current["$ref"] === "string"; hops++) {
    const pointer = (current["$ref"] as string).replace(/^#\//, "").split("/");
    current = pointer.reduce<unknown>(
      (acc, s) => (isObject(acc) ? acc[s.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined),
      doc,
    );
  }
  return current;
}

/** Top-level property names of a schema, through allOf/anyOf/oneOf (the union over branches). */
function fieldNames(doc: Json, schema: unknown, depth = 0): Set<string> {
  const out = new Set<string>();
  const node = deref(doc, schema);
  if (!isObject(node) || depth > 8) return out;
  if (isObject(node["properties"])) for (const key of Object.keys(node["properties"])) out.add(key);
  for (const combinator of ["allOf", "anyOf", "oneOf"]) {
    const branches = node[combinator];
    if (Array.isArray(branches)) for (const b of branches) for (const k of fieldNames(doc, b, depth + 1)) out.add(k);
  }
  return out;
}

/** The schema of a named top-level property (first branch that has it). */
function fieldSchema(doc: Json, schema: unknown, name: string, depth = 0): unknown {
  const node = deref(doc, schema);
  if (!isObject(node) || depth > 8) return undefined;
  if (isObject(node["properties"]) && name in node["properties"]) return node["properties"][name];
  for (const combinator of ["allOf", "anyOf", "oneOf"]) {
    const branches = node[combinator];
    if (!Array.isArray(branches)) continue;
    for (const b of branches) {
      const found = fieldSchema(doc, b, name, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Fields of the `data` object, or of the `data[]` items, when a response wraps its payload. */
function dataFieldNames(doc: Json, schema: unknown): Set<string> {
  const data = fieldSchema(doc, schema, "data");
  if (data === undefined) return new Set();
  const out = fieldNames(doc, data);
  const collectItems = (node: unknown, depth: number): void => {
    const n = deref(doc, node);
    if (!isObject(n) || depth > 4) return;
    if ("items" in n) for (const k of fieldNames(doc, n["items"])) out.add(k);
    for (const combinator of ["anyOf", "oneOf", "allOf"]) {
      const branches = n[combinator];
      if (Array.isArray(branches)) for (const b of branches) collectItems(b, depth + 1);
    }
  };
  collectItems(data, 0);
  return out;
}

interface OperationView {
  parameters: Set<string>;
  requestTypes: string[];
  requestFields: Set<string>;
  successStatus: string | undefined;
  successTypes: string[];
  responseFields: Set<string>;
  dataFields: Set<string>;
  statuses: Set<string>;
}

function view(doc: Json, op: Json): OperationView {
  const parameters = new Set(
    ((op["parameters"] as unknown[] | undefined) ?? []).map((p) => {
      const param = deref(doc, p) as Json;
      return `${String(param["in"])}:${String(param["name"])}`;
    }),
  );
  const body = deref(doc, op["requestBody"]);
  const bodyContent = isObject(body) && isObject(body["content"]) ? body["content"] : {};
  const requestTypes = Object.keys(bodyContent).sort();
  const requestFields = new Set<string>();
  for (const media of Object.values(bodyContent)) {
    if (isObject(media)) for (const k of fieldNames(doc, media["schema"])) requestFields.add(k);
  }
  const responses = isObject(op["responses"]) ? op["responses"] : {};
  const successStatus = Object.keys(responses).find((s) => s.startsWith("2"));
  const success = successStatus ? deref(doc, responses[successStatus]) : undefined;
  const successContent = isObject(success) && isObject(success["content"]) ? success["content"] : {};
  const successTypes = Object.keys(successContent).sort();
  const responseFields = new Set<string>();
  const dataFields = new Set<string>();
  for (const [type, media] of Object.entries(successContent)) {
    if (!type.includes("json") || !isObject(media)) continue;
    for (const k of fieldNames(doc, media["schema"])) responseFields.add(k);
    for (const k of dataFieldNames(doc, media["schema"])) dataFields.add(k);
  }
  return {
    parameters,
    requestTypes,
    requestFields,
    successStatus,
    successTypes,
    responseFields,
    dataFields,
    statuses: new Set(Object.keys(responses)),
  };
}

function operations(doc: Json): Array<{ key: string; op: Json }> {
  const out: Array<{ key: string; op: Json }> = [];
  for (const [path, item] of Object.entries(isObject(doc["paths"]) ? doc["paths"] : {})) {
    const pathItem = deref(doc, item);
    if (!isObject(pathItem)) continue;
    for (const method of METHODS) {
      if (isObject(pathItem[method])) out.push({ key: `${method.toUpperCase()} ${path}`, op: pathItem[method] });
    }
  }
  return out;
}

/**
 * Success media types we leave out on purpose (a second media type turns the path-typed result into `… | string`).
 * Each is listed, with its reason, in the opening comment of the area file named here.
 */
const OMITTED_SUCCESS_TYPES: Record<string, { type: string; area: string }> = {
  "GET /models": { type: "application/rss+xml", area: "models" },
  "POST /embeddings": { type: "text/event-stream", area: "embeddings" },
  "POST /rerank": { type: "text/event-stream", area: "embeddings" },
};

const missing = (ours: Set<string>, theirs: Set<string>) => [...theirs].filter((k) => !ours.has(k)).sort();

if (!present) {
  // Visible in the run's output: the comparison did not happen, it did not pass.
  console.warn(`reference.test.ts: ${REFERENCE} is absent, so the comparison with the published description is skipped.`);
}

describe.skipIf(!present)("our spec covers OpenRouter's published description", () => {
  const reference = present ? (parseYaml(readFileSync(REFERENCE, "utf8")) as Json) : {};
  const ours = loadSpec();
  const ourOps = new Map(operations(ours).map(({ key, op }) => [key, op]));
  const theirOps = operations(reference);

  it("every success media type we leave out is explained in its area file", () => {
    for (const [key, { type, area }] of Object.entries(OMITTED_SUCCESS_TYPES)) {
      const text = readFileSync(resolve(ROOT, `spec/${area}.yaml`), "utf8");
      const comment = text.slice(0, text.indexOf("\npaths:"));
      expect(comment, key).toContain(type);
      expect(comment, key).toContain(key.split(" ")[1] ?? "");
    }
  });

  it("the published description has 97 operations and we have every one of them", () => {
    expect(theirOps).toHaveLength(97);
    expect(theirOps.map((o) => o.key).filter((k) => !ourOps.has(k))).toEqual([]);
  });

  it.each(theirOps.map(({ key, op }) => [key, op] as const))("%s", (key, theirOp) => {
    const ourOp = ourOps.get(key);
    expect(ourOp, `${key} is missing`).toBeDefined();
    const mine = view(ours, ourOp as Json);
    const theirs = view(reference, theirOp);
    expect(missing(mine.parameters, theirs.parameters), "parameters").toEqual([]);
    expect(mine.requestTypes, "request content types").toEqual(theirs.requestTypes);
    expect(missing(mine.requestFields, theirs.requestFields), "request fields").toEqual([]);
    expect(mine.successStatus, "success status").toBe(theirs.successStatus);
    const omitted = OMITTED_SUCCESS_TYPES[key];
    const expectedTypes = theirs.successTypes.filter((t) => t !== omitted?.type);
    if (omitted) expect(theirs.successTypes, "the omission is still needed").toContain(omitted.type);
    expect(mine.successTypes, "success content types").toEqual(expectedTypes);
    expect(missing(mine.responseFields, theirs.responseFields), "response fields").toEqual([]);
    expect(missing(mine.dataFields, theirs.dataFields), "data fields").toEqual([]);
    expect(missing(mine.statuses, theirs.statuses), "statuses").toEqual([]);
  });
});
