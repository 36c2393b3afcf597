/**
 * openrouter-fetch: the public surface, in one place. Re-exports only.
 */
export { OpenRouter, DEFAULT_BASE_URL } from "./client.js";
export type { OpenRouterOptions, CallOptions, ChatParams } from "./client.js";
export type {
  ChatResult,
  ChatTiming,
  CostSource,
  ToolCallResult,
  ChatRequest,
  ChatMessage,
  ChatResponse,
  ChatStreamChunk,
  Usage,
  ToolCall,
  ReasoningDetail,
  Annotation,
  AssistantMessage,
} from "./result.js";
export {
  OpenRouterError,
  AuthenticationError,
  InsufficientCreditsError,
  PermissionDeniedError,
  ModerationError,
  NotFoundError,
  ContextLengthError,
  BadRequestError,
  RateLimitError,
  TimeoutError,
  ProviderUnavailableError,
  ServerError,
  ConnectionError,
  AbortError,
  InvalidResponseError,
  StreamError,
  CircuitOpenError,
  BudgetExceededError,
  InvalidArgumentError,
  StructuredOutputError,
  MaxStepsError,
  ToolError,
  isOpenRouterError,
} from "./errors.js";
export type { ErrorKind } from "./errors.js";
export type { RateLimitInfo } from "./rate-limit-headers.js";
export type { paths, components, operations } from "./generated/openrouter.js";
export { parseModelId, withVariant, isVariant, isRoutingOnlyVariant, fallbackModels, providerPreferences, VARIANTS } from "./routing.js";
export type { Variant, ParsedModelId, ProviderPreferences } from "./routing.js";
export { costOf, estimateCost, generationCost, fetchGeneration, hasFixedPricing } from "./cost.js";
export type { CallCost, CostDetails, CostEstimate, GenerationCost } from "./cost.js";
export { UsageTracker } from "./usage.js";
export type { UsageSnapshot, UsageTotals, PendingEntry, ReconcileReport, BudgetReservation } from "./usage.js";
export type { CostAnomaly } from "./reported-cost.js";
export { ModelRegistry } from "./models.js";
export type { Model, ModelFilters, ResolvedModel } from "./models.js";
export { estimateTokens, fitsContext } from "./tokens.js";
export type { ContextFit } from "./tokens.js";
export type { PreSendOptions } from "./guards.js";
export { ChatStream } from "./stream.js";
export { ResponseTooLargeError, DEFAULT_MAX_RESPONSE_BYTES } from "./body.js";
export { DEFAULT_TIMEOUT_MS, DEFAULT_FIRST_EVENT_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS } from "./timeouts.js";
export type {
  ChatStreamEvent,
  ChatStreamInit,
  ChatStreamSettled,
  StreamOutcome,
  ContentEvent,
  ReasoningEvent,
  ToolCallEvent,
  RefusalEvent,
  AnnotationEvent,
  ImageEvent,
  FinishEvent,
  UsageEvent,
  DoneEvent,
} from "./stream.js";
export { defineTool, toolToWire } from "./tools.js";
export type { Tool, AnyTool, ToolContext, ToolDefinition, ToolFailure } from "./tools.js";
export { text, imageUrl, image, file, audio, video, toBase64, dataUrl } from "./content.js";
export type {
  ContentPart,
  TextContentPart,
  ImageUrlContentPart,
  InputAudioContentPart,
  FileContentPart,
  VideoUrlContentPart,
  Bytes,
  ImageDetail,
  AudioFormat,
} from "./content.js";
export { Conversation } from "./conversation.js";
export type { ConversationOptions, ConversationSnapshot, ConversationStream, ConversationParams } from "./conversation.js";
export type { FromSchema, JSONSchema, JsonValue } from "./json-schema.js";
export type { StructuredParams, StructuredResult, StructuredStream, StructuredStreamEvent, StructuredFailure, DeepPartial } from "./structured.js";
export type { RunToolsParams, RunToolsResult, RunToolsStream, RunToolsEvent, RunStep, ToolCallRecord, StopReason } from "./agent.js";
export type { EmbedInput, EmbedOptions, EmbedResult, EmbeddingsUsage } from "./embeddings.js";
export type { Validator, ValidatorOption, ValidationError, ValidationResult } from "./validator.js";
export { isRetryable, parseRetryAfter, parseAffordableTokens } from "./retry.js";
export type { RetryOptions } from "./retry.js";
export type { CircuitBreakerOptions, CircuitState } from "./circuit.js";
export type { RateLimitOptions } from "./rate-limit.js";
export type { Hooks, HookContext, RequestEvent, ResponseEvent, ErrorEvent, RetryEvent, FallbackEvent, ResultEvent, FallbackRecord } from "./hooks.js";
export type { TelemetryOptions } from "./telemetry.js";
export type { InsufficientCreditsPolicy, ResilientResult } from "./resilience.js";
