/**
 * The `maxResponseBytes` setting: its default and its check. The client, its options and every stream check
 * it before sending; the code that enforces it (body.ts, the stream machines) loads with the first request.
 */
import { InvalidArgumentError } from "./errors.js";

/**
 * Default `maxResponseBytes`: 64 MiB. The largest legitimate bodies we know of are embedding batches
 * (512 inputs × 3,072 floats as JSON ≈ 31 MB) and base64 image outputs (a few MB each); 64 MiB leaves room
 * for twice that, and stays far below V8's maximum string length (about 512 Mi characters), where reading
 * a body as one string crashes the process.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** Validates a `maxResponseBytes` option: a positive number (Infinity allowed, for "no limit"). */
export function checkMaxResponseBytes(value: unknown, name = "maxResponseBytes"): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || Number.isNaN(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a positive number of bytes (or Infinity), got ${String(value)}`);
  }
  return value;
}
