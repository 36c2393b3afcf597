/**
 * Checks of what a caller gave, run before anything is sent. A mistake made locally (a header fetch would
 * refuse, a body JSON cannot encode, a base URL that is not http(s)) must surface as `InvalidArgumentError`
 * at the call, never as a retryable network error after three attempts that sent nothing. Every check here
 * is cheap: the chat hot path runs `checkMessages`, `checkCallOptions` and `serializeBody` on every call.
 */
import { AuthenticationError, InvalidArgumentError, describe } from "./errors.js";
import { bounded, quote } from "../internal/quote.js";
import type { RequestInfo } from "./types.js";

/** Where requests go unless `baseUrl` says otherwise. */
export const DEFAULT_BASE_URL = "https://openrouter.ai/api/v1";

/** Longer than any model id OpenRouter lists (the longest are under 100 characters); anything beyond is a mistake. */
export const MAX_MODEL_ID_LENGTH = 256;

/** The roles OpenRouter's chat endpoint accepts. */
const ROLES = new Set(["system", "developer", "user", "assistant", "tool"]);

/** RFC 9110 `token`: what a header name may contain. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What fetch refuses in a header value: CR, LF, NUL, and anything outside Latin-1 (a byte per character). */
const BAD_HEADER_VALUE = /[\0\r\n\u0100-\uffff]/;

/**
 * A header value fetch would accept, or an `InvalidArgumentError` naming where it came from. `secret` keeps
 * the value out of the message (the API key).
 */
export function checkHeaderValue(where: string, value: unknown, secret = false): string {
  if (typeof value !== "string") throw new InvalidArgumentError(`${where} must be a string; got ${secret ? typeof value : quote(value)}`);
  const bad = BAD_HEADER_VALUE.exec(value);
  if (bad) {
    const what = bad[0] === "\r" || bad[0] === "\n" ? "a line break (CR or LF)" : bad[0] === "\0" ? "a NUL character" : "a character outside Latin-1";
    const hint = what === "a character outside Latin-1" ? "; encode it first (e.g. encodeURIComponent)" : "";
    throw new InvalidArgumentError(`${where} contains ${what}, which cannot go in an HTTP header${hint}${secret ? "" : `: ${quote(value)}`}`);
  }
  return value;
}

/**
 * A key (API or management) as a caller gave it: a non-empty string that can go in the `Authorization` header.
 * The message never quotes it.
 *
 * @example
 * checkKey("managementKey", process.env.OPENROUTER_MANAGEMENT_KEY);
 */
export function checkKey(where: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") throw new InvalidArgumentError(`${where} must be a non-empty string`);
  return checkHeaderValue(where, value, true);
}

/** A record of headers whose names and values fetch would accept. */
export function checkHeaders(where: string, headers: unknown): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  if (typeof headers !== "object" || headers === null || Array.isArray(headers)) {
    throw new InvalidArgumentError(`${where} must be an object of header names to string values`);
  }
  const record = headers as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    if (!HEADER_NAME.test(name)) throw new InvalidArgumentError(`${where}: ${quote(name)} is not a valid header name`);
    // An authorization header given by hand is as secret as the key.
    checkHeaderValue(`${where}[${quote(name)}]`, record[name], name.toLowerCase() === "authorization");
  }
  return record as Record<string, string>;
}

/**
 * True for hosts that never leave the machine: `localhost`, 127.0.0.0/8, `::1`.
 *
 * @example
 * isLoopback("127.0.0.1"); // true
 */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export interface BaseUrlOptions {
  /** Whether requests will carry an API key (plain http is refused then, outside loopback). */
  keySet: boolean;
  allowInsecureHttp: boolean | undefined;
}

/**
 * The base URL without trailing slashes, and its path. Paths are appended to it as text, so a query string
 * or fragment would swallow them; credentials in the URL are refused by fetch on every request; and a key
 * sent over plain http to another machine can be read on the way.
 */
export function checkBaseUrl(raw: unknown, options: BaseUrlOptions): { baseUrl: string; basePath: string } {
  if (typeof raw !== "string") throw new InvalidArgumentError(`baseUrl must be a string; got ${quote(raw)}`);
  const baseUrl = raw.replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new InvalidArgumentError(`baseUrl is not a valid URL: ${quote(raw)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new InvalidArgumentError(`baseUrl must be an http(s) URL; got ${quote(url.protocol)} in ${quote(raw)}`);
  }
  if (/[?#]/.test(baseUrl)) {
    throw new InvalidArgumentError(`baseUrl must not have a query string or fragment (request paths are appended to it): ${quote(raw)}`);
  }
  if (url.username || url.password) {
    throw new InvalidArgumentError("baseUrl must not contain a user name or password: pass the key as apiKey");
  }
  if (url.protocol === "http:" && options.keySet && options.allowInsecureHttp !== true && !isLoopback(url.hostname)) {
    throw new InvalidArgumentError(
      `baseUrl ${quote(url.origin)} is plain http to another machine: the API key would travel unencrypted. ` +
        "Use https, or pass allowInsecureHttp: true if the network between you is trusted",
    );
  }
  return { baseUrl, basePath: url.pathname.replace(/\/+$/, "") };
}

/**
 * A call that OpenRouter would answer with 401 (no key, the default base URL): say what to do before spending
 * a round trip. A proxy at another base URL may add the key itself, so only the default is refused.
 *
 * @example
 * checkKeySet(options, { method: "POST", path: "/chat/completions", model }); // throws AuthenticationError without a key
 */
export function checkKeySet(options: { apiKey: string | undefined; baseUrl: string }, info: RequestInfo): void {
  if (options.apiKey === undefined && options.baseUrl === DEFAULT_BASE_URL) {
    throw new AuthenticationError(`No API key: pass { apiKey } to new OpenRouter() or set OPENROUTER_API_KEY${describe(info)}`, info);
  }
}

/** A per-call timeout: a finite number of milliseconds, `0` to disable it, or absent for the client's. */
function checkTimeout(verb: string, name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`${verb}(): options.${name} must be a number of milliseconds (0 disables it); got ${quote(value)}`);
  }
}

/** What a per-call options object may hold that fetch or a timer would otherwise misread. */
export function checkCallOptions(verb: string, options: unknown): void {
  if (typeof options !== "object" || options === null) throw new InvalidArgumentError(`${verb}(): options must be an object`);
  const o = options as Record<string, unknown>;
  checkTimeout(verb, "timeoutMs", o["timeoutMs"]);
  checkTimeout(verb, "firstEventTimeoutMs", o["firstEventTimeoutMs"]);
  checkTimeout(verb, "idleTimeoutMs", o["idleTimeoutMs"]);
  if (o["headers"] !== undefined) checkHeaders(`${verb}(): options.headers`, o["headers"]);
}

/** A model id as a message may quote it: a non-empty string of sane length. */
export function checkModelId(where: string, model: unknown): void {
  if (typeof model !== "string" || model.trim() === "") throw new InvalidArgumentError(`${where} must be a non-empty string; got ${quote(model)}`);
  if (model.length > MAX_MODEL_ID_LENGTH) {
    throw new InvalidArgumentError(`${where} is ${model.length} characters long, more than any model id (${MAX_MODEL_ID_LENGTH} at most): ${quote(model, 60)}`);
  }
}

function hasContent(content: unknown): boolean {
  return typeof content === "string" || Array.isArray(content);
}

/**
 * One pass over the messages: the structure OpenRouter would reject with a 400 after a round trip, caught
 * here for callers without the types (plain JavaScript, data from a file).
 */
export function checkMessages(verb: string, messages: unknown): void {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new InvalidArgumentError(`${verb}() needs at least one message in params.messages`);
  }
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as { role?: unknown; content?: unknown; tool_call_id?: unknown } | null;
    if (typeof m !== "object" || m === null || typeof m.role !== "string") {
      throw new InvalidArgumentError(`${verb}(): params.messages[${i}] must be an object with a role`);
    }
    const role = m.role;
    if (!ROLES.has(role)) {
      throw new InvalidArgumentError(`${verb}(): params.messages[${i}].role is ${quote(role)}; expected one of ${[...ROLES].join(", ")}`);
    }
    if (role === "assistant") continue;
    if (!hasContent(m.content)) {
      throw new InvalidArgumentError(`${verb}(): params.messages[${i}] (${role}) needs content: a string or an array of parts; got ${quote(m.content)}`);
    }
    if (role === "tool" && (typeof m.tool_call_id !== "string" || m.tool_call_id === "")) {
      throw new InvalidArgumentError(`${verb}(): params.messages[${i}] (tool) needs the tool_call_id of the call it answers`);
    }
  }
}

/**
 * The request body as JSON text, once per call (retries resend the same text). What JSON cannot encode
 * (a BigInt, a circular reference) is the caller's mistake, reported as such.
 */
export function serializeBody(verb: string, body: unknown): string {
  try {
    return JSON.stringify(body);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new InvalidArgumentError(`${verb}(): the parameters cannot be sent as JSON: ${bounded(why)}`, { cause });
  }
}

/** Checks the chat parameters a caller gave a chat verb before anything is sent; the body to send. */
export function chatBody(params: unknown, verb: string, stream: boolean): Record<string, unknown> {
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    throw new InvalidArgumentError(`${verb}() needs a parameters object with messages`);
  }
  const p = params as Record<string, unknown>;
  checkMessages(verb, p["messages"]);
  if (p["model"] !== undefined) checkModelId(`${verb}(): params.model`, p["model"]);
  if (!stream && p["stream"] === true) {
    throw new InvalidArgumentError(`${verb}() does not stream: call chatStream() for stream: true`);
  }
  return stream ? { ...p, stream: true } : p;
}
