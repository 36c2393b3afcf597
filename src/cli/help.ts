/**
 * `--help` texts of the `openrouter` CLI, one per command, plus the exit-code table they share.
 */

const EXIT_CODES = `Exit codes:
  0    success
  1    API error (402 credits, 429 rate limit, 5xx, error inside a stream, invalid structured output, …)
  2    usage error (unknown command/option, missing argument, unreadable --json-schema file)
  3    missing API key (OPENROUTER_API_KEY unset) or key rejected (401)
  4    bad or unknown model id, or generation/model not found (404)
  5    network failure (connection refused/reset, DNS, client-side timeout)
  130  interrupted (Ctrl-C)`;

const GLOBAL = `Global options:
  --base-url <url>   API base URL (default: $OPENROUTER_BASE_URL or https://openrouter.ai/api/v1),
                     e.g. a local stand-in: http://127.0.0.1:8787/api/v1
  -h, --help         show help (also after a command: openrouter chat --help)
  -V, --version      print the version

Environment:
  OPENROUTER_API_KEY   your API key (never printed); needed by chat, generation and key
  OPENROUTER_BASE_URL  default for --base-url
  OPENROUTER_MODEL     default for chat --model`;

export const MAIN_HELP = `openrouter: talk to OpenRouter from the terminal (openrouter-fetch CLI)

Usage: openrouter <command> [options]

Commands:
  chat "prompt"       send a prompt; the answer streams to stdout, tokens and cost to stderr
  models              list models as a table (filter, sort, limit)
  generation <id>     show the stats and cost of one generation
  key                 show the API key's usage and limits

${GLOBAL}

${EXIT_CODES}

Run "openrouter <command> --help" for a command's options.
`;

export const CHAT_HELP = `Usage: openrouter chat "prompt" [options]

Sends one prompt and streams the answer to stdout as it arrives. A last line on stderr reports the model,
provider, tokens, cost and generation id, so stdout holds only the answer. Use "-" as the prompt to read
it from stdin.

Options:
  -m, --model <id>         model id (default: $OPENROUTER_MODEL or openai/gpt-4o-mini)
      --variant <name>     model variant: nitro, floor, free, online, thinking, extended, exacto
  -s, --system <text>      a system message before the prompt
      --json-schema <file> ask for JSON matching this JSON Schema file; prints the validated JSON
                           (not streamed; repaired up to 2 times if the model's JSON is invalid)
      --no-stream          wait for the whole answer instead of streaming
      --max-tokens <n>     cap the answer's length
      --temperature <t>    sampling temperature (0-2)
  -h, --help               show this help

Examples:
  openrouter chat "Explain SSE in one sentence"
  openrouter chat "Hi" --model anthropic/claude-3.5-haiku --variant nitro
  openrouter chat "Invent a person" --json-schema person.schema.json
  git diff | openrouter chat - --system "Review this diff"

${GLOBAL}

${EXIT_CODES}
`;

export const MODELS_HELP = `Usage: openrouter models [options]

Lists the model catalogue as a table: id, context window, prices in USD per million tokens, name.
Needs no API key.

Options:
  -f, --filter <text>   keep models whose id or name contains every word of <text> (case-insensitive)
      --sort <key>      price (cheapest input first), context (largest first), name, or id (default)
  -n, --limit <n>       show at most n rows
      --json            print the models as JSON instead of a table
  -h, --help            show this help

Examples:
  openrouter models --filter claude --sort price
  openrouter models --sort context --limit 10

${GLOBAL}

${EXIT_CODES}
`;

export const GENERATION_HELP = `Usage: openrouter generation <id> [options]

Shows what OpenRouter recorded for one generation: model, provider, tokens, cost, latency. The id is the
"gen-…" printed on stderr by "openrouter chat". Stats can take a few seconds to appear after a call.

Options:
      --json      print the raw record as JSON
  -h, --help      show this help

${GLOBAL}

${EXIT_CODES}
`;

export const KEY_HELP = `Usage: openrouter key [options]

Shows the current API key's label, usage, limit and remaining credit (never the key itself).

Options:
      --json      print the raw record as JSON
  -h, --help      show this help

${GLOBAL}

${EXIT_CODES}
`;
