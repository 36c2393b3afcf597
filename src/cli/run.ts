/**
 * The CLI's dispatcher: splits global options from the command, builds the client, runs the command and
 * turns whatever it throws into a message on stderr and an exit code. Everything process-specific comes in
 * through {@link CliIo}, so `main.ts` is the only file that touches `process`.
 */
import { parseArgs } from "node:util";
import { DEFAULT_BASE_URL, OpenRouter } from "../client.js";
import { isOpenRouterError } from "../core/errors.js";
import { errorFromResponse } from "../core/wire-error.js";
import { chatCommand } from "./chat.js";
import { EXIT, type ExitCode, UsageError, exitCodeFor, CliError } from "./exit-codes.js";
import { generationCommand, keyCommand } from "./account.js";
import { MAIN_HELP } from "./help.js";
import { modelsCommand } from "./models.js";
import { redactingWriter } from "./redacting-writer.js";

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

type Command = (ctx: CommandContext) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  chat: chatCommand,
  models: modelsCommand,
  generation: generationCommand,
  key: keyCommand,
};

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

function hintFor(code: ExitCode, command: string | undefined): string | undefined {
  switch (code) {
    case EXIT.MISSING_KEY:
      return "Set OPENROUTER_API_KEY to a key from https://openrouter.ai/keys.";
    case EXIT.NOT_FOUND:
      return command === "generation"
        ? "Check the id; a new generation's stats can take a few seconds to appear."
        : 'List the available model ids with "openrouter models --filter <text>".';
    case EXIT.NETWORK:
      return "Check your network, or --base-url / OPENROUTER_BASE_URL if you meant a local stand-in.";
    default:
      return undefined;
  }
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code. Never throws.
 *
 * @example
 * const code = await runCli(["models", "--limit", "5"], io);
 */
export async function runCli(argv: readonly string[], rawIo: CliIo): Promise<ExitCode> {
  const apiKey = rawIo.env["OPENROUTER_API_KEY"]?.trim() || undefined;
  // Belt and braces: nothing the CLI prints (answers, tables, errors) may contain the key, even split across
  // two writes (a streamed answer arrives in pieces).
  const stdout = redactingWriter(rawIo.stdout, apiKey);
  const stderr = redactingWriter(rawIo.stderr, apiKey);
  const io: CliIo = { ...rawIo, stdout, stderr };
  let command: string | undefined;
  try {
    const split = splitArgv(argv);
    command = split.command;
    const { rest, baseUrl: flagBaseUrl, help, version } = split;
    if (version) {
      io.stdout.write(`${io.version}\n`);
      return EXIT.OK;
    }
    if (command === undefined) {
      io[help ? "stdout" : "stderr"].write(MAIN_HELP);
      return help ? EXIT.OK : EXIT.USAGE;
    }
    if (command === "help") {
      const topic = rest[0];
      if (topic !== undefined && COMMANDS[topic]) return await runCli([topic, "--help"], io);
      io.stdout.write(MAIN_HELP);
      return EXIT.OK;
    }
    const run = COMMANDS[command];
    if (!run) throw new UsageError(`unknown command "${command}"; expected one of ${Object.keys(COMMANDS).join(", ")} (see openrouter --help)`);
    const baseUrl = flagBaseUrl ?? (io.env["OPENROUTER_BASE_URL"]?.trim() || DEFAULT_BASE_URL);
    checkBaseUrl(baseUrl);
    let client: OpenRouter | undefined;
    await run({
      io,
      args: rest,
      baseUrl,
      client(requireKey: boolean) {
        if (requireKey && apiKey === undefined) {
          throw new CliError(`missing API key: "openrouter ${command}" needs OPENROUTER_API_KEY`, EXIT.MISSING_KEY);
        }
        client ??= new OpenRouter({ apiKey, baseUrl, appName: "openrouter-fetch CLI" });
        return client;
      },
    });
    return EXIT.OK;
  } catch (error) {
    const code = exitCodeFor(error);
    if (code === EXIT.INTERRUPTED) {
      io.stderr.write("\nopenrouter: interrupted\n");
      return code;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`openrouter: error: ${message}\n`);
    const hint = hintFor(code, command);
    if (hint) io.stderr.write(`${hint}\n`);
    if (isOpenRouterError(error) && error.partial?.text && code !== EXIT.USAGE) {
      io.stderr.write(`(the answer so far was printed above; ${error.partial.text.length} characters)\n`);
    }
    return code;
  } finally {
    stdout.flush();
    stderr.flush();
  }
}

function checkBaseUrl(baseUrl: string): void {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new UsageError(`--base-url is not a valid URL: ${JSON.stringify(baseUrl)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--base-url must be an http(s) URL, got ${JSON.stringify(baseUrl)}`);
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

/** Turns an openapi-fetch `{ error, response }` into the library's typed error, so exit codes apply. */
export function apiFailure(method: string, path: string, response: Response, error: unknown): never {
  throw errorFromResponse(response.status, response.headers, typeof error === "string" ? error : JSON.stringify(error ?? ""), { method, path });
}
