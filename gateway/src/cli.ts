/**
 * `openrouter-gateway serve | keys create | keys list | keys revoke`.
 */
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { createKey, listKeys, revokeKey, validateKeyInput } from "./admin.js";
import { createGateway } from "./gateway.js";
import { requestLog } from "./log.js";
import { openStore } from "./store.js";

const USAGE = `Usage:
  openrouter-gateway serve [--host 127.0.0.1] [--port 8787] [--db <file path or postgres:// URL>]
  openrouter-gateway keys create --name <name> [--budget <usd>] [--period day|month|total] [--rpm N] [--tpm N] [--models a,b] [--db …]
  openrouter-gateway keys list [--db …]
  openrouter-gateway keys revoke <id> [--db …]

Environment: OPENROUTER_API_KEY, OPENROUTER_BASE_URL, GATEWAY_ADMIN_TOKEN, DATABASE_URL, REDIS_URL,
GATEWAY_CORS_ORIGINS (comma-separated), GATEWAY_INSTANCE_ID, GATEWAY_PG_SCHEMA, GATEWAY_REDIS_PREFIX.`;

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

function die(message: string, code = 2): never {
  process.stderr.write(`openrouter-gateway: ${message}\n`);
  process.exit(code);
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "8787" },
      db: { type: "string" },
      name: { type: "string" },
      budget: { type: "string" },
      period: { type: "string" },
      rpm: { type: "string" },
      tpm: { type: "string" },
      models: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const db = values.db ?? process.env["DATABASE_URL"] ?? "gateway.sqlite";
  const pgSchema = process.env["GATEWAY_PG_SCHEMA"] || undefined;
  const [command, sub, arg] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command === "serve") {
    const host = values.host as string;
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) die(`--port must be 0..65535, got ${values.port}`);
    const adminToken = process.env["GATEWAY_ADMIN_TOKEN"] || undefined;
    if (!LOOPBACK.has(host) && !adminToken) die(`refusing to listen on ${host} without GATEWAY_ADMIN_TOKEN (anyone on the network could reach it)`);
    const apiKey = process.env["OPENROUTER_API_KEY"] || undefined;
    const log = requestLog();
    const gateway = await createGateway({
      db,
      pgSchema,
      upstreamApiKey: apiKey,
      upstreamBaseUrl: process.env["OPENROUTER_BASE_URL"] || undefined,
      adminToken,
      redisUrl: process.env["REDIS_URL"] || undefined,
      redisPrefix: process.env["GATEWAY_REDIS_PREFIX"] || undefined,
      corsOrigins: process.env["GATEWAY_CORS_ORIGINS"]?.split(",").map((s) => s.trim()).filter(Boolean),
      instanceId: process.env["GATEWAY_INSTANCE_ID"] || `${hostname()}:${port}`,
      logger: log.logger,
    });
    if (gateway.standIn) process.stdout.write("no OPENROUTER_API_KEY set: answering from the embedded OpenRouter stand-in (openrouter-fetch/testing)\n");
    const { url } = await gateway.listen({ port, host });
    process.stdout.write(`listening on ${url}\n`);
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      // Drain the requests (their log lines are written last), then wait for the log itself.
      gateway
        .close()
        .then(() => log.close())
        .then(
          () => process.exit(0),
          (e: unknown) => die(`shutdown failed: ${String(e)}`, 1),
        );
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
    return;
  }
  if (command === "keys") {
    const store = await openStore({ db, pgSchema });
    try {
      if (sub === "create") {
        const input = validateKeyInput({
          name: values.name,
          ...(values.budget !== undefined && { budgetUsd: Number(values.budget) }),
          ...(values.period !== undefined && { budgetPeriod: values.period }),
          ...(values.rpm !== undefined && { rpm: Number(values.rpm) }),
          ...(values.tpm !== undefined && { tpm: Number(values.tpm) }),
          ...(values.models !== undefined && { models: values.models.split(",").map((s) => s.trim()).filter(Boolean) }),
        });
        if (typeof input === "string") die(input);
        process.stdout.write(`${JSON.stringify(await createKey(store.db, input, Date.now()), null, 2)}\n`);
      } else if (sub === "list") {
        process.stdout.write(`${JSON.stringify(await listKeys(store.db), null, 2)}\n`);
      } else if (sub === "revoke") {
        if (!arg) die("keys revoke needs the key id");
        if (!(await revokeKey(store.db, arg, Date.now()))) die(`no active key with id ${arg}`, 1);
        process.stdout.write(`revoked ${arg}\n`);
      } else die(`unknown keys command: ${sub ?? "(none)"}\n${USAGE}`);
    } finally {
      await store.close();
    }
    return;
  }
  die(`unknown command: ${command}\n${USAGE}`);
}

main(process.argv.slice(2)).catch((e: unknown) => die(e instanceof Error ? e.message : String(e), 1));
