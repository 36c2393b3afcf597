/**
 * The stand-in's fault catalogue: the failure modes OpenRouter actually shows (see the recorded
 * fixtures and the API digest), injectable per scenario, per mock, or per request with the
 * `x-mock-fault` header, so retry, fallback and cost code can be tested offline.
 */

/**
 * Every fault the stand-in can inject.
 *
 * @example
 * FAULT_NAMES.includes("truncate") // true
 */
export const FAULT_NAMES = [
  /** SSE: `: OPENROUTER PROCESSING` comments before and between data events. */
  "keepalive-comments",
  /** JSON: runs of `\n` and spaces before the body, as OpenRouter sends while the model works. */
  "whitespace-padding",
  /** SSE: after some content, a chunk with a top-level `error` and `finish_reason: "error"`, then `[DONE]`. */
  "midstream-error",
  /** SSE: the body ends after some content, without a finish chunk, usage or `[DONE]`. */
  "truncate",
  /** HTTP 200 whose JSON body is an error envelope instead of a completion. */
  "error-200",
  /** HTTP 429 with `Retry-After` (seconds) and rate-limit headers. */
  "rate-limit-429",
  /** HTTP 402 "… but can only afford N" (the affordability error that `max_tokens` can fix). */
  "insufficient-credits-402",
  /** HTTP 524: edge timeout. */
  "timeout-524",
  /** HTTP 529: provider overloaded. */
  "overloaded-529",
  /** Headers are held back for `delayMs` (default 1000 ms) before the response starts. */
  "slow-first-byte",
  /** The connection is reset before any status line (fetch rejects with a network error). */
  "reset-before-headers",
  /** SSE: after some content, nothing arrives for `delayMs` (default 30 s), then the stream goes on. */
  "stall",
] as const;

/** A fault name: `"rate-limit-429"`, `"truncate"`, … */
export type FaultName = (typeof FAULT_NAMES)[number];

/** A fault with its parameters. Unset parameters take the defaults documented on each field. */
export interface FaultOptions {
  fault: FaultName;
  /** Apply to this many matching requests, then stop (default: every request). */
  times?: number;
  /** `rate-limit-429`: the `Retry-After` value in seconds (default 1). */
  retryAfterSeconds?: number;
  /** `insufficient-credits-402`: the "can only afford N" number (default 100). */
  affordableTokens?: number;
  /** `slow-first-byte`: how long to hold back headers, in ms (default 1000). `stall`: the pause (default 30000). */
  delayMs?: number;
  /** `midstream-error`, `truncate`, `stall`: how many content chunks go out first (default 2). */
  afterChunks?: number;
  /** `truncate`: `"close"` ends the body cleanly (default); `"reset"` destroys the connection. */
  mode?: "close" | "reset";
  /** `keepalive-comments`: comments per gap (default 2). `whitespace-padding`: lines (default 3). */
  count?: number;
}

/** A fault given by name (defaults for everything) or with options. */
export type FaultSpec = FaultName | FaultOptions;

/**
 * Type guard for fault names.
 *
 * @example
 * isFaultName("truncate") // true
 */
export function isFaultName(value: unknown): value is FaultName {
  return typeof value === "string" && (FAULT_NAMES as readonly string[]).includes(value);
}

/**
 * Normalise a `FaultSpec` to options, rejecting unknown names with the list of valid ones.
 *
 * @example
 * normaliseFault("truncate") // { fault: "truncate" }
 */
export function normaliseFault(spec: FaultSpec): FaultOptions {
  const options = typeof spec === "string" ? { fault: spec } : spec;
  if (!options || !isFaultName(options.fault)) {
    const name = typeof spec === "string" ? spec : String((spec as { fault?: unknown } | null)?.fault);
    throw new TypeError(`Unknown mock fault "${name}". Valid faults: ${FAULT_NAMES.join(", ")}`);
  }
  return { ...options };
}

const PARAM_KEYS: Record<string, keyof FaultOptions> = {
  "retry-after": "retryAfterSeconds",
  retryafterseconds: "retryAfterSeconds",
  afford: "affordableTokens",
  affordabletokens: "affordableTokens",
  delay: "delayMs",
  delayms: "delayMs",
  after: "afterChunks",
  afterchunks: "afterChunks",
  mode: "mode",
  count: "count",
};

/**
 * Parse the `x-mock-fault` request header: comma-separated faults, each with optional `;key=value`
 * parameters (`retry-after`, `afford`, `delay`, `after`, `mode`, `count`).
 *
 * @example
 * parseFaultHeader("rate-limit-429;retry-after=3, keepalive-comments")
 * // [{ fault: "rate-limit-429", retryAfterSeconds: 3 }, { fault: "keepalive-comments" }]
 */
export function parseFaultHeader(header: string): FaultOptions[] {
  return header
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const [name = "", ...params] = item.split(";").map((s) => s.trim());
      const fault = normaliseFault(name as FaultName);
      for (const param of params) {
        const [rawKey = "", rawValue = ""] = param.split("=").map((s) => s.trim());
        const key = PARAM_KEYS[rawKey.toLowerCase()];
        if (!key) throw new TypeError(`Unknown x-mock-fault parameter "${rawKey}" on "${name}"`);
        if (key === "mode") {
          if (rawValue !== "close" && rawValue !== "reset") {
            throw new TypeError(`x-mock-fault mode must be "close" or "reset", got "${rawValue}"`);
          }
          fault.mode = rawValue;
        } else {
          const n = Number(rawValue);
          if (!Number.isFinite(n) || n < 0) throw new TypeError(`x-mock-fault ${rawKey} must be a non-negative number`);
          (fault as unknown as Record<string, number>)[key] = n;
        }
      }
      return fault;
    });
}
