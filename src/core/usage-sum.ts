/**
 * Usage arithmetic for verbs that make several model calls (repairs, tool runs, conversations): their result
 * reports what every call together used.
 */
import type { Usage } from "./result.js";
import { isObject } from "../internal/json.js";

/**
 * Adds two usage objects field by field (nested token details included), so a run or a repair loop reports
 * what every model call together cost. `undefined` counts as nothing.
 *
 * @example
 * sumUsage({ prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 }, { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 });
 */
export function sumUsage(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (!a) return b ? clone(b) : undefined;
  if (!b) return clone(a);
  return addObjects(a as unknown as Record<string, unknown>, b as unknown as Record<string, unknown>) as unknown as Usage;
}

/** A zero usage, the starting point of a sum. */
export function emptyUsage(): Usage {
  return { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } as Usage;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function addObjects(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[key];
    const y = b[key];
    if (typeof x === "number" || typeof y === "number") out[key] = (typeof x === "number" ? x : 0) + (typeof y === "number" ? y : 0);
    else if (isObject(x) && isObject(y)) out[key] = addObjects(x, y);
    else if (isObject(x) || isObject(y)) out[key] = clone(isObject(x) ? x : y);
    else out[key] = x ?? y;
  }
  return out;
}
