/**
 * src/testing/spec-operations.ts: routing a request to its operation (literal segments before parameters,
 * 405 for other methods) and checking parameters and bodies (JSON and multipart) against the spec.
 */
import { describe, expect, it } from "vitest";
import { specOperations } from "../../src/testing/spec-operations.js";
import { loadSpec } from "../helpers/spec.js";

const ops = specOperations(loadSpec());
const matched = (method: string, path: string) => {
  const m = ops.match(method, path);
  if (!m || !("operation" in m)) throw new Error(`no operation for ${method} ${path}`);
  return m;
};

describe("specOperations", () => {
  it("has every operation with its key kind from the security schemes", () => {
    expect(ops.operations.length).toBeGreaterThanOrEqual(98);
    expect(matched("GET", "/keys").operation.key).toBe("management");
    expect(matched("POST", "/responses").operation.key).toBe("inference");
    expect(matched("GET", "/providers").operation.key).toBe("public");
  });

  it("prefers literal segments over parameters and decodes parameters", () => {
    expect(matched("GET", "/videos/models").operation.path).toBe("/videos/models");
    const job = matched("GET", "/videos/job%201");
    expect(job.operation.path).toBe("/videos/{jobId}");
    expect(job.params).toEqual({ jobId: "job 1" });
    expect(ops.match("DELETE", "/videos/models")).toEqual({ methodNotAllowed: ["GET"] });
    expect(ops.match("GET", "/nothing/here")).toBeUndefined();
  });

  it("checks query parameters with their types and required ones", () => {
    const files = matched("GET", "/files");
    expect(ops.check(files, new URLSearchParams("limit=10&order=asc"), new Headers(), { kind: "none" })).toEqual([]);
    expect(ops.check(files, new URLSearchParams("limit=0"), new Headers(), { kind: "none" })[0]!.path).toBe("/query/limit");
    expect(ops.check(files, new URLSearchParams("order=sideways"), new Headers(), { kind: "none" })[0]!.path).toBe("/query/order");
    const content = matched("GET", "/generation/content");
    expect(ops.check(content, new URLSearchParams(), new Headers(), { kind: "none" })[0]!.path).toBe("/query/id");
  });

  it("checks JSON bodies, refuses a missing body and other content types", () => {
    const speech = matched("POST", "/audio/speech");
    expect(ops.check(speech, new URLSearchParams(), new Headers(), { kind: "json", value: { model: "m", input: "hi" } })).toEqual([]);
    expect(ops.check(speech, new URLSearchParams(), new Headers(), { kind: "json", value: { input: "hi" } })[0]!.message).toContain("model");
    expect(ops.check(speech, new URLSearchParams(), new Headers(), { kind: "none" })[0]!.message).toContain("request body is required");
    expect(ops.check(speech, new URLSearchParams(), new Headers(), { kind: "other", contentType: "text/csv" })[0]!.message).toContain("text/csv");
  });

  it("checks multipart bodies: required file parts must be files, other fields are typed", () => {
    const upload = matched("POST", "/audio/transcriptions");
    const good = new FormData();
    good.append("file", new File([new Uint8Array(3)], "a.wav"));
    good.append("model", "openai/whisper-1");
    expect(ops.check(upload, new URLSearchParams(), new Headers(), { kind: "form", form: good })).toEqual([]);
    const textFile = new FormData();
    textFile.append("file", "just text");
    textFile.append("model", "openai/whisper-1");
    expect(ops.check(upload, new URLSearchParams(), new Headers(), { kind: "form", form: textFile })).toEqual([{ path: "/file", message: "must be a file part (filename and bytes)" }]);
    // /files takes multipart only.
    expect(ops.check(matched("POST", "/files"), new URLSearchParams(), new Headers(), { kind: "json", value: {} })[0]!.message).toContain("application/json is not accepted");
  });
});
