import { describe, expect, it } from "vitest";
import { streamSettings } from "../../src/stream/settings.js";

const open = async () => new Response("");

describe("streamSettings", () => {
  it("adds the request info (only the fields given) and a clock to the checked limits", () => {
    const now = () => 42;
    const s = streamSettings({ open, now, info: { method: "POST", path: "/chat/completions" }, firstEventTimeoutMs: 10 });
    expect(s.info).toEqual({ method: "POST", path: "/chat/completions" });
    expect(s.now).toBe(now);
    expect(s.firstEventTimeoutMs).toBe(10);
    expect(typeof streamSettings({ open }).now()).toBe("number");
  });

  it("throws what the check throws", () => {
    expect(() => streamSettings({ open, idleTimeoutMs: -1 })).toThrow(/idleTimeoutMs/);
  });
});
