/**
 * JSON Schema as a value and as a type. `FromSchema<S>` turns a schema literal written with `as const` (or
 * passed to a `const` type parameter) into the TypeScript type of the data it accepts, so `structured()` and
 * `defineTool()` hand back typed values without a second, hand-written interface. It covers the keywords
 * structured outputs and tool parameters use: `type` (also as an array, e.g. `["string", "null"]`),
 * `properties`/`required`/`additionalProperties`, `items`/`prefixItems`, `enum`, `const`, `anyOf`/`oneOf`/
 * `allOf` and `$ref` to `#/$defs/…` or `#/definitions/…`. Anything else becomes `unknown`, never a wrong type.
 */

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The JSON Schema primitive type names. */
export type JSONSchemaTypeName = "string" | "number" | "integer" | "boolean" | "null" | "object" | "array";

/**
 * A JSON Schema object (draft 2020-12 / draft-07 subset plus any extra keyword). Deliberately loose and
 * readonly-friendly so `as const` literals are assignable.
 *
 * @example
 * const schema = { type: "object", properties: { name: { type: "string" } }, required: ["name"] } as const satisfies JSONSchema;
 */
export interface JSONSchema {
  readonly type?: JSONSchemaTypeName | readonly JSONSchemaTypeName[];
  readonly properties?: { readonly [key: string]: JSONSchema | boolean };
  readonly required?: readonly string[];
  readonly additionalProperties?: JSONSchema | boolean;
  readonly items?: JSONSchema | boolean;
  readonly prefixItems?: readonly (JSONSchema | boolean)[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly anyOf?: readonly (JSONSchema | boolean)[];
  readonly oneOf?: readonly (JSONSchema | boolean)[];
  readonly allOf?: readonly (JSONSchema | boolean)[];
  readonly not?: JSONSchema | boolean;
  readonly $ref?: string;
  readonly $defs?: { readonly [key: string]: JSONSchema | boolean };
  readonly definitions?: { readonly [key: string]: JSONSchema | boolean };
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly multipleOf?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly title?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly nullable?: boolean;
  readonly [keyword: string]: unknown;
}

/** Flattens an intersection so editors show `{ a: string; b?: number }` instead of `A & B`. */
type Simplify<T> = T extends object ? (T extends readonly unknown[] ? T : { [K in keyof T]: T[K] } & {}) : T;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** Limits recursion on self-referencing `$ref`s; past it the type is `unknown`. */
type Depth = [never, 0, 1, 2, 3, 4, 5, 6, 7, 8];

type Primitive<T> = T extends "string"
  ? string
  : T extends "number" | "integer"
    ? number
    : T extends "boolean"
      ? boolean
      : T extends "null"
        ? null
        : never;

type RequiredKeys<S> = S extends { readonly required: readonly (infer K)[] } ? K & string : never;

type ObjectOf<S, Root, D extends number> = S extends { readonly properties: infer P }
  ? Simplify<
      {
        -readonly [K in keyof P as K extends RequiredKeys<S> ? K : never]: Resolve<P[K], Root, D>;
      } & {
        -readonly [K in keyof P as K extends RequiredKeys<S> ? never : K]?: Resolve<P[K], Root, D>;
      } & AdditionalOf<S, Root, D>
    >
  : S extends { readonly additionalProperties: infer A }
    ? A extends false
      ? Record<string, never>
      : A extends JSONSchema
        ? Record<string, Resolve<A, Root, D>>
        : Record<string, unknown>
    : Record<string, unknown>;

/** Without `additionalProperties: false` an object may carry more keys than its properties name. */
type AdditionalOf<S, Root, D extends number> = S extends { readonly additionalProperties: false }
  ? unknown
  : S extends { readonly additionalProperties: infer A extends JSONSchema }
    ? { [key: string]: Resolve<A, Root, D> | undefined }
    : unknown;

type ArrayOf<S, Root, D extends number> = S extends { readonly prefixItems: infer P extends readonly unknown[] }
  ? { -readonly [I in keyof P]: Resolve<P[I], Root, D> }
  : S extends { readonly items: infer I }
    ? Resolve<I, Root, D>[]
    : unknown[];

type ByTypeName<T, S, Root, D extends number> = T extends "object"
  ? ObjectOf<S, Root, D>
  : T extends "array"
    ? ArrayOf<S, Root, D>
    : Primitive<T>;

/** The types a schema's `type` keyword allows (`type` missing: inferred from properties/items, else unknown). */
type ByType<S, Root, D extends number> = S extends { readonly type: infer T }
  ? T extends readonly (infer U)[]
    ? ByTypeName<U, S, Root, D>
    : ByTypeName<T, S, Root, D>
  : S extends { readonly properties: object }
    ? ObjectOf<S, Root, D>
    : S extends { readonly items: unknown }
      ? ArrayOf<S, Root, D>
      : unknown;

/** OpenAPI 3.0's `nullable: true`, which some tool schemas still carry. */
type Nullable<S, T> = S extends { readonly nullable: true } ? T | null : T;

type RefName<R> = R extends `#/$defs/${infer N}` ? N : R extends `#/definitions/${infer N}` ? N : never;
type RefTarget<R, Root> = Root extends { readonly $defs: infer Defs }
  ? RefName<R> extends keyof Defs
    ? Defs[RefName<R>]
    : RefLegacy<R, Root>
  : RefLegacy<R, Root>;
type RefLegacy<R, Root> = Root extends { readonly definitions: infer Defs }
  ? RefName<R> extends keyof Defs
    ? Defs[RefName<R>]
    : unknown
  : unknown;

type Combinators<S, Root, D extends number> = (S extends { readonly anyOf: readonly (infer A)[] } ? Resolve<A, Root, D> : unknown) &
  (S extends { readonly oneOf: readonly (infer O)[] } ? Resolve<O, Root, D> : unknown) &
  (S extends { readonly allOf: infer All extends readonly unknown[] }
    ? UnionToIntersection<{ [I in keyof All]: Resolve<All[I], Root, D> }[number]> extends infer X
      ? X
      : unknown
    : unknown);

/** Resolves one (sub)schema; `D` counts down so recursive `$ref`s stop at `unknown`. */
type Resolve<S, Root, D extends number> = [D] extends [never]
  ? unknown
  : S extends true
    ? unknown
    : S extends false
      ? never
      : S extends { readonly const: infer C }
        ? C
        : S extends { readonly enum: readonly (infer E)[] }
          ? E
          : S extends { readonly $ref: infer R }
            ? Resolve<RefTarget<R, Root>, Root, Depth[D]>
            : Simplify<Nullable<S, ByType<S, Root, Depth[D]>> & Combinators<S, Root, Depth[D]>>;

/**
 * The TypeScript type of the values a JSON Schema accepts. Use it with a schema declared `as const`.
 *
 * @example
 * const Person = { type: "object", properties: { name: { type: "string" }, age: { type: ["integer", "null"] } }, required: ["name"], additionalProperties: false } as const;
 * type Person = FromSchema<typeof Person>; // { name: string; age?: number | null }
 */
export type FromSchema<S> = S extends JSONSchema | boolean ? Resolve<S, S, 8> : unknown;

/**
 * Walks a schema and every subschema (properties, items, combinators, `$defs`…), calling `visit` on each.
 * Used to find out whether a schema needs formats, and by the interpreter validator's tests.
 *
 * @example
 * let usesFormat = false;
 * walkSchema(schema, (s) => { if (typeof s.format === "string") usesFormat = true; });
 */
export function walkSchema(schema: unknown, visit: (schema: JSONSchema) => void, seen: Set<object> = new Set()): void {
  if (typeof schema !== "object" || schema === null || seen.has(schema)) return;
  seen.add(schema);
  if (Array.isArray(schema)) {
    for (const item of schema) walkSchema(item, visit, seen);
    return;
  }
  const s = schema as JSONSchema;
  visit(s);
  for (const key of ["items", "additionalProperties", "not", "contains", "if", "then", "else", "propertyNames", "unevaluatedProperties", "unevaluatedItems"]) {
    walkSchema(s[key], visit, seen);
  }
  for (const key of ["prefixItems", "anyOf", "oneOf", "allOf"]) walkSchema(s[key], visit, seen);
  for (const key of ["properties", "$defs", "definitions", "patternProperties", "dependentSchemas"]) {
    const group = s[key];
    if (typeof group === "object" && group !== null) for (const sub of Object.values(group)) walkSchema(sub, visit, seen);
  }
}
