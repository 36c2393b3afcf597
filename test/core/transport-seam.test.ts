import { describe, expect, it } from "vitest";
import { ResponseTooLargeError } from "../../src/core/body.js";
import { inspect } from "node:util";
import { NO_SIGNAL, asResponse, fetchTransport, isNoSignal, networkMessage, responseOf, stripCause } from "../../src/core/transport.js";

const encoder = new TextEncoder();
/** A response whose body arrives in the given pieces, without a content-length. */
const chunked = (...pieces: string[]) =>
  new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const piece of pieces) controller.enqueue(encoder.encode(piece));
        controller.close();
      },
    }),
    { status: 201, statusText: "Created", headers: { "x-id": "a" } },
  );

describe("responseOf (fetch Response -> TransportResponse)", () => {
  it("keeps status, statusText and headers", () => {
    const res = responseOf(chunked("x"));
    expect([res.status, res.statusText, res.headers.get("x-id")]).toEqual([201, "Created", "a"]);
  });

  it("bytes() joins every read up to the limit", async () => {
    const bytes = await responseOf(chunked("ab", "cd", "é")).body.bytes(6);
    expect(new TextDecoder().decode(bytes)).toBe("abcdé");
  });

  it("bytes() refuses a body past the limit, counted or declared", async () => {
    await expect(responseOf(chunked("abc", "def")).body.bytes(5)).rejects.toBeInstanceOf(ResponseTooLargeError);
    const declared = new Response("abcdef", { headers: { "content-length": "6" } });
    await expect(responseOf(declared).body.bytes(5)).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  it("reader() hands out one network read per call, then undefined", async () => {
    const reader = responseOf(chunked("one", "two")).body.reader();
    const text = async () => {
      const read = await reader.read();
      return read && new TextDecoder().decode(read);
    };
    expect([await text(), await text(), await text()]).toEqual(["one", "two", undefined]);
  });

  it("an empty body reads as no bytes and an empty stream", async () => {
    const empty = responseOf(new Response(null, { status: 204 }));
    expect((await empty.body.bytes(10)).byteLength).toBe(0);
    expect(await empty.body.reader().read()).toBeUndefined();
    expect((await empty.body.stream().getReader().read()).done).toBe(true);
  });
});

describe("fetchTransport", () => {
  const request = { method: "GET" as const, url: "https://openrouter.test/x", headers: new Headers(), body: undefined };

  it("rejects (never throws) when an injected fetch throws synchronously", async () => {
    const boom = new TypeError("bad fetch");
    const transport = fetchTransport(() => {
      throw boom;
    });
    let sent: Promise<unknown> | undefined;
    expect(() => (sent = transport(request, NO_SIGNAL))).not.toThrow();
    await expect(sent).rejects.toBe(boom);
  });

  it("passes a real signal on, never NO_SIGNAL, and hands the fetch Response back unchanged through asResponse", async () => {
    const inits: RequestInit[] = [];
    const original = new Response("{}", { status: 200 });
    const transport = fetchTransport(async (_url, init) => {
      inits.push(init ?? {});
      return original;
    });
    await transport(request, NO_SIGNAL);
    const controller = new AbortController();
    const res = await transport(request, controller.signal);
    expect(inits[0]?.signal).toBeUndefined();
    expect(inits[1]?.signal).toBe(controller.signal);
    expect(inits.map((i) => i.redirect)).toEqual(["manual", "manual"]);
    expect(asResponse(res)).toBe(original);
  });
});

describe("network failures: the code is kept, the rest dropped", () => {
  const KEY = "sk-or-v1-seam-0123456789abcdef";
  /** undici's dispatcher error: the code on the error itself, request options on it too. */
  const undiciError = () =>
    Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:9 Bearer ${KEY}`), { name: "SocketError", code: "ECONNREFUSED", options: { headers: { authorization: `Bearer ${KEY}` } } });
  /** fetch's: "fetch failed" with the code on its cause. */
  const fetchError = () => new TypeError("fetch failed", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) });

  it("networkMessage names the code once, from the error or from its cause, without the key", () => {
    expect(networkMessage(undiciError(), KEY)).toBe("connect ECONNREFUSED 127.0.0.1:9 Bearer [REDACTED]");
    expect(networkMessage(fetchError(), KEY)).toBe("fetch failed (UND_ERR_SOCKET)");
    expect(networkMessage(Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }))).toBe("other side closed (UND_ERR_SOCKET)");
  });

  it("stripCause keeps name, message and code (of the error and of its cause), nothing that could hold headers", () => {
    const clean = stripCause(undiciError(), KEY) as Error & { code?: string; options?: unknown };
    expect([clean.name, clean.code, clean.options]).toEqual(["SocketError", "ECONNREFUSED", undefined]);
    expect(inspect(clean, { depth: 10, showHidden: true })).not.toContain(KEY);
    const inner = (stripCause(fetchError(), KEY) as { cause?: { code?: string } }).cause;
    expect(inner?.code).toBe("UND_ERR_SOCKET");
  });
});

describe("NO_SIGNAL", () => {
  it("is recognised by identity and, for another copy of this module (a CommonJS bundle), by its registered mark", () => {
    expect(isNoSignal(NO_SIGNAL)).toBe(true);
    const copy = Object.defineProperty(new AbortController().signal, Symbol.for("openrouter-fetch.no-signal"), { value: true });
    expect(isNoSignal(copy)).toBe(true);
    expect(isNoSignal(new AbortController().signal)).toBe(false);
    expect(NO_SIGNAL.aborted).toBe(false);
  });
});
