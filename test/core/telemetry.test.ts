import { describe, expect, it } from "vitest";
import { ProviderUnavailableError } from "../../src/core/call-errors.js";
import { Telemetry, loadOpenTelemetry, operationName } from "../../src/core/resilience/telemetry.js";
import type { Attributes, SpanLike, TracerLike } from "../../src/core/resilience/span.js";

interface Recorded {
  name: string;
  kind: number | undefined;
  attributes: Record<string, unknown>;
  events: Array<{ name: string; attributes: Attributes | undefined }>;
  status: { code: number; message?: string } | undefined;
  exceptions: Array<{ name: string; message: string }>;
  ended: number;
}

/** A tracer that records what it is told, standing in for an OpenTelemetry SDK. */
function recordingTracer(): { tracer: TracerLike; spans: Recorded[] } {
  const spans: Recorded[] = [];
  const tracer: TracerLike = {
    startSpan(name, options) {
      const rec: Recorded = {
        name,
        kind: options?.kind,
        attributes: { ...options?.attributes },
        events: [],
        status: undefined,
        exceptions: [],
        ended: 0,
      };
      spans.push(rec);
      const span: SpanLike = {
        setAttribute: (k, v) => (rec.attributes[k] = v),
        addEvent: (n, a) => rec.events.push({ name: n, attributes: a }),
        setStatus: (s) => (rec.status = s),
        recordException: (e) => rec.exceptions.push(e),
        end: () => rec.ended++,
      };
      return span;
    },
  };
  return { tracer, spans };
}

const start = {
  method: "POST",
  path: "/chat/completions",
  model: "openai/gpt-4o",
  stream: false,
  body: { model: "openai/gpt-4o", messages: [{ role: "user", content: "secret prompt" }], max_tokens: 100, temperature: 0.2, stop: "END" },
  baseUrl: "https://openrouter.ai/api/v1",
};

describe("operationName", () => {
  it.each([
    ["/chat/completions", "chat"],
    ["/completions", "text_completion"],
    ["/embeddings", "embeddings"],
    ["/models?x=1", "http"],
  ])("%s -> %s", (path, want) => expect(operationName(path)).toBe(want));
});

describe("Telemetry", () => {
  it("is a no-op when off and never loads the API", async () => {
    let loaded = 0;
    const t = new Telemetry(undefined, async () => {
      loaded++;
      return undefined;
    });
    const span = await t.start(start);
    span.succeed({});
    expect(loaded).toBe(0);
    expect(t.enabled).toBe(false);
  });

  it("is a no-op when @opentelemetry/api cannot be loaded", async () => {
    const t = new Telemetry(true, async () => undefined);
    const span = await t.start(start);
    expect(() => span.fail(new Error("x"), 1, [])).not.toThrow();
  });

  it("loads the real @opentelemetry/api lazily (no SDK registered: spans are non-recording)", async () => {
    const api = await loadOpenTelemetry();
    expect(typeof api?.getTracer).toBe("function");
    const span = await new Telemetry(true).start(start);
    expect(() => span.succeed({ generationId: "gen-1" })).not.toThrow();
  });

  it("writes GenAI attributes, events and OpenRouter facts on success, without content by default", async () => {
    const { tracer, spans } = recordingTracer();
    const t = new Telemetry({ tracer });
    const span = await t.start(start);
    span.attempt(1, "openai/gpt-4o");
    span.retry({ attempt: 1, delayMs: 250, status: 503, errorType: "503" });
    span.fallback("openai/gpt-4o", "anthropic/claude-sonnet-4", "503");
    span.response(200);
    span.succeed({
      model: "anthropic/claude-sonnet-4",
      generationId: "gen-123",
      provider: "Anthropic",
      usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
      cost: 0.00042,
      finishReason: "stop",
      fallbacks: ["openai/gpt-4o"],
      attempts: 3,
      message: { role: "assistant", content: "secret answer" },
    });
    span.succeed({}); // a second end is ignored
    const s = spans[0];
    expect(s?.name).toBe("chat openai/gpt-4o");
    expect(s?.kind).toBe(2);
    expect(s?.ended).toBe(1);
    expect(s?.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openrouter",
      "gen_ai.request.model": "openai/gpt-4o",
      "gen_ai.request.max_tokens": 100,
      "gen_ai.request.temperature": 0.2,
      "gen_ai.request.stop_sequences": ["END"],
      "server.address": "openrouter.ai",
      "server.port": 443,
      "http.response.status_code": 200,
      "gen_ai.response.model": "anthropic/claude-sonnet-4",
      "gen_ai.response.id": "gen-123",
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.usage.input_tokens": 12,
      "gen_ai.usage.output_tokens": 5,
      "openrouter.generation_id": "gen-123",
      "openrouter.provider": "Anthropic",
      "openrouter.cost": 0.00042,
      "openrouter.attempts": 3,
      "openrouter.fallbacks": ["openai/gpt-4o"],
    });
    expect(s?.events.map((e) => e.name)).toEqual(["openrouter.attempt", "openrouter.retry", "openrouter.fallback"]);
    expect(JSON.stringify(s)).not.toContain("secret");
  });

  it("records content only with includeContent", async () => {
    const { tracer, spans } = recordingTracer();
    const span = await new Telemetry({ tracer, includeContent: true }).start(start);
    span.succeed({ message: { role: "assistant", content: "the answer" } });
    expect(spans[0]?.attributes["gen_ai.input.messages"]).toContain("secret prompt");
    expect(spans[0]?.attributes["gen_ai.output.messages"]).toContain("the answer");
  });

  it("marks failures with error.type, status and the exception", async () => {
    const { tracer, spans } = recordingTracer();
    const span = await new Telemetry({ tracer }).start(start);
    span.fail(new ProviderUnavailableError("down (POST /chat/completions, status 503)", { status: 503 }), 3, []);
    expect(spans[0]?.attributes).toMatchObject({ "error.type": "503", "http.response.status_code": 503, "openrouter.attempts": 3 });
    expect(spans[0]?.status?.code).toBe(2);
    expect(spans[0]?.exceptions[0]?.name).toBe("ProviderUnavailableError");
    expect(spans[0]?.ended).toBe(1);
  });

  it("rejects bad options", () => {
    expect(() => new Telemetry("on" as never)).toThrow(/telemetry/);
    expect(() => new Telemetry({ tracer: {} as never })).toThrow(/startSpan/);
  });
});
