/**
 * Assembles the spec, which is split by area (spec/openrouter.yaml holds `info`, servers, security and the path
 * index; spec/<area>.yaml holds that area's paths and components), into one self-contained OpenAPI document.
 *
 * The rules are deliberately narrow so that every tool reads the same document (code generation, the test
 * helpers, the stand-in's request validation and the JSON the build ships):
 * - the root's `paths` entries are `{ $ref: "./<area>.yaml#/paths/<escaped path>" }` and are inlined;
 * - every other `$ref` points at `#/components/<kind>/<Name>` of the same file or of another file
 *   (`./<area>.yaml#/components/...`) and becomes a local `#/components/<kind>/<Name>`;
 * - components of every file reached are merged under their own names, so a name may exist only once
 *   (a clash throws rather than being silently renamed, as a bundler would do).
 * Files are merged in the order they are first referenced, so the output is deterministic.
 */
import { dirname, resolve } from "node:path";

type Json = Record<string, unknown>;

/** How the assembler reads and parses a file (YAML or JSON); injected so callers pick their parser. */
export interface SpecReader {
  readText(path: string): string;
  parse(text: string): unknown;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function decodePointer(pointer: string): string[] {
  return pointer
    .split("/")
    .slice(1)
    .map((s) => decodeURIComponent(s).replace(/~1/g, "/").replace(/~0/g, "~"));
}

/**
 * Reads `rootFile` and every file it refers to, and returns one OpenAPI document with local `$ref`s only.
 *
 * @example
 * ```ts
 * const spec = assembleSpec("spec/openrouter.yaml", { readText: (p) => readFileSync(p, "utf8"), parse: parseYaml });
 * Object.keys(spec.paths).length; // every operation's path
 * ```
 */
export function assembleSpec(rootFile: string, reader: SpecReader): Json {
  const docs = new Map<string, Json>();
  const order: string[] = [];
  const load = (file: string): Json => {
    const cached = docs.get(file);
    if (cached) return cached;
    const parsed = reader.parse(reader.readText(file));
    if (!isObject(parsed)) throw new Error(`spec: ${file} is not a YAML mapping`);
    docs.set(file, parsed);
    order.push(file);
    return parsed;
  };

  const rootPath = resolve(rootFile);
  const root = load(rootPath);

  /** Deep copy of `node` (found in `file`) with every `$ref` made local; records the files it reaches. */
  const localise = (node: unknown, file: string): unknown => {
    if (Array.isArray(node)) return node.map((n) => localise(n, file));
    if (!isObject(node)) return node;
    const out: Json = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") {
        const hash = value.indexOf("#");
        const target = hash < 0 ? value : value.slice(0, hash);
        const pointer = hash < 0 ? "" : value.slice(hash + 1);
        if (!pointer.startsWith("/components/")) {
          throw new Error(`spec: ${file}: only component references may cross files, got ${value}`);
        }
        if (target !== "") load(resolve(dirname(file), target));
        out[key] = `#${pointer}`;
      } else {
        out[key] = localise(value, file);
      }
    }
    return out;
  };

  const document: Json = {};
  for (const [key, value] of Object.entries(root)) {
    if (key === "paths" || key === "components") continue;
    document[key] = localise(value, rootPath);
  }

  const paths: Json = {};
  const rootPaths = isObject(root["paths"]) ? root["paths"] : {};
  for (const [path, item] of Object.entries(rootPaths)) {
    const ref = isObject(item) ? item["$ref"] : undefined;
    if (typeof ref !== "string" || !ref.includes("#/paths/")) {
      // A path written inline in the root file is allowed too.
      paths[path] = localise(item, rootPath);
      continue;
    }
    const [target = "", pointer = ""] = ref.split("#");
    const file = resolve(dirname(rootPath), target);
    const segments = decodePointer(pointer);
    const found = segments.reduce<unknown>((acc, s) => (isObject(acc) ? acc[s] : undefined), load(file));
    if (!isObject(found)) throw new Error(`spec: the path index entry ${path} points at nothing (${ref})`);
    if (segments[1] !== path) throw new Error(`spec: the path index entry ${path} points at ${segments[1]}`);
    paths[path] = localise(found, file);
  }
  document["paths"] = paths;

  // Components of every file reached, in the order the files were first referenced (root first).
  const components: Record<string, Json> = {};
  const owner = new Map<string, string>();
  for (let i = 0; i < order.length; i++) {
    const file = order[i] as string;
    const fileComponents = (docs.get(file) as Json)["components"];
    if (!isObject(fileComponents)) continue;
    for (const [kind, entries] of Object.entries(fileComponents)) {
      if (!isObject(entries)) continue;
      const bucket = (components[kind] ??= {});
      for (const [name, value] of Object.entries(entries)) {
        const key = `${kind}/${name}`;
        const previous = owner.get(key);
        if (previous !== undefined) {
          throw new Error(`spec: components/${key} is defined in both ${previous} and ${file}`);
        }
        owner.set(key, file);
        bucket[name] = localise(value, file);
      }
    }
  }
  document["components"] = components;
  return document;
}

/**
 * The files an assembled spec is made of, for tools that copy or watch them: the root and every file it reaches.
 *
 * @example
 * ```ts
 * specFiles("spec/openrouter.yaml", reader); // ["/…/spec/openrouter.yaml", "/…/spec/chat.yaml", …]
 * ```
 */
export function specFiles(rootFile: string, reader: SpecReader): string[] {
  const seen: string[] = [];
  assembleSpec(rootFile, {
    readText: (path) => {
      seen.push(path);
      return reader.readText(path);
    },
    parse: reader.parse,
  });
  return seen;
}
