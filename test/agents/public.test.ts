/**
 * agents/public.ts: the package entry's tool functions, error classes and `Conversation` are the modules' own
 * (same identity), reached through this file only so bundlers can leave the agent code lazy.
 */
import { describe, expect, it } from "vitest";
import * as face from "../../src/agents/public.js";
import * as entry from "../../src/index.js";
import * as tools from "../../src/agents/tools.js";
import { Conversation } from "../../src/agents/conversation.js";
import * as errors from "../../src/agents/errors.js";
import { OpenRouterError } from "../../src/core/errors.js";

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

  it("exports the error classes themselves: instanceof and the class names hold", () => {
    expect(face.StructuredOutputError).toBe(errors.StructuredOutputError);
    expect(face.MaxStepsError).toBe(errors.MaxStepsError);
    expect(face.ToolError).toBe(errors.ToolError);
    expect(entry.StructuredOutputError).toBe(errors.StructuredOutputError);
    const e: face.MaxStepsError = new errors.MaxStepsError("too many steps", { steps: [], messages: [] });
    expect(e).toBeInstanceOf(entry.MaxStepsError);
    expect(e).toBeInstanceOf(OpenRouterError);
    expect(entry.ToolError.name).toBe("ToolError");
  });
});
