/**
 * `openrouter-fetch/testing`: test your OpenRouter code without a key or network.
 * Re-exports only. Node-only (uses node:http and node:fs).
 */
export { createMockOpenRouter } from "./mock.js";
export type { MockOpenRouter, MockOpenRouterOptions, MockListening, MockRequestLog, MockGeneration, MockPreset } from "./mock.js";
export type { MockStreamEvent } from "./sse-events.js";
export { VIDEO_POLLS_TO_COMPLETE } from "./resources.js";
export type { MockScenario, MockReply, MockToolCall, MockErrorReply, MockChatRequest } from "./replies.js";
export { defaultReply, exampleForSchema } from "./replies.js";
export { FAULT_NAMES, isFaultName, parseFaultHeader } from "./faults.js";
export type { FaultName, FaultOptions, FaultSpec } from "./faults.js";
export { BUILTIN_MODELS, findModel } from "./catalogue.js";
export type { MockModel } from "./catalogue.js";
export { countTokens, promptTokens, costOf, TOKENS_PER_MESSAGE, TOKENS_PER_REQUEST } from "./usage.js";
export { recordFetch, replayFetch, ReplayMissError, listRecordings } from "./record.js";
export type { RecordFetchOptions, RecordingFetch, ReplayFetchOptions, ReplayingFetch } from "./record.js";
export { loadRecordings, normaliseBody, normalisePath, IGNORED_BODY_KEYS } from "./fixtures.js";
export type { RecordedExchange } from "./fixtures.js";
export { noNetwork, noNetworkFromEnv, NetworkBlockedError, isLoopbackHost } from "./no-network.js";
export type { NoNetworkOptions } from "./no-network.js";
export { loadRequestValidators, validatorsFromSpec, embeddedValidators } from "./validate.js";
export type { RequestIssue, RequestValidators } from "./validate.js";
