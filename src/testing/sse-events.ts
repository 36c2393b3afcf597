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

function isEvent(item: MockStreamEvent): boolean {
  return "data" in item;
}

/** Whether an event carries generated content: a delta (`…delta` / `content_block_delta`); faults count these. */
function isDelta(item: MockStreamEvent): boolean {
  if (!("data" in item) || !item.data || typeof item.data !== "object") return false;
  const type = (item.data as { type?: unknown }).type;
  return typeof type === "string" && (type.endsWith(".delta") || type === "content_block_delta");
}

/** Options of {@link eventStreamPlan}. */
export interface EventStreamOptions {
  api: StreamApi;
  headers: Record<string, string>;
  sseComments: number;
  chunkDelayMs: number;
  /** How many trailing events are the ending a truncation drops (completed, message_stop, [DONE], …). */
  trailingEvents: number;
  /**
   * Whether the events were scripted by the test: then every event counts as content for `afterChunks`, and
   * nothing is treated as the ending; generated streams count only their delta events.
   */
  scripted: boolean;
}

/**
 * The SSE plan of an event list with the stream faults applied, and whether the stream ended early.
 *
 * @example
 * eventStreamPlan([{ data: { type: "response.created" } }], [], { api: "responses", headers: {}, sseComments: 1, chunkDelayMs: 0, trailingEvents: 0, scripted: false })
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
  const counts = (item: MockStreamEvent) => (options.scripted ? isEvent(item) : isDelta(item));
  // Faults count content events (deltas), like chat's `afterChunks` counts content chunks.
  let content = 0;
  let written = 0;
  let sequence = 0;
  for (let i = 0; i < events.length; i++) {
    const item = events[i]!;
    if (cutAt && counts(item) && content >= (cutAt.afterChunks ?? 2)) break;
    if (i >= body && cutAt) break;
    if (stall && counts(item) && content === (stall.afterChunks ?? 2)) pendingDelay += stall.delayMs ?? 30_000;
    push(item);
    if (counts(item)) content += 1;
    const data = isEvent(item) ? (item as { data: unknown }).data : undefined;
    if (data && typeof data === "object" && typeof (data as { sequence_number?: unknown }).sequence_number === "number") {
      sequence = (data as { sequence_number: number }).sequence_number + 1;
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
