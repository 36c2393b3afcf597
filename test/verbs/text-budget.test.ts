/**
 * The budget on `client.responses` and `client.messages` (src/verbs/text-budget.ts, text-api-run.ts): each call
 * holds its worst case (prompt estimate × prompt price + the output cap × completion price) before sending, as
 * chat does, so concurrent calls cannot together overrun `budgetUsd`; the hold is settled on success and handed
 * back on a failure or an abort before anything was billed. A client without a budget loads no catalogue.
 */
import { describe, expect, it } from "vitest";
import { BudgetExceededError, OpenRouter } from "../../src/index.js";
import { createMockOpenRouter } from "../../src/testing/index.js";

const KEY = "sk-or-v1-text-budget-test-key-0123456789abcdef";
const MODEL = "openai/gpt-4o-mini";
const CAP = 100;

type Verb = "responses" | "messages";
const PATH: Record<Verb, string> = { responses: "/responses", messages: "/messages" };

function setup(budgetUsd?: number, mockOptions: Parameters<typeof createMockOpenRouter>[0] = {}) {
  const mock = createMockOpenRouter({ apiKey: KEY, ...mockOptions });
  /** Holds in place each time a text call reached the server. */
  const heldAtSend: number[] = [];
  let gate: Promise<void> | undefined;
  const client: OpenRouter = new OpenRouter({
    apiKey: KEY,
    sleep: async () => {},
    ...(budgetUsd !== undefined && { budgetUsd }),
    fetch: async (input, init) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      if (/\/(responses|messages)$/.test(url)) {
        heldAtSend.push(client.usage.snapshot().reservations);
        // A gated call waits (headers never come) until its signal aborts.
        if (gate) {
          const signal = init?.signal;
          await new Promise<void>((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason), { once: true }));
        }
      }
      return mock.fetch(input, init);
    },
  });
  const sent = (verb: Verb) => mock.requests.filter((r) => r.path === PATH[verb]).length;
  return { mock, client, heldAtSend, sent, hang: () => void (gate = Promise.resolve()) };
}

/** A budget that affords two calls' worst case and not a third (the prompt estimate of "hi" is under 50 tokens). */
async function twoCallBudget(): Promise<number> {
  const priced = setup();
  const m = await priced.client.models.get(MODEL);
  const completion = Number(m!.pricing!.completion);
  const prompt = Number(m!.pricing!.prompt);
  const budget = 2.5 * (completion * CAP + prompt * 50);
  expect(budget).toBeLessThan(3 * completion * CAP);
  return budget;
}

function call(client: OpenRouter, verb: Verb, stream: boolean, signal?: AbortSignal): Promise<unknown> {
  const options = signal ? { signal } : {};
  if (verb === "responses") {
    const params = { model: MODEL, input: "hi", max_output_tokens: CAP };
    return stream ? client.responses.stream(params, options).final() : client.responses.create(params, options);
  }
  const params = { model: MODEL, max_tokens: CAP, messages: [{ role: "user" as const, content: "hi" }] };
  return stream ? client.messages.stream(params, options).final() : client.messages.create(params, options);
}

describe.each([
  ["responses", false],
  ["responses", true],
  ["messages", false],
  ["messages", true],
] as const)("%s (stream: %s) under a budget", (verb, stream) => {
  it("10 concurrent calls: two are sent, the rest refused with BudgetExceededError before sending; never over budget", async () => {
    const budget = await twoCallBudget();
    const { client, heldAtSend, sent } = setup(budget);
    const settled = await Promise.allSettled(Array.from({ length: 10 }, () => call(client, verb, stream)));
    const refused = settled.filter((s) => s.status === "rejected");
    expect(refused).toHaveLength(8);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(BudgetExceededError);
    expect(sent(verb)).toBe(2);
    // Each call reached the server with its own hold in place (and no more holds than two calls' worth).
    expect(heldAtSend).toHaveLength(2);
    for (const held of heldAtSend) expect(held).toBeGreaterThanOrEqual(1);
    const snap = client.usage.snapshot();
    expect(snap.requests).toBe(2);
    expect(snap.costUsd).toBeGreaterThan(0);
    expect(snap.costUsd).toBeLessThanOrEqual(budget);
    // Settled on success: the holds are gone, what is left is the budget minus the recorded cost.
    expect(snap.reservations).toBe(0);
    expect(snap.reservedUsd).toBe(0);
  });

  it("a call refused by the server hands its hold back", async () => {
    const budget = await twoCallBudget();
    const { client, heldAtSend, sent } = setup(budget, { faults: [{ fault: "insufficient-credits-402", times: 1 }] });
    await expect(call(client, verb, stream)).rejects.toThrow();
    expect(heldAtSend).toEqual([1]);
    expect(client.usage.snapshot()).toMatchObject({ reservations: 0, reservedUsd: 0, costUsd: 0 });
    // Both holds are free again: two calls fit.
    await Promise.all([call(client, verb, stream), call(client, verb, stream)]);
    expect(sent(verb)).toBe(3);
  });

  it("an abort before the answer (or before sending) hands the hold back", async () => {
    const budget = await twoCallBudget();
    const { client, heldAtSend, hang } = setup(budget);
    await client.models.get(MODEL); // priced from the cache: the hold is taken without waiting
    hang();
    const sentAbort = new AbortController();
    const waiting = call(client, verb, stream, sentAbort.signal);
    await expect.poll(() => heldAtSend.length).toBe(1);
    expect(heldAtSend).toEqual([1]);
    expect(client.usage.snapshot().reservations).toBe(1);
    sentAbort.abort();
    await expect(waiting).rejects.toThrow();
    expect(client.usage.snapshot()).toMatchObject({ reservations: 0, reservedUsd: 0, costUsd: 0 });
    // Aborted before anything was sent: nothing reaches the server and nothing stays held.
    const early = new AbortController();
    const never = call(client, verb, stream, early.signal);
    early.abort();
    await expect(never).rejects.toThrow();
    expect(heldAtSend).toHaveLength(1);
    expect(client.usage.snapshot()).toMatchObject({ reservations: 0, reservedUsd: 0, costUsd: 0 });
    expect(client.usage.snapshot().remainingUsd).toBeCloseTo(budget, 15);
  });
});

describe("without a budget", () => {
  it("no call loads the model catalogue", async () => {
    const { mock, client } = setup();
    for (const verb of ["responses", "messages"] as const) {
      await call(client, verb, false);
      await call(client, verb, true);
    }
    expect(mock.requests.map((r) => r.path)).toEqual(["/responses", "/responses", "/messages", "/messages"]);
  });
});

describe("one catalogue per client", () => {
  it("chat, Responses and Messages under one budget price from the client's catalogue: /models is loaded once", async () => {
    const { mock, client } = setup(1);
    await client.chat({ model: MODEL, max_tokens: CAP, messages: [{ role: "user", content: "hi" }] });
    await call(client, "responses", false);
    await call(client, "messages", true);
    expect(mock.requests.filter((r) => r.path.startsWith("/models"))).toHaveLength(1);
  });
});

describe("the worst case of media", () => {
  it("prices an image as an image, not its base64 text: a call with a large image still fits a small budget", async () => {
    // Room for an image's flat count (about 800 tokens) and the output cap; as text the payload (~50k tokens) is
    // several times more.
    const budget = (await twoCallBudget()) * 10;
    const { client, heldAtSend } = setup(budget);
    const data = "A".repeat(200_000);
    await client.messages.create({
      model: MODEL,
      max_tokens: CAP,
      messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data } }, { type: "text", text: "hi" }] }],
    });
    await client.responses.create({
      model: MODEL,
      max_output_tokens: CAP,
      input: [{ role: "user", content: [{ type: "input_image", image_url: `data:image/png;base64,${data}` }, { type: "input_text", text: "hi" }] }],
    });
    expect(heldAtSend).toEqual([1, 1]);
  });
});
