/**
 * What the core needs of telemetry without loading it: the no-op span of every call when telemetry is off,
 * and the check of the `telemetry` option (made when the client is built, so a bad option fails there even
 * though `src/core/resilience/telemetry.ts` is only imported on the first traced call).
 */
import type { CallSpan, TelemetryOptions } from "./telemetry.js";

/** The span of every call when telemetry is off: callers compare against it to skip building span payloads. */
export const NOOP_SPAN: CallSpan = {
  attempt() {},
  retry() {},
  fallback() {},
  response() {},
  succeed() {},
  fail() {},
};

/**
 * Validates the `telemetry` option; true when it turns telemetry on.
 *
 * @example
 * checkTelemetryOption({ tracer }); // true
 * checkTelemetryOption(undefined); // false
 */
export function checkTelemetryOption(option: unknown): option is true | TelemetryOptions {
  if (option !== undefined && typeof option !== "boolean" && (typeof option !== "object" || option === null)) {
    throw new TypeError("telemetry must be a boolean or an options object");
  }
  const tracer = typeof option === "object" && option !== null ? (option as TelemetryOptions).tracer : undefined;
  if (tracer !== undefined && typeof tracer?.startSpan !== "function") {
    throw new TypeError("telemetry.tracer must have a startSpan() method");
  }
  return option !== undefined && option !== false;
}
