/**
 * `npm run demo`: openrouter-fetch in one command.
 *
 * Without OPENROUTER_API_KEY it starts the built-in OpenRouter stand-in (openrouter-fetch/testing) on
 * 127.0.0.1 and runs against it: no key, no network, no cost. With the key set it runs against the real
 * service (`--model` picks the model; default openai/gpt-4o-mini, which costs a fraction of a cent here).
 *
 * Sections: a plain chat with its cost, a streamed answer printed as it arrives, a tool-calling loop,
 * structured output, and the session's usage/cost table. Each section reports clearly and moves on if
 * the piece of the library it shows is missing. The key is never printed.
 */
import { OpenRouter } from "../src/index.js";
import { defineTool } from "../src/agents/tools.js";
import { createMockOpenRouter, noNetwork, type MockOpenRouter } from "../src/testing/index.js";
import { bold, cyan, dim, green, heading, table, usd, yellow } from "./format.js";

const DEFAULT_MODEL = "openai/gpt-4o-mini";

interface Args {
  model: string;
  help: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { model: DEFAULT_MODEL, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--help" || a === "-h") args.help = true;
    else if (a === "--model" || a === "-m") {
      const value = argv[++i];
      if (!value || value.startsWith("-")) throw new Error("--model needs a model id, e.g. --model anthropic/claude-haiku-4.5");
      args.model = value;
    } else if (a.startsWith("--model=")) args.model = a.slice("--model=".length);
    else throw new Error(`unknown argument ${a} (try --help)`);
  }
  return args;
}

const HELP = `Usage: npm run demo [-- --model <author/slug>]

Runs a tour of openrouter-fetch: chat with cost, streaming, a tool loop, structured output and a
usage/cost table. Without OPENROUTER_API_KEY it uses the built-in OpenRouter stand-in (no network).`;

/** The client methods the demo shows; optional so a build missing one still runs the other sections. */
interface DemoClient {
  chat: OpenRouter["chat"];
  chatStream: OpenRouter["chatStream"];
  runTools?: (params: Record<string, unknown>) => Promise<{
    text: string;
    steps: Array<{ toolCalls: Array<{ name: string; arguments: string; content: string }> }>;
    usage?: UsageFields | undefined;
    cost?: number | undefined;
  }>;
  structured?: (params: Record<string, unknown>) => Promise<{ data: unknown; model: string; attempts?: number; usage?: UsageFields | undefined; cost?: number | undefined }>;
  usage?: { snapshot(): UsageLike };
}

interface TotalsLike {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costUsd: number;
}
interface UsageLike extends TotalsLike {
  byModel: Record<string, TotalsLike>;
}

interface UsageFields {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

class Missing extends Error {}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === null) throw new Missing(`${what} is not available in this build yet`);
  return value;
}

/** What the demo saw itself, for the summary when the client has no usage tracker. */
const tally = new Map<string, TotalsLike>();
function count(model: string, usage: UsageFields | undefined, cost: number | undefined) {
  const t = tally.get(model) ?? { requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0 };
  t.requests += 1;
  t.promptTokens += usage?.prompt_tokens ?? 0;
  t.completionTokens += usage?.completion_tokens ?? 0;
  t.totalTokens += usage?.total_tokens ?? 0;
  t.costUsd += cost ?? 0;
  tally.set(model, t);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  const apiKey = process.env["OPENROUTER_API_KEY"]?.trim() || undefined;
  let mock: MockOpenRouter | undefined;
  let client: OpenRouter;
  let restoreNetwork = () => {};
  if (apiKey === undefined) {
    // Proof, not a promise: with the stand-in any request leaving 127.0.0.1 would fail loudly.
    restoreNetwork = noNetwork();
    // A small delay between stream chunks so the streamed answer visibly arrives piece by piece.
    mock = createMockOpenRouter({ chunkDelayMs: 25 });
    const { baseUrl } = await mock.listen();
    console.log(`No OPENROUTER_API_KEY set: running against the built-in OpenRouter stand-in at ${baseUrl} (no network, no key, no cost).`);
    client = new OpenRouter({ apiKey: "stand-in", baseUrl, appName: "openrouter-fetch demo" });
  } else {
    console.log(`OPENROUTER_API_KEY is set: running against the real OpenRouter API with ${args.model}.`);
    client = new OpenRouter({ apiKey, appName: "openrouter-fetch demo" });
  }
  const c = client as unknown as DemoClient;
  const model = args.model;
  console.log(dim(`model: ${model}${mock ? " (stand-in answers are deterministic echoes)" : ""}`));

  let failures = 0;
  /** True while a streamed answer is mid-line, so a failure message starts on a line of its own. */
  let openLine = false;
  async function section(n: number, title: string, body: () => Promise<void>) {
    console.log(heading(n, title));
    try {
      await body();
    } catch (e) {
      if (openLine) process.stdout.write("\n");
      openLine = false;
      if (e instanceof Missing) {
        console.log(yellow(`skipped: ${e.message}`));
      } else {
        failures += 1;
        const err = e as { name?: string; message?: string };
        console.log(yellow(`failed: ${err.name ?? "Error"}: ${err.message ?? String(e)}`));
      }
    }
  }

  await section(1, "Chat, with its cost", async () => {
    const question = "In one sentence: what does OpenRouter do?";
    console.log(`${cyan("you:")} ${question}`);
    const result = await c.chat({ model, messages: [{ role: "user", content: question }] });
    console.log(`${green("model:")} ${result.text}`);
    console.log(`cost: ${bold(usd(result.cost))} ${dim(`· ${result.usage?.total_tokens ?? "?"} tokens · ${result.model}${result.provider ? ` via ${result.provider}` : ""} · ${result.generationId ?? "no generation id"}`)}`);
    count(result.model, result.usage, result.cost);
  });

  await section(2, "Streaming, printed as it arrives", async () => {
    const question = "Count from one to ten in words.";
    console.log(`${cyan("you:")} ${question}`);
    process.stdout.write(`${green("model:")} `);
    openLine = true;
    const stream = c.chatStream({ model, messages: [{ role: "user", content: question }] });
    let pieces = 0;
    for await (const event of stream) {
      if (event.type === "content") {
        process.stdout.write(event.text);
        pieces += 1;
      }
    }
    const final = await stream.final();
    process.stdout.write("\n");
    openLine = false;
    console.log(dim(`${pieces} chunks · ${final.usage?.total_tokens ?? "?"} tokens · cost ${usd(final.cost)}`));
    count(final.model, final.usage, final.cost);
  });

  await section(3, "Tool calling (client.runTools)", async () => {
    const runTools = need(c.runTools, "client.runTools");
    const weather = defineTool({
      name: "get_weather",
      description: "Current weather for a city",
      parameters: {
        type: "object",
        properties: { city: { type: "string", description: "City name, e.g. Paris" } },
        required: ["city"],
        additionalProperties: false,
      },
      // A stand-in for a real weather API: the point is the loop, not the forecast.
      execute: ({ city }) => ({ city, temperature_c: 18, conditions: "sunny" }),
    });
    const question = "What's the weather like in Paris right now?";
    console.log(`${cyan("you:")} ${question}`);
    const run = await runTools.call(client, { model, messages: [{ role: "user", content: question }], tools: [weather] });
    for (const step of run.steps) {
      for (const call of step.toolCalls) console.log(`${yellow("tool:")} ${call.name}(${call.arguments}) → ${call.content}`);
    }
    console.log(`${green("model:")} ${run.text}`);
    console.log(dim(`${run.steps.length} model calls · cost ${usd(run.cost)}`));
    count(model, run.usage, run.cost);
  });

  await section(4, "Structured output (client.structured)", async () => {
    const structured = need(c.structured, "client.structured");
    const schema = {
      type: "object",
      properties: {
        name: { type: "string" },
        year: { type: "integer" },
        languages: { type: "array", items: { type: "string" } },
      },
      required: ["name", "year", "languages"],
      additionalProperties: false,
    } as const;
    const question = "Describe the TypeScript programming language.";
    console.log(`${cyan("you:")} ${question}`);
    const out = await structured.call(client, { model, messages: [{ role: "user", content: question }], schema, name: "language" });
    console.log(`${green("data:")} ${JSON.stringify(out.data)}`);
    console.log(dim(`valid against the schema after ${out.attempts ?? 1} attempt(s) · cost ${usd(out.cost)}`));
    count(out.model ?? model, out.usage, out.cost);
  });

  await section(5, "Session usage and cost", async () => {
    const snapshot = c.usage?.snapshot();
    const rows = snapshot ? Object.entries(snapshot.byModel) : [...tally.entries()];
    const total = snapshot ?? [...tally.values()].reduce<TotalsLike>(
      (a, t) => ({
        requests: a.requests + t.requests,
        promptTokens: a.promptTokens + t.promptTokens,
        completionTokens: a.completionTokens + t.completionTokens,
        totalTokens: a.totalTokens + t.totalTokens,
        costUsd: a.costUsd + t.costUsd,
      }),
      { requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0 },
    );
    const line = (name: string, t: TotalsLike) => [name, String(t.requests), String(t.promptTokens), String(t.completionTokens), String(t.totalTokens), usd(t.costUsd)];
    console.log(table(["model", "requests", "prompt", "completion", "total tokens", "cost (USD)"], [...rows.map(([m, t]) => line(m, t)), line("total", total)]));
    if (!snapshot) console.log(yellow("note: client.usage is not available in this build yet; the demo tallied the calls itself."));
    if (mock) console.log(dim(`stand-in served ${mock.requests.length} requests; its books say ${usd(mock.totalCost)}.`));
  });

  await mock?.close();
  restoreNetwork();
  console.log(`\n${bold(failures === 0 ? "Done." : `Done, with ${failures} failed section(s).`)}`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`demo: ${(e as Error)?.message ?? String(e)}`);
    process.exit(2);
  },
);
