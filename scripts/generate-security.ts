/**
 * Which operations need a management key, derived from the spec's security requirements and written to
 * src/generated/management.ts as one compact pattern. `client.api` tests each request against it to pick the
 * key it sends; deriving it here means the list cannot drift from the spec (`npm run check:generated` fails
 * when the committed pattern is stale).
 *
 * The pattern is kept small because it sits in the core bundle: an area whose every operation is a
 * management one (`/keys`, `/guardrails`, …) becomes one prefix; the others are listed by path, with their
 * methods only when the same path also has operations that take an inference key.
 */
import type { GenerateStep } from "./generate.js";

type Json = Record<string, unknown>;

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

/** One operation: its method (upper case), its path template and whether it needs the management key. */
export interface OperationSecurity {
  method: string;
  path: string;
  management: boolean;
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Every operation of an assembled spec with whether its security (its own, else the document's) names the
 * `managementKey` scheme.
 *
 * @example
 * operationSecurity(spec).filter((o) => o.management).length; // 52
 */
export function operationSecurity(spec: Json): OperationSecurity[] {
  const out: OperationSecurity[] = [];
  const paths = isObject(spec["paths"]) ? spec["paths"] : {};
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const security = op["security"] ?? spec["security"];
      const schemes = Array.isArray(security) ? security.flatMap((r) => (isObject(r) ? Object.keys(r) : [])) : [];
      out.push({ method: method.toUpperCase(), path, management: schemes.includes("managementKey") });
    }
  }
  return out;
}

/** A path template as regex source: literal text escaped, `{param}` one segment. */
function templateSource(path: string): string {
  return path
    .split("/")
    .map((segment) => (/^\{.+\}$/.test(segment) ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("\\/");
}

/**
 * The regex source matching `"<METHOD> <path>"` exactly for the management operations (path without the base
 * path and without the query).
 *
 * @example
 * new RegExp(managementPatternSource(ops)).test("GET /keys/abc"); // true
 */
export function managementPatternSource(ops: readonly OperationSecurity[]): string {
  const areas = new Map<string, OperationSecurity[]>();
  for (const op of ops) {
    const area = op.path.split("/")[1] ?? "";
    areas.set(area, [...(areas.get(area) ?? []), op]);
  }
  const prefixes: string[] = [];
  const exact: string[] = [];
  for (const [area, list] of [...areas].sort(([a], [b]) => a.localeCompare(b))) {
    if (!list.some((o) => o.management)) continue;
    if (list.every((o) => o.management)) {
      prefixes.push(area.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      continue;
    }
    const byPath = new Map<string, OperationSecurity[]>();
    for (const op of list) byPath.set(op.path, [...(byPath.get(op.path) ?? []), op]);
    for (const [path, pathOps] of [...byPath].sort(([a], [b]) => a.localeCompare(b))) {
      const management = pathOps.filter((o) => o.management).map((o) => o.method);
      if (management.length === 0) continue;
      const method = management.length === pathOps.length ? "[A-Z]+" : `(?:${management.sort().join("|")})`;
      exact.push(`^${method} ${templateSource(path)}$`);
    }
  }
  const alternatives = [...(prefixes.length > 0 ? [`^[A-Z]+ \\/(?:${prefixes.join("|")})(?:\\/|$)`] : []), ...exact];
  // Matches nothing when the spec has no management operation.
  return alternatives.length > 0 ? alternatives.join("|") : "(?!)";
}

/**
 * The step: `src/generated/management.ts`, exporting `MANAGEMENT_OPERATIONS`.
 *
 * @example
 * const file = await managementStep({ root: DEFAULT_ROOT, specPath: SPEC_PATH });
 */
export function managementStep(load: (ctx: Parameters<GenerateStep>[0]) => Json, header: (specPath: string) => string): GenerateStep {
  return async (ctx) => {
    const source = managementPatternSource(operationSecurity(load(ctx)));
    const contents =
      header(ctx.specPath) +
      [
        "/**",
        " * The operations whose security is `managementKey`, as one pattern over `\"<METHOD> <path>\"` (the path",
        " * relative to the base URL, without the query). `client.api` sends the management key to these.",
        " */",
        `export const MANAGEMENT_OPERATIONS: RegExp = /${source}/;`,
        "",
      ].join("\n");
    return { path: "src/generated/management.ts", contents };
  };
}
