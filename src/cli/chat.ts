/**
 * `openrouter chat "prompt"`: streams the answer to stdout, then one summary line (model, provider, tokens,
 * cost, generation id) to stderr, so `openrouter chat … > answer.txt` captures only the answer.
 */
import { readFileSync } from "node:fs";
import type { ChatParams } from "../client.js";
import type { ChatMessage, ChatResult } from "../core/result.js";
import { VARIANTS, isVariant, parseModelId, withVariant } from "../accounting/routing.js";
import { CliError, EXIT, UsageError } from "./exit-codes.js";
import { tokens, usd } from "./format.js";
import { CHAT_HELP } from "./help.js";
import { type CommandContext, parseCommandArgs, positiveInt } from "./args.js";

/** The default model: cheap, fast and always listed. */
export const DEFAULT_CHAT_MODEL = "openai/gpt-4o-mini";

const OPTIONS = {
  model: { type: "string", short: "m" },
  variant: { type: "string" },
  system: { type: "string", short: "s" },
  "json-schema": { type: "string" },
  "no-stream": { type: "boolean" },
  "max-tokens": { type: "string" },
  temperature: { type: "string" },
} as const;

/**
 * The one-line summary printed to stderr after an answer.
 *
 * @example
 * summaryLine(result); // "[openai/gpt-4o-mini via OpenAI · 12 in + 30 out tokens · $0.0000198 · gen-123]"
 */
export function summaryLine(result: Pick<ChatResult, "model" | "provider" | "usage" | "cost" | "generationId">): string {
  const parts: string[] = [];
  parts.push(result.provider ? `${result.model} via ${result.provider}` : result.model);
  const u = result.usage;
  if (u) {
    const reasoning = u.completion_tokens_details?.reasoning_tokens;
    parts.push(
      `${tokens(u.prompt_tokens)} in + ${tokens(u.completion_tokens)} out tokens` +
        (typeof reasoning === "number" && reasoning > 0 ? ` (${tokens(reasoning)} reasoning)` : ""),
    );
  } else {
    parts.push("tokens n/a");
  }
  parts.push(result.cost === undefined ? "cost n/a" : usd(result.cost));
  if (result.generationId) parts.push(result.generationId);
  return `[${parts.join(" · ")}]`;
}

/** Resolves --model and --variant into the id sent; a malformed id is exit code 4, a bad variant 2. */
function modelOf(model: string, variant: string | undefined): string {
  if (variant !== undefined && !isVariant(variant)) {
    throw new UsageError(`chat: unknown --variant ${JSON.stringify(variant)}; expected one of ${VARIANTS.join(", ")}`);
  }
  try {
    parseModelId(model);
  } catch (error) {
    throw new CliError(`chat: ${(error as Error).message}`, EXIT.NOT_FOUND);
  }
  if (variant === undefined) return model;
  try {
    return withVariant(model, variant);
  } catch (error) {
    throw new UsageError(`chat: ${(error as Error).message}`);
  }
}

function readSchema(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`chat: cannot read --json-schema file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`chat: --json-schema file ${path} is not JSON: ${(error as Error).message}`);
  }
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new UsageError(`chat: --json-schema file ${path} must hold a JSON Schema object`);
  }
  return schema as Record<string, unknown>;
}

/**
 * Runs `openrouter chat`.
 *
 * @example
 * await chatCommand(ctx); // ctx.args = ["Hello", "--model", "openai/gpt-4o-mini"]
 */
export async function chatCommand(ctx: CommandContext): Promise<void> {
  const { io } = ctx;
  const { values, positionals } = parseCommandArgs("chat", ctx.args, OPTIONS);
  if (values.help) {
    io.stdout.write(CHAT_HELP);
    return;
  }
  let prompt = positionals.join(" ");
  if (prompt === "-") prompt = (await io.readStdin()).trim();
  if (prompt.trim() === "") throw new UsageError('chat: missing prompt (openrouter chat "your question"; "-" reads stdin)');

  const model = modelOf(values.model ?? (io.env["OPENROUTER_MODEL"]?.trim() || DEFAULT_CHAT_MODEL), values.variant);
  const maxTokens = positiveInt("chat", "--max-tokens", values["max-tokens"]);
  let temperature: number | undefined;
  if (values.temperature !== undefined) {
    temperature = Number(values.temperature);
    if (!Number.isFinite(temperature) || temperature < 0 || temperature > 2) {
      throw new UsageError(`chat: --temperature must be a number from 0 to 2, got ${JSON.stringify(values.temperature)}`);
    }
  }
  const schema = values["json-schema"] === undefined ? undefined : readSchema(values["json-schema"]);

  const messages: ChatMessage[] = [];
  if (values.system !== undefined) messages.push({ role: "system", content: values.system });
  messages.push({ role: "user", content: prompt });
  const params = {
    model,
    messages,
    ...(maxTokens !== undefined && { max_tokens: maxTokens }),
    ...(temperature !== undefined && { temperature }),
  } as ChatParams;

  const client = ctx.client(true);
  const options = { signal: io.signal };

  if (schema) {
    // Loaded only here: the validator (ajv) is not needed by any other command.
    const { structured } = await import("../agents/structured.js");
    const result = await structured(client, { ...params, messages, schema }, options);
    io.stdout.write(`${JSON.stringify(result.data, null, 2)}\n`);
    io.stderr.write(`${summaryLine(result)}${result.attempts > 1 ? ` (${result.attempts} attempts)` : ""}\n`);
    return;
  }

  if (values["no-stream"]) {
    const result = await client.chat(params, options);
    const text = result.text || result.refusal || "";
    io.stdout.write(text.endsWith("\n") || text === "" ? text : `${text}\n`);
    io.stderr.write(`${summaryLine(result)}\n`);
    return;
  }

  const stream = client.chatStream(params, options);
  let last = "";
  let result: ChatResult | undefined;
  try {
    for await (const event of stream) {
      if (event.type === "content" || event.type === "refusal") {
        io.stdout.write(event.text);
        if (event.text !== "") last = event.text;
      } else if (event.type === "done") {
        result = event.result;
      }
    }
  } finally {
    // Whatever was printed ends its line, so the summary or the error starts on its own.
    if (last !== "" && !last.endsWith("\n")) io.stdout.write("\n");
  }
  result ??= await stream.final();
  io.stderr.write(`${summaryLine(result)}\n`);
}
