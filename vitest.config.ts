import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (p: string) => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

export default defineConfig({
  // The gateway workspace imports the client by its package name; tests take it from the sources (no build needed).
  resolve: {
    alias: [
      { find: /^openrouter-fetch$/, replacement: src("index.ts") },
      { find: /^openrouter-fetch\/testing$/, replacement: src("testing/index.ts") },
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
  },
});
