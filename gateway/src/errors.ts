/**
 * Every error the gateway answers with has OpenAI's shape, `{"error":{"message","type","code"}}`, so the
 * apps' OpenAI SDKs raise their usual typed errors. Upstream failures keep their HTTP status.
 */
import { isOpenRouterError, type OpenRouterError } from "openrouter-fetch";

export interface GatewayErrorBody {
  error: { message: string; type: string; code: string | number | null; param?: string | null };
}

const TYPE_BY_STATUS: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "insufficient_quota",
  403: "permission_error",
  404: "not_found_error",
  408: "timeout_error",
  413: "invalid_request_error",
  415: "invalid_request_error",
  429: "rate_limit_error",
};

export function errorType(status: number): string {
  return TYPE_BY_STATUS[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

/** A gateway-made error: status, message and a stable code. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly param?: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "GatewayError";
  }
}

export function errorBody(status: number, message: string, code: string | number | null, param?: string): GatewayErrorBody {
  return { error: { message, type: errorType(status), code, ...(param !== undefined && { param }) } };
}

/** The HTTP status a client error stands for, when it did not come from an HTTP response. */
function statusOfKind(e: OpenRouterError): number {
  switch (e.kind) {
    case "timeout":
      return 504;
    case "circuit_open":
      return 503;
    case "network":
    case "invalid_response":
    case "stream":
      return 502;
    case "aborted":
      return 499;
    case "invalid_argument":
      return 400;
    default:
      return 502;
  }
}

/** Status and OpenAI-shaped body for anything thrown while serving a request. */
export function toErrorResponse(error: unknown): { status: number; body: GatewayErrorBody; headers?: Record<string, string> } {
  if (error instanceof GatewayError) {
    return { status: error.status, body: errorBody(error.status, error.message, error.code, error.param), ...(error.headers && { headers: error.headers }) };
  }
  if (isOpenRouterError(error)) {
    const status = typeof error.status === "number" && error.status >= 400 ? error.status : statusOfKind(error);
    const code = error.code ?? error.kind;
    const headers: Record<string, string> = {};
    if (status === 429 && error.retryAfterMs !== undefined) headers["retry-after"] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
    return { status, body: errorBody(status, `Upstream: ${error.message}`, code as string | number), headers };
  }
  return { status: 500, body: errorBody(500, "The gateway failed to handle this request.", "internal_error") };
}

/** Turn an upstream error body (OpenRouter's `{error:{code,message,metadata}}` or anything else) into OpenAI's shape. */
export function upstreamErrorBody(status: number, text: string): GatewayErrorBody {
  let message = `Upstream answered ${status}`;
  let code: string | number | null = status;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown; code?: unknown } };
    if (parsed && typeof parsed.error === "object" && parsed.error) {
      if (typeof parsed.error.message === "string") message = parsed.error.message;
      if (typeof parsed.error.code === "string" || typeof parsed.error.code === "number") code = parsed.error.code;
    }
  } catch {
    // Not JSON: keep the generic message rather than echoing an arbitrary upstream page.
  }
  return errorBody(status, message, code);
}
