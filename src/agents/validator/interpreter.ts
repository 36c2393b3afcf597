/**
 * A compact JSON Schema interpreter: no code generation at all, so it runs where `new Function` is banned.
 * Covers the keywords structured outputs use (see index.ts); unknown keywords are ignored, as annotations are.
 */
import { InvalidArgumentError } from "../../core/errors.js";
import type { JSONSchema } from "../json-schema.js";
import type { ValidationError, ValidationResult, Validator } from "./types.js";

/** Loose shapes so the interpreter reads any keyword without casts at every step. */
type Schema = JSONSchema | boolean;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** JSON-Pointer segment escaping (RFC 6901). */
const escapePointer = (key: string | number) => String(key).replace(/~/g, "~0").replace(/\//g, "~1");

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  if (type === "number") return actual === "number" || actual === "integer";
  return actual === type;
}

/** Deep equality of JSON values (for enum, const and uniqueItems). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Counts code points, as JSON Schema's length keywords do (an emoji is one character, not two). */
function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

// Format checks: the common ones, by shape (the same leniency ajv-formats' "fast" mode has).
const FORMATS: Record<string, (s: string) => boolean> = {
  "date-time": (s) => /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/.test(s) && !Number.isNaN(Date.parse(s.replace(" ", "T"))),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && validDate(s),
  time: (s) => /^\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/.test(s),
  email: (s) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s),
  uri: (s) => /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$/.test(s),
  "uri-reference": (s) => !/\s/.test(s),
  uuid: (s) => /^(urn:uuid:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s),
  ipv4: (s) => /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(s),
  ipv6: (s) => /^[0-9a-f:.]+$/i.test(s) && s.includes(":"),
  hostname: (s) => /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(s),
};

function validDate(s: string): boolean {
  const [y, m, d] = s.split("-").map(Number) as [number, number, number];
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return m >= 1 && m <= 12 && d >= 1 && d <= (days[m - 1] ?? 0);
}

/** Cached compiled regular expressions (`pattern`, `patternProperties`); `u` flag as JSON Schema expects. */
const regexCache = new Map<string, RegExp>();
function regex(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    try {
      re = new RegExp(source, "u");
    } catch {
      re = new RegExp(source);
    }
    regexCache.set(source, re);
  }
  return re;
}

function resolveRef(root: Schema, ref: string): Schema {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) throw new InvalidArgumentError(`The interpreter validator only resolves local $refs ("#/…"), got "${ref}"`);
  let node: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    node = isObj(node) || Array.isArray(node) ? (node as Obj)[key] : undefined;
  }
  if (typeof node !== "boolean" && !isObj(node)) throw new InvalidArgumentError(`Unresolvable $ref "${ref}" in schema`);
  return node as Schema;
}

interface Walk {
  root: Schema;
  errors: ValidationError[];
  /** Guards `$ref` cycles that never consume input (`{$ref: "#"}` on the same value). */
  depth: number;
}

function check(schema: Schema, value: unknown, path: string, w: Walk): boolean {
  if (schema === true) return true;
  if (schema === false) {
    w.errors.push({ path, keyword: "false schema", message: "boolean schema is false" });
    return false;
  }
  if (!isObj(schema)) return true;
  if (w.depth > 200) throw new InvalidArgumentError("Schema recursion too deep (a $ref cycle?)");
  const s = schema as Obj;
  const before = w.errors.length;
  const fail = (keyword: string, message: string, at = path) => {
    w.errors.push({ path: at, keyword, message });
  };

  if (typeof s["$ref"] === "string") {
    w.depth++;
    check(resolveRef(w.root, s["$ref"]), value, path, w);
    w.depth--;
  }

  const type = s["type"];
  if (type !== undefined) {
    const types = Array.isArray(type) ? (type as string[]) : [type as string];
    const ok = types.some((t) => matchesType(value, t)) || (s["nullable"] === true && value === null);
    if (!ok) {
      fail("type", `must be ${types.join(",")}`);
      return false; // the remaining keywords would only pile up noise about the wrong type
    }
  }
  if (Array.isArray(s["enum"]) && !(s["enum"] as unknown[]).some((e) => jsonEqual(e, value))) {
    fail("enum", `must be equal to one of the allowed values: ${(s["enum"] as unknown[]).map((e) => JSON.stringify(e)).join(", ")}`);
  }
  if ("const" in s && !jsonEqual(s["const"], value)) fail("const", `must be equal to constant ${JSON.stringify(s["const"])}`);

  if (typeof value === "number") {
    if (typeof s["minimum"] === "number" && value < s["minimum"]) fail("minimum", `must be >= ${s["minimum"]}`);
    if (typeof s["maximum"] === "number" && value > s["maximum"]) fail("maximum", `must be <= ${s["maximum"]}`);
    if (typeof s["exclusiveMinimum"] === "number" && value <= s["exclusiveMinimum"]) fail("exclusiveMinimum", `must be > ${s["exclusiveMinimum"]}`);
    if (typeof s["exclusiveMaximum"] === "number" && value >= s["exclusiveMaximum"]) fail("exclusiveMaximum", `must be < ${s["exclusiveMaximum"]}`);
    if (typeof s["multipleOf"] === "number" && s["multipleOf"] > 0) {
      const q = value / s["multipleOf"];
      if (Math.abs(q - Math.round(q)) > 1e-9) fail("multipleOf", `must be multiple of ${s["multipleOf"]}`);
    }
  }

  if (typeof value === "string") {
    const len = typeof s["minLength"] === "number" || typeof s["maxLength"] === "number" ? codePointLength(value) : 0;
    if (typeof s["minLength"] === "number" && len < s["minLength"]) fail("minLength", `must NOT have fewer than ${s["minLength"]} characters`);
    if (typeof s["maxLength"] === "number" && len > s["maxLength"]) fail("maxLength", `must NOT have more than ${s["maxLength"]} characters`);
    if (typeof s["pattern"] === "string" && !regex(s["pattern"]).test(value)) fail("pattern", `must match pattern "${s["pattern"]}"`);
    if (typeof s["format"] === "string") {
      const test = FORMATS[s["format"]];
      if (test && !test(value)) fail("format", `must match format "${s["format"]}"`);
    }
  }

  if (Array.isArray(value)) {
    if (typeof s["minItems"] === "number" && value.length < s["minItems"]) fail("minItems", `must NOT have fewer than ${s["minItems"]} items`);
    if (typeof s["maxItems"] === "number" && value.length > s["maxItems"]) fail("maxItems", `must NOT have more than ${s["maxItems"]} items`);
    const prefix = Array.isArray(s["prefixItems"]) ? (s["prefixItems"] as Schema[]) : [];
    prefix.forEach((sub, i) => {
      if (i < value.length) check(sub, value[i], `${path}/${i}`, w);
    });
    const items = s["items"];
    if (items !== undefined && (typeof items === "boolean" || isObj(items))) {
      for (let i = prefix.length; i < value.length; i++) check(items as Schema, value[i], `${path}/${i}`, w);
    }
    if (s["uniqueItems"] === true) {
      outer: for (let i = 0; i < value.length; i++) {
        for (let j = 0; j < i; j++) {
          if (jsonEqual(value[i], value[j])) {
            fail("uniqueItems", `must NOT have duplicate items (items ## ${j} and ${i} are identical)`);
            break outer;
          }
        }
      }
    }
  }

  if (isObj(value)) {
    const props = isObj(s["properties"]) ? (s["properties"] as Record<string, Schema>) : {};
    const patterns = isObj(s["patternProperties"]) ? (s["patternProperties"] as Record<string, Schema>) : {};
    if (Array.isArray(s["required"])) {
      for (const key of s["required"] as string[]) {
        if (!Object.prototype.hasOwnProperty.call(value, key)) fail("required", `must have required property '${key}'`);
      }
    }
    const count = Object.keys(value).length;
    if (typeof s["minProperties"] === "number" && count < s["minProperties"]) fail("minProperties", `must NOT have fewer than ${s["minProperties"]} properties`);
    if (typeof s["maxProperties"] === "number" && count > s["maxProperties"]) fail("maxProperties", `must NOT have more than ${s["maxProperties"]} properties`);
    for (const [key, v] of Object.entries(value)) {
      const at = `${path}/${escapePointer(key)}`;
      let known = false;
      if (Object.prototype.hasOwnProperty.call(props, key)) {
        known = true;
        check(props[key] as Schema, v, at, w);
      }
      for (const [pattern, sub] of Object.entries(patterns)) {
        if (regex(pattern).test(key)) {
          known = true;
          check(sub, v, at, w);
        }
      }
      if (!known && s["additionalProperties"] !== undefined) {
        const extra = s["additionalProperties"] as Schema;
        if (extra === false) fail("additionalProperties", `must NOT have additional property '${key}'`);
        else check(extra, v, at, w);
      }
    }
  }

  // Combinators: try each branch on a scratch error list so failed branches do not leak their errors.
  const branch = (sub: Schema) => {
    const scratch: Walk = { root: w.root, errors: [], depth: w.depth + 1 };
    return { ok: check(sub, value, path, scratch), errors: scratch.errors };
  };
  if (Array.isArray(s["allOf"])) for (const sub of s["allOf"] as Schema[]) check(sub, value, path, w);
  if (Array.isArray(s["anyOf"])) {
    const results = (s["anyOf"] as Schema[]).map(branch);
    if (!results.some((r) => r.ok)) {
      // The branch that got furthest (fewest errors) is the most useful thing to tell a model.
      const best = results.reduce((a, b) => (b.errors.length < a.errors.length ? b : a));
      w.errors.push(...best.errors);
      fail("anyOf", "must match a schema in anyOf");
    }
  }
  if (Array.isArray(s["oneOf"])) {
    const results = (s["oneOf"] as Schema[]).map(branch);
    const passing = results.filter((r) => r.ok).length;
    if (passing === 0) {
      const best = results.reduce((a, b) => (b.errors.length < a.errors.length ? b : a));
      w.errors.push(...best.errors);
      fail("oneOf", "must match exactly one schema in oneOf");
    } else if (passing > 1) fail("oneOf", "must match exactly one schema in oneOf (matched several)");
  }
  if (s["not"] !== undefined && branch(s["not"] as Schema).ok) fail("not", "must NOT be valid");

  return w.errors.length === before;
}

/**
 * Validates `value` against `schema` by walking the schema: no code generation, so it runs where `eval` and
 * `new Function` are forbidden. Slower than compiled ajv on large inputs, but model outputs are small.
 *
 * @example
 * interpretSchema({ type: "integer", minimum: 0 }, -1); // { valid: false, errors: [{ path: "", keyword: "minimum", message: "must be >= 0" }] }
 */
export function interpretSchema(schema: JSONSchema | boolean, value: unknown): ValidationResult {
  const w: Walk = { root: schema, errors: [], depth: 0 };
  check(schema, value, "", w);
  return { valid: w.errors.length === 0, errors: w.errors };
}

/**
 * The code-generation-free validator.
 *
 * @example
 * await client.structured({ model, messages, schema, validator: interpreterValidator });
 */
export const interpreterValidator: Validator = { validate: interpretSchema };
