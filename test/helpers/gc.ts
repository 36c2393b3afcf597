/**
 * Test helpers for what a test must see garbage-collected or counted: a real `gc()` in the test process, a
 * `fetch` that keeps only its response bodies (so it holds no request), and a count of `AbortController`s.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Runs full collections, with a turn of the event loop after each, so finalisation and weak refs settle. */
export async function collectGarbage(): Promise<void> {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A streaming `fetch` that keeps no request: each call answers with an event stream the test writes to. */
export function bodyWritingFetch() {
  const bodies: ReadableStreamDefaultController<Uint8Array>[] = [];
  const fetch = async () =>
    new Response(new ReadableStream<Uint8Array>({ start: (c) => void bodies.push(c) }), { headers: { "content-type": "text/event-stream" } });
  const write = (text: string) => bodies.at(-1)!.enqueue(new TextEncoder().encode(text));
  return { fetch, bodies, write };
}

/** Counts the `AbortController`s made until `restore()` (the global class is replaced by a counting one). */
export function countingAbortControllers() {
  const Original = globalThis.AbortController;
  let made = 0;
  globalThis.AbortController = class extends Original {
    constructor() {
      super();
      made++;
    }
  };
  return {
    get made() {
      return made;
    },
    restore: () => void (globalThis.AbortController = Original),
  };
}
