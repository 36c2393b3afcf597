/**
 * `client.generations` against the stand-in: the stored content of a generation the client made, feedback on
 * it with the management key, typed errors with nothing sent for bad input or a missing management key.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AuthenticationError, InvalidArgumentError, NotFoundError, OpenRouter, PermissionDeniedError } from "../../src/index.js";
import { createMockOpenRouter } from "../../src/testing/index.js";

const KEY = "sk-or-v1-inference-0123456789abcdef0123456789abcdef";
const MGMT = "sk-or-v1-management-fedcba9876543210fedcba98765432";
const messages = [{ role: "user" as const, content: "What is 2+2?" }];

beforeEach(() => {
  vi.stubEnv("OPENROUTER_MANAGEMENT_KEY", undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function setup() {
  const mock = createMockOpenRouter({ apiKey: KEY, managementKey: MGMT, scenarios: [{ reply: "4" }] });
  const client = new OpenRouter({ apiKey: KEY, managementKey: MGMT, fetch: mock.fetch, retry: false });
  // The same account, with the API key only.
  const keyless = new OpenRouter({ apiKey: KEY, fetch: mock.fetch, retry: false });
  return { mock, client, keyless };
}

describe("client.generations", () => {
  it("content: the prompt and output stored for a generation the client made", async () => {
    const { mock, client } = setup();
    const result = await client.chat({ model: "openai/gpt-4o-mini", messages });
    const id = result.generationId!;
    const { data } = await client.generations.content(id);
    expect(data.input.messages).toEqual(messages);
    expect(data.output.completion).toBe("4");
    expect(data.error).toBeNull();
    // The stats lookup is unchanged beside it.
    expect((await client.generation(id)).id).toBe(id);
    await expect(client.generations.content("gen-unknown")).rejects.toBeInstanceOf(NotFoundError);
    expect(mock.requests.map((r) => `${r.method} ${r.path}`)).toContain(`GET /generation/content?id=${id}`);
  });

  it("feedback: rates a generation with the management key, the client's or the call's", async () => {
    const { mock, client, keyless } = setup();
    const { generationId } = await client.chat({ model: "openai/gpt-4o-mini", messages });
    const answer = await client.generations.feedback(generationId!, { category: "incorrect_response", comment: "2+2 is 4, but slowly" });
    expect(answer.data.success).toBe("true");
    expect(mock.requests.at(-1)!.body).toEqual({ generation_id: generationId, category: "incorrect_response", comment: "2+2 is 4, but slowly" });

    const perCall = await keyless.generations.feedback(generationId!, { category: "latency" }, { managementKey: MGMT });
    expect(perCall.data.success).toBe("true");
    // The stand-in answers an inference key on a management operation as OpenRouter does.
    await expect(keyless.generations.feedback(generationId!, { category: "latency" }, { managementKey: KEY })).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it("feedback without a management key fails before sending, saying what to pass", async () => {
    const { mock, keyless } = setup();
    const error = await keyless.generations.feedback("gen-1", { category: "other" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toMatch(/generations\.feedback\(\) needs a management key: pass \{ managementKey \}/);
    expect(mock.requests).toHaveLength(0);
  });

  it("refuses bad input with InvalidArgumentError and sends nothing", async () => {
    const { mock, client } = setup();
    const bad: Array<() => Promise<unknown>> = [
      () => client.generations.content(""),
      () => client.generations.content(undefined as never),
      () => client.generations.content("gen-1", { timeoutMs: Number.NaN }),
      () => client.generations.feedback("", { category: "other" }),
      () => client.generations.feedback("gen-1", { category: "rude" as never }),
      () => client.generations.feedback("gen-1", undefined as never),
      () => client.generations.feedback("gen-1", { category: "other", comment: "x".repeat(1001) }),
      () => client.generations.feedback("gen-1", { category: "other", comment: 5 as never }),
      () => client.generations.feedback("gen-1", { category: "other" }, { managementKey: "  " }),
    ];
    for (const call of bad) await expect(call()).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(mock.requests).toHaveLength(0);
  });
});
