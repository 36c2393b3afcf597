/**
 * `openrouter generation <id>` and `openrouter key`: the accounting endpoints, printed as aligned
 * `label  value` lines (or raw JSON with --json).
 */
import { InvalidResponseError } from "../core/call-errors.js";
import { UsageError } from "./exit-codes.js";
import { keyValues, tokens, usd } from "./format.js";
import { GENERATION_HELP, KEY_HELP } from "./help.js";
import { type CommandContext, failedReply, parseCommandArgs } from "./args.js";

const OPTIONS = { json: { type: "boolean" } } as const;

function ms(value: number | null | undefined): string | undefined {
  return typeof value === "number" ? `${value.toLocaleString("en-US")} ms` : undefined;
}

function str(value: unknown): string | undefined {
  return value === null || value === undefined || value === "" ? undefined : String(value);
}

/** The `data` object of a 2xx answer; a body without one is the server's fault, reported as such. */
function dataObject<T>(body: { data?: T }, method: string, path: string, status: number): T {
  const data = (body as { data?: unknown } | null)?.data;
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new InvalidResponseError(`The response has no data object (${method} ${path}, status ${status})`, { method, path, status });
  }
  return data as T;
}

/**
 * Runs `openrouter generation <id>`.
 *
 * @example
 * await generationCommand(ctx); // ctx.args = ["gen-123"]
 */
export async function generationCommand(ctx: CommandContext): Promise<void> {
  const { io } = ctx;
  const { values, positionals } = parseCommandArgs("generation", ctx.args, OPTIONS);
  if (values.help) {
    io.stdout.write(GENERATION_HELP);
    return;
  }
  const id = positionals[0];
  if (id === undefined || id.trim() === "") throw new UsageError("generation: missing generation id (openrouter generation gen-…)");
  if (positionals.length > 1) throw new UsageError(`generation: expected one id, got ${positionals.length}`);

  const client = ctx.client(true);
  const { data, error, response } = await client.api.GET("/generation", { params: { query: { id } }, signal: io.signal });
  if (error !== undefined || data === undefined) return failedReply("GET", `/generation?id=${encodeURIComponent(id)}`, response);
  const g = dataObject(data, "GET", "/generation", response.status);
  if (values.json) {
    io.stdout.write(`${JSON.stringify(g, null, 2)}\n`);
    return;
  }
  io.stdout.write(
    keyValues([
      ["id", g.id],
      ["model", str(g.model)],
      ["provider", str(g.provider_name)],
      ["created", str(g.created_at)],
      ["streamed", str(g.streamed)],
      ["cancelled", g.cancelled ? "yes" : undefined],
      ["finish", str(g.finish_reason)],
      ["tokens in", g.tokens_prompt == null ? undefined : tokens(g.tokens_prompt)],
      ["tokens out", g.tokens_completion == null ? undefined : tokens(g.tokens_completion)],
      ["native in", g.native_tokens_prompt == null ? undefined : tokens(g.native_tokens_prompt)],
      ["native out", g.native_tokens_completion == null ? undefined : tokens(g.native_tokens_completion)],
      ["reasoning", g.native_tokens_reasoning ? tokens(g.native_tokens_reasoning) : undefined],
      ["cached", g.native_tokens_cached ? tokens(g.native_tokens_cached) : undefined],
      ["cost", usd(g.total_cost)],
      ["cache discount", g.cache_discount ? usd(g.cache_discount) : undefined],
      ["byok", g.is_byok ? "yes" : undefined],
      ["latency", ms(g.latency)],
      ["generation time", ms(g.generation_time)],
    ]),
  );
}

/**
 * Runs `openrouter key`.
 *
 * @example
 * await keyCommand(ctx); // ctx.args = []
 */
export async function keyCommand(ctx: CommandContext): Promise<void> {
  const { io } = ctx;
  const { values, positionals } = parseCommandArgs("key", ctx.args, OPTIONS);
  if (values.help) {
    io.stdout.write(KEY_HELP);
    return;
  }
  if (positionals.length > 0) throw new UsageError(`key: unexpected argument ${JSON.stringify(positionals[0])} (the key comes from OPENROUTER_API_KEY)`);

  const client = ctx.client(true);
  const { data, error, response } = await client.api.GET("/key", { signal: io.signal });
  if (error !== undefined || data === undefined) return failedReply("GET", "/key", response);
  const k = dataObject(data, "GET", "/key", response.status);
  if (values.json) {
    io.stdout.write(`${JSON.stringify(k, null, 2)}\n`);
    return;
  }
  io.stdout.write(
    keyValues([
      // The label is OpenRouter's own masked form of the key (e.g. "sk-or-v1-abc...xyz"), never the key.
      ["label", str(k.label)],
      ["usage", usd(k.usage)],
      ["usage today", k.usage_daily === undefined ? undefined : usd(k.usage_daily)],
      ["usage this month", k.usage_monthly === undefined ? undefined : usd(k.usage_monthly)],
      ["limit", k.limit === null || k.limit === undefined ? "unlimited" : usd(k.limit)],
      ["remaining", k.limit_remaining === null || k.limit_remaining === undefined ? undefined : usd(k.limit_remaining)],
      ["limit resets", str(k.limit_reset)],
      ["free tier", k.is_free_tier === undefined ? undefined : k.is_free_tier ? "yes" : "no"],
      ["expires", str(k.expires_at)],
    ]),
  );
}
