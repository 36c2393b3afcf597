/**
 * src/testing/spec-operations.ts on a small document that uses what the checker must handle beyond the
 * bundled spec's common cases: security at document and operation level, `$ref` parameters and responses,
 * header and cookie parameters, values coerced from text (arrays, nullable, numbers, booleans, anyOf),
 * missing and unaccepted bodies, multipart fields that must be files, `name[]` fields, unknown methods.
 */
import { describe, expect, it } from "vitest";
import { specOperations } from "../../src/testing/spec-operations.js";

const doc = {
  openapi: "3.1.0",
  security: [{ bearer: [] }],
  components: {
    parameters: { Limit: { name: "limit", in: "query", schema: { type: "integer", minimum: 1 } } },
    responses: { Ok: { description: "ok", content: { "application/json": { schema: { type: "object" } } } } },
    schemas: { Tag: { type: "string", enum: ["a", "b"] } },
  },
  paths: {
    "/things": {
      get: {
        parameters: [
          { $ref: "#/components/parameters/Limit" },
          { name: "ids", in: "query", schema: { type: "array", items: { type: "integer" } } },
          { name: "maybe", in: "query", schema: { type: ["integer", "null"] } },
          { name: "flag", in: "query", schema: { type: "boolean" } },
          { name: "mixed", in: "query", schema: { anyOf: [{ type: "number" }, { $ref: "#/components/schemas/Tag" }] } },
          { name: "x-trace", in: "header", required: true, schema: { type: "string", pattern: "^t-" } },
          { name: "session", in: "cookie", required: true, schema: { type: "string" } },
          { name: "free", in: "query" },
          "not a parameter",
        ],
        responses: { "200": { $ref: "#/components/responses/Ok" } },
      },
      post: {
        security: [{ managementKey: [] }],
        requestBody: { required: true, content: { "application/json": { schema: { type: "object", required: ["n"], properties: { n: { type: "integer" } } } } } },
        responses: { "201": { description: "created" } },
      },
    },
    "/open": { get: { security: [{}], responses: { default: { description: "any" } } } },
    "/nobody": { get: { security: [], responses: {} } },
    "/uploads/{name}": {
      put: {
        parameters: [{ name: "name", in: "path", required: true, schema: { type: "string", minLength: 3 } }],
        requestBody: {
          content: {
            "multipart/form-data": {
              schema: {
                type: "object",
                required: ["file"],
                properties: {
                  file: { type: "string", format: "binary" },
                  thumb: { type: "string", contentMediaType: "image/png" },
                  sizes: { type: "array", items: { type: "integer" } },
                  note: { type: "string" },
                  quality: { oneOf: [{ type: "integer", minimum: 1 }, { type: "string", enum: ["low", "high"] }] },
                },
              },
            },
          },
        },
        responses: { "204": { description: "stored" } },
      },
    },
  },
};

const ops = specOperations(doc);
function matched(method: string, path: string) {
  const m = ops.match(method, path);
  if (!m || !("operation" in m)) throw new Error(`no operation for ${method} ${path}`);
  return m;
}
const check = (method: string, path: string, query: string, headers: Record<string, string>, body: Parameters<typeof ops.check>[3]) =>
  ops.check(matched(method, path), new URLSearchParams(query), new Headers(headers), body);
const none = { kind: "none" } as const;
const good = { "x-trace": "t-1" };

describe("specOperations on a small document", () => {
  it("takes the key kind from the operation's security, else the document's; {} or [] means public", () => {
    expect(matched("GET", "/things").operation.key).toBe("inference");
    expect(matched("POST", "/things").operation.key).toBe("management");
    expect(matched("GET", "/open").operation.key).toBe("public");
    expect(matched("GET", "/nobody").operation.key).toBe("public");
  });

  it("takes the first 2xx status as success (200 when none) and follows a $ref response to its media types", () => {
    expect(matched("GET", "/things").operation.successMedia.map(([type]) => type)).toEqual(["application/json"]);
    expect(matched("POST", "/things").operation.successStatus).toBe(201);
    expect(matched("GET", "/nobody").operation.successStatus).toBe(200);
    expect(ops.operations.length).toBe(5);
  });

  it("reports other methods of a known path, and nothing for an unknown path", () => {
    expect(ops.match("DELETE", "/things")).toEqual({ methodNotAllowed: ["GET", "POST"] });
    expect(ops.match("GET", "/elsewhere")).toBeUndefined();
    expect(matched("put", "/uploads/a%20b").params).toEqual({ name: "a b" });
  });

  it("coerces query text to the schema's type: arrays split on commas, null, numbers, booleans, anyOf", () => {
    expect(check("GET", "/things", "limit=2&ids=1,2&ids=3&maybe=null&flag=true&free=anything", good, none)).toEqual([]);
    expect(check("GET", "/things", "mixed=a", good, none)).toEqual([]);
    const issues = check("GET", "/things", "limit=0&ids=1,x&flag=yes&maybe=", good, none);
    expect(issues.map((i) => i.path).sort()).toEqual(["/query/flag", "/query/ids/1", "/query/limit", "/query/maybe"]);
  });

  it("reads a numeric value of a 'number or one of these words' schema as the number (query and form)", () => {
    // anyOf [number, string enum]: "2.5" is no word of the enum, so it is the number, which the schema accepts.
    expect(check("GET", "/things", "mixed=2.5", good, none)).toEqual([]);
    expect(check("GET", "/things", "mixed=b", good, none)).toEqual([]);
    expect(check("GET", "/things", "mixed=c", good, none).map((i) => i.path)).toContain("/query/mixed");
    const form = (quality: string) => {
      const f = new FormData();
      f.append("file", new File(["x"], "x.bin"));
      f.append("quality", quality);
      return { kind: "form", form: f } as const;
    };
    expect(check("PUT", "/uploads/abc", "", {}, form("3"))).toEqual([]);
    expect(check("PUT", "/uploads/abc", "", {}, form("high"))).toEqual([]);
    // The number still meets the number's own constraints.
    expect(check("PUT", "/uploads/abc", "", {}, form("0")).map((i) => i.path)).toContain("/quality");
  });

  it("checks header parameters (missing and invalid) and ignores cookie parameters", () => {
    expect(check("GET", "/things", "", {}, none)).toEqual([{ path: "/header/x-trace", message: expect.stringContaining("is required") }]);
    expect(check("GET", "/things", "", { "x-trace": "nope" }, none).map((i) => i.path)).toEqual(["/header/x-trace"]);
  });

  it("requires a required body, rejects other content types and unaccepted media types, validates JSON", () => {
    expect(check("POST", "/things", "", {}, none)[0]!.message).toMatch(/request body is required \(application\/json\)/);
    expect(check("POST", "/things", "", {}, { kind: "other", contentType: "text/plain" })[0]!.message).toMatch(/text\/plain is not accepted; send application\/json/);
    expect(check("POST", "/things", "", {}, { kind: "other", contentType: "" })[0]!.message).toMatch(/\(none\)/);
    expect(check("POST", "/things", "", {}, { kind: "form", form: new FormData() })[0]!.message).toMatch(/multipart\/form-data is not accepted/);
    expect(check("POST", "/things", "", {}, { kind: "json", value: { n: 1 } })).toEqual([]);
    expect(check("POST", "/things", "", {}, { kind: "json", value: { n: "one" } })).toEqual([{ path: "/n", message: expect.any(String) }]);
    // An optional body may be left out.
    expect(check("PUT", "/uploads/abc", "", {}, none)).toEqual([]);
  });

  it("multipart: binary fields must be file parts, name[] fields collect into arrays, unknown fields pass as text", () => {
    const form = new FormData();
    form.append("file", new File(["x"], "x.bin"));
    form.append("thumb", new File(["p"], "t.png", { type: "image/png" }));
    form.append("sizes[]", "1");
    form.append("sizes[]", "2");
    form.append("note", "hello");
    form.append("extra", "whatever");
    expect(check("PUT", "/uploads/abc", "", {}, { kind: "form", form })).toEqual([]);

    const bad = new FormData();
    bad.append("file", "just text");
    bad.append("sizes", "1,two");
    const issues = check("PUT", "/uploads/ab", "", {}, { kind: "form", form: bad });
    expect(issues).toContainEqual({ path: "/file", message: "must be a file part (filename and bytes)" });
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(["/path/name", "/sizes/1"]));
  });

  it("is cached per document", () => {
    expect(specOperations(doc)).toBe(ops);
  });
});
