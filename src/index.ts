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
  isOpenRouterError,
} from "./errors.js";
export type { ErrorKind } from "./errors.js";
export type { paths, components, operations } from "./generated/openrouter.js";
export { parseModelId, withVariant, isVariant, isRoutingOnlyVariant, fallbackModels, providerPreferences, VARIANTS } from "./routing.js";
export type { Variant, ParsedModelId, ProviderPreferences } from "./routing.js";
export { costOf, estimateCost, generationCost, fetchGeneration, hasFixedPricing } from "./cost.js";
export type { CallCost, CostDetails, CostEstimate, GenerationCost } from "./cost.js";
export { UsageTracker } from "./usage.js";
export type { UsageSnapshot, UsageTotals, PendingEntry, ReconcileReport } from "./usage.js";
export { ModelRegistry } from "./models.js";
export type { Model, ModelFilters, ResolvedModel } from "./models.js";
export { estimateTokens, fitsContext } from "./tokens.js";
export type { ContextFit } from "./tokens.js";
export type { PreSendOptions } from "./guards.js";
export { ChatStream } from "./stream.js";
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
