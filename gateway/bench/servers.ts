/**
 * The bench's server process: the fake upstream and a gateway (SQLite) in front of it. Prints one JSON line
 * with their URLs and a gateway key, then serves until killed.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGateway, createKey } from "../src/index.js";
import { startFake } from "./fake-upstream.js";

const { baseUrl } = await startFake();
const dir = mkdtempSync(join(tmpdir(), "gateway-bench-"));
const gateway = await createGateway({ db: join(dir, "bench.sqlite"), upstreamApiKey: "bench-upstream", upstreamBaseUrl: baseUrl, client: { retry: false } });
const { key } = await createKey(gateway.store.db, { name: "bench", budgetUsd: 1_000_000 }, Date.now());
const { url } = await gateway.listen({ port: 0 });
process.stdout.write(`${JSON.stringify({ direct: baseUrl.replace(/\/api\/v1$/, ""), gateway: url, key, dir })}\n`);
