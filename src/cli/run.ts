/**
 * The CLI's dispatcher: splits global options from the command, builds the client, runs the command and
 * turns whatever it throws into a message on stderr and an exit code. Everything process-specific comes in
 * through {@link CliIo}, so `main.ts` is the only file that touches `process`.
 */
import { DEFAULT_BASE_URL, OpenRouter } from "../client.js";
import { isOpenRouterError } from "../core/errors.js";
import { type CliIo, type CommandContext, checkBaseUrl, splitArgv } from "./args.js";
import { chatCommand } from "./chat.js";
import { EXIT, type ExitCode, UsageError, exitCodeFor, CliError } from "./exit-codes.js";
import { generationCommand, keyCommand } from "./account.js";
import { MAIN_HELP } from "./help.js";
import { modelsCommand } from "./models.js";
import { redactingWriter } from "./redacting-writer.js";

export type { CliIo, CommandContext };
export { splitArgv };

type Command = (ctx: CommandContext) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  chat: chatCommand,
  models: modelsCommand,
  generation: generationCommand,
  key: keyCommand,
};

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
    checkBaseUrl(baseUrl, apiKey !== undefined);
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

