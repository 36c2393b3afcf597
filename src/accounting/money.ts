/**
 * Exact decimal money: USD amounts as integer atto-dollars (1e-18 USD, `bigint`). OpenRouter's costs are not
 * whole micro- or even nano-dollars, and catalogue prices go to 22 decimals, so a coarser integer unit would
 * round on every call and a float sum would drift (0.1 + 0.2). Converting to a `number` happens once, at the end.
 */
import { InvalidArgumentError } from "../core/errors.js";
import { quote } from "../internal/quote.js";

/**
 * Digits after the decimal point kept by {@link toAtto}: amounts are integer counts of 1e-18 USD.
 *
 * @example
 * toAtto("1") === 10n ** BigInt(ATTO_DIGITS); // true
 */
export const ATTO_DIGITS = 18;
const ATTO = 10n ** BigInt(ATTO_DIGITS);
const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
/** 10n ** i for the shifts costs need (every call records one), so no exponentiation per conversion. */
const POW10 = Array.from({ length: 40 }, (_, i) => 10n ** BigInt(i));
const pow10 = (n: number): bigint => POW10[n] ?? 10n ** BigInt(n);

/**
 * Converts a USD amount (a number such as `6e-7`, or a decimal string such as `"0.000000075"`) into integer
 * atto-dollars, exactly for up to 18 decimals and rounded half away from zero beyond that. A number is read
 * through its shortest round-trip text (`String(n)`), i.e. the decimal OpenRouter wrote on the wire.
 *
 * @throws InvalidArgumentError for non-numeric text, NaN or infinities.
 * @example
 * toAtto("0.0004688775"); // 468877500000000n
 * toAtto(6e-7);           // 600000000000n
 */
export function toAtto(value: number | string): bigint {
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : typeof value === "string" ? value.trim() : "";
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) throw new InvalidArgumentError(`Not a USD amount: ${quote(value)}`);
  const fraction = m[3] ?? "";
  // Leading zeros are fine for BigInt; one of the two parts is non-empty (checked above).
  const digits = (m[2] ?? "") + fraction;
  // The decimal point sits `fraction.length` digits from the right of `digits`; move it to 18 places.
  const shift = ATTO_DIGITS - fraction.length + (m[4] === undefined ? 0 : Number(m[4]));
  let magnitude: bigint;
  if (shift >= 0) magnitude = BigInt(digits) * pow10(shift);
  else {
    const divisor = pow10(-shift);
    const whole = BigInt(digits);
    magnitude = whole / divisor + ((whole % divisor) * 2n >= divisor ? 1n : 0n);
  }
  return m[1] === "-" ? -magnitude : magnitude;
}

/**
 * Formats atto-dollars as an exact decimal string without trailing zeros.
 *
 * @example
 * formatAtto(468877500000000n); // "0.0004688775"
 */
export function formatAtto(atto: bigint): string {
  const negative = atto < 0n;
  const abs = negative ? -atto : atto;
  const whole = abs / ATTO;
  const frac = (abs % ATTO).toString().padStart(ATTO_DIGITS, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`;
}

/**
 * Converts atto-dollars to the nearest `number` of USD (one rounding, at the very end).
 *
 * @example
 * attoToUsd(toAtto(0.1) + toAtto(0.2)); // 0.3 (not 0.30000000000000004)
 */
export function attoToUsd(atto: bigint): number {
  return Number(formatAtto(atto));
}

/**
 * Rounds atto-dollars to whole micro-dollars (1e-6 USD), half away from zero: handy for exact assertions.
 *
 * @example
 * attoToMicros(toAtto("0.0000125")); // 13
 */
export function attoToMicros(atto: bigint): number {
  const unit = 10n ** BigInt(ATTO_DIGITS - 6);
  const negative = atto < 0n;
  const abs = negative ? -atto : atto;
  const micros = abs / unit + ((abs % unit) * 2n >= unit ? 1n : 0n);
  return Number(negative ? -micros : micros);
}
