/**
 * `openrouter models`: the catalogue as a table. Filtering and sorting happen here, on the one `GET /models`
 * answer, so the command needs no key and makes exactly one request.
 */
import type { components } from "../generated/openrouter.js";
import { UsageError } from "./exit-codes.js";
import { type Column, contextSize, perMillion, table } from "./format.js";
import { MODELS_HELP } from "./help.js";
import { type CommandContext, failedReply, parseCommandArgs, positiveInt } from "./args.js";

type Model = components["schemas"]["Model"];

/** The `--sort` keys. */
export const MODEL_SORTS = ["price", "context", "name", "id"] as const;
export type ModelSort = (typeof MODEL_SORTS)[number];

const OPTIONS = {
  filter: { type: "string", short: "f" },
  sort: { type: "string" },
  limit: { type: "string", short: "n" },
  json: { type: "boolean" },
} as const;

/** Input price per token; routers ("-1") and unknown prices sort last. */
function inputPrice(m: Model): number {
  const n = Number(m.pricing?.prompt);
  return Number.isFinite(n) && n >= 0 ? n : Number.POSITIVE_INFINITY;
}

function contextOf(m: Model): number {
  return m.context_length ?? m.top_provider?.context_length ?? 0;
}

/**
 * Filters (every word must appear in the id or name, case-insensitive), sorts and limits models.
 *
 * @example
 * selectModels(models, { filter: "claude haiku", sort: "price", limit: 5 });
 */
export function selectModels(models: readonly Model[], opts: { filter?: string | undefined; sort?: ModelSort | undefined; limit?: number | undefined }): Model[] {
  const words = (opts.filter ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  const kept = models.filter((m) => {
    const haystack = `${m.id} ${m.name ?? ""}`.toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
  const byId = (a: Model, b: Model) => a.id.localeCompare(b.id);
  const compare: Record<ModelSort, (a: Model, b: Model) => number> = {
    id: byId,
    name: (a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id) || byId(a, b),
    price: (a, b) => inputPrice(a) - inputPrice(b) || Number(a.pricing?.completion ?? 0) - Number(b.pricing?.completion ?? 0) || byId(a, b),
    context: (a, b) => contextOf(b) - contextOf(a) || byId(a, b),
  };
  // Infinity - Infinity is NaN: treat it as a tie.
  const sorted = kept.sort((a, b) => compare[opts.sort ?? "id"](a, b) || 0);
  return opts.limit === undefined ? sorted : sorted.slice(0, opts.limit);
}

const COLUMNS: Column<Model>[] = [
  { header: "MODEL", value: (m) => m.id },
  { header: "CONTEXT", value: (m) => contextSize(contextOf(m)), right: true },
  { header: "$/M IN", value: (m) => perMillion(m.pricing?.prompt), right: true },
  { header: "$/M OUT", value: (m) => perMillion(m.pricing?.completion), right: true },
  { header: "NAME", value: (m) => m.name ?? "", max: 40 },
];

/**
 * Runs `openrouter models`.
 *
 * @example
 * await modelsCommand(ctx); // ctx.args = ["--filter", "gpt", "--sort", "price"]
 */
export async function modelsCommand(ctx: CommandContext): Promise<void> {
  const { io } = ctx;
  const { values, positionals } = parseCommandArgs("models", ctx.args, OPTIONS);
  if (values.help) {
    io.stdout.write(MODELS_HELP);
    return;
  }
  if (positionals.length > 0) throw new UsageError(`models: unexpected argument ${JSON.stringify(positionals[0])} (use --filter <text>)`);
  const sort = values.sort;
  if (sort !== undefined && !(MODEL_SORTS as readonly string[]).includes(sort)) {
    throw new UsageError(`models: --sort must be one of ${MODEL_SORTS.join(", ")}, got ${JSON.stringify(sort)}`);
  }
  const limit = positiveInt("models", "--limit", values.limit);

  const client = ctx.client(false);
  const { data, error, response } = await client.api.GET("/models", { signal: io.signal });
  if (error !== undefined || data === undefined) return failedReply("GET", "/models", response);
  const all = Array.isArray(data.data) ? data.data : [];
  const models = selectModels(all, { filter: values.filter, sort: sort as ModelSort | undefined, limit });

  if (values.json) {
    io.stdout.write(`${JSON.stringify(models, null, 2)}\n`);
    return;
  }
  if (models.length === 0) {
    io.stderr.write(`no models match ${JSON.stringify(values.filter ?? "")} (of ${all.length})\n`);
    return;
  }
  io.stdout.write(table(models, COLUMNS));
  io.stderr.write(`${models.length} of ${all.length} models; prices in USD per million tokens\n`);
}
