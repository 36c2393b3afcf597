/**
 * The client's pipeline facade (src/core/lazy-pipeline.ts): nothing is built or sent before the first request;
 * the first request loads the runtime module (src/core/runtime.ts) and builds the pipeline once, over the given
 * transport or the fetch transport; later requests reach that same pipeline.
 */
import { describe, expect, it } from "vitest";
import { lazyPipeline, runtime } from "../../src/core/lazy-pipeline.js";
import { createResilience } from "../../src/core/resilience/run.js";
import { readJson } from "../../src/core/read.js";
import { type Transport, type TransportRequest, responseOf } from "../../src/core/transport.js";
import type { Call } from "../../src/core/types.js";

const get = (path: string): Call => ({ verb: "test", method: "GET", path, stream: false });
const json = (body: unknown) => responseOf(new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } }));

function facade(transport: Transport | undefined, fetchImpl: typeof fetch = () => Promise.reject(new Error("fetch must not be used"))) {
  return lazyPipeline({
    baseUrl: "https://openrouter.test/api/v1",
    apiKey: undefined,
    headers: {},
    transport,
    fetch: fetchImpl,
    timeoutMs: undefined,
    maxResponseBytes: 1 << 20,
    resilience: createResilience({ retry: false }),
  });
}

describe("lazyPipeline", () => {
  it("sends nothing until the first request, then runs every request on the transport it was given", async () => {
    const seen: TransportRequest[] = [];
    const pipeline = facade(async (req) => {
      seen.push(req);
      return json({ n: seen.length });
    });
    expect(seen).toEqual([]);
    const [a, b] = await Promise.all([pipeline.call(get("/a"), readJson), pipeline.call(get("/b"), readJson)]);
    expect([a.value.value, b.value.value]).toEqual([{ n: 1 }, { n: 2 }]);
    // Loaded once: the runtime's readers are there for code that runs after a request.
    expect(runtime.value?.readJson).toBeTypeOf("function");
    const c = await pipeline.call(get("/c"), readJson);
    expect(c.value.value).toEqual({ n: 3 });
    expect(seen.map((r) => r.url)).toEqual(["https://openrouter.test/api/v1/a", "https://openrouter.test/api/v1/b", "https://openrouter.test/api/v1/c"]);
  });

  it("without a transport, sends through the fetch it was given; exchange answers with a real Response", async () => {
    const urls: string[] = [];
    const pipeline = facade(undefined, async (input) => {
      urls.push(input instanceof Request ? input.url : String(input));
      return new Response('{"ok":true}', { status: 200, headers: { "content-type": "application/json" } });
    });
    const response = await pipeline.exchange(get("/x"));
    expect(response).toBeInstanceOf(Response);
    expect(await response.json()).toEqual({ ok: true });
    expect((await pipeline.call(get("/y"), readJson)).value.value).toEqual({ ok: true });
    expect(urls).toEqual(["https://openrouter.test/api/v1/x", "https://openrouter.test/api/v1/y"]);
  });
});
