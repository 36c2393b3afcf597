/**
 * The bench's gateway process: a gateway (SQLite) in front of the fake upstream whose base URL is the first
 * argument. Prints one JSON line with its URL and a gateway key, then serves until killed.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGateway, createKey } from "../src/index.js";

const baseUrl = process.argv[3] as string;
const dir = mkdtempSync(join(tmpdir(), "gateway-bench-"));
const gateway = await createGateway({ db: join(dir, "bench.sqlite"), upstreamApiKey: "bench-upstream", upstreamBaseUrl: baseUrl, client: { retry: false } });
const { key } = await createKey(gateway.store.db, { name: "bench", budgetUsd: 1_000_000 }, Date.now());
const { url } = await gateway.listen({ port: 0 });
process.stdout.write(`${JSON.stringify({ gateway: url, key, dir })}\n`);
