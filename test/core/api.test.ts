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
});
