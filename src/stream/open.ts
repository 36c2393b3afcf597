/**
 * What a stream's `open` gives back, as the machine reads it. Apart from options.ts (the settings checks, which
 * load with the client) because only the lazily loaded stream reader needs it, and it needs the transport seam's
 * fetch adapter, which the client's static code does not.
 */
import type { ChatStreamInit } from "./events.js";
import { type TransportResponse, responseOf } from "../core/transport.js";

/** `init.open(signal)` as a promise, also when it throws synchronously. */
export function opened(open: ChatStreamInit["open"], signal: AbortSignal): Promise<Response | TransportResponse> {
  try {
    return Promise.resolve(open(signal));
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * What `open` resolved with, as the transport seam's response: the client's pipeline hands one over as is; a
 * fetch `Response` from a hand-written `open` is adapted (its body is read through its own reader, not copied).
 */
export function transportResponseOf(response: Response | TransportResponse): TransportResponse {
  return typeof (response.body as { reader?: unknown } | null)?.reader === "function" ? (response as TransportResponse) : responseOf(response as Response);
}
