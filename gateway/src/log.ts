/**
 * The CLI server's request log: pino writing JSON lines asynchronously (sonic-boom), so no request waits for a
 * write to a slow pipe or terminal. Lines wait in memory only while an earlier write is in flight. `close()`
 * (on SIGTERM, after the gateway has drained) resolves once every line is written; pino's exit hook writes
 * what is left synchronously if the process exits another way.
 */
import pino, { type Logger } from "pino";

export interface RequestLog {
  logger: Logger;
  /** Writes every pending line, then ends the destination (a standard stream stays open). */
  close(): Promise<void>;
}

/** How long `close()` waits for the last writes before giving up (then pino's exit hook writes the rest). */
const CLOSE_WAIT_MS = 2_000;

/** The request log on `dest`: a file descriptor (default stdout) or a file path. Keys and headers are never logged. */
export function requestLog(dest: number | string = 1, options: { closeWaitMs?: number } = {}): RequestLog {
  const destination = pino.destination({ dest, sync: false });
  const logger = pino({ base: null, redact: { paths: ["authorization", "*.authorization", "key"], remove: true } }, destination);
  // A log that cannot be written must not take the gateway down (pino already drops lines after EPIPE).
  destination.on("error", () => undefined);
  let closing: Promise<void> | undefined;
  return {
    logger,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        // After a broken pipe pino turns `end` into a no-op, so no "close" would ever come: the wait is
        // bounded (a SIGTERM must not hang), and pino's exit hook writes synchronously whatever is pending.
        const timer = setTimeout(resolve, options.closeWaitMs ?? CLOSE_WAIT_MS);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        destination.once("close", done);
        destination.once("error", done);
        destination.end();
      })),
  };
}
