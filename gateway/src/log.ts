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

/** The request log on `dest`: a file descriptor (default stdout) or a file path. Keys and headers are never logged. */
export function requestLog(dest: number | string = 1): RequestLog {
  const destination = pino.destination({ dest, sync: false });
  const logger = pino({ base: null, redact: { paths: ["authorization", "*.authorization", "key"], remove: true } }, destination);
  let closing: Promise<void> | undefined;
  return {
    logger,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        destination.once("close", () => resolve());
        // A destination that cannot be written any more has nothing left to wait for.
        destination.once("error", () => resolve());
        destination.end();
      })),
  };
}
