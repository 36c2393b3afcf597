import { describe, expect, it } from "vitest";
import { opened, transportResponseOf } from "../../src/stream/open.js";

describe("opened", () => {
  it("turns a synchronous throw of `open` into a rejection, so the machine has one path for failures", async () => {
    const boom = new Error("sync throw");
    await expect(opened(() => { throw boom; }, new AbortController().signal)).rejects.toBe(boom);
  });

  it("passes the signal it is given to `open`", async () => {
    const ac = new AbortController();
    let seen: AbortSignal | undefined;
    await opened(async (signal) => {
      seen = signal;
      return new Response("");
    }, ac.signal);
    expect(seen).toBe(ac.signal);
  });
});

describe("transportResponseOf", () => {
  it("hands a transport response over as is and adapts a fetch Response, reading its body through the seam", async () => {
    const fetched = new Response("data: {}\n\n", { status: 200, headers: { "content-type": "text/event-stream" } });
    const adapted = transportResponseOf(fetched);
    expect(adapted.status).toBe(200);
    expect(adapted.headers.get("content-type")).toBe("text/event-stream");
    expect(transportResponseOf(adapted)).toBe(adapted);
    const reader = adapted.body!.reader();
    const chunks: Uint8Array[] = [];
    for (let chunk = await reader.read(); chunk !== undefined; chunk = await reader.read()) chunks.push(chunk);
    expect(new TextDecoder().decode(Buffer.concat(chunks))).toBe("data: {}\n\n");
  });
});
