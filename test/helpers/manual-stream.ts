/**
 * Test helper: a streaming `fetch` whose body the test writes by hand, one event (or byte) at a time, and that
 * keeps every request it was given. Each request gets a new `text/event-stream` body; `push` writes to the last.
 */
const encoder = new TextEncoder();

export function manualStreamFetch() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const requests: Request[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    requests.push(new Request(input, init));
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  }) as typeof globalThis.fetch;
  const push = (text: string) => {
    try {
      controller.enqueue(encoder.encode(text));
    } catch {
      // cancelled by the client: nothing more to send
    }
  };
  return { fetch, requests, push };
}
