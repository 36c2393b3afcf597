/**
 * Lints spec/openrouter.yaml with Redocly's Node API (@redocly/openapi-core) using the `recommended` ruleset
 * plus the overrides in .redocly.yaml. Prints every problem and exits 1 when there is any error.
 *
 * @example
 * ```sh
 * npx tsx scripts/lint-spec.ts          # npm run lint:spec
 * ```
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { formatProblems, getTotals, lint, loadConfig } from "@redocly/openapi-core";
import type { NormalizedProblem } from "@redocly/openapi-core";

/** Repository root (the parent of scripts/). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Result of one lint run. */
export interface LintResult {
  problems: NormalizedProblem[];
  errors: number;
  warnings: number;
}

/**
 * Lints the spec at `specPath` with the Redocly config at `configPath`.
 *
 * @example
 * ```ts
 * const { errors } = await lintSpec();
 * if (errors > 0) process.exitCode = 1;
 * ```
 */
export async function lintSpec(
  specPath: string = resolve(ROOT, "spec/openrouter.yaml"),
  configPath: string = resolve(ROOT, ".redocly.yaml"),
): Promise<LintResult> {
  if (!existsSync(specPath)) throw new Error(`lint-spec: spec not found at ${specPath}`);
  if (!existsSync(configPath)) throw new Error(`lint-spec: Redocly config not found at ${configPath}`);
  const config = await loadConfig({ configPath });
  const problems = await lint({ ref: specPath, config });
  const totals = getTotals(problems);
  return { problems, errors: totals.errors, warnings: totals.warnings };
}

async function main(): Promise<number> {
  const { problems, errors, warnings } = await lintSpec();
  if (problems.length > 0) {
    formatProblems(problems, { format: "stylish", cwd: ROOT, totals: getTotals(problems), version: "lint-spec" });
  }
  console.log(`lint-spec: ${errors} error(s), ${warnings} warning(s) in spec/openrouter.yaml`);
  return errors > 0 ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error("lint-spec failed:", error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
