/**
 * openrouter-fetch: the public surface, in one place. Re-exports only, each name listed on purpose: what a user
 * writes in their code (calls, options, results, errors to catch, types to annotate). Types that only describe
 * the library's insides stay unexported, so they can change without a breaking release.
 */

// Client: the class, its options, what a chat call takes and returns, and the generated API types.
export { OpenRouter } from "./client.js";
export type { OpenRouterOptions, CallOptions, ChatParams } from "./client.js";
export type {
  ChatRequest,
  ChatMessage,
  ChatResult,
  ChatTiming,
  Usage,
  ToolCallResult,
  AssistantMessage,
  ReasoningDetail,
  Annotation,
  CostSource,
} from "./core/result.js";
export type { RateLimitInfo } from "./core/rate-limit-headers.js";
export type { CostAnomaly } from "./core/reported-cost.js";
export type { paths, components, operations } from "./generated/openrouter.js";

// Errors: one base class, a subclass per kind of failure, and the checks callers branch on.
export {
  OpenRouterError,
  AuthenticationError,
  NotFoundError,
  ConnectionError,
  BudgetExceededError,
  InvalidArgumentError,
  isOpenRouterError,
} from "./core/errors.js";
// The errors only a running call throws reach the entry through a face, so they load with that call's code.
export {
  InsufficientCreditsError,
  PermissionDeniedError,
  ModerationError,
  ContextLengthError,
  BadRequestError,
  RateLimitError,
  TimeoutError,
  ProviderUnavailableError,
  ServerError,
  AbortError,
  InvalidResponseError,
  StreamError,
  CircuitOpenError,
  ResponseTooLargeError,
} from "./core/public.js";
// Through the public faces (accounting/public.ts says why): lazily loaded code throws them.
export { StructuredOutputError, MaxStepsError, ToolError } from "./agents/public.js";
export { VideoJobError } from "./verbs/public.js";
export type { ErrorKind } from "./core/errors.js";
export { isRetryable } from "./core/retry.js";

// Streaming: the stream a chatStream call returns, and the events it yields.
export { ChatStream } from "./stream/chat-stream.js";
export type {
  ChatStreamEvent,
  ContentEvent,
  ReasoningEvent,
  ToolCallEvent,
  RefusalEvent,
  AnnotationEvent,
  ImageEvent,
  FinishEvent,
  UsageEvent,
  DoneEvent,
  // What a stream reports once it has settled: code that parses a stream it fetched itself (the gateway)
  // annotates its `onSettled` value with it.
  ChatStreamSettled,
} from "./stream/chat-stream.js";

// Responses and Messages APIs: client.responses / client.messages, their results and stream events.
export type { Responses, ResponsesStream } from "./verbs/responses.js";
export type { Messages, MessagesStream } from "./verbs/messages.js";
export type {
  ResponsesParams,
  ResponsesResult,
  ResponsesResponse,
  ResponsesUsage,
  ResponsesOutputItem,
  ResponsesStreamEvent,
  ResponseLifecycleEvent,
  OutputItemEvent,
  ContentPartEvent,
  TextDeltaEvent,
  TextDoneEvent,
  FunctionCallArgumentsDoneEvent,
  ResponsesErrorEvent,
  ResponsesOtherEvent,
} from "./stream/responses-result.js";
export type {
  MessagesParams,
  MessagesResult,
  MessagesResponse,
  MessagesUsage,
  ContentBlock,
  ContentBlockDelta,
  ToolUse,
  MessagesStreamEvent,
  MessageStartEvent,
  ContentBlockStartEvent,
  ContentBlockDeltaEvent,
  ContentBlockStopEvent,
  MessageDeltaEvent,
  MessageStopEvent,
  PingEvent,
  MessagesErrorEvent,
  MessagesOtherEvent,
} from "./stream/messages-result.js";
export type { TextResultBase } from "./stream/text-results.js";
export type { AbortableStream } from "./stream/lazy-stream.js";

// Reliability: retries, circuit breaker, rate limits, hooks, telemetry, deadlines and size limits.
export type { RetryOptions } from "./core/retry.js";
export type { CircuitBreakerOptions, CircuitState } from "./core/resilience/circuit.js";
export type { RateLimitOptions } from "./core/resilience/rate-limit.js";
export type {
  Hooks,
  HookContext,
  RequestEvent,
  ResponseEvent,
  ErrorEvent,
  RetryEvent,
  FallbackEvent,
  ResultEvent,
  FallbackRecord,
} from "./core/resilience/hooks.js";
export type { TelemetryOptions } from "./core/resilience/span.js";
export type { InsufficientCreditsPolicy } from "./core/resilience/run.js";
export { DEFAULT_TIMEOUT_MS, DEFAULT_FIRST_EVENT_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS } from "./core/timeouts.js";
export { DEFAULT_MAX_RESPONSE_BYTES } from "./core/response-limit.js";
// The transport seam: what the `transport` option takes (`nodeTransport()` from `openrouter-fetch/node`, or your own).
export type { Transport, TransportRequest, TransportResponse, ResponseBody, ByteReader } from "./core/transport.js";

// Money and routing: model ids and variants, prices and costs, usage and budget, the model catalogue, tokens.
// The functions come through accounting/public.ts (and agents/public.ts below), which says why.
export { parseModelId, withVariant, isRoutingOnlyVariant, fallbackModels, providerPreferences } from "./accounting/public.js";
export type { Variant, ParsedModelId, ProviderPreferences } from "./accounting/routing.js";
export { costOf, estimateCost, hasFixedPricing } from "./accounting/public.js";
export type { CallCost, CostDetails, CostEstimate } from "./accounting/cost.js";
export { fetchGeneration, generationCost } from "./accounting/public.js";
export type { GenerationCost } from "./accounting/generation.js";
export { UsageTracker } from "./accounting/usage.js";
export type { UsageSnapshot, UsageTotals, ReconcileReport, BudgetReservation } from "./accounting/usage.js";
export { ModelRegistry } from "./accounting/models.js";
export type { Model, ModelFilters, ResolvedModel } from "./accounting/models.js";
export { estimateTokens, fitsContext } from "./accounting/public.js";
export type { ContextFit } from "./accounting/tokens.js";
export type { PreSendOptions } from "./accounting/guards.js";

// Structured output, tools, agents, conversations, embeddings, and the message content helpers.
export { defineTool, toolToWire } from "./agents/public.js";
export type { Tool, AnyTool, ToolContext, ToolDefinition } from "./agents/tools.js";
export { Conversation } from "./agents/public.js";
export type { ConversationOptions, ConversationSnapshot, ConversationStream, ConversationParams } from "./agents/conversation.js";
export type { FromSchema, JSONSchema, JsonValue } from "./agents/json-schema.js";
export type { StructuredParams, StructuredResult, StructuredStream, StructuredStreamEvent, DeepPartial } from "./agents/structured.js";
export type { RunToolsParams, RunToolsResult, RunToolsStream, RunToolsEvent, RunStep, ToolCallRecord, StopReason } from "./agents/agent.js";
export type { EmbedInput, EmbedOptions, EmbedResult, EmbeddingsUsage } from "./agents/embeddings.js";
export type { Validator, ValidatorOption, ValidationError, ValidationResult } from "./agents/validator/index.js";
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

// Management and small verbs: API keys (management key), presets, generation content and feedback.
export type { Keys } from "./verbs/keys.js";
export type { Presets } from "./verbs/presets.js";
export type { Generations } from "./verbs/generations.js";
export type { ManagementCallOptions } from "./verbs/json-call.js";
export type { ApiKey, CreatedKey, KeyListParams, KeyCreateParams, KeyUpdateParams, KeyListResponse, KeyResponse, KeyDeletedResponse } from "./verbs/keys-types.js";
export type {
  Preset,
  PresetVersion,
  PresetListParams,
  PresetListResponse,
  PresetResponse,
  PresetVersionListResponse,
  PresetVersionResponse,
} from "./verbs/presets-types.js";
export type { GenerationContentResponse, GenerationFeedbackParams, GenerationFeedbackResponse } from "./verbs/generations-types.js";
// Media and files: images, audio, video jobs, uploads, and the binary answers they return.
export type { Images, Image, ImageParams, ImageResult, ImageCallOptions, ImageModelList } from "./verbs/images.js";
export type { Audio, SpeechParams, SpeechResult, TranscribeParams, TranscriptionResult } from "./verbs/audio.js";
export type { Videos, VideoParams, VideoJob, VideoWaitOptions, VideoModelList } from "./verbs/videos.js";
export type { Files, FileObject, FileList, FileDeleted, FileListQuery, FileScope, FileUploadParams } from "./verbs/files.js";
export type { BinaryResponse } from "./verbs/binary.js";
export type { FileInput } from "./verbs/multipart.js";
