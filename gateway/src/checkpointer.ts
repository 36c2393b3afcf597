/**
 * SQLite WAL checkpoints off the request path. Left to SQLite, the commit that fills the WAL past 1000 pages
 * runs the checkpoint itself: it copies the WAL into the database and fsyncs it, some milliseconds in which
 * the event loop serves no one (the gateway's p99 at concurrency 1 was made of these). Here the gateway's
 * connection never checkpoints; a worker thread with its own connection to the same file runs PASSIVE
 * checkpoints on a timer, which never block the writer. Commits stay durable as before: a committed
 * transaction is in the WAL, which survives the process being killed.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma("busy_timeout = 1000");
const run = () => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy or locked: the next tick tries again; the WAL only grows a little meanwhile.
  }
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on("message", (m) => {
  if (m !== "close") return;
  clearInterval(timer);
  run();
  db.close();
  parentPort.postMessage("closed");
});
`;

export interface Checkpointer {
  close(): Promise<void>;
}

/** Starts checkpointing `file` (a SQLite database in WAL mode) every `intervalMs`. */
export function startCheckpointer(file: string, intervalMs = 200): Checkpointer {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(WORKER, { eval: true, workerData: { file, driver, intervalMs } });
  worker.unref();
  // A worker that cannot open the file (or dies) must not take the gateway down: SQLite then only lacks
  // checkpoints, and the next open checkpoints the whole WAL.
  worker.on("error", () => undefined);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        const done = () => resolve();
        worker.once("message", () => void worker.terminate().then(done, done));
        worker.once("exit", done);
        worker.postMessage("close");
      }),
  };
}
