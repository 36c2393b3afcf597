/**
 * The validator's public shapes: what a validation returns and what a custom validator implements. Types
 * only; the interpreter and the ajv wrapper import this file, never index.ts.
 */
import type { JSONSchema } from "../json-schema.js";

/** One validation failure, in ajv's vocabulary so messages read the same whichever validator ran. */
export interface ValidationError {
  /** JSON Pointer to the offending value, `""` for the root (ajv's `instancePath`). */
  path: string;
  /** The schema keyword that failed (`type`, `required`, …). */
  keyword: string;
  /** A human- and model-readable message. */
  message: string;
}

export interface ValidationResult {
  valid: boolean;
  errors: ValidationError[];
}

/**
 * The validator interface: anything with a synchronous `validate(schema, value)`.
 *
 * @example
 * const alwaysValid: Validator = { validate: () => ({ valid: true, errors: [] }) };
 * await client.structured({ model, messages, schema, validator: alwaysValid });
 */
export interface Validator {
  validate(schema: JSONSchema | boolean, value: unknown): ValidationResult;
}

/** How callers pick a validator: a name or their own implementation. */
export type ValidatorOption = "auto" | "ajv" | "interpreter" | Validator;

/**
 * An ajv-backed validator with a compile cache. `compileCount` counts real compiles (cache misses), so tests
 * and the bench can prove repeated calls reuse the compiled function.
 *
 * @example
 * const v = await createAjvValidator();
 * v.validate(schema, data); v.validate(schema, data);
 * v.compileCount; // 1
 */
export interface AjvValidator extends Validator {
  readonly compileCount: number;
  /** Drops every cached compiled validator. */
  clear(): void;
}
