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
} from "./core/result.js";
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
  isOpenRouterError,
} from "./core/errors.js";
export { StructuredOutputError, MaxStepsError, ToolError } from "./agents/errors.js";
export type { ErrorKind } from "./core/errors.js";
export type { RateLimitInfo } from "./core/rate-limit-headers.js";
export type { paths, components, operations } from "./generated/openrouter.js";
export { parseModelId, withVariant, isVariant, isRoutingOnlyVariant, fallbackModels, providerPreferences, VARIANTS } from "./accounting/routing.js";
export type { Variant, ParsedModelId, ProviderPreferences } from "./accounting/routing.js";
export { costOf, estimateCost, hasFixedPricing } from "./accounting/cost.js";
export { generationCost, fetchGeneration } from "./accounting/generation.js";
export type { CallCost, CostDetails, CostEstimate } from "./accounting/cost.js";
export type { GenerationCost } from "./accounting/generation.js";
export { UsageTracker } from "./accounting/usage.js";
export type { UsageSnapshot, UsageTotals, PendingEntry, ReconcileReport, BudgetReservation } from "./accounting/usage.js";
export type { CostAnomaly } from "./core/reported-cost.js";
export { ModelRegistry } from "./accounting/models.js";
export type { Model, ModelFilters, ResolvedModel } from "./accounting/models.js";
export { estimateTokens, fitsContext } from "./accounting/tokens.js";
export type { ContextFit } from "./accounting/tokens.js";
export type { PreSendOptions } from "./accounting/guards.js";
export { ChatStream } from "./stream/chat-stream.js";
export { ResponseTooLargeError, DEFAULT_MAX_RESPONSE_BYTES } from "./core/body.js";
export { DEFAULT_TIMEOUT_MS, DEFAULT_FIRST_EVENT_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS } from "./core/timeouts.js";
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
} from "./stream/chat-stream.js";
export { defineTool, toolToWire } from "./agents/tools.js";
export type { Tool, AnyTool, ToolContext, ToolDefinition, ToolFailure } from "./agents/tools.js";
export { text, imageUrl, image, file, audio, video, toBase64, dataUrl } from "./core/content.js";
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
} from "./core/content.js";
export { Conversation } from "./agents/conversation.js";
export type { ConversationOptions, ConversationSnapshot, ConversationStream, ConversationParams } from "./agents/conversation.js";
export type { FromSchema, JSONSchema, JsonValue } from "./agents/json-schema.js";
export type { StructuredParams, StructuredResult, StructuredStream, StructuredStreamEvent, StructuredFailure, DeepPartial } from "./agents/structured.js";
export type { RunToolsParams, RunToolsResult, RunToolsStream, RunToolsEvent, RunStep, ToolCallRecord, StopReason } from "./agents/agent.js";
export type { EmbedInput, EmbedOptions, EmbedResult, EmbeddingsUsage } from "./agents/embeddings.js";
export type { Validator, ValidatorOption, ValidationError, ValidationResult } from "./agents/validator/index.js";
export { isRetryable, parseRetryAfter, parseAffordableTokens } from "./core/retry.js";
export type { RetryOptions } from "./core/retry.js";
export type { CircuitBreakerOptions, CircuitState } from "./core/resilience/circuit.js";
export type { RateLimitOptions } from "./core/resilience/rate-limit.js";
export type { Hooks, HookContext, RequestEvent, ResponseEvent, ErrorEvent, RetryEvent, FallbackEvent, ResultEvent, FallbackRecord } from "./core/resilience/hooks.js";
export type { TelemetryOptions } from "./core/resilience/telemetry.js";
export type { InsufficientCreditsPolicy, ResilientResult } from "./core/resilience/run.js";
