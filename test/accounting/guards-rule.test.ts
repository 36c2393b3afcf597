import { readFileSync } from "node:fs";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import * as guards from "../../src/accounting/guards.js";
import { needsPreSendChecks } from "../../src/accounting/guards-rule.js";
import { UsageTracker } from "../../src/index.js";

describe("needsPreSendChecks (the one rule the client and the checks share)", () => {
  it("is true as soon as one check or a budget is on, false with none", () => {
    expect(needsPreSendChecks({})).toBe(false);
    expect(needsPreSendChecks({ validateModel: false, preflight: false, checkContext: false })).toBe(false);
    expect(needsPreSendChecks({ validateModel: true })).toBe(true);
    expect(needsPreSendChecks({ preflight: true })).toBe(true);
    expect(needsPreSendChecks({ checkContext: true })).toBe(true);
    expect(needsPreSendChecks({ budgetUsd: 0 })).toBe(true);
    expect(needsPreSendChecks({}, new UsageTracker())).toBe(false);
    expect(needsPreSendChecks({}, new UsageTracker({ budgetUsd: 0 }))).toBe(true);
  });

  it("sees a budget set on the tracker after construction (asked per call)", () => {
    const usage = new UsageTracker();
    expect(needsPreSendChecks({}, usage)).toBe(false);
    usage.budgetUsd = 2;
    expect(needsPreSendChecks({}, usage)).toBe(true);
  });

  it("is the same function guards.ts uses, and loads no code of its own (safe to import statically)", () => {
    expect(guards.needsPreSendChecks).toBe(needsPreSendChecks);
    const text = readFileSync(new URL("../../src/accounting/guards-rule.ts", import.meta.url), "utf8");
    const imports = ts.preProcessFile(text, true, true).importedFiles;
    expect(imports).toEqual([]);
  });
});
