/**
 * The CLI's argument handling and the context every command gets. Commands import this file, never run.ts
 * (which imports the commands), so the CLI has no import cycle.
 */
import { parseArgs } from "node:util";
import type { OpenRouter } from "../client.js";
import { InvalidResponseError } from "../core/call-errors.js";
import { isLoopback } from "../core/validate.js";
import { apiErrorOf } from "../core/pipeline.js";
import { UsageError } from "./exit-codes.js";

/** What the CLI needs from its process. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** The whole of stdin (for the prompt "-"). */
  readStdin(): Promise<string>;
  /** The package version, for --version. */
  version: string;
}

/** What every command gets. */
export interface CommandContext {
  io: CliIo;
  /** The command's own arguments (global options removed). */
  args: string[];
  baseUrl: string;
  /** A client; `requireKey` fails with exit code 3 when OPENROUTER_API_KEY is unset. */
  client(requireKey: boolean): OpenRouter;
}

/** Options accepted anywhere on the command line. */
const GLOBAL_OPTIONS = { "base-url": { type: "string" } } as const;

/**
 * Splits argv into the command, its arguments, and the global options given before or after it.
 * Exported for the tests of the CLI's argument handling.
 *
 * @example
 * splitArgv(["--base-url", "http://x", "chat", "hi"]); // { command: "chat", rest: ["hi"], baseUrl: "http://x", ... }
 */
export function splitArgv(argv: readonly string[]): {
  command: string | undefined;
  rest: string[];
  baseUrl: string | undefined;
  help: boolean;
  version: boolean;
} {
  let command: string | undefined;
  let baseUrl: string | undefined;
  let help = false;
  let version = false;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === "--base-url") {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) throw new UsageError("--base-url needs a URL");
      baseUrl = value;
      i++;
    } else if (arg.startsWith("--base-url=")) {
      baseUrl = arg.slice("--base-url=".length);
    } else if (command === undefined && (arg === "-h" || arg === "--help")) {
      help = true;
    } else if (command === undefined && (arg === "-V" || arg === "--version")) {
      version = true;
    } else if (command === undefined && !arg.startsWith("-")) {
      command = arg;
    } else if (command === undefined) {
      throw new UsageError(`unknown option ${arg} (options go after the command; see openrouter --help)`);
    } else {
      rest.push(arg);
    }
  }
  return { command, rest, baseUrl, help, version };
}

/**
 * Checks `--base-url` (or OPENROUTER_BASE_URL). With a key set, plain http is refused outside loopback, as the
 * client does; the CLI says so in its own terms (it has no switch to send the key unencrypted).
 */
export function checkBaseUrl(baseUrl: string, keySet = false): void {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new UsageError(`--base-url is not a valid URL: ${JSON.stringify(baseUrl)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--base-url must be an http(s) URL, got ${JSON.stringify(baseUrl)}`);
  }
  if (keySet && url.protocol === "http:" && !isLoopback(url.hostname)) {
    throw new UsageError(
      `--base-url ${JSON.stringify(url.origin)} is plain http to another machine while OPENROUTER_API_KEY is set: ` +
        "the key would travel unencrypted. Use https, or a loopback address (127.0.0.1, localhost)",
    );
  }
}

/**
 * `node:util` parseArgs with the CLI's conventions: strict, the global options allowed, and errors turned
 * into usage errors that name the command.
 *
 * @example
 * const { values, positionals } = parseCommandArgs("models", args, { limit: { type: "string", short: "n" } });
 */
export function parseCommandArgs<O extends Record<string, { type: "string" | "boolean"; short?: string }>>(
  command: string,
  args: string[],
  options: O,
) {
  try {
    return parseArgs({
      args,
      options: { ...options, ...GLOBAL_OPTIONS, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).replace(/\. To specify a positional.*$/s, "");
    throw new UsageError(`${command}: ${message} (see openrouter ${command} --help)`);
  }
}

/**
 * Parses a positive integer option.
 *
 * @example
 * positiveInt("models", "--limit", "10"); // 10
 */
export function positiveInt(command: string, flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${command}: ${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * The typed error of a `client.api` answer that did not succeed (the pipeline classified it already), so exit
 * codes apply; a 2xx without the expected body is an invalid response.
 */
export function failedReply(method: string, path: string, response: Response): never {
  throw apiErrorOf(response) ?? new InvalidResponseError(`The response has no body (${method} ${path}, status ${response.status})`, { method, path, status: response.status });
}
