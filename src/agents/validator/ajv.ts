/**
 * The ajv-backed validator: ajv's draft 2020-12 build, plus ajv-formats the first time a schema uses
 * `format`, with a compile cache per schema (by identity and by stable JSON text). Only ever reached through
 * `import()` (index.ts), so ajv never weighs on a bundle that does not validate.
 */
import { walkSchema, type JSONSchema } from "../json-schema.js";
import { stableStringify } from "./stable-json.js";
import type { AjvValidator, ValidationError } from "./types.js";

type AjvFn = ((data: unknown) => boolean) & {
  errors?: Array<{ instancePath: string; keyword: string; message?: string; params?: Record<string, unknown> }> | null;
};
interface AjvLike {
  compile(schema: unknown): AjvFn;
}


function toErrors(fn: AjvFn): ValidationError[] {
  return (fn.errors ?? []).map((e) => {
    let message = e.message ?? "is invalid";
    // ajv names the extra property only in params; the model needs it in the text.
    if (e.keyword === "additionalProperties" && typeof e.params?.["additionalProperty"] === "string") {
      message = `${message} '${e.params["additionalProperty"]}'`;
    }
    if (e.keyword === "enum" && Array.isArray(e.params?.["allowedValues"])) {
      message = `${message}: ${(e.params["allowedValues"] as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    }
    return { path: e.instancePath, keyword: e.keyword, message };
  });
}

function usesFormat(schema: unknown): boolean {
  let found = false;
  walkSchema(schema, (s) => {
    if (typeof s.format === "string") found = true;
  });
  return found;
}

/** The default export of a CommonJS module reached through `import()` (Node wraps it once, bundlers may twice). */
function defaultOf<T>(mod: unknown): T {
  let m = mod as { default?: unknown };
  while (m && typeof m === "object" && "default" in m && m.default !== undefined && typeof m !== "function") m = m.default as { default?: unknown };
  return m as T;
}

/**
 * Loads ajv (draft 2020-12 build) with a dynamic import and returns a caching validator. ajv-formats is
 * loaded the first time a schema uses `format`.
 *
 * @example
 * const validator = await createAjvValidator();
 * validator.validate({ type: "string" }, 1).valid; // false
 */
export async function createAjvValidator(): Promise<AjvValidator> {
  const Ajv2020 = defaultOf<new (opts: Record<string, unknown>) => AjvLike>(await import("ajv/dist/2020.js"));
  // strict: false because model-facing schemas carry keywords ajv's strict mode rejects (e.g. OpenAPI's
  // `nullable`, vendor `x-…` keys); allErrors so a repair prompt lists every problem at once.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  let formatsAdded = false;
  const addFormats = usesFormatLoader(ajv);
  let byIdentity = new WeakMap<object, AjvFn>();
  const byText = new Map<string, AjvFn>();
  let compileCount = 0;

  const compiled = (schema: JSONSchema | boolean): AjvFn => {
    const identity = typeof schema === "object" && schema !== null ? byIdentity.get(schema) : undefined;
    if (identity) return identity;
    const text = stableStringify(schema);
    let fn = byText.get(text);
    if (!fn) {
      if (!formatsAdded && usesFormat(schema)) {
        if (!addFormats.ready) throw new FormatsNotLoaded();
        formatsAdded = true;
      }
      fn = ajv.compile(schema);
      compileCount++;
      byText.set(text, fn);
    }
    if (typeof schema === "object" && schema !== null) byIdentity.set(schema, fn);
    return fn;
  };

  return {
    get compileCount() {
      return compileCount;
    },
    clear() {
      byText.clear();
      byIdentity = new WeakMap();
    },
    validate(schema, value) {
      const fn = compiled(schema);
      const valid = fn(value);
      return { valid, errors: valid ? [] : toErrors(fn) };
    },
    // Used by prepare() to load ajv-formats before the (synchronous) validate needs it.
    [PREPARE]: async (schema: JSONSchema | boolean) => {
      if (!formatsAdded && usesFormat(schema)) await addFormats.load();
    },
  } as AjvValidator;
}

/** Internal hook: an async step run before the synchronous `validate`, to load ajv-formats on demand. */
const PREPARE = Symbol("prepare");
class FormatsNotLoaded extends Error {}

function usesFormatLoader(ajv: AjvLike) {
  const state = {
    ready: false,
    async load() {
      if (state.ready) return;
      const addFormats = defaultOf<(ajv: AjvLike) => unknown>(await import("ajv-formats"));
      addFormats(ajv);
      state.ready = true;
    },
  };
  return state;
}

let sharedAjv: Promise<AjvValidator> | undefined;

/**
 * The process-wide ajv validator (one compile cache shared by every `structured()` call and tool).
 *
 * @example
 * const v = await getAjvValidator(); console.log(v.compileCount);
 */
export function getAjvValidator(): Promise<AjvValidator> {
  sharedAjv ??= createAjvValidator().catch((e: unknown) => {
    sharedAjv = undefined;
    throw e;
  });
  return sharedAjv;
}

/**
 * Loads ajv-formats when `schema` uses `format`, so the synchronous `validate` finds it ready.
 *
 * @example
 * await prepareAjv(await getAjvValidator(), { type: "string", format: "email" });
 */
export async function prepareAjv(validator: AjvValidator, schema: JSONSchema | boolean): Promise<void> {
  await (validator as unknown as Record<symbol, (s: unknown) => Promise<void>>)[PREPARE]?.(schema);
}

/** An error that says the runtime forbids code generation (`new Function`, eval). */
export function isEvalError(e: unknown): boolean {
  return e instanceof EvalError || (e instanceof Error && /code generation from strings disallowed|unsafe-eval|EvalError/i.test(`${e.name} ${e.message}`));
}
