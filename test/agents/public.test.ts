/**
 * agents/public.ts: the package entry's tool functions and `Conversation` are the modules' own (same identity),
 * reached through this file only so bundlers can leave the agent code lazy.
 */
import { describe, expect, it } from "vitest";
import * as face from "../../src/agents/public.js";
import * as entry from "../../src/index.js";
import * as tools from "../../src/agents/tools.js";
import { Conversation } from "../../src/agents/conversation.js";

describe("agents/public", () => {
  it("is the modules' own values, and the package entry exports these", () => {
    expect(face.defineTool).toBe(tools.defineTool);
    expect(face.toolToWire).toBe(tools.toolToWire);
    expect(face.Conversation).toBe(Conversation);
    expect(entry.defineTool).toBe(tools.defineTool);
    expect(entry.toolToWire).toBe(tools.toolToWire);
    expect(entry.Conversation).toBe(Conversation);
  });

  it("defines a tool as tools.ts does", () => {
    const echo = face.defineTool({ name: "echo", parameters: { type: "object", properties: {} }, execute: () => "ok" });
    expect(face.toolToWire(echo)).toEqual(tools.toolToWire(echo));
  });
});
