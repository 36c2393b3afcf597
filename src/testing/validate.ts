/**
 * Request validation for the stand-in: incoming chat and embeddings bodies are checked against the
 * spec's `ChatRequest` / `EmbeddingsRequest` schemas so a test sees the same 400 the real service would
 * give for a malformed body.
 *
 * Where the schemas come from, in order: an OpenAPI document passed as `spec` (object or file path);
 * `openrouter-spec.json` next to this module (if a build put it there); the repository's
 * `spec/openrouter.yaml` (when running from a checkout with a YAML parser installed); otherwise a small embedded schema that covers the rules OpenRouter enforces up front
 * (non-empty `messages`, known roles, `tool_call_id` on tool messages, sampling ranges, tool shapes).
 */
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { assembleSpec } from "./spec-files.js";

/** One problem found in a request body. `path` is a JSON pointer into the body. */
export interface RequestIssue {
  path: string;
  message: string;
}

/** A compiled validator for one request schema. */
export type RequestValidator = (body: unknown) => RequestIssue[];

/** Which request schemas the stand-in checks. */
export interface RequestValidators {
  chat: RequestValidator;
  embeddings: RequestValidator;
  /** Where the schemas came from: `"spec"` (an OpenAPI document) or `"embedded"`. */
  source: "spec" | "embedded";
}

const EMBEDDED_CHAT_REQUEST = {
  type: "object",
  required: ["messages"],
  properties: {
    model: { type: "string", minLength: 1 },
    models: { type: "array", items: { type: "string" } },
    messages: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["role"],
        properties: {
          role: { enum: ["system", "developer", "user", "assistant", "tool"] },
          content: {
            anyOf: [
              { type: "string" },
              { type: "null" },
              { type: "array", items: { type: "object", required: ["type"], properties: { type: { type: "string" } } } },
            ],
          },
          name: { type: "string" },
          tool_call_id: { type: "string" },
          tool_calls: {
            type: "array",
            items: {
              type: "object",
              required: ["id", "type", "function"],
              properties: {
                id: { type: "string" },
                type: { const: "function" },
                function: {
                  type: "object",
                  required: ["name", "arguments"],
                  properties: { name: { type: "string" }, arguments: { type: "string" } },
                },
              },
            },
          },
        },
        allOf: [
          { if: { properties: { role: { const: "tool" } } }, then: { required: ["content", "tool_call_id"] } },
          {
            if: { properties: { role: { enum: ["system", "developer", "user"] } } },
            then: { required: ["content"], properties: { content: { not: { type: "null" } } } },
          },
        ],
      },
    },
    stream: { type: ["boolean", "null"] },
    max_tokens: { type: ["integer", "null"], minimum: 1 },
    max_completion_tokens: { type: ["integer", "null"], minimum: 1 },
    temperature: { type: ["number", "null"], minimum: 0, maximum: 2 },
    top_p: { type: ["number", "null"], minimum: 0, maximum: 1 },
    frequency_penalty: { type: ["number", "null"], minimum: -2, maximum: 2 },
    presence_penalty: { type: ["number", "null"], minimum: -2, maximum: 2 },
    seed: { type: ["integer", "null"] },
    stop: { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" }, maxItems: 4 }, { type: "null" }] },
    tools: {
      type: "array",
      items: {
        type: "object",
        required: ["type"],
        properties: { type: { type: "string" } },
        if: { properties: { type: { const: "function" } } },
        then: {
          required: ["function"],
          properties: {
            function: {
              type: "object",
              required: ["name"],
              properties: {
                name: { type: "string", pattern: "^[A-Za-z0-9_-]{1,64}$" },
                description: { type: "string" },
                parameters: { type: "object" },
              },
            },
          },
        },
      },
    },
    tool_choice: {
      anyOf: [{ enum: ["none", "auto", "required"] }, { type: "object", required: ["type"] }],
    },
    response_format: {
      type: "object",
      required: ["type"],
      properties: { type: { type: "string" } },
      if: { properties: { type: { const: "json_schema" } } },
      then: {
        required: ["json_schema"],
        properties: { json_schema: { type: "object", required: ["name"], properties: { name: { type: "string" } } } },
      },
    },
  },
};

const EMBEDDED_EMBEDDINGS_REQUEST = {
  type: "object",
  required: ["model", "input"],
  properties: {
    model: { type: "string", minLength: 1 },
    input: {},
    dimensions: { type: "integer", minimum: 1 },
    encoding_format: { enum: ["float", "base64"] },
  },
};

function toIssues(errors: ErrorObject[] | null | undefined): RequestIssue[] {
  // anyOf/oneOf failures produce one error per branch; keep the most specific (deepest) ones.
  const list = (errors ?? []).filter((e) => e.keyword !== "if");
  const deepest = Math.max(0, ...list.map((e) => e.instancePath.split("/").length));
  const chosen = list.filter((e) => e.instancePath.split("/").length === deepest);
  const seen = new Set<string>();
  const issues: RequestIssue[] = [];
  for (const e of chosen.length > 0 ? chosen : list) {
    const extra =
      e.keyword === "enum" ? `: ${(e.params as { allowedValues?: unknown[] }).allowedValues?.join(", ")}` :
      e.keyword === "additionalProperties" ? ` (${(e.params as { additionalProperty?: string }).additionalProperty})` : "";
    const message = `${e.message ?? "is invalid"}${extra}`;
    const key = `${e.instancePath}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path: e.instancePath || "/", message });
  }
  return issues.slice(0, 10);
}

function makeAjv() {
  // OpenAPI documents carry keywords JSON Schema validators do not know (discriminator, example, …).
  // code.optimize off: ChatRequest compiles in about half the time, and a mock validates few requests.
  return new Ajv2020({ strict: false, allErrors: true, validateFormats: false, validateSchema: false, code: { optimize: false } });
}

function wrap(validate: ValidateFunction): RequestValidator {
  return (body) => (validate(body) ? [] : toIssues(validate.errors));
}

/**
 * Build validators from an OpenAPI 3.1 document that defines `components.schemas.ChatRequest`
 * (and optionally `EmbeddingsRequest`).
 *
 * @example
 * const v = validatorsFromSpec(parsedYaml);
 * v.chat({ messages: [] }); // [{ path: "/messages", message: "must NOT have fewer than 1 items" }]
 */
export function validatorsFromSpec(spec: unknown): RequestValidators {
  const schemas = (spec as { components?: { schemas?: Record<string, unknown> } } | null)?.components?.schemas;
  if (!schemas || typeof schemas !== "object" || !schemas["ChatRequest"]) {
    throw new TypeError("validatorsFromSpec(spec): the document has no components.schemas.ChatRequest");
  }
  const ajv = makeAjv();
  const id = "https://openrouter-fetch.invalid/spec";
  ajv.addSchema({ $id: id, components: { schemas } });
  const get = (name: string) => ajv.getSchema(`${id}#/components/schemas/${name}`);
  const chat = get("ChatRequest");
  if (!chat) throw new TypeError("validatorsFromSpec(spec): ChatRequest did not compile");
  const embeddings = schemas["EmbeddingsRequest"] ? get("EmbeddingsRequest") : undefined;
  return {
    chat: wrap(chat),
    embeddings: embeddings ? wrap(embeddings) : wrap(makeAjv().compile(EMBEDDED_EMBEDDINGS_REQUEST)),
    source: "spec",
  };
}

/**
 * Validators from the small embedded schemas (no spec file needed).
 *
 * @example
 * embeddedValidators().chat({ messages: [{ role: "tool", content: "x" }] }).length > 0 // true
 */
export function embeddedValidators(): RequestValidators {
  const ajv = makeAjv();
  return {
    chat: wrap(ajv.compile(EMBEDDED_CHAT_REQUEST)),
    embeddings: wrap(ajv.compile(EMBEDDED_EMBEDDINGS_REQUEST)),
    source: "embedded",
  };
}

/**
 * Where the spec may be, in order: a JSON copy next to this module (a build can write
 * `openrouter-spec.json` beside the compiled testing entry), then the checkout's `spec/openrouter.yaml`.
 *
 * @example
 * defaultSpecPaths() // [".../src/testing/openrouter-spec.json", ".../spec/openrouter.yaml"]
 */
export function defaultSpecPaths(): string[] {
  const out: string[] = [];
  for (const rel of ["./openrouter-spec.json", "../../spec/openrouter.yaml"]) {
    try {
      out.push(fileURLToPath(new URL(rel, import.meta.url)));
    } catch {
      // No import.meta.url (a CommonJS build): only an explicit `spec` option or the embedded schema.
    }
  }
  return out;
}

type YamlParse = (text: string) => unknown;

/** Load a YAML parser by name, so it stays optional: only a checkout's spec file needs one. */
async function yamlParser(): Promise<YamlParse> {
  // The same parser the spec tooling uses first, then the one it depends on.
  // js-yaml first: it loads in ~60 ms where @redocly/openapi-core (the spec tooling's parser) takes ~2 s.
  const candidates: Array<[string, string]> = [["js-yaml", "load"], ["@redocly/openapi-core", "parseYaml"]];
  for (const [name, fn] of candidates) {
    try {
      const mod = (await import(name)) as Record<string, unknown> & { default?: Record<string, unknown> };
      const parse = mod[fn] ?? mod.default?.[fn];
      if (typeof parse === "function") return parse as YamlParse;
    } catch {
      // Not installed: try the next one.
    }
  }
  throw new Error("no YAML parser installed (@redocly/openapi-core or js-yaml)");
}

async function parseSpecFile(path: string): Promise<unknown> {
  if (path.endsWith(".json")) return JSON.parse(readFileSync(path, "utf8"));
  // The checkout's YAML spec is split by area files; assemble it into one document.
  const parse = await yamlParser();
  return assembleSpec(path, { readText: (file) => readFileSync(file, "utf8"), parse });
}

/**
 * The OpenAPI document the stand-in serves from: an explicit spec (object or path), else the checkout's spec
 * file (or a built JSON copy), else undefined. An explicit spec that fails to load is an error; the implicit
 * one falls back quietly. Every mock in a test run shares one parsed copy of the implicit document.
 *
 * @example
 * const doc = await loadSpecDocument(); // the assembled spec in a checkout, undefined in a bare install
 */
export async function loadSpecDocument(spec?: string | object): Promise<object | undefined> {
  if (spec !== undefined) {
    if (typeof spec === "string") {
      if (!existsSync(spec)) throw new Error(`createMockOpenRouter: spec file not found: ${spec}`);
      return (await parseSpecFile(spec)) as object;
    }
    return spec;
  }
  return (implicitDocument ??= (async () => {
    for (const path of defaultSpecPaths()) {
      if (!existsSync(path)) continue;
      try {
        const doc = await parseSpecFile(path);
        if (doc && typeof doc === "object") return doc;
      } catch {
        // A spec mid-edit or no YAML parser: try the next source.
      }
    }
    return undefined;
  })());
}

let implicitDocument: Promise<object | undefined> | undefined;

/**
 * Resolve the validators: an explicit spec (object or path), else the checkout's spec file, else the
 * embedded schemas. An explicit spec that fails to load is an error; the implicit one falls back quietly.
 *
 * @example
 * const v = await loadRequestValidators(); // v.source === "spec" in a checkout with spec/openrouter.yaml
 */
export async function loadRequestValidators(spec?: string | object): Promise<RequestValidators> {
  if (spec !== undefined) return validatorsFromSpec(await loadSpecDocument(spec));
  // Every mock in a test run shares one compiled copy: parsing the spec and compiling takes ~0.3 s.
  return (implicitValidators ??= (async () => {
    const doc = await loadSpecDocument();
    if (doc) {
      try {
        return validatorsFromSpec(doc);
      } catch {
        // A spec without ChatRequest: the embedded schema is the last resort.
      }
    }
    return embeddedValidators();
  })());
}

let implicitValidators: Promise<RequestValidators> | undefined;
