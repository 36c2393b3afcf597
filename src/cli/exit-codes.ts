/**
 * Exit codes of the `openrouter` CLI and the mapping from errors to them. Scripts branch on these, so they
 * are part of the CLI's contract (documented in `--help` and docs/cli.md).
 */
import { isOpenRouterError } from "../core/errors.js";

/**
 * The CLI's exit codes.
 *
 * @example
 * if (code === EXIT.MISSING_KEY) console.error("set OPENROUTER_API_KEY");
 */
export const EXIT = Object.freeze({
  OK: 0,
  /** The API answered with an error not covered below (402, 429, 5xx, an in-band stream error, …). */
  API_ERROR: 1,
  /** Bad command line: unknown command or option, missing argument, unreadable --json-schema file. */
  USAGE: 2,
  /** No API key in OPENROUTER_API_KEY, or the API rejected it (401). */
  MISSING_KEY: 3,
  /** The model id is malformed or unknown, or the generation/model was not found (404). */
  NOT_FOUND: 4,
  /** The host could not be reached: connection refused/reset, DNS failure, client-side timeout. */
  NETWORK: 5,
  /** Interrupted with Ctrl-C. */
  INTERRUPTED: 130,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error raised by the CLI itself, carrying the exit code it should end with. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

/**
 * A bad command line (exit 2).
 *
 * @example
 * throw new UsageError("chat: missing prompt");
 */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.USAGE);
  }
}

// OpenRouter answers an unknown model id with a 400 (not a 404); these are its wordings.
const BAD_MODEL = /is not a valid model id|model .*(does not exist|not found)|no endpoints found|invalid model/i;

/**
 * Maps anything thrown while running a command to the exit code the process should end with.
 *
 * @example
 * exitCodeFor(new ConnectionError("fetch failed")); // 5
 */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (!isOpenRouterError(error)) return EXIT.API_ERROR;
  switch (error.kind) {
    case "authentication":
      return EXIT.MISSING_KEY;
    case "not_found":
      return EXIT.NOT_FOUND;
    case "network":
      return EXIT.NETWORK;
    case "timeout":
      // Our own clock ran out (no HTTP status): the host did not answer in time. 408/504/524 are API errors.
      return error.status === undefined ? EXIT.NETWORK : EXIT.API_ERROR;
    case "aborted":
      return EXIT.INTERRUPTED;
    case "invalid_request":
      return BAD_MODEL.test(error.message) ? EXIT.NOT_FOUND : EXIT.API_ERROR;
    case "invalid_argument":
      return EXIT.USAGE;
    default:
      return EXIT.API_ERROR;
  }
}
