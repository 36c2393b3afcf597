/**
 * What runs a `client.api` request (src/core/api-request.ts): openapi-fetch's createClient found in any module
 * shape, a JSON parse failure turned into InvalidResponseError, and one request handed to the pipeline as a
 * `Call` with its body text sent as is.
 */
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, InvalidResponseError } from "../../src/index.js";
import { PlainRequest, apiFetch, createClientOf, typedParseError } from "../../src/core/api-request.js";
import type { Pipeline } from "../../src/core/pipeline.js";
import type { Call } from "../../src/core/types.js";

describe("createClientOf", () => {
  it("finds the function in an ESM namespace and in a CommonJS interop wrapper", () => {
    const createClient = () => ({});
    expect(createClientOf({ default: createClient })).toBe(createClient);
    expect(createClientOf({ default: { default: createClient } })).toBe(createClient);
    expect(() => createClientOf({ default: {} })).toThrow(TypeError);
  });
});

describe("typedParseError", () => {
  it("makes a SyntaxError an InvalidResponseError naming the call, and leaves other errors alone", () => {
    const e = typedParseError(new SyntaxError("Unexpected token <"), "get", "/models") as InvalidResponseError;
    expect(e).toBeInstanceOf(InvalidResponseError);
    expect(e.message).toContain("not JSON");
    expect(e.path).toBe("/models");
    const other = new TypeError("x");
    expect(typedParseError(other, "GET", "/x")).toBe(other);
  });
});

describe("apiFetch", () => {
  const recording = () => {
    const calls: Call[] = [];
    const pipeline: Pipeline = {
      call: () => Promise.reject(new Error("not used")),
      exchange: async (call) => {
        calls.push(call);
        return new Response("{}", { status: 200 });
      },
    };
    return { pipeline, calls };
  };

  it("hands the pipeline one Call: path below the base path, the body text as is, model and stream from it", async () => {
    const { pipeline, calls } = recording();
    const text = '{"model":"openai/gpt-4o-mini","stream":true,"messages":[]}';
    await apiFetch(pipeline, "/api/v1", new Request("https://openrouter.ai/api/v1/chat/completions?x=1", { method: "POST", body: text }));
    expect(calls[0]).toMatchObject({ verb: "api", method: "POST", path: "/chat/completions?x=1", model: "openai/gpt-4o-mini", stream: true, serialized: text });
  });

  it("refuses a body that is not JSON before anything is sent", async () => {
    const { pipeline, calls } = recording();
    const request = new Request("https://openrouter.ai/api/v1/chat/completions", { method: "POST", body: "not json" });
    await expect(apiFetch(pipeline, "/api/v1", request)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(calls).toEqual([]);
  });

  it("takes a PlainRequest's JSON text, headers and signal as they are, as it would from a Request", async () => {
    const { pipeline, calls } = recording();
    const text = '{"model":"openai/gpt-4o-mini","stream":true,"messages":[]}';
    const signal = new AbortController().signal;
    const headers = new Headers({ "content-type": "application/json", "x-extra": "1" });
    const url = "https://openrouter.ai/api/v1/chat/completions?x=1";
    await apiFetch(pipeline, "/api/v1", new PlainRequest(url, { method: "POST", body: text, headers, signal }));
    await apiFetch(pipeline, "/api/v1", new Request(url, { method: "POST", body: text, headers, signal }));
    const [plain, web] = calls;
    expect(plain).toMatchObject({ verb: "api", method: "POST", path: "/chat/completions?x=1", model: "openai/gpt-4o-mini", stream: true, serialized: text });
    expect(plain!.body).toEqual(web!.body);
    expect(plain!.headers).toEqual(web!.headers);
    expect(plain!.headers).toEqual({ "x-extra": "1" });
    expect(plain!.signal).toBe(signal);
  });

  it("turns a PlainRequest it cannot take as is into a web Request, with that Request's checks", async () => {
    const { pipeline, calls } = recording();
    const url = "https://openrouter.ai/api/v1/keys";
    // A body that is not text (a custom bodySerializer's) is read through the Request, as before.
    await apiFetch(pipeline, "/api/v1", new PlainRequest(url, { method: "POST", body: new Blob(['{"name":"k"}']) }));
    expect(calls[0]).toMatchObject({ method: "POST", path: "/keys", serialized: '{"name":"k"}', body: { name: "k" } });
    // Methods and bodies a Request refuses are refused the same way, before anything is sent.
    await expect(apiFetch(pipeline, "/api/v1", new PlainRequest(url, { method: "TRACE" }))).rejects.toBeInstanceOf(TypeError);
    await expect(apiFetch(pipeline, "/api/v1", new PlainRequest(url, { method: "GET", body: "{}" }))).rejects.toBeInstanceOf(TypeError);
    expect(calls).toHaveLength(1);
  });
});
