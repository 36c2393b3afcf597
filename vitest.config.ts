import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (p: string) => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

export default defineConfig({
  // The gateway workspace imports the client by its package name; tests take it from the sources (no build needed).
  resolve: {
    alias: [
      { find: /^openrouter-fetch$/, replacement: src("index.ts") },
      { find: /^openrouter-fetch\/testing$/, replacement: src("testing/index.ts") },
      { find: /^openrouter-fetch\/node$/, replacement: src("node/index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts", "gateway/test/**/*.test.ts"],
    typecheck: {
      enabled: true,
      include: ["test/**/*.test-d.ts"],
      tsconfig: "./tsconfig.node.json",
    },
    testTimeout: 20_000,
    // `npm test` runs with --coverage; focused runs (`npx vitest run test/x.test.ts`) skip it, since the
    // thresholds are for the whole suite and one file alone would fail them.
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      // src/generated: produced by `npm run generate` from the spec, checked for staleness, never hand-edited.
      // src/cli: the CLI is tested the way it is used, as a subprocess (`node --import tsx src/cli/main.ts`
      // in test/cli.test.ts, the installed bin in test/package.test.ts). In-process V8 coverage cannot see a
      // child process, so counting it here would report about 30% for code those tests run end to end;
      // merging the children's NODE_V8_COVERAGE output (transformed by tsx) is not worth its machinery.
      // gateway/: its own package, tested by its own suites; these thresholds are the client's.
      exclude: ["src/generated/**", "src/cli/**", "gateway/**"],
      reporter: ["text", "json-summary"],
      thresholds: {
        lines: 90,
        branches: 90,
      },
    },
  },
});
