/**
 * `noNetwork()`: make any real network call from a test fail loudly. It patches `globalThis.fetch`
 * so requests to anything but loopback (127.0.0.0/8, ::1, localhost) reject with a
 * {@link NetworkBlockedError} that names the host, never the headers. Clients that captured `fetch`
 * before the patch are not affected; install it first (e.g. in a vitest setup file).
 */

/**
 * The error a blocked request rejects with.
 *
 * @example
 * catch (e) { if (e instanceof NetworkBlockedError) console.error(e.host); }
 */
export class NetworkBlockedError extends Error {
  override readonly name = "NetworkBlockedError";
  constructor(
    readonly host: string,
    readonly method: string,
  ) {
    super(
      `noNetwork(): blocked a ${method} request to ${host}. Tests must not reach the network: ` +
        `point the client at createMockOpenRouter() (its baseUrl or mock.fetch) or use replayFetch().`,
    );
  }
}

/** Options of {@link noNetwork}. */
export interface NoNetworkOptions {
  /** Extra hosts to allow (exact host names, or RegExps tested against the host name). */
  allow?: Array<string | RegExp>;
}

/**
 * True for loopback host names: `localhost`, `127.x.x.x`, `::1`.
 *
 * @example
 * isLoopbackHost("127.0.0.1") // true
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function targetOf(input: RequestInfo | URL, init?: RequestInit): { url: URL | undefined; method: string } {
  let raw: string;
  let method = init?.method;
  if (typeof input === "string") raw = input;
  else if (input instanceof URL) raw = input.href;
  else {
    raw = input.url;
    method ??= input.method;
  }
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  return { url, method: (method ?? "GET").toUpperCase() };
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Fetch's own limit on a redirect chain. */
const MAX_REDIRECTS = 20;
/** Headers fetch drops when a redirect leaves the origin. */
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];

/**
 * Fetch's redirect rules (method and body per status, credentials dropped across origins), with `check` run
 * on each target before it is requested: a loopback server answering 302 to a real host is blocked.
 */
async function followChecked(
  fetchOnce: typeof globalThis.fetch,
  request: Request,
  check: (url: URL, method: string) => void,
): Promise<Response> {
  let url = new URL(request.url);
  let method = request.method;
  const headers = new Headers(request.headers);
  // Read once so a 307/308 can send it again.
  let body: ArrayBuffer | undefined = request.body ? await request.arrayBuffer() : undefined;
  const base: RequestInit = { signal: request.signal };
  for (let hop = 0; ; hop++) {
    const response = await fetchOnce(url, { ...base, method, headers, redirect: "manual", ...(body !== undefined && { body }) });
    const location = response.headers.get("location");
    if (!REDIRECTS.has(response.status) || location === null) return response;
    if (hop >= MAX_REDIRECTS) throw new TypeError(`noNetwork(): more than ${MAX_REDIRECTS} redirects from ${request.url}`);
    await response.body?.cancel();
    const next = new URL(location, url);
    if (response.status === 303 ? method !== "HEAD" : (response.status === 301 || response.status === 302) && method === "POST") {
      method = "GET";
      body = undefined;
      for (const name of ["content-type", "content-length", "content-encoding", "content-language", "content-location"]) headers.delete(name);
    }
    if (next.origin !== url.origin) for (const name of CREDENTIAL_HEADERS) headers.delete(name);
    check(next, method);
    url = next;
  }
}

/**
 * Block every non-loopback `fetch` until the returned function is called.
 *
 * @example
 * const restore = noNetwork();
 * await fetch("https://openrouter.ai/api/v1/models"); // rejects: NetworkBlockedError (openrouter.ai)
 * restore();
 */
export function noNetwork(options: NoNetworkOptions = {}): () => void {
  const previous = globalThis.fetch;
  if (typeof previous !== "function") throw new TypeError("noNetwork(): globalThis.fetch is not a function");
  const allow = options.allow ?? [];
  const check = (url: URL | undefined, method: string): void => {
    const host = url?.hostname ?? "(unparseable URL)";
    const allowed =
      url !== undefined &&
      (url.protocol === "data:" || url.protocol === "blob:" || isLoopbackHost(url.hostname) ||
        allow.some((a) => (typeof a === "string" ? a.toLowerCase() === host.toLowerCase() : a.test(host))));
    if (!allowed) throw new NetworkBlockedError(host, method);
  };
  const guarded = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const { url, method } = targetOf(input, init);
    check(url, method);
    const mode = init?.redirect ?? (input instanceof Request ? input.redirect : "follow");
    if (mode !== "follow") return previous(input, init);
    // fetch would follow a redirect without asking us: follow it here instead, checking every hop.
    return followChecked(previous, new Request(input, init), check);
  }) as typeof globalThis.fetch;
  globalThis.fetch = guarded;
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    // Only undo our own patch; if someone patched on top of us, leave theirs in place.
    if (globalThis.fetch === guarded) globalThis.fetch = previous;
  };
}

/**
 * Install {@link noNetwork} when `OPENROUTER_NO_NETWORK=1` (or `true`) is set; otherwise do nothing.
 * Returns the restore function either way. Meant for a test setup file.
 *
 * @example
 * // vitest.setup.ts
 * import { noNetworkFromEnv } from "openrouter-fetch/testing";
 * noNetworkFromEnv();
 */
export function noNetworkFromEnv(options: NoNetworkOptions = {}, env: Record<string, string | undefined> = process.env): () => void {
  const flag = (env["OPENROUTER_NO_NETWORK"] ?? "").trim().toLowerCase();
  if (flag === "1" || flag === "true" || flag === "yes") return noNetwork(options);
  return () => {};
}
