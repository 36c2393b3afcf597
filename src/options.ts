/**
 * The client's options, checked and filled with their defaults once, at construction (`resolveOptions`): every
 * verb reads the one frozen result and never validates a client option again.
 */
import { InvalidArgumentError, isOpenRouterError } from "./core/errors.js";
import type { PreSendOptions } from "./accounting/guards.js";
import { DEFAULT_BASE_URL, checkBaseUrl, checkHeaderValue, checkHeaders, checkKey } from "./core/validate.js";
import type { Resilience, ResilienceConfig } from "./core/resilience/run.js";
import { lazyResilience } from "./core/resilience/lazy.js";
import { DEFAULT_MAX_RESPONSE_BYTES, checkMaxResponseBytes } from "./core/response-limit.js";
import { DEFAULT_TIMEOUT_MS } from "./core/timeouts.js";
import type { CallOptions, ChatParams } from "./core/types.js";
import type { Transport } from "./core/transport.js";

export { DEFAULT_BASE_URL };

/** Resilience settings taken as they are by the retry/fallback/breaker/limit layer (see `src/core/resilience/run.ts`). */
type ResilienceOptions = Pick<
  ResilienceConfig,
  "retry" | "fallbackModels" | "circuitBreaker" | "rateLimit" | "hooks" | "telemetry" | "onInsufficientCredits" | "now" | "sleep" | "random"
>;

export interface OpenRouterOptions extends ResilienceOptions, Omit<PreSendOptions, "budgetUsd"> {
  /** Defaults to `OPENROUTER_API_KEY` from the environment where one exists. */
  apiKey?: string | undefined;
  /**
   * A management key (once called a provisioning key), for the management operations: `client.keys`, feedback
   * on generations, and the management areas of `client.api` (guardrails, workspaces, BYOK, …), which send it
   * instead of `apiKey`. Defaults to `OPENROUTER_MANAGEMENT_KEY` from the environment where one exists.
   */
  managementKey?: string | undefined;
  /** Defaults to `https://openrouter.ai/api/v1`. Plain `http://` is refused while a key is set, except to loopback. */
  baseUrl?: string | undefined;
  /** Allow a plain `http://` baseUrl to another machine although a key is set (the key then travels unencrypted). */
  allowInsecureHttp?: boolean | undefined;
  /** Your app's URL, sent as `HTTP-Referer` (OpenRouter's app attribution key). */
  appUrl?: string | undefined;
  /** Your app's name, sent as `X-OpenRouter-Title` and its legacy twin `X-Title`. */
  appName?: string | undefined;
  /** App categories, sent as `X-OpenRouter-Categories` (OpenRouter keeps at most 2 per request). */
  categories?: readonly string[] | undefined;
  /** Extra headers on every request. */
  headers?: Record<string, string> | undefined;
  /** Injectable fetch (tests, proxies, edge runtimes). Defaults to the global fetch. */
  fetch?: typeof globalThis.fetch | undefined;
  /**
   * What sends each request; defaults to `fetch`. `nodeTransport()` from `openrouter-fetch/node` sends on undici's
   * connection pool instead (several times the throughput on Node). Not together with `fetch`.
   */
  transport?: Transport | undefined;
  /**
   * Total time for a call, retries included, and reading a JSON body. For streams: until the response headers
   * arrive. Default 10 minutes (`DEFAULT_TIMEOUT_MS`); `0` for none.
   */
  timeoutMs?: number | undefined;
  /**
   * A stream fails with a timeout if no data event (keep-alive comments do not count) arrives in time.
   * Default 5 minutes (`DEFAULT_FIRST_EVENT_TIMEOUT_MS`); `0` for none.
   */
  firstEventTimeoutMs?: number | undefined;
  /**
   * A stream fails with a timeout after this long without a data event (keep-alive comments do not count).
   * Default 2 minutes (`DEFAULT_IDLE_TIMEOUT_MS`); `0` for none.
   */
  idleTimeoutMs?: number | undefined;
  /**
   * The most a response may weigh: bytes of a JSON body, or characters of text a stream accumulates (content,
   * reasoning, refusal, tool arguments). Past it the call fails with `ResponseTooLargeError` (not retried;
   * a stream's output so far is on `error.partial`). Default 64 MiB (`DEFAULT_MAX_RESPONSE_BYTES`).
   */
  maxResponseBytes?: number | undefined;
  /** Spending limit in USD for this client: once spent, calls fail before sending with `BudgetExceededError`. */
  budgetUsd?: number | undefined;
  /** How long `client.models` keeps the catalogue. Default one hour. */
  modelsTtlMs?: number | undefined;
  /** Look up the real cost of calls that ended without one (aborted or failed streams) in the background. */
  reconcileUsage?: boolean | { delayMs?: number } | undefined;
}

// The per-call option and parameter types are core's (core/types.ts): one definition for the client and the agents.
export type { CallOptions, ChatParams };

export type ResolvedOptions = Readonly<{
  apiKey: string | undefined;
  managementKey: string | undefined;
  baseUrl: string;
  basePath: string;
  /** Auth, app attribution and extra headers, checked, lower-case names. */
  headers: Readonly<Record<string, string>>;
  /** The host's fetch, bound so it is never called with the client as `this` (browsers refuse that). */
  fetch: typeof globalThis.fetch;
  /** The caller's transport, when given (the client uses `fetch` through the fetch transport otherwise). */
  transport: Transport | undefined;
  timeoutMs: number | undefined;
  firstEventTimeoutMs: number | undefined;
  idleTimeoutMs: number | undefined;
  maxResponseBytes: number;
  preSend: PreSendOptions;
  fallbackModels: readonly string[] | undefined;
  modelsTtlMs: number | undefined;
  resilience: Resilience;
  /** Secrets of the extra headers (a proxy's or a gateway's key), scrubbed from errors like the API key. */
  headerSecrets: readonly string[];
}>;

/** Checks every option and fills every default; throws `InvalidArgumentError` before anything is sent. */
export function resolveOptions(options: OpenRouterOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) throw new InvalidArgumentError("OpenRouter options must be an object");
  const apiKey = optionalKey("apiKey", options.apiKey ?? env("OPENROUTER_API_KEY"));
  const managementKey = optionalKey("managementKey", options.managementKey ?? env("OPENROUTER_MANAGEMENT_KEY"));
  const { baseUrl, basePath } = checkBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL, {
    keySet: apiKey !== undefined || managementKey !== undefined,
    allowInsecureHttp: options.allowInsecureHttp,
  });
  if (options.transport !== undefined && typeof options.transport !== "function") {
    throw new InvalidArgumentError("transport must be a function (request, signal) => Promise<TransportResponse>, such as nodeTransport()");
  }
  if (options.transport !== undefined && options.fetch !== undefined) {
    throw new InvalidArgumentError("Pass either fetch or transport, not both: a transport sends requests without fetch");
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== "function") throw new InvalidArgumentError("No fetch available: pass options.fetch");
  const headers = defaultHeaders(apiKey, options);
  const headerSecrets: string[] = [];
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    const secret = CREDENTIAL_HEADER.test(name) ? credentialOf(value) : undefined;
    if (secret !== undefined) headerSecrets.push(secret);
  }
  return Object.freeze({
    apiKey,
    managementKey,
    baseUrl,
    basePath,
    headers,
    fetch: (input: Parameters<typeof fetch>[0], init?: RequestInit) => fetchImpl(input, init),
    transport: options.transport,
    timeoutMs: optionalTimeout("timeoutMs", options.timeoutMs) ?? DEFAULT_TIMEOUT_MS,
    // Stream timeouts stay undefined when not given: their defaults depend on each other (see stream/options.ts streamTimeouts).
    firstEventTimeoutMs: optionalTimeout("firstEventTimeoutMs", options.firstEventTimeoutMs),
    idleTimeoutMs: optionalTimeout("idleTimeoutMs", options.idleTimeoutMs),
    maxResponseBytes: checkMaxResponseBytes(options.maxResponseBytes) ?? DEFAULT_MAX_RESPONSE_BYTES,
    preSend: {
      validateModel: options.validateModel,
      preflight: options.preflight,
      checkContext: options.checkContext,
    },
    fallbackModels: Array.isArray(options.fallbackModels) ? options.fallbackModels : undefined,
    modelsTtlMs: optionalPositive("modelsTtlMs", options.modelsTtlMs),
    resilience: checkedResilience({
      retry: options.retry,
      fallbackModels: options.fallbackModels,
      circuitBreaker: options.circuitBreaker,
      rateLimit: options.rateLimit,
      hooks: options.hooks,
      telemetry: options.telemetry,
      onInsufficientCredits: options.onInsufficientCredits,
      baseUrl,
      now: options.now,
      sleep: options.sleep,
      random: options.random,
    }),
    headerSecrets,
  });
}

/** A key option: absent, or a non-empty string that can go in a header (never quoted in the message). */
function optionalKey(name: string, value: unknown): string | undefined {
  return value === undefined ? undefined : checkKey(name, value);
}

/** Reads an environment variable where the runtime has one (Node, Bun; Deno only with permission). */
function env(name: string): string | undefined {
  const g = globalThis as { process?: { env?: Record<string, string | undefined> }; Deno?: { env?: { get(n: string): string | undefined } } };
  try {
    return g.process?.env?.[name] ?? g.Deno?.env?.get(name);
  } catch {
    return undefined;
  }
}

function optionalPositive(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

/** A timeout option: a positive number of milliseconds, or `0` to turn the timeout off. */
function optionalTimeout(name: string, value: unknown): number | undefined {
  if (value === 0) return 0;
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`${name} must be a positive number of milliseconds (or 0 for none), got ${String(value)}`);
  }
  return value;
}

/** Configuration mistakes in the resilience layer surface as our own argument error. */
function checkedResilience(config: ResilienceConfig): Resilience {
  try {
    return lazyResilience(config);
  } catch (e) {
    if (isOpenRouterError(e)) throw e;
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
  }
}

/** Extra headers that carry a credential (a proxy's or a gateway's key) are secrets like the API key. */
const CREDENTIAL_HEADER = /authorization|api-key|apikey|token|secret|cookie/i;

/** The secret part of a credential header: the token after a scheme such as "Bearer". */
function credentialOf(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const token = value.trim().replace(/^(Bearer|Basic|Token)\s+/i, "");
  return token === "" ? undefined : token;
}

/** Every value is checked here, at construction: fetch would refuse it on each call, as a network error. */
function defaultHeaders(apiKey: string | undefined, options: OpenRouterOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const extra = checkHeaders("headers", options.headers);
  if (extra) for (const key of Object.keys(extra)) headers[key.toLowerCase()] = extra[key] as string;
  if (apiKey !== undefined) headers["authorization"] = `Bearer ${apiKey}`;
  if (options.appUrl) headers["http-referer"] = checkHeaderValue("appUrl", options.appUrl);
  if (options.appName) {
    headers["x-openrouter-title"] = checkHeaderValue("appName", options.appName);
    // The legacy name is still what some proxies forward.
    headers["x-title"] = options.appName;
  }
  if (options.categories && options.categories.length > 0) {
    options.categories.forEach((c, i) => checkHeaderValue(`categories[${i}]`, c));
    headers["x-openrouter-categories"] = options.categories.join(",");
  }
  return headers;
}
