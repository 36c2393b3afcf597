/**
 * The lazily loaded `client.api` facade: the same surface as openapi-fetch's client, middleware registered
 * before the first request is kept and applied, a bad middleware fails at `use()`, and every method reaches
 * the real client. Requests go to an injected fetch that answers like OpenRouter.
 */
import { describe, expect, it } from "vitest";
import type { Middleware } from "openapi-fetch";
import { lazyApiClient } from "../../src/core/api.js";

const BASE = "https://openrouter.ai/api/v1";

function recordingFetch(status = 200, body = '{"data":[]}') {
  const seen: Request[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    seen.push(request);
    return new Response(body, { status, headers: { "content-type": "application/json" } });
  };
  return { fetch, seen };
}

describe("lazyApiClient", () => {
  it("has openapi-fetch's whole surface", () => {
    const api = lazyApiClient(BASE, recordingFetch().fetch);
    for (const name of ["request", "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE", "use", "eject"]) {
      expect(typeof (api as unknown as Record<string, unknown>)[name]).toBe("function");
    }
  });

  it("the first request loads openapi-fetch and goes through the given fetch; later ones reuse it", async () => {
    const { fetch, seen } = recordingFetch(200, '{"data":{"id":"gen-1"}}');
    const api = lazyApiClient(BASE, fetch);
    const [a, b] = await Promise.all([
      api.GET("/generation", { params: { query: { id: "gen-1" } } }),
      api.request("get", "/generation", { params: { query: { id: "gen-2" } } }),
    ]);
    expect(a.data).toEqual({ data: { id: "gen-1" } });
    expect(b.response.status).toBe(200);
    const third = await api.POST("/embeddings", { body: { model: "m/x", input: "hi" } });
    expect(third.response.status).toBe(200);
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET ${BASE}/generation?id=gen-1`,
      `GET ${BASE}/generation?id=gen-2`,
      `POST ${BASE}/embeddings`,
    ]);
    expect(await seen[2]!.json()).toEqual({ model: "m/x", input: "hi" });
  });

  it("middleware registered before the first request applies to it; ejected middleware does not", async () => {
    const { fetch, seen } = recordingFetch();
    const api = lazyApiClient(BASE, fetch);
    const calls: string[] = [];
    const kept: Middleware = {
      onRequest({ request }) {
        calls.push("kept");
        request.headers.set("x-trace", "1");
        return request;
      },
    };
    const dropped: Middleware = {
      onRequest() {
        calls.push("dropped");
      },
    };
    api.use(kept, dropped);
    api.eject(dropped);
    await api.GET("/models", {});
    expect(calls).toEqual(["kept"]);
    expect(seen[0]!.headers.get("x-trace")).toBe("1");
    // After loading, use/eject act on the real client.
    api.eject(kept);
    await api.GET("/models", {});
    expect(calls).toEqual(["kept"]);
  });

  it("a middleware without onRequest/onResponse/onError is refused at use(), before anything is loaded", () => {
    const api = lazyApiClient(BASE, recordingFetch().fetch);
    expect(() => api.use({} as Middleware)).toThrow(/Middleware must be an object/);
  });

  it("with plain, builds requests no middleware or fetch of the caller's sees as PlainRequest, and real Requests otherwise", async () => {
    const seen: unknown[] = [];
    const fetch = async (request: Request): Promise<Response> => {
      seen.push(request);
      return new Response('{"data":[]}', { status: 200, headers: { "content-type": "application/json" } });
    };
    const api = lazyApiClient(BASE, fetch, true);
    const { PlainRequest } = await import("../../src/core/api-request.js");
    await api.GET("/models", {}); // the first request loads openapi-fetch: a real Request
    expect(seen[0]).toBeInstanceOf(Request);
    const plain = await api.POST("/embeddings", { body: { model: "m/x", input: "hi" } });
    expect(plain.data).toEqual({ data: [] });
    expect(seen[1]).toBeInstanceOf(PlainRequest);
    expect((seen[1] as InstanceType<typeof PlainRequest>).body).toBe('{"model":"m/x","input":"hi"}');
    expect((seen[1] as InstanceType<typeof PlainRequest>).url).toBe(`${BASE}/embeddings`);

    // A middleware of the call's own, or one registered on the client, gets a real Request.
    const requests: unknown[] = [];
    const m: Middleware = {
      onRequest({ request }) {
        requests.push(request);
      },
    };
    await api.POST("/embeddings", { body: { model: "m/x", input: "hi" }, middleware: [m] });
    api.use(m);
    await api.GET("/models");
    expect(requests.map((r) => r instanceof Request)).toEqual([true, true]);
    expect(seen.slice(2).map((r) => r instanceof Request)).toEqual([true, true]);
    // Ejected: plain again. A fetch of the call's own always gets a real Request.
    api.eject(m);
    await api.GET("/models");
    expect(seen[4]).toBeInstanceOf(PlainRequest);
    const own: unknown[] = [];
    await api.GET("/models", { fetch: async (r: Request) => (own.push(r), new Response("{}", { status: 200 })) });
    expect(own[0]).toBeInstanceOf(Request);
  });
});
