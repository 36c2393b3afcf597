/**
 * Event streams of the Responses and Messages APIs on the wire: a list of events (generated from a reply, or
 * scripted by a test) becomes an SSE plan with the stream faults applied the same way as on chat streams:
 * keep-alive comments between events, an in-band `error` event after some content, truncation without the
 * final event (closed or reset), and a stall before an event.
 */
import type { FaultName, FaultOptions } from "./faults.js";
import type { WirePlan } from "./wire.js";

/**
 * One scripted stream item: an event (`event:` line optional; `data` is JSON-encoded unless it is a string),
 * a comment line, a pause, or raw text written as is.
 */
export type MockStreamEvent =
  | { event?: string; data: unknown }
  | { comment: string }
  | { delayMs: number }
  | { raw: string };

/** Which API's framing: Responses sends `data:` only; Messages sends `event:` + `data:` pairs. */
export type StreamApi = "responses" | "messages";

/** The in-band error event of each API, as its streams carry one. */
export function inBandError(api: StreamApi, sequence: number): MockStreamEvent {
  if (api === "responses") {
    return { data: { type: "error", code: "server_error", message: "Provider returned error", param: null, sequence_number: sequence } };
  }
  return { event: "error", data: { type: "error", error: { type: "api_error", message: "Provider returned error", error_type: "provider_unavailable" } } };
}

/** The text of one item on the wire. */
function render(item: MockStreamEvent): string {
  if ("comment" in item) return `: ${item.comment}\n\n`;
  if ("raw" in item) return item.raw;
  if ("delayMs" in item) return "";
  const data = typeof item.data === "string" ? item.data : JSON.stringify(item.data);
  return `${item.event !== undefined ? `event: ${item.event}\n` : ""}data: ${data}\n\n`;
}

/** Whether an item is one of the events that carry generated content (faults count these). */
function isEvent(item: MockStreamEvent): boolean {
  return "data" in item;
}

/** Options of {@link eventStreamPlan}. */
export interface EventStreamOptions {
  api: StreamApi;
  headers: Record<string, string>;
  sseComments: number;
  chunkDelayMs: number;
  /** How many leading events are framing (created/start) rather than content; faults count after them. */
  leadingEvents: number;
  /** How many trailing events are the ending a truncation drops (completed, message_stop, [DONE], …). */
  trailingEvents: number;
  /** Whether the events were scripted by the test (then the test's own list is played as given). */
  scripted: boolean;
}

/**
 * The SSE plan of an event list with the stream faults applied, and whether the stream ended early.
 *
 * @example
 * eventStreamPlan([{ data: { type: "response.created" } }], [], { api: "responses", headers: {}, sseComments: 1, chunkDelayMs: 0, leadingEvents: 1, trailingEvents: 0, scripted: false })
 */
export function eventStreamPlan(
  events: readonly MockStreamEvent[],
  faults: readonly FaultOptions[],
  options: EventStreamOptions,
): { plan: WirePlan; cut: boolean } {
  const find = (name: FaultName) => faults.find((f) => f.fault === name);
  const keepalive = find("keepalive-comments");
  const midstream = find("midstream-error");
  const truncate = find("truncate");
  const stall = find("stall");
  const chunks: WirePlan["chunks"] = [];
  const delay = options.chunkDelayMs > 0 ? { delayMs: options.chunkDelayMs } : {};
  let pendingDelay = 0;
  const comments = (n: number) => {
    for (let i = 0; i < n; i++) chunks.push({ text: ": OPENROUTER PROCESSING\n\n" });
  };
  const push = (item: MockStreamEvent) => {
    if ("delayMs" in item) {
      pendingDelay += item.delayMs;
      return;
    }
    const extra = pendingDelay > 0 ? { delayMs: pendingDelay + (delay.delayMs ?? 0) } : isEvent(item) ? delay : {};
    pendingDelay = 0;
    chunks.push({ text: render(item), ...extra });
  };

  comments(options.sseComments + (keepalive ? (keepalive.count ?? 2) : 0));
  const body = options.scripted ? events.length : events.length - options.trailingEvents;
  const cutAt = midstream ?? truncate;
  // Faults count content events after the framing ones, like chat's `afterChunks`.
  let eventsSeen = 0;
  let written = 0;
  let sequence = 0;
  for (let i = 0; i < events.length; i++) {
    const item = events[i]!;
    const counted = isEvent(item) && eventsSeen >= options.leadingEvents;
    if (cutAt && counted && eventsSeen - options.leadingEvents >= (cutAt.afterChunks ?? 2)) break;
    if (i >= body && cutAt) break;
    if (stall && counted && eventsSeen - options.leadingEvents === (stall.afterChunks ?? 2)) pendingDelay += stall.delayMs ?? 30_000;
    push(item);
    if (isEvent(item)) {
      eventsSeen += 1;
      const seq = (item as { data: unknown }).data;
      if (seq && typeof seq === "object" && typeof (seq as { sequence_number?: unknown }).sequence_number === "number") {
        sequence = (seq as { sequence_number: number }).sequence_number + 1;
      }
    }
    written = i + 1;
    if (keepalive && isEvent(item) && i < events.length - 1) comments(keepalive.count ?? 2);
  }
  const headers = { ...options.headers };
  if (midstream) {
    push(inBandError(options.api, sequence));
    return { plan: { status: 200, headers, chunks, end: "close" }, cut: true };
  }
  if (truncate) return { plan: { status: 200, headers, chunks, end: truncate.mode ?? "close" }, cut: true };
  return { plan: { status: 200, headers, chunks, end: "close" }, cut: written < events.length };
}
