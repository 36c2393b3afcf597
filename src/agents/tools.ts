/**
 * Tools the model can call: a name, a description, a JSON Schema for the arguments and an `execute`
 * function. `defineTool` types `execute`'s arguments from the schema; the agent loop (`src/agents/agent.ts`) parses
 * and validates the model's arguments before `execute` runs. The validator is loaded with a dynamic import
 * at the first validation, so importing this module never pulls ajv into a bundle.
 */
import { InvalidArgumentError } from "../core/errors.js";
import type { components } from "../generated/openrouter.js";
import type { FromSchema, JSONSchema } from "./json-schema.js";
import type { ChatMessage, Usage } from "../core/result.js";
import type { ValidationError, ValidatorOption } from "./validator/types.js";
import { quote } from "../internal/quote.js";

export type FunctionTool = components["schemas"]["FunctionTool"];

/**
 * What a tool's `execute` receives besides its arguments.
 *
 * @example
 * execute: async ({ city }, { deps, signal }) => deps.weather.get(city, { signal })
 */
export interface ToolContext<Deps = unknown> {
  /** The caller's dependencies (database handles, API clients, the current user…), typed by the caller. */
  deps: Deps;
  /** The conversation so far, including the assistant message that asked for this call. A copy: read only. */
  messages: readonly ChatMessage[];
  /** The model call (1-based) whose tool calls are being executed. */
  step: number;
  /** Usage summed over every model call of the run so far. */
  usage: Usage;
  /** Aborted when the caller aborts the run; pass it on to fetches and timers. */
  signal: AbortSignal;
  /** The id the model gave this call (`tool_call_id` of the reply). */
  toolCallId: string;
}

/**
 * A tool as `runTools` uses it. `execute` is a property (not a method) so TypeScript checks the `deps`
 * type strictly against the run's `deps`.
 */
export interface Tool<Args = unknown, Deps = unknown, Result = unknown> {
  readonly name: string;
  readonly description: string | undefined;
  readonly parameters: JSONSchema;
  /** Sent as `function.strict`; providers that support it then guarantee schema-valid arguments. */
  readonly strict: boolean | undefined;
  /** Per-tool override of `runTools`' `maxToolRetries`. */
  readonly maxRetries: number | undefined;
  readonly execute: (args: Args, ctx: ToolContext<Deps>) => Result | Promise<Result>;
}

/** Any tool usable with a run whose `deps` are `Deps`. */
// biome-ignore lint/suspicious/noExplicitAny: tools with different argument types share one array.
export type AnyTool<Deps = any> = Tool<any, Deps, unknown>;

export interface ToolDefinition<S extends JSONSchema, Deps, Result> {
  /** 1–64 characters of `[A-Za-z0-9_-]` (OpenRouter's and the providers' limit). */
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. Declare it inline or `as const` for typed `args`. */
  parameters: S;
  strict?: boolean;
  maxRetries?: number;
  execute: (args: FromSchema<S>, ctx: ToolContext<Deps>) => Result | Promise<Result>;
}

const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Defines a tool. `args` is typed from `parameters`; annotate `ctx` to type the dependencies.
 *
 * @example
 * const weather = defineTool({
 *   name: "get_weather",
 *   description: "Current weather for a city",
 *   parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
 *   execute: async ({ city }, ctx: ToolContext<{ api: WeatherApi }>) => ctx.deps.api.current(city),
 * });
 */
export function defineTool<const S extends JSONSchema, Deps = unknown, Result = unknown>(
  definition: ToolDefinition<S, Deps, Result>,
): Tool<FromSchema<S>, Deps, Result> {
  if (typeof definition !== "object" || definition === null) throw new InvalidArgumentError("defineTool() expects a definition object");
  const { name, description, parameters, execute, strict, maxRetries } = definition;
  if (typeof name !== "string" || !TOOL_NAME.test(name)) {
    throw new InvalidArgumentError(`defineTool(): name must be 1-64 characters of A-Z, a-z, 0-9, _ or -; got ${quote(name)}`);
  }
  if (typeof parameters !== "object" || parameters === null || Array.isArray(parameters)) {
    throw new InvalidArgumentError(`defineTool("${name}"): parameters must be a JSON Schema object`);
  }
  if (parameters.type !== undefined && parameters.type !== "object") {
    throw new InvalidArgumentError(`defineTool("${name}"): parameters must describe an object (type: "object"); got type ${quote(parameters.type)}`);
  }
  if (typeof execute !== "function") throw new InvalidArgumentError(`defineTool("${name}"): execute must be a function`);
  if (description !== undefined && typeof description !== "string") throw new InvalidArgumentError(`defineTool("${name}"): description must be a string`);
  if (maxRetries !== undefined && !(Number.isInteger(maxRetries) && maxRetries >= 0)) {
    throw new InvalidArgumentError(`defineTool("${name}"): maxRetries must be a non-negative integer`);
  }
  return Object.freeze({ name, description, parameters, strict, maxRetries, execute });
}

/**
 * The wire form of a tool for `tools[]` in a chat request.
 *
 * @example
 * client.chat({ model, messages, tools: [toolToWire(weather)] });
 */
export function toolToWire(tool: AnyTool): FunctionTool {
  return {
    type: "function",
    function: {
      name: tool.name,
      ...(tool.description !== undefined && { description: tool.description }),
      parameters: tool.parameters as Record<string, unknown>,
      ...(tool.strict !== undefined && { strict: tool.strict }),
    },
  } as FunctionTool;
}

/** Why a tool call failed, as reported back to the model. */
export type ToolFailure =
  | { kind: "unknown_tool"; message: string }
  | { kind: "invalid_json"; message: string }
  | { kind: "invalid_arguments"; message: string; errors: ValidationError[] }
  | { kind: "execute_threw"; message: string; cause: unknown }
  | { kind: "repetition"; message: string };

/**
 * Parses and validates a model's raw arguments for `tool`. Returns the arguments or the failure to report.
 *
 * @example
 * const checked = await checkToolArguments(weather, '{"city":"Paris"}');
 * if (checked.ok) await weather.execute(checked.args, ctx);
 */
export async function checkToolArguments(
  tool: AnyTool,
  rawArguments: string,
  validator?: ValidatorOption,
): Promise<{ ok: true; args: unknown } | { ok: false; failure: ToolFailure }> {
  let args: unknown;
  try {
    args = rawArguments.trim() === "" ? {} : JSON.parse(rawArguments);
  } catch (e) {
    return { ok: false, failure: { kind: "invalid_json", message: `The arguments are not valid JSON (${e instanceof Error ? e.message : String(e)})` } };
  }
  const { prepareValidator, formatValidationErrors } = await import("./validator/index.js");
  const v = await prepareValidator(validator, tool.parameters);
  const result = v.validate(tool.parameters, args);
  if (!result.valid) {
    return {
      ok: false,
      failure: { kind: "invalid_arguments", message: `The arguments do not match the tool's parameters schema:\n${formatValidationErrors(result.errors)}`, errors: result.errors },
    };
  }
  return { ok: true, args };
}

/**
 * A tool's return value as the `content` of a tool message: strings as they are, `undefined` as `""`,
 * everything else as JSON.
 *
 * @example
 * toolOutputToContent({ temp: 21 }); // '{"temp":21}'
 */
export function toolOutputToContent(output: unknown): string {
  if (typeof output === "string") return output;
  if (output === undefined) return "";
  try {
    return JSON.stringify(output) ?? String(output);
  } catch {
    return String(output);
  }
}

