/**
 * src/testing/spec-files.ts: assembling the split spec into one document, on small temporary specs and on ours.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseYaml } from "@redocly/openapi-core";
import { afterAll, describe, expect, it } from "vitest";
import { assembleSpec, specFiles } from "../../src/testing/spec-files.js";
import { SPEC_FILE } from "../helpers/spec.js";

type Json = Record<string, unknown>;
const reader = { readText: (path: string) => readFileSync(path, "utf8"), parse: (text: string) => parseYaml(text) };

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function tempSpec(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "openrouter-spec-files-"));
  temps.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return join(dir, "root.yaml");
}

const ROOT = `openapi: 3.1.0
info: { title: t, version: "1" }
paths:
  /things/{id}:
    $ref: "./things.yaml#/paths/~1things~1{id}"
components:
  securitySchemes:
    key: { type: http, scheme: bearer }
`;
const THINGS = `paths:
  /things/{id}:
    get:
      responses:
        "200":
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Thing" }
        "500": { $ref: "./common.yaml#/components/responses/Oops" }
components:
  schemas:
    Thing:
      type: object
      properties:
        owner: { $ref: "./common.yaml#/components/schemas/Owner" }
`;
const COMMON = `components:
  responses:
    Oops:
      description: failed
      content:
        application/json:
          schema: { $ref: "#/components/schemas/Owner" }
  schemas:
    Owner: { type: string }
`;

function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (typeof node === "object" && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

function resolvePointer(doc: Json, ref: string): unknown {
  return ref
    .slice(2)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<unknown>((acc, key) => (typeof acc === "object" && acc !== null ? (acc as Json)[key] : undefined), doc);
}

describe("assembleSpec", () => {
  it("inlines the path index, merges every reached file's components and makes every $ref local", () => {
    const doc = assembleSpec(tempSpec({ "root.yaml": ROOT, "things.yaml": THINGS, "common.yaml": COMMON }), reader);
    const get = ((doc["paths"] as Json)["/things/{id}"] as Json)["get"] as Json;
    expect(((get["responses"] as Json)["500"] as Json)["$ref"]).toBe("#/components/responses/Oops");
    const components = doc["components"] as Record<string, Json>;
    expect(Object.keys(components["schemas"] ?? {})).toEqual(["Thing", "Owner"]);
    expect(Object.keys(components["securitySchemes"] ?? {})).toEqual(["key"]);
    expect(refs(doc).every((r) => r.startsWith("#/components/"))).toBe(true);
    for (const r of refs(doc)) expect(resolvePointer(doc, r), r).toBeDefined();
  });

  it("refuses a component name defined in two files instead of renaming it", () => {
    const clash = THINGS.replace("    Thing:", "    Owner: { type: number }\n    Thing:");
    expect(() => assembleSpec(tempSpec({ "root.yaml": ROOT, "things.yaml": clash, "common.yaml": COMMON }), reader)).toThrow(
      /components\/schemas\/Owner is defined in both/,
    );
  });

  it("refuses a path index entry that points at another path or at nothing", () => {
    const wrong = ROOT.replace("#/paths/~1things~1{id}", "#/paths/~1other");
    expect(() => assembleSpec(tempSpec({ "root.yaml": wrong, "things.yaml": THINGS, "common.yaml": COMMON }), reader)).toThrow(
      /points at nothing/,
    );
  });

  it("refuses a cross-file reference to anything but a component", () => {
    const odd = THINGS.replace("./common.yaml#/components/schemas/Owner", "./common.yaml#/paths/x");
    expect(() => assembleSpec(tempSpec({ "root.yaml": ROOT, "things.yaml": odd, "common.yaml": COMMON }), reader)).toThrow(
      /only component references may cross files/,
    );
  });

  it("leaves a single-file spec as it is", () => {
    const single = `openapi: 3.1.0
info: { title: t, version: "1" }
paths:
  /a:
    get:
      responses:
        "200": { description: ok, content: { application/json: { schema: { $ref: "#/components/schemas/A" } } } }
components:
  schemas:
    A: { type: string }
`;
    const path = tempSpec({ "root.yaml": single });
    expect(assembleSpec(path, reader)).toEqual(parseYaml(single));
  });

  it("assembles our spec: every area file is reached, every $ref is local and resolves", () => {
    const doc = assembleSpec(SPEC_FILE, reader);
    const files = specFiles(SPEC_FILE, reader).map((f) => f.split("/").pop());
    expect(files).toEqual(expect.arrayContaining(["openrouter.yaml", "chat.yaml", "common.yaml", "organization.yaml"]));
    for (const r of new Set(refs(doc))) {
      expect(r.startsWith("#/components/"), r).toBe(true);
      expect(resolvePointer(doc, r), r).toBeDefined();
    }
  });
});
