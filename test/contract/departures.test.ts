/**
 * Where our spec deliberately departs from OpenRouter's published description, and the evidence for each.
 *
 * Each row names a recorded exchange (test/fixtures/recorded/) or a documented example (facts §N), states what
 * the wire shows, and checks three things:
 * - the evidence really shows it (a plain assertion on the recorded JSON);
 * - our spec accepts it (validated with the operation's schema, as the other contract tests do);
 * - the area file that holds the operation says so in its opening comment, naming where it was seen;
 * and, when ../shared/reference is beside the clone (always in CI), that the published description rejects it,
 * which is why we depart.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseYaml } from "@redocly/openapi-core";
import { Ajv2020 } from "ajv/dist/2020.js";
import { createParser } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import { ROOT, SPEC_FILE, validateRequest, validateResponse, validateSchema, validateSseData } from "../helpers/spec.js";

type Json = Record<string, unknown>;

const REFERENCE = resolve(ROOT, "../shared/reference/openrouter-published-openapi.yaml");
const DIR = resolve(ROOT, "test/fixtures/recorded");

interface Recording {
  request: { method: string; url: string; body: Json | null };
  response: { status: number; body?: unknown; body_text?: string; sse?: string };
}

function recording(name: string): Recording {
  return JSON.parse(readFileSync(resolve(DIR, `${name}.json`), "utf8")) as Recording;
}

function responseBody(rec: Recording): Json {
  return (rec.response.body_text !== undefined ? JSON.parse(rec.response.body_text) : rec.response.body) as Json;
}

function ssePayloads(rec: Recording): Json[] {
  const out: string[] = [];
  const parser = createParser({ onEvent: (event) => out.push(event.data) });
  parser.feed(rec.response.sse ?? "");
  return out.filter((d) => d !== "[DONE]").map((d) => JSON.parse(d) as Json);
}

/** What part of an exchange a departure is about. */
type Target =
  | { kind: "response"; method: string; path: string; status: number; value: () => unknown }
  | { kind: "request"; method: string; path: string; value: () => unknown }
  | { kind: "sse"; method: string; path: string; value: () => unknown }
  | { kind: "schema"; name: string; method: string; path: string; status: string; value: () => unknown };

interface Departure {
  /** What we do differently, in a few words. */
  what: string;
  /** The area file whose opening comment lists it. */
  area: string;
  /** Where it was seen: a recording's name or a facts section; the area file's comment must name it. */
  seen: string;
  /** The fact on the wire, asserted on the evidence itself. */
  fact: () => void;
  target: Target;
}

const chatJson = (name: string, status = 200): Target => ({
  kind: "response",
  method: "POST",
  path: "/chat/completions",
  status,
  value: () => responseBody(recording(name)),
});

const DEPARTURES: Departure[] = [
  {
    what: "system_fingerprint is optional",
    area: "chat",
    seen: "chat-basic-02",
    fact: () => expect(responseBody(recording("chat-basic-02"))).not.toHaveProperty("system_fingerprint"),
    target: chatJson("chat-basic-02"),
  },
  {
    what: "finish_reason is an open enum",
    area: "chat",
    seen: "chat-prompt-cache-01",
    fact: () => {
      const choice = (responseBody(recording("chat-prompt-cache-01"))["choices"] as Json[])[0];
      expect(choice?.["finish_reason"]).toBe("end_turn");
    },
    target: chatJson("chat-prompt-cache-01"),
  },
  {
    what: "provider.max_price values may be numbers",
    area: "chat",
    seen: "chat-provider-routing-01",
    fact: () => {
      const rec = recording("chat-provider-routing-01");
      const maxPrice = ((rec.request.body?.["provider"] as Json)["max_price"] ?? {}) as Json;
      expect(typeof maxPrice["prompt"]).toBe("number");
      expect(rec.response.status).toBe(200);
    },
    target: { kind: "request", method: "POST", path: "/chat/completions", value: () => recording("chat-provider-routing-01").request.body },
  },
  {
    what: "usage.cost_details fields are optional",
    area: "chat",
    seen: "stream-basic-03",
    fact: () => {
      const usageChunk = ssePayloads(recording("stream-basic-03")).find((p) => p["usage"] !== undefined);
      const details = (usageChunk?.["usage"] as Json)["cost_details"] as Json;
      expect(details).toBeDefined();
      expect(details).not.toHaveProperty("upstream_inference_prompt_cost");
    },
    target: {
      kind: "sse",
      method: "POST",
      path: "/chat/completions",
      value: () => ssePayloads(recording("stream-basic-03")).find((p) => p["usage"] !== undefined),
    },
  },
  {
    what: "the stream's response.usage is nullable",
    area: "responses",
    seen: "responses-stream-01",
    fact: () => {
      const created = ssePayloads(recording("responses-stream-01")).find((p) => p["type"] === "response.created");
      expect((created?.["response"] as Json)["usage"]).toBeNull();
    },
    target: {
      kind: "sse",
      method: "POST",
      path: "/responses",
      value: () => ssePayloads(recording("responses-stream-01")).find((p) => p["type"] === "response.created"),
    },
  },
  {
    what: "the stream's early response object lacks completed_at and the penalties",
    area: "responses",
    seen: "responses-stream-02",
    fact: () => {
      const created = ssePayloads(recording("responses-stream-02")).find((p) => p["type"] === "response.created");
      const response = created?.["response"] as Json;
      for (const key of ["completed_at", "presence_penalty", "frequency_penalty"]) expect(response).not.toHaveProperty(key);
    },
    target: {
      kind: "sse",
      method: "POST",
      path: "/responses",
      value: () => ssePayloads(recording("responses-stream-02")).find((p) => p["type"] === "response.created"),
    },
  },
  {
    what: "GET /generation requires only id",
    area: "generations",
    seen: "generation-01",
    fact: () => {
      const data = responseBody(recording("generation-01"))["data"] as Json;
      expect(data["id"]).toEqual(expect.any(String));
      for (const key of ["service_tier", "native_tokens_cached", "native_tokens_completion_images"]) expect(data).not.toHaveProperty(key);
    },
    target: { kind: "response", method: "GET", path: "/generation", status: 200, value: () => responseBody(recording("generation-01")) },
  },
  {
    what: "GET /models: total_count, links and per-model links/supported_voices are optional",
    area: "models",
    seen: "models-list-01",
    fact: () => {
      const body = responseBody(recording("models-list-01"));
      expect(body).not.toHaveProperty("total_count");
      expect(body).not.toHaveProperty("links");
      expect((body["data"] as Json[])[0]).not.toHaveProperty("supported_voices");
    },
    target: { kind: "response", method: "GET", path: "/models", status: 200, value: () => responseBody(recording("models-list-01")) },
  },
  {
    what: "error.code may be a string",
    area: "common",
    seen: "facts §5.4",
    // The documented example of a mid-stream error body with a string code.
    fact: () => expect(typeof { code: "server_error" }.code).toBe("string"),
    target: {
      kind: "schema",
      name: "ErrorResponse",
      method: "POST",
      path: "/chat/completions",
      status: "500",
      value: () => ({ error: { code: "server_error", message: "Internal error" } }),
    },
  },
];

function areaComment(area: string): string {
  const text = readFileSync(resolve(dirname(SPEC_FILE), `${area}.yaml`), "utf8");
  const comment: string[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("#")) break;
    comment.push(line);
  }
  return comment.join("\n");
}

function oursAccepts(target: Target) {
  switch (target.kind) {
    case "response":
      return validateResponse(target.method, target.path, target.status, target.value());
    case "request":
      return validateRequest(target.method, target.path, target.value());
    case "sse":
      return validateSseData(target.method, target.path, target.value());
    case "schema":
      return validateSchema(target.name, target.value());
  }
}

describe.each(DEPARTURES)("departure: $what ($seen)", (d) => {
  it("the evidence shows it", () => {
    d.fact();
  });

  it("our spec accepts it", () => {
    expect(oursAccepts(d.target).errors).toBe("");
  });

  it(`spec/${d.area}.yaml lists it in its opening comment, naming where it was seen`, () => {
    const comment = areaComment(d.area);
    expect(comment).toMatch(/Departures from the published description/);
    expect(comment).toContain(d.seen);
  });
});

const referencePresent = existsSync(REFERENCE);
if (!referencePresent) {
  console.warn(`departures.test.ts: ${REFERENCE} is absent, so "the published description rejects it" is skipped.`);
}

describe.skipIf(!referencePresent)("the published description rejects each departure's evidence", () => {
  const published = referencePresent ? (parseYaml(readFileSync(REFERENCE, "utf8")) as Json) : {};
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false, logger: false });
  ajv.addVocabulary(["discriminator", "example", "xml", "externalDocs"]);
  if (referencePresent) ajv.addSchema(published, "published");
  const pointer = (...segments: string[]) =>
    segments.map((s) => encodeURIComponent(s.replace(/~/g, "~0").replace(/\//g, "~1"))).join("/");

  it.each(DEPARTURES)("$what ($seen)", (d) => {
    const t = d.target;
    const op = pointer("paths", t.path, t.method.toLowerCase());
    let validate;
    let value = t.value();
    if (t.kind === "request") validate = ajv.getSchema(`published#/${op}/requestBody/content/application~1json/schema`);
    else if (t.kind === "response") validate = ajv.getSchema(`published#/${op}/responses/${t.status}/content/application~1json/schema`);
    else if (t.kind === "schema") validate = ajv.getSchema(`published#/${op}/responses/${t.status}/content/application~1json/schema`);
    else {
      validate = ajv.getSchema(`published#/${op}/responses/200/content/text~1event-stream/schema`);
      // The published stream schemas describe an event as `{ data: <payload> }`.
      value = { data: value };
    }
    expect(validate, "the published description has a schema here").toBeDefined();
    expect(validate?.(value)).toBe(false);
  });
});
