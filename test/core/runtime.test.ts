/**
 * core/runtime.ts, the code behind a client's first request: what the client and its lazy pipeline read from
 * it are the modules' own functions, and the run loop arrives with it.
 */
import { describe, expect, it } from "vitest";
import * as runtime from "../../src/core/runtime.js";
import { createPipeline, wasAccepted } from "../../src/core/pipeline.js";
import { readChat, readJson, shapeError } from "../../src/core/read.js";
import { fetchTransport } from "../../src/core/transport.js";
import { callOf } from "../../src/core/request.js";
import { createResilience } from "../../src/core/resilience/run.js";

describe("core/runtime", () => {
  it("re-exports the pipeline, its readers, callOf, the fetch transport and the run loop", () => {
    expect({ ...runtime }).toEqual({ createPipeline, wasAccepted, readChat, readJson, shapeError, fetchTransport, callOf, createResilience });
  });

  it("callOf puts the per-call options on the call the chat verbs built", () => {
    const signal = new AbortController().signal;
    const call = runtime.callOf({ verb: "chat", method: "POST", path: "/chat/completions", stream: false }, { signal, timeoutMs: 5, fallbackModels: false });
    expect(call).toMatchObject({ signal, timeoutMs: 5, fallbackModels: [] });
  });
});
