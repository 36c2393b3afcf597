import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_RESPONSE_BYTES, checkMaxResponseBytes } from "../../src/core/response-limit.js";
import { InvalidArgumentError } from "../../src/core/errors.js";

describe("checkMaxResponseBytes", () => {
  it("takes a positive number or Infinity, and leaves undefined to the default", () => {
    expect(checkMaxResponseBytes(1)).toBe(1);
    expect(checkMaxResponseBytes(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(checkMaxResponseBytes(undefined)).toBeUndefined();
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(64 * 1024 * 1024);
  });

  it.each([[0], [-1], [Number.NaN], ["1"]])("refuses %j with a typed error naming the option", (value) => {
    expect(() => checkMaxResponseBytes(value, "options.maxResponseBytes")).toThrow(InvalidArgumentError);
    expect(() => checkMaxResponseBytes(value, "options.maxResponseBytes")).toThrow(/options\.maxResponseBytes must be a positive number/);
  });
});
