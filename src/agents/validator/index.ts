/**
 * Pluggable JSON Schema validation for structured outputs and tool arguments.
 *
 * - `"ajv"`: ajv (draft 2020-12 build, plus ajv-formats when a schema uses `format`), loaded with a dynamic
 *   `import()` the first time something is validated so it never weighs on the core bundle. Compiled
 *   validators are cached per schema: by object identity (WeakMap) and by a stable JSON string (Map), so the
 *   compile is paid once per distinct schema. ajv compiles schemas to JavaScript with `new Function`, which
 *   edge runtimes (Cloudflare Workers, Vercel Edge, Deno Deploy, CSP pages) and
 *   `node --disallow-code-generation-from-strings` forbid.
 * - `"interpreter"`: a compact JSON Schema interpreter (no code generation at all) for the keywords
 *   structured outputs use: type, properties, required, additionalProperties, patternProperties, items,
 *   prefixItems, enum, const, anyOf/oneOf/allOf/not, minimum/maximum (and the exclusive forms), multipleOf,
 *   minLength/maxLength, pattern, format (date-time, date, time, email, uri, uuid, ipv4, ipv6, hostname),
 *   minItems/maxItems, uniqueItems, minProperties/maxProperties and `$ref` to `#`, `#/$defs/…` or
 *   `#/definitions/…`. Unknown keywords are ignored (as annotations are).
 * - `"auto"` (the default): ajv, and the interpreter when ajv's compile throws an `EvalError` (code
 *   generation disallowed). The fallback is remembered for the rest of the process.
 * - Or any object implementing {@link Validator}.
 */
import { InvalidArgumentError } from "../../core/errors.js";
import type { JSONSchema } from "../json-schema.js";
import { quote } from "../../internal/quote.js";
import { interpretSchema } from "./interpreter.js";
import type { AjvValidator, ValidationError, ValidationResult, ValidatorOption } from "./types.js";

export type { AjvValidator, ValidationError, ValidationResult, Validator, ValidatorOption } from "./types.js";
export { interpretSchema, interpreterValidator } from "./interpreter.js";
export { stableStringify } from "./stable-json.js";

/** Formats the errors as lines for an error message or a repair prompt: `/age: must be integer`. */
export function formatValidationErrors(errors: readonly ValidationError[], max = 20): string {
  const lines = errors.slice(0, max).map((e) => `${e.path === "" ? "(root)" : e.path}: ${e.message}`);
  if (errors.length > max) lines.push(`… and ${errors.length - max} more`);
  return lines.join("\n");
}

/**
 * Loads ajv and returns a new caching validator (its own compile cache).
 *
 * @example
 * const validator = await createAjvValidator();
 * validator.validate({ type: "string" }, 1).valid; // false
 */
export async function createAjvValidator(): Promise<AjvValidator> {
  return (await import("./ajv.js")).createAjvValidator();
}

/**
 * The process-wide ajv validator (one compile cache shared by every `structured()` call and tool).
 *
 * @example
 * const v = await getAjvValidator(); console.log(v.compileCount);
 */
export async function getAjvValidator(): Promise<AjvValidator> {
  return (await import("./ajv.js")).getAjvValidator();
}

// ---------------------------------------------------------------------------------------------------------
// Selection

/** Set once ajv's compile threw an EvalError in this process: code generation is disallowed here. */
let codegenBanned = false;


/** True after the "auto" validator fell back to the interpreter because code generation is disallowed. */
export function codeGenerationDisallowed(): boolean {
  return codegenBanned;
}


/** A validator bound to one option, usable synchronously once `prepare(schema)` has resolved. */
export interface PreparedValidator {
  /** Which implementation ran the last validation. */
  readonly kind: "ajv" | "interpreter" | "custom";
  validate(schema: JSONSchema | boolean, value: unknown): ValidationResult;
}

/**
 * Resolves a validator option and prepares it for `schema` (loads ajv, ajv-formats when needed, compiles
 * once). With "auto", an `EvalError` from ajv's compile switches to the interpreter for good. With "ajv" the
 * `EvalError` is rethrown, so callers who insist on ajv learn their runtime forbids it.
 *
 * @example
 * const v = await prepareValidator("auto", schema);
 * v.validate(schema, JSON.parse(text));
 */
export async function prepareValidator(option: ValidatorOption | undefined, schema: JSONSchema | boolean): Promise<PreparedValidator> {
  const choice = option ?? "auto";
  if (typeof choice === "object" && choice !== null && typeof choice.validate === "function") {
    return { kind: "custom", validate: (s, v) => choice.validate(s, v) };
  }
  if (choice === "interpreter" || (choice === "auto" && codegenBanned)) return { kind: "interpreter", validate: interpretSchema };
  if (choice !== "auto" && choice !== "ajv") {
    throw new InvalidArgumentError(`validator must be "auto", "ajv", "interpreter" or an object with validate(); got ${quote(choice)}`);
  }
  const { getAjvValidator, isEvalError, prepareAjv } = await import("./ajv.js");
  const ajv = await getAjvValidator();
  await prepareAjv(ajv, schema);
  try {
    // Compile now (validating a value that is cheap to check) so a code-generation ban surfaces here, once.
    ajv.validate(schema, undefined);
  } catch (e) {
    if (choice === "auto" && isEvalError(e)) {
      codegenBanned = true;
      return { kind: "interpreter", validate: interpretSchema };
    }
    if (e instanceof Error && !isEvalError(e)) {
      throw new InvalidArgumentError(`Invalid JSON Schema: ${e.message}`, { cause: e });
    }
    throw e;
  }
  return { kind: "ajv", validate: (s, v) => ajv.validate(s, v) };
}
