/**
 * Fault injection in the stand-in (src/testing/faults.ts + mock.ts): every fault in the catalogue is
 * observable on the wire, over the in-process fetch and the loopback server, and the real client
 * turns the status faults into its typed errors.
 */
import { describe, expect, it } from "vitest";
import { OpenRouter } from "../../src/index.js";
import {
  createMockOpenRouter,
  FAULT_NAMES,
  parseFaultHeader,
  type FaultName,
  type MockOpenRouter,
} from "../../src/testing/index.js";
import { validateResponse, validateSseData } from "../helpers/spec.js";
import { mocksClosedAfterEach, sseDataOf } from "../helpers/mocks.js";

const CHAT = "https://openrouter.ai/api/v1/chat/completions";
const base = { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] };
const COMMENT = ": OPENROUTER PROCESSING";

const mockWith = mocksClosedAfterEach();

function send(mock: MockOpenRouter, fault: string, body: object = base) {
  return mock.fetch(CHAT, { method: "POST", headers: { "x-mock-fault": fault }, body: JSON.stringify(body) });
}

const streamBody = { ...base, stream: true };
const mockReply = { scenarios: [{ reply: "alpha beta gamma delta epsilon zeta" }], now: () => 1_780_000_000_000 };

describe("fault catalogue", () => {
  it("names every fault of the shared catalogue", () => {
    const expected: FaultName[] = [
      "keepalive-comments", "whitespace-padding", "midstream-error", "truncate", "error-200", "rate-limit-429",
      "insufficient-credits-402", "timeout-524", "overloaded-529", "slow-first-byte", "reset-before-headers", "stall",
    ];
    expect([...FAULT_NAMES].sort()).toEqual([...expected].sort());
  });

  it("parses the x-mock-fault header with parameters and rejects unknown names", () => {
    expect(parseFaultHeader("rate-limit-429;retry-after=3, truncate;mode=reset;after=1")).toEqual([
      { fault: "rate-limit-429", retryAfterSeconds: 3 },
      { fault: "truncate", mode: "reset", afterChunks: 1 },
    ]);
    expect(() => parseFaultHeader("explode")).toThrow(/Unknown mock fault "explode".*rate-limit-429/);
    expect(() => createMockOpenRouter({ faults: ["nope" as FaultName] })).toThrow(/Valid faults/);
  });

  it("names a bad parameter, a bad mode and a bad number in the header", () => {
    expect(() => parseFaultHeader("truncate;speed=2")).toThrow('Unknown x-mock-fault parameter "speed" on "truncate"');
    expect(() => parseFaultHeader("truncate;mode=explode")).toThrow('x-mock-fault mode must be "close" or "reset", got "explode"');
    expect(() => parseFaultHeader("slow-first-byte;delay=-5")).toThrow("x-mock-fault delay must be a non-negative number");
    expect(() => parseFaultHeader("slow-first-byte;delay=soon")).toThrow(/delay must be a non-negative number/);
    expect(parseFaultHeader("insufficient-credits-402;afford=7, whitespace-padding;count=2, ")).toEqual([
      { fault: "insufficient-credits-402", affordableTokens: 7 },
      { fault: "whitespace-padding", count: 2 },
    ]);
    expect(() => createMockOpenRouter({ faults: [{ fault: 5 } as never] })).toThrow('Unknown mock fault "5"');
    expect(() => createMockOpenRouter({ faults: [null as never] })).toThrow('Unknown mock fault "undefined"');
  });

  it("answers 400 naming the valid faults when the header is wrong", async () => {
    const res = await send(mockWith(), "nope");
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("keepalive-comments");
  });
});

describe("stream faults", () => {
  it("keepalive-comments adds comments between data events", async () => {
    const mock = mockWith(mockReply);
    const plain = await (await mock.fetch(CHAT, { method: "POST", body: JSON.stringify(streamBody) })).text();
    const faulty = await (await send(mock, "keepalive-comments", streamBody)).text();
    const count = (t: string) => t.split(COMMENT).length - 1;
    expect(count(faulty)).toBeGreaterThan(count(plain) + 5);
    // A comment sits between two data events, not only at the start.
    expect(faulty).toMatch(/data: [^\n]+\n\n: OPENROUTER PROCESSING\n\ndata: /);
    expect(sseDataOf(faulty)).toEqual(sseDataOf(plain).map((d) => (typeof d === "string" ? d : { ...(d as object), id: (sseDataOf(faulty)[0] as { id: string }).id })));
  });

  it("midstream-error sends a top-level error with finish_reason error after some content, then [DONE]", async () => {
    const mock = mockWith(mockReply);
    const text = await (await send(mock, "midstream-error;after=2", streamBody)).text();
    const data = sseDataOf(text);
    expect(data.at(-1)).toBe("[DONE]");
    const last = data.at(-2) as { error: { code: number; message: string }; choices: Array<{ finish_reason: string }>; usage?: unknown };
    expect(validateSseData("POST", "/chat/completions", last).errors).toBe("");
    expect(last.error.code).toBe(502);
    expect(last.choices[0]?.finish_reason).toBe("error");
    const content = (data.slice(0, -2) as Array<{ choices: Array<{ delta: { content?: string } }> }>).map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(content).toBe("alpha beta ");
    expect(data.some((d) => typeof d === "object" && (d as { choices: unknown[] }).choices.length === 0)).toBe(false);
  });

  it("truncate ends the body without a finish chunk, usage or [DONE]", async () => {
    const mock = mockWith(mockReply);
    const res = await send(mock, "truncate", streamBody);
    expect(res.status).toBe(200);
    const data = sseDataOf(await res.text()) as Array<{ choices: Array<{ finish_reason: string | null }> } | string>;
    expect(data.length).toBeGreaterThan(1);
    expect(data).not.toContain("[DONE]");
    expect(data.every((d) => typeof d !== "string" && d.choices[0]?.finish_reason === null)).toBe(true);
  });

  it("truncate;mode=reset drops the connection mid-body, in process and over a socket", async () => {
    const mock = mockWith(mockReply);
    const res = await send(mock, "truncate;mode=reset", streamBody);
    await expect(res.text()).rejects.toThrow(/terminated/);
    const { baseUrl } = await mock.listen();
    const served = await fetch(`${baseUrl}/chat/completions`, {
      method: "POST",
      headers: { "x-mock-fault": "truncate;mode=reset" },
      body: JSON.stringify(streamBody),
    });
    expect(served.status).toBe(200);
    await expect(served.text()).rejects.toThrow();
  });
});

describe("status and framing faults", () => {
  it("whitespace-padding puts newlines and spaces before the JSON", async () => {
    const text = await (await send(mockWith(), "whitespace-padding")).text();
    expect(text).toMatch(/^\n {9}\n/);
    expect((JSON.parse(text) as { object: string }).object).toBe("chat.completion");
  });

  it("error-200 answers HTTP 200 with an error envelope", async () => {
    const res = await send(mockWith(), "error-200");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { error: { code: number; message: string }; choices?: unknown };
    expect(body.error.code).toBe(502);
    expect(body.choices).toBeUndefined();
  });

  it("rate-limit-429 sets Retry-After and rate-limit headers", async () => {
    const res = await send(mockWith(), "rate-limit-429;retry-after=3");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3");
    expect(res.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(validateResponse("POST", "/chat/completions", 429, await res.json()).errors).toBe("");
  });

  it("insufficient-credits-402 says what the request can afford", async () => {
    const res = await send(mockWith(), "insufficient-credits-402;afford=250", { ...base, max_tokens: 4000 });
    expect(res.status).toBe(402);
    const body = (await res.json()) as { error: { message: string } };
    expect(validateResponse("POST", "/chat/completions", 402, body).errors).toBe("");
    expect(body.error.message).toContain("You requested up to 4000 tokens, but can only afford 250.");
  });

  it.each([["timeout-524", 524], ["overloaded-529", 529]] as const)("%s answers %i in the error shape", async (fault, status) => {
    const res = await send(mockWith(), fault);
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { code: number } };
    expect(body.error.code).toBe(status);
    expect(validateResponse("POST", "/chat/completions", status, body).errors).toBe("");
  });

  it("slow-first-byte holds the headers back until the (injected) sleep ends", async () => {
    const sleeps: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const mock = mockWith({ sleep: (ms) => (sleeps.push(ms), gate) });
    let settled = false;
    const pending = send(mock, "slow-first-byte;delay=2500").then((r) => ((settled = true), r));
    await new Promise((r) => setTimeout(r, 20));
    expect(sleeps).toEqual([2500]);
    expect(settled).toBe(false);
    release();
    expect((await pending).status).toBe(200);
  });

  it("reset-before-headers rejects like a dropped connection, in process and over a socket", async () => {
    const mock = mockWith();
    const err = await send(mock, "reset-before-headers").then(() => undefined, (e: unknown) => e as TypeError & { cause: { code: string } });
    expect(err).toBeInstanceOf(TypeError);
    expect(err?.cause.code).toBe("ECONNRESET");
    const { baseUrl } = await mock.listen();
    await expect(
      fetch(`${baseUrl}/chat/completions`, { method: "POST", headers: { "x-mock-fault": "reset-before-headers" }, body: JSON.stringify(base) }),
    ).rejects.toThrow(/fetch failed/);
  });

  it("status faults also apply to other endpoints by header", async () => {
    const res = await mockWith().fetch("https://openrouter.ai/api/v1/models", { headers: { "x-mock-fault": "overloaded-529" } });
    expect(res.status).toBe(529);
  });
});

describe("fault scheduling", () => {
  it("injectFaults applies once by default, then requests succeed (retry testing)", async () => {
    const mock = mockWith();
    mock.injectFaults({ fault: "overloaded-529", times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await mock.fetch(CHAT, { method: "POST", body: JSON.stringify(base) })).status);
    expect(statuses).toEqual([529, 529, 200]);
    expect(mock.requests.map((r) => r.faults)).toEqual([["overloaded-529"], ["overloaded-529"], []]);
  });

  it("scenario faults apply only to the requests that scenario answers", async () => {
    const mock = mockWith({ scenarios: [{ model: "openai/gpt-4o", reply: "x", faults: ["rate-limit-429"] }] });
    expect((await mock.fetch(CHAT, { method: "POST", body: JSON.stringify({ ...base, model: "openai/gpt-4o" }) })).status).toBe(429);
    expect((await mock.fetch(CHAT, { method: "POST", body: JSON.stringify(base) })).status).toBe(200);
  });
});

describe("through the real client", () => {
  const client = (mock: MockOpenRouter) => new OpenRouter({ apiKey: "test-key", fetch: mock.fetch, retry: false } as ConstructorParameters<typeof OpenRouter>[0]);

  it("429 becomes a rate-limit error carrying Retry-After", async () => {
    const mock = mockWith();
    const err = await client(mock)
      .chat(base as never, { headers: { "x-mock-fault": "rate-limit-429;retry-after=4" } })
      .then(() => undefined, (e: unknown) => e as { kind: string; status: number; retryAfterMs?: number });
    expect(err).toMatchObject({ kind: "rate_limit", status: 429, retryAfterMs: 4000 });
  });

  it("402 becomes an insufficient-credits error with the affordable token count", async () => {
    const mock = mockWith();
    const err = await client(mock)
      .chat(base as never, { headers: { "x-mock-fault": "insufficient-credits-402;afford=321" } })
      .then(() => undefined, (e: unknown) => e as { kind: string; affordableTokens?: number });
    expect(err).toMatchObject({ kind: "insufficient_credits", affordableTokens: 321 });
  });
});
