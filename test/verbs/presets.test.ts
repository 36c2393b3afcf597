/**
 * `client.presets` against the stand-in: listing presets and their versions, reading one version, typed
 * errors with nothing sent for bad input, and a chat call through a preset (`model: "@preset/<slug>"`).
 */
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, NotFoundError, OpenRouter } from "../../src/index.js";
import { createMockOpenRouter } from "../../src/testing/index.js";

const KEY = "sk-or-v1-inference-0123456789abcdef0123456789abcdef";

function setup() {
  const mock = createMockOpenRouter({
    apiKey: KEY,
    presets: [
      { slug: "concise", name: "Concise", config: { model: "anthropic/claude-haiku-4.5", temperature: 0.2 }, systemPrompt: "Be brief." },
      { slug: "plain", config: {} },
    ],
  });
  const client = new OpenRouter({ apiKey: KEY, fetch: mock.fetch, retry: false });
  return { mock, client };
}

describe("client.presets", () => {
  it("lists presets, reads one, lists its versions and reads a version by number or id", async () => {
    const { mock, client } = setup();
    // A second version of `concise`, saved through the API the presets are managed with.
    const saved = await client.api.POST("/presets/{slug}/chat/completions", {
      params: { path: { slug: "concise" } },
      body: { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "x" }] },
    });
    expect(saved.response.status).toBe(200);

    const list = await client.presets.list({ limit: 10, offset: 0 });
    expect(list.total_count).toBe(2);
    expect(list.data.map((p) => p.slug)).toEqual(["concise", "plain"]);
    const concise = await client.presets.get("concise");
    expect(concise.data.designated_version?.version).toBe(2);

    const versions = await client.presets.versions("concise");
    expect(versions.data.map((v) => v?.version)).toEqual([1, 2]);
    const first = await client.presets.version("concise", 1);
    expect(first.data?.system_prompt).toBe("Be brief.");
    expect((await client.presets.version("concise", first.data!.id)).data?.version).toBe(1);

    await expect(client.presets.get("missing")).rejects.toBeInstanceOf(NotFoundError);
    expect(mock.requests.slice(1).map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /presets?limit=10&offset=0", // the stand-in logs the query sorted
      "GET /presets/concise",
      "GET /presets/concise/versions",
      "GET /presets/concise/versions/1",
      `GET /presets/concise/versions/${first.data!.id}`,
      "GET /presets/missing",
    ]);
  });

  it("encodes a slug as one path segment", async () => {
    const { mock, client } = setup();
    await expect(client.presets.get("a/b?c")).rejects.toBeInstanceOf(NotFoundError);
    expect(mock.requests[0]!.path).toBe("/presets/a%2Fb%3Fc");
  });

  it("refuses bad input with InvalidArgumentError and sends nothing", async () => {
    const { mock, client } = setup();
    const bad: Array<() => Promise<unknown>> = [
      () => client.presets.list({ limit: 0 }),
      () => client.presets.list({ limit: 101 }),
      () => client.presets.list({ offset: -2 }),
      () => client.presets.list("all" as never),
      () => client.presets.get(""),
      () => client.presets.versions(undefined as never),
      () => client.presets.versions("concise", { limit: 2.5 }),
      () => client.presets.version("concise", ""),
      () => client.presets.version("concise", -1),
      () => client.presets.get("concise", { headers: { "bad header": "x" } }),
    ];
    for (const call of bad) await expect(call()).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(mock.requests).toHaveLength(0);
  });

  it("chat goes through a preset named as the model, which answers with the preset's model", async () => {
    const { mock, client } = setup();
    const result = await client.chat({ model: "@preset/concise", messages: [{ role: "user", content: "Hi" }] });
    expect(result.model).toBe("anthropic/claude-haiku-4.5");
    expect(result.text.length).toBeGreaterThan(0);
    expect(mock.requests[0]!.body).toMatchObject({ model: "@preset/concise" });
    // An unknown preset is refused like an unknown model.
    await expect(client.chat({ model: "@preset/nope", messages: [{ role: "user", content: "Hi" }] })).rejects.toMatchObject({ status: 400 });
  });

  it("a preset passes the opt-in pre-send checks, which have no catalogue entry to hold it to", async () => {
    const mock = createMockOpenRouter({ apiKey: KEY, presets: [{ slug: "concise", config: { model: "openai/gpt-4o-mini" } }] });
    const client = new OpenRouter({ apiKey: KEY, fetch: mock.fetch, retry: false, validateModel: true, preflight: true, checkContext: true });
    const result = await client.chat({ model: "@preset/concise", messages: [{ role: "user", content: "Hi" }] });
    expect(result.model).toBe("openai/gpt-4o-mini");
    // A malformed id is still refused before sending.
    await expect(client.chat({ model: "@nope/", messages: [{ role: "user", content: "Hi" }] })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
