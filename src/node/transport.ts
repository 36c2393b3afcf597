/**
 * node/: the opt-in Node transport, `openrouter-fetch/node`. Node modules and undici are allowed here and
 * nowhere below: the core entry never loads this layer (see test/package.test.ts).
 *
 * `nodeTransport()` sends each request on undici's dispatcher API (`Agent.dispatch`), with no WHATWG
 * `Request`/`Response` and no web streams in between: that layer is most of what a call costs through
 * `fetch` on Node. Behaviour is the fetch transport's: redirects are never followed (a 3xx comes back as is and
 * the pipeline refuses it), the caller's signal aborts the request or its body, and a network failure rejects
 * with undici's own error, which the pipeline maps to a `ConnectionError` (keeping its code, never the headers).
 */
import { Agent } from "undici";
import { InvalidArgumentError } from "../core/errors.js";
import { type Transport, type TransportRequest, isNoSignal, watchingAbortSources } from "../core/transport.js";
import { Exchange } from "./exchange.js";

export interface NodeTransportOptions {
  /** Most connections per origin (undici's `connections`). Default: no limit, one per concurrent request. */
  connections?: number | undefined;
  /** Requests in flight per connection (HTTP/1.1 pipelining). Default 1: none, which is what servers expect. */
  pipelining?: number | undefined;
  /** How long an idle connection is kept for the next request. Default 60 s (servers may close one sooner). */
  keepAliveTimeoutMs?: number | undefined;
}

/** A `Transport` with a pool behind it: `close()` ends its idle connections once the requests in flight end. */
export interface NodeTransport extends Transport {
  close(): Promise<void>;
}

const DEFAULT_KEEP_ALIVE_MS = 60_000;

function positiveInteger(name: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError(`nodeTransport: ${name} must be an integer of at least ${min}, got ${String(value)}`);
  }
  return value;
}

/**
 * The Node transport: the same client on undici's connection pool, several times the throughput of `fetch`
 * for plain calls. Opt-in, because tools that intercept `fetch` or `node:http` in tests (MSW, nock) do not see
 * it. Needs Node 20.18.1 or later.
 *
 * @example
 * import { OpenRouter } from "openrouter-fetch";
 * import { nodeTransport } from "openrouter-fetch/node";
 * const client = new OpenRouter({ transport: nodeTransport({ connections: 64 }) });
 */
export function nodeTransport(options: NodeTransportOptions = {}): NodeTransport {
  if (typeof options !== "object" || options === null) throw new InvalidArgumentError("nodeTransport: options must be an object");
  const connections = positiveInteger("connections", options.connections, 1);
  const pipelining = positiveInteger("pipelining", options.pipelining, 1) ?? 1;
  const keepAliveTimeout = positiveInteger("keepAliveTimeoutMs", options.keepAliveTimeoutMs, 1) ?? DEFAULT_KEEP_ALIVE_MS;
  const agent = new Agent({
    ...(connections !== undefined && { connections }),
    pipelining,
    keepAliveTimeout,
    // The client's own deadlines (timeoutMs, first-event and idle timeouts) govern; undici's would cut a long
    // first token at 300 s with an error of its own.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  // The last URL, parsed: a client sends most of its calls to the same one.
  let lastUrl = "";
  let target = { origin: "", path: "" };
  const send = (req: TransportRequest, signal: AbortSignal) => {
    if (signal.aborted) return Promise.reject(signal.reason);
    const exchange = new Exchange(isNoSignal(signal) ? undefined : signal);
    if (req.url !== lastUrl) {
      const url = new URL(req.url);
      target = { origin: url.origin, path: url.pathname + url.search };
      lastUrl = req.url;
    }
    agent.dispatch(
      {
        origin: target.origin,
        path: target.path,
        method: req.method,
        headers: flatHeaders(req.headers),
        // A web stream is async-iterable: undici writes it chunk by chunk as it is read (never buffered whole).
        body: (req.body ?? null) as string | Uint8Array | null,
      },
      exchange,
    );
    return exchange.opened;
  };
  // The exchange reads only `aborted`, `reason` and the "abort" listener of its signal: the pipeline may hand it
  // the call's deadline itself, and skip the AbortController a real signal costs on every call.
  return Object.assign(watchingAbortSources(send), { close: () => agent.close() });
}

/**
 * The pipeline shares one `Headers` per kind of request (and never writes to it): each is flattened once.
 * A call with headers of its own brings a fresh one, and its entry goes with it.
 */
const FLAT = new WeakMap<Headers, string[]>();

/** `Headers` as undici's flat `[name, value, ...]` list (names already lower-case). */
function flatHeaders(headers: Headers): string[] {
  let flat = FLAT.get(headers);
  if (flat === undefined) {
    const list: string[] = (flat = []);
    headers.forEach((value, name) => {
      list.push(name, value);
    });
    FLAT.set(headers, flat);
  }
  return flat;
}
