/**
 * What keeps the chat stream read path's hidden classes alive between streams. V8 holds the hidden classes of
 * objects (those JSON.parse makes for chunks, those of object literals and of class instances) only weakly: when
 * no stream is open, a full GC drops them, and every optimised function specialised on them is thrown away, so
 * the next stream starts cold and recompiles its read path (measured: ~25 ms of CPU per stream after a GC, a
 * third more CPU per event on a 20,000-chunk stream). So each module of the read path keeps one idle instance of
 * its classes (`KEEP`), and this module keeps the rest: the chunks' and the events' classes, through blank copies
 * (every string emptied), and the last accumulator that finished a stream, emptied. Nothing a stream carried
 * outlives it. Imports nothing but types.
 */
import type { ChatResult, Usage } from "../core/result.js";
import type { Json } from "../internal/json.js";
import type { ChatStreamEvent } from "./events.js";

const shapes: { text?: Json; usage?: Json; events: readonly ChatStreamEvent[] } = {
  // The caller's loop (`if (event.type === "content")`) is specialised on the events' hidden classes, which are
  // those of the object literals that make them: one blank event of each common kind keeps them, so that loop
  // is not thrown away and recompiled on every stream after a full GC. Same keys, in the same order, and values
  // of the same kinds (a number for `cost`) as where the events are made (accumulator.ts, machine.ts).
  events: [
    { type: "content", text: "" },
    { type: "reasoning", text: "", details: [] },
    { type: "usage", usage: {} as Usage, cost: 0.5 },
    { type: "finish", finishReason: "", nativeFinishReason: null },
    { type: "done", result: {} as ChatResult },
  ],
};

/**
 * The last accumulator whose stream completed, emptied by its `retire()`. A never-used idle instance is not
 * enough: measured with a full GC between streams, the stores that happen once per stream (`usage`,
 * `native_finish_reason`) had no usable type feedback when the read path was next optimised, so `fold` and
 * `applyChoice` were deoptimised and recompiled on every stream, unless an accumulator that had been through a
 * whole stream was still alive.
 */
let idle: object | undefined;

/** Keeps a blank copy of the first chunk of this kind (a text delta, the usage chunk) for the life of the process. */
export function keepShape(kind: "text" | "usage", chunk: Json): void {
  shapes[kind] ??= blanked(chunk);
}

/** Keeps `emptied` (an accumulator that holds nothing any more) as the read path's idle instance. */
export function keepIdle(emptied: object): void {
  idle = emptied;
}

/** `chunk` with every string emptied: JSON.parse gives it the same hidden classes, none of the content. */
function blanked(chunk: Json): Json {
  return JSON.parse(JSON.stringify(chunk, (_key, value: unknown) => (typeof value === "string" ? "" : value))) as Json;
}

