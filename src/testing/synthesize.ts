/**
 * Deterministic values from the spec's schemas, for the operations the stand-in answers without state of its
 * own: the media type's `example`/`examples` where the spec gives them, else a value built from the schema
 * (required properties, the first `enum` value, `const`, formats, minimums), following local `$ref`s into the
 * assembled document. The same schema always gives the same value, so tests can rely on it.
 */
import { exampleNumber } from "./replies.js";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The node a local `$ref` (`#/components/schemas/X`) points at inside `doc`, or undefined.
 *
 * @example
 * resolveRef(doc, "#/components/schemas/FileObject") // { type: "object", … }
 */
export function resolveRef(doc: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  return ref
    .slice(2)
    .split("/")
    .map((s) => decodeURIComponent(s).replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<unknown>((acc, key) => (isObject(acc) ? acc[key] : undefined), doc);
}

/** Follows `$ref`s until a schema that is not a reference (a cycle or dangling ref gives `{}`). */
export function derefSchema(doc: unknown, schema: unknown): Json {
  let node = schema;
  for (let hops = 0; hops < 16 && isObject(node) && typeof node["$ref"] === "string"; hops++) {
    node = resolveRef(doc, node["$ref"]);
  }
  return isObject(node) && typeof node["$ref"] !== "string" ? node : {};
}

const FORMAT_VALUES: Record<string, string> = {
  "date-time": "2026-01-01T00:00:00Z",
  date: "2026-01-01",
  time: "00:00:00Z",
  email: "user@example.com",
  uri: "https://example.com",
  url: "https://example.com",
  "uri-reference": "https://example.com",
  uuid: "00000000-0000-4000-8000-000000000000",
  hostname: "example.com",
  ipv4: "127.0.0.1",
  byte: "AAAA",
  binary: "",
};

function firstExample(s: Json): { value: unknown } | undefined {
  if ("const" in s) return { value: s["const"] };
  if (Array.isArray(s["enum"]) && s["enum"].length > 0) return { value: s["enum"][0] };
  if (Array.isArray(s["examples"]) && s["examples"].length > 0) return { value: s["examples"][0] };
  if ("example" in s) return { value: s["example"] };
  if ("default" in s) return { value: s["default"] };
  return undefined;
}

/**
 * A deterministic value satisfying `schema` (an OpenAPI 3.1 schema inside `doc`). `hint` names the property
 * being filled, so strings read like `example id`.
 *
 * @example
 * synthesize(doc, { type: "object", required: ["n"], properties: { n: { type: "integer", minimum: 2 } } }) // { n: 2 }
 */
export function synthesize(doc: unknown, schema: unknown, hint = "", depth = 0): unknown {
  const s = derefSchema(doc, schema);
  if (depth > 12) return null;
  const example = firstExample(s);
  // Examples of scalars are safe to reuse; an object example may be partial, so objects are built instead.
  if (example && !isObject(example.value) && !Array.isArray(example.value)) return example.value;
  for (const key of ["oneOf", "anyOf"] as const) {
    const options = s[key];
    if (Array.isArray(options) && options.length > 0) {
      const nonNull = options.find((o) => derefSchema(doc, o)["type"] !== "null") ?? options[0];
      const value = synthesize(doc, nonNull, hint, depth + 1);
      // Sibling keywords (properties next to anyOf) still apply to the value.
      return isObject(value) && (s["properties"] || s["required"]) ? { ...objectOf(doc, s, hint, depth), ...value } : value;
    }
  }
  if (Array.isArray(s["allOf"]) && s["allOf"].length > 0) {
    const parts = s["allOf"].map((sub) => synthesize(doc, sub, hint, depth + 1));
    if (parts.every(isObject)) return Object.assign(objectOf(doc, s, hint, depth), ...parts);
    return parts[0];
  }
  let type = s["type"];
  if (Array.isArray(type)) type = type.find((t) => t !== "null") ?? type[0];
  if (type === undefined) type = s["properties"] || s["required"] ? "object" : s["items"] ? "array" : undefined;
  switch (type) {
    case "object":
      return objectOf(doc, s, hint, depth);
    case "array": {
      const min = typeof s["minItems"] === "number" ? s["minItems"] : 0;
      // One item shows the shape; more only when the schema demands them.
      const count = s["items"] === undefined ? min : Math.max(1, min);
      return Array.from({ length: count }, () => synthesize(doc, s["items"], hint, depth + 1));
    }
    case "integer":
    case "number":
      return exampleNumber(s, type);
    case "boolean":
      return false;
    case "null":
      return null;
    case "string": {
      const format = typeof s["format"] === "string" ? s["format"] : "";
      if (format in FORMAT_VALUES) return FORMAT_VALUES[format];
      const min = typeof s["minLength"] === "number" ? s["minLength"] : 0;
      const max = typeof s["maxLength"] === "number" ? s["maxLength"] : Infinity;
      const text = (hint ? `example ${hint}` : "example").slice(0, max);
      const plain = text.length >= min ? text : text.padEnd(min, "x");
      return typeof s["pattern"] === "string" ? matchingString(s["pattern"], plain, hint) : plain;
    }
    default:
      // `{}` (any value): a short string is the least surprising.
      return example ? example.value : hint ? `example ${hint}` : "example";
  }
}

/** A string matching `pattern`: the plain example if it does, else the first of some common shapes that does. */
function matchingString(pattern: string, plain: string, hint: string): string {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, "u");
  } catch {
    return plain;
  }
  const slug = `example-${hint}`.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/-+$/, "");
  const candidates = [plain, slug, "example", "0".repeat(64), "a".repeat(64), "sk-or-v1-" + "0".repeat(64), "2026-01-01", "1", "user_example", "example_1", "Example"];
  return candidates.find((c) => regex.test(c)) ?? plain;
}

function objectOf(doc: unknown, s: Json, hint: string, depth: number): Json {
  const out: Json = {};
  const props = isObject(s["properties"]) ? s["properties"] : {};
  const required = Array.isArray(s["required"]) ? (s["required"] as string[]) : [];
  // Required properties always; with no `required` list, the listed properties (to depth 3) show the shape.
  const names = required.length > 0 || depth > 3 ? required : Object.keys(props);
  for (const name of names) {
    const sub = props[name] ?? (isObject(s["additionalProperties"]) ? s["additionalProperties"] : {});
    out[name] = synthesize(doc, sub, name, depth + 1);
  }
  const min = typeof s["minProperties"] === "number" ? s["minProperties"] : 0;
  for (let i = Object.keys(out).length; i < min; i++) out[`key${i}`] = synthesize(doc, s["additionalProperties"], hint, depth + 1);
  return out;
}

/**
 * The body of an operation's success response for a JSON media type: the media type's `example` or first of
 * `examples` when the spec has one, else a synthesized value.
 *
 * @example
 * exampleBody(doc, media) // { data: [ … ] }
 */
export function exampleBody(doc: unknown, media: Json): unknown {
  if ("example" in media) return media["example"];
  const examples = media["examples"];
  if (isObject(examples)) {
    const first = Object.values(examples)[0];
    const resolved = isObject(first) && typeof first["$ref"] === "string" ? resolveRef(doc, first["$ref"]) : first;
    if (isObject(resolved) && "value" in resolved) return resolved["value"];
  }
  return synthesize(doc, media["schema"]);
}
