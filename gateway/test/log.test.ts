/**
 * The CLI server's request log: written asynchronously (a request does not wait for the write), and nothing
 * is lost when it is closed on the way out; keys and headers never reach it.
 */
import type { EventEmitter } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { requestLog, type RequestLog } from "../src/log.js";
import { tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const linesOf = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : []);

describe("requestLog", () => {
  it("writes asynchronously, and close() resolves only once every line is written", async () => {
    const file = `${tmp.dir}/requests.log`;
    const log = requestLog(file);
    const N = 3000;
    for (let i = 0; i < N; i++) log.logger.info({ requestId: `req_${i}`, key: "sk-gw-secret", authorization: "Bearer sk-gw-secret", status: 200 }, "request");
    // Nothing waited for the file: the lines are still on their way (a synchronous logger would have them all).
    expect(linesOf(file).length).toBeLessThan(N);
    await log.close();
    const lines = linesOf(file);
    expect(lines).toHaveLength(N);
    expect(JSON.parse(lines[N - 1]!)).toMatchObject({ requestId: `req_${N - 1}`, status: 200, msg: "request" });
    expect(readFileSync(file, "utf8")).not.toContain("sk-gw-secret");
  });

  it("a log that cannot be written neither crashes the gateway nor keeps close() waiting", async () => {
    const destinationOf = (log: RequestLog) => (log.logger as unknown as Record<symbol, EventEmitter>)[pino.symbols.streamSym]!;
    const failure = (code: string) => Object.assign(new Error(code), { code });
    // Any write error: pino hands it on; unheard, it would be thrown out of the process.
    const failing = requestLog(`${tmp.dir}/failing.log`);
    expect(() => destinationOf(failing).emit("error", failure("EIO"))).not.toThrow();
    await failing.close();
    // The reader went away: pino makes `end` a no-op, so the destination never closes.
    const broken = requestLog(`${tmp.dir}/broken.log`, { closeWaitMs: 50 });
    broken.logger.info({ requestId: "req_0" }, "request");
    destinationOf(broken).emit("error", failure("EPIPE"));
    await expect(broken.close()).resolves.toBeUndefined();
  });
});
