import { describe, expect, it } from "vitest";
import { ResponseTooLargeError } from "../../src/core/body.js";
import { responseOf } from "../../src/core/transport.js";

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
