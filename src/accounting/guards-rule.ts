/**
 * Whether a chat call needs the pre-send checks at all. Static and tiny on purpose: the client asks it on
 * every call (the budget can be set at any time), and only a `true` loads the checks themselves (guards.ts).
 */

/** Which checks to run; all off by default. */
export interface PreSendOptions {
  /** Unknown model ids fail before sending, with the closest known ids suggested. */
  validateModel?: boolean | undefined;
  /** Tools / response_format / structured outputs / reasoning the model does not support fail before sending. */
  preflight?: boolean | undefined;
  /** A prompt (+ max_tokens) that cannot fit the context window fails with `ContextLengthError` before sending. */
  checkContext?: boolean | undefined;
  /** Overrides the tracker's budget for this check. */
  budgetUsd?: number | undefined;
}

/**
 * True when any pre-send check is switched on (a client can skip the call entirely otherwise).
 *
 * @example
 * if (needsPreSendChecks(options, client.usage)) await runPreSendChecks({ body, registry, usage, options });
 */
export function needsPreSendChecks(options: PreSendOptions, usage?: { readonly budgetUsd: number | undefined }): boolean {
  return Boolean(
    options.validateModel || options.preflight || options.checkContext || options.budgetUsd !== undefined || usage?.budgetUsd !== undefined,
  );
}
