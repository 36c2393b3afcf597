/**
 * The layering of src/ (docs/ARCHITECTURE.md), checked on the real import graph: static, type-only and
 * dynamic imports. Layers by rank: internal/ and generated/ 0, core/ 1, stream/ 2, accounting/ 3, agents/ 4,
 * options.ts and client.ts 5, index.ts 6, testing/ and cli/ 7. A file imports only its own rank or lower,
 * nothing forms a cycle, errors.ts sits below everything that throws, Node modules stay out of the client's
 * core, and no handwritten file passes 400 lines.
 *
 * ALLOWLIST holds today's known violations, each with the task that removes it. It can only shrink: an entry
 * that no longer breaks anything fails the test until it is deleted.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type Allowlist, type ImportGraph, checkArchitecture, cycles, nodeOf, readImportGraph } from "./helpers/import-graph.js";

const SRC = fileURLToPath(new URL("../src", import.meta.url));

const ALLOWLIST: Allowlist = {
  edges: {
    // errors.ts takes ChatResult (type only) for `partial`; it goes once ChatResult moves into core/types.ts.
    "core/errors.ts -> core/result.ts": "ChatResult moves into core/types.ts",
  },
  files: {
  },
};

describe("architecture of src/", () => {
  const graph = readImportGraph(SRC);

  it("reads the whole tree", () => {
    expect(graph.get("index.ts")?.internal).toContain("client.ts");
    expect(graph.has("core/errors.ts")).toBe(true);
    expect([...graph.keys()].some((f) => f.startsWith("generated/"))).toBe(false);
  });

  it("follows the layering rules, apart from the allowlisted violations", () => {
    expect(checkArchitecture(graph, ALLOWLIST).violations).toEqual([]);
  });

  it("has no allowlist entry that no longer occurs (the list only shrinks)", () => {
    expect(checkArchitecture(graph, ALLOWLIST).stale).toEqual([]);
  });
});

describe("the layering checker", () => {
  /** A graph from `file: [imports]` lines, every file 10 lines long unless given. */
  const graphOf = (files: Record<string, string[]>, lines: Record<string, number> = {}): ImportGraph =>
    new Map(
      Object.entries(files).map(([file, imports]) => [
        file,
        {
          lines: lines[file] ?? 10,
          internal: imports.filter((i) => !i.startsWith("node:") && i.endsWith(".ts")),
          external: imports.filter((i) => i.startsWith("node:") || !i.endsWith(".ts")),
        },
      ]),
    );
  const none: Allowlist = { edges: {}, files: {} };

  it("accepts a graph that follows the rules", () => {
    const g = graphOf({
      "index.ts": ["client.ts"],
      "client.ts": ["agents/agent.ts", "core/errors.ts", "accounting/cost.ts"],
      "agents/agent.ts": ["stream/chat-stream.ts", "accounting/cost.ts", "core/errors.ts"],
      "stream/chat-stream.ts": ["core/errors.ts", "eventsource-parser"],
      "accounting/cost.ts": ["core/errors.ts"],
      "core/errors.ts": ["core/types.ts", "core/retry.ts", "internal/redact.ts"],
      "core/types.ts": [],
      "core/retry.ts": [],
      "internal/redact.ts": [],
      "cli/run.ts": ["index.ts", "node:fs"],
      "testing/mock.ts": ["index.ts", "node:http"],
    });
    expect(checkArchitecture(g, none)).toEqual({ violations: [], stale: [] });
  });

  it("reports an import of a higher layer, also a type-only or dynamic one", () => {
    const text = `import type { OpenRouter } from "../client.js";\nconst m = () => import("../agents/agent.js");\n`;
    const g: ImportGraph = new Map([
      ["core/api.ts", nodeOf("core/api.ts", text)],
      ["client.ts", { lines: 1, internal: [], external: [] }],
      ["agents/agent.ts", { lines: 1, internal: [], external: [] }],
    ]);
    expect(checkArchitecture(g, none).violations).toEqual([
      "core/api.ts -> client.ts: imports a higher layer (1 -> 5)",
      "core/api.ts -> agents/agent.ts: imports a higher layer (1 -> 4)",
    ]);
  });

  it("reports a cycle inside a layer, and a cycle is gone once an allowlisted edge breaks it", () => {
    const g = graphOf({ "core/a.ts": ["core/b.ts"], "core/b.ts": ["core/c.ts"], "core/c.ts": ["core/a.ts"], "core/d.ts": ["core/d.ts"] });
    expect(cycles(g)).toEqual([["core/a.ts", "core/b.ts", "core/c.ts"], ["core/d.ts"]]);
    expect(checkArchitecture(g, none).violations).toEqual(["cycle: core/a.ts, core/b.ts, core/c.ts", "cycle: core/d.ts"]);
    const allow: Allowlist = { edges: { "core/c.ts -> core/a.ts": "T9", "core/d.ts -> core/d.ts": "T9" }, files: {} };
    expect(checkArchitecture(g, allow)).toEqual({ violations: [], stale: [] });
  });

  it("limits what errors.ts imports", () => {
    const g = graphOf({ "core/errors.ts": ["core/result.ts", "core/types.ts", "internal/json.ts"], "core/result.ts": [], "core/types.ts": [], "internal/json.ts": [] });
    expect(checkArchitecture(g, none).violations).toEqual([
      "core/errors.ts -> core/result.ts: errors.ts imports only core/types, core/retry, core/rate-limit-headers, internal/*",
    ]);
  });

  it("reports Node modules outside testing/ and cli/, bare built-in names included", () => {
    const g = graphOf({ "core/body.ts": ["node:buffer", "fs"], "cli/main.ts": ["node:fs"], "testing/record.ts": ["node:fs/promises"] });
    expect(checkArchitecture(g, none).violations).toEqual([
      "core/body.ts -> node:buffer: Node module outside testing/ and cli/",
      "core/body.ts -> fs: Node module outside testing/ and cli/",
    ]);
  });

  it("reports a file over 400 lines, a file outside the layers and an import of the CLI", () => {
    const g = graphOf({ "core/big.ts": [], "helpers.ts": [], "testing/mock.ts": ["cli/format.ts"], "cli/format.ts": [] }, { "core/big.ts": 401 });
    expect(checkArchitecture(g, none).violations).toEqual([
      "core/big.ts: 401 lines (max 400)",
      "helpers.ts: outside the layer folders",
      "testing/mock.ts -> cli/format.ts: only the CLI imports the CLI",
    ]);
  });

  it("fails on allowlist entries that no longer occur", () => {
    const g = graphOf({ "core/a.ts": ["core/b.ts"], "core/b.ts": [], "core/big.ts": [] }, { "core/big.ts": 400 });
    const allow: Allowlist = {
      edges: { "core/a.ts -> core/b.ts": "T9", "core/a.ts -> agents/x.ts": "T9" },
      files: { "core/big.ts": "T9" },
    };
    expect(checkArchitecture(g, allow)).toEqual({
      violations: [],
      stale: ["core/a.ts -> core/b.ts (T9)", "core/a.ts -> agents/x.ts (T9)", "core/big.ts (T9)"],
    });
  });
});
