/**
 * Type tests: `client.api` is path-typed over the generated spec, and the verbs' inputs and outputs are
 * typed. A wrong path, method, body field or parameter must be a compile error.
 */
import { describe, expectTypeOf, it } from "vitest";
import { type ChatResult, OpenRouter, type OpenRouterError } from "../src/index.js";
import type { components } from "../src/generated/openrouter.js";

const client = new OpenRouter({ apiKey: "sk-or-test" });

describe("client.api is path-typed", () => {
  it("accepts every endpoint of the spec with its parameters", () => {
    void client.api.POST("/chat/completions", { body: { model: "openai/gpt-4o", messages: [{ role: "user", content: "hi" }] } });
    void client.api.POST("/completions", { body: { model: "openai/gpt-3.5-turbo-instruct", prompt: "Once" } });
    void client.api.POST("/embeddings", { body: { model: "openai/text-embedding-3-small", input: "hello" } });
    void client.api.GET("/embeddings/models");
    void client.api.GET("/models", { params: { query: { supported_parameters: "tools" } } });
    void client.api.GET("/models/count");
    void client.api.GET("/models/user");
    void client.api.GET("/model/{author}/{slug}", { params: { path: { author: "openai", slug: "gpt-4o" } } });
    void client.api.GET("/models/{author}/{slug}/endpoints", { params: { path: { author: "openai", slug: "gpt-4o" } } });
    void client.api.GET("/endpoints/zdr");
    void client.api.GET("/providers");
    void client.api.GET("/generation", { params: { query: { id: "gen-1" } } });
    void client.api.GET("/key");
    void client.api.GET("/credits");
    void client.api.POST("/responses", { body: { model: "openai/gpt-4o", input: "hi" } });
    void client.api.POST("/messages", { body: { model: "anthropic/claude-haiku-4.5", max_tokens: 10, messages: [{ role: "user", content: "hi" }] } });
    void client.api.POST("/rerank", { body: { model: "cohere/rerank-v3.5", query: "q", documents: ["a", "b"] } });
    void client.api.POST("/auth/keys/code", { body: { callback_url: "https://example.com/cb" } });
    void client.api.POST("/auth/keys", { body: { code: "abc" } });
  });

  it("rejects wrong paths, methods, fields and parameters", () => {
    // @ts-expect-error: no such path
    void client.api.GET("/chat/completion");
    // @ts-expect-error: chat completions is POST only
    void client.api.GET("/chat/completions");
    // @ts-expect-error: unknown body field
    void client.api.POST("/chat/completions", { body: { messages: [{ role: "user", content: "hi" }], temprature: 1 } });
    // @ts-expect-error: role must be one of the known roles
    void client.api.POST("/chat/completions", { body: { messages: [{ role: "wizard", content: "hi" }] } });
    // @ts-expect-error: path parameters are required
    void client.api.GET("/models/{author}/{slug}/endpoints", {});
    // @ts-expect-error: generation needs its id query parameter
    void client.api.GET("/generation", { params: { query: {} } });
    // @ts-expect-error: tool messages need tool_call_id
    void client.api.POST("/chat/completions", { body: { messages: [{ role: "tool", content: "42" }] } });
  });

  it("response data is typed from the spec", async () => {
    const { data, error } = await client.api.GET("/generation", { params: { query: { id: "gen-1" } } });
    if (data) expectTypeOf(data.data.id).toEqualTypeOf<string>();
    if (error) expectTypeOf(error.error.message).toEqualTypeOf<string>();
    const models = await client.api.GET("/models");
    // Prices are decimal strings, never numbers.
    if (models.data) expectTypeOf(models.data.data[0]!.pricing!.prompt).toEqualTypeOf<string | undefined>();
  });
});

describe("verbs", () => {
  it("chat takes the spec's request (minus stream) and returns a ChatResult", () => {
    expectTypeOf(client.chat({ messages: [{ role: "user", content: "hi" }] })).resolves.toEqualTypeOf<ChatResult>();
    // @ts-expect-error: messages is required
    void client.chat({ model: "openai/gpt-4o" });
    // @ts-expect-error: chat() does not stream
    void client.chat({ messages: [{ role: "user", content: "hi" }], stream: true });
  });

  it("open enums accept values OpenRouter adds later", () => {
    const effort: components["schemas"]["ReasoningEffort"] = "some-future-effort";
    expectTypeOf(effort).toBeString();
    const finish: components["schemas"]["FinishReason"] = "some-future-reason";
    void finish;
  });

  it("error.code is number | string", () => {
    expectTypeOf<OpenRouterError["code"]>().toEqualTypeOf<number | string | undefined>();
    const asNumber: components["schemas"]["ErrorObject"]["code"] = 429;
    const asString: components["schemas"]["ErrorObject"]["code"] = "server_error";
    void asNumber;
    void asString;
  });
});
