/**
 * The `openrouter` CLI, driven as a subprocess (`node --import tsx src/cli/main.ts …`) against the OpenRouter
 * stand-in on 127.0.0.1. The stand-in requires the test key, so every authenticated call also proves the CLI
 * sent it; no output may ever contain it.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { type IncomingMessage, type ServerResponse, createServer as createHttpServer } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMockOpenRouter, type MockOpenRouter } from "../../src/testing/index.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = join(ROOT, "src/cli/main.ts");
const KEY = "sk-or-v1-cli-test-0123456789abcdef";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout as it arrived, one entry per read. */
  stdoutChunks: string[];
}

const outputs: string[] = [];

/** Runs the CLI with a minimal environment (nothing inherited from the host, so no stray real key). */
function cli(args: string[], env: Record<string, string> = {}, stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", NO_COLOR: "1", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const stdoutChunks: string[] = [];
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => stdoutChunks.push(d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const run = { code, stdout: stdoutChunks.join(""), stderr, stdoutChunks };
      outputs.push(run.stdout, run.stderr);
      resolve(run);
    });
    child.stdin.end(stdin ?? "");
  });
}

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

let mock: MockOpenRouter;
let baseUrl: string;
const withKey = () => ({ OPENROUTER_API_KEY: KEY });

beforeAll(async () => {
  // A delay between SSE chunks, so a streamed answer reaches the CLI's stdout in several pieces.
  mock = createMockOpenRouter({ apiKey: KEY, chunkDelayMs: 25 });
  baseUrl = (await mock.listen()).baseUrl;
});
afterAll(async () => {
  await mock?.close();
  // The key must not appear in anything the CLI printed during the whole file.
  for (const text of outputs) expect(text).not.toContain(KEY);
});
beforeEach(() => mock.reset());

/** What the stand-in's GET /models serves (the catalogue minus embedding models), asked in process. */
async function servedModels(): Promise<Array<{ id: string; name: string; pricing: Record<string, string> }>> {
  const response = await mock.fetch(`${baseUrl}/models`);
  return ((await response.json()) as { data: Array<{ id: string; name: string; pricing: Record<string, string> }> }).data;
}

function chatBodies(): Array<Record<string, unknown>> {
  return mock.requests.filter((r) => r.path === "/chat/completions").map((r) => r.body as Record<string, unknown>);
}

describe("openrouter chat", () => {
  it("streams the answer to stdout as it arrives and ends with tokens and cost on stderr", async () => {
    const run = await cli(["chat", "Tell me about streaming please", "--base-url", baseUrl], withKey());
    expect(run.stderr).not.toContain("error");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Tell me about streaming please");
    // Arrived in pieces, not as one write at the end.
    expect(run.stdoutChunks.length).toBeGreaterThan(2);
    const [body] = chatBodies();
    expect(body?.["stream"]).toBe(true);
    expect(body?.["model"]).toBe("openai/gpt-4o-mini");
    // The summary is on stderr only, with the real token counts and cost of the generation served.
    const [generation] = [...mock.generations.values()];
    expect(generation).toBeDefined();
    const summary = run.stderr.trim().split("\n").at(-1) ?? "";
    expect(summary).toContain(generation!.id);
    expect(summary).toMatch(/\d+ in \+ \d+ out tokens/);
    expect(summary).toMatch(/\$0\.0000\d+/);
    const cost = Number(/\$(\d+\.\d+)/.exec(summary)?.[1]);
    expect(cost).toBeCloseTo(generation!.total_cost, 6);
    expect(run.stdout).not.toContain(generation!.id);
  });

  it("--no-stream, --model, --variant and --system shape the request", async () => {
    const run = await cli(
      ["chat", "Hi", "--no-stream", "--model", "openai/gpt-4o", "--variant", "nitro", "--system", "Be terse", "--max-tokens", "50"],
      { ...withKey(), OPENROUTER_BASE_URL: baseUrl },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Hi/);
    const [body] = chatBodies();
    expect(body?.["stream"]).toBeUndefined();
    expect(body?.["model"]).toBe("openai/gpt-4o:nitro");
    expect(body?.["max_tokens"]).toBe(50);
    expect(body?.["messages"]).toEqual([
      { role: "system", content: "Be terse" },
      { role: "user", content: "Hi" },
    ]);
    expect(run.stderr).toMatch(/openai\/gpt-4o.* · .*tokens · \$/);
  });

  it('reads the prompt from stdin with "-"', async () => {
    const run = await cli(["chat", "-", "--base-url", baseUrl], withKey(), "question from a pipe\n");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("question from a pipe");
  });

  it("--json-schema prints validated JSON matching the schema", async () => {
    const dir = mkdtempSync(join(tmpdir(), "or-cli-"));
    const schemaFile = join(dir, "person.json");
    writeFileSync(
      schemaFile,
      JSON.stringify({
        type: "object",
        properties: { name: { type: "string" }, age: { type: "integer" } },
        required: ["name", "age"],
        additionalProperties: false,
      }),
    );
    const run = await cli(["chat", "Invent a person", "--json-schema", schemaFile, "--base-url", baseUrl], withKey());
    expect(run.code).toBe(0);
    const data = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(typeof data["name"]).toBe("string");
    expect(Number.isInteger(data["age"])).toBe(true);
    const format = chatBodies()[0]?.["response_format"] as { type?: string } | undefined;
    expect(format?.type).toBe("json_schema");
  });

  it("exits 4 for an unknown model id (OpenRouter's 400) and for a malformed one (no request sent)", async () => {
    const unknown = await cli(["chat", "Hi", "--model", "nobody/no-such-model", "--base-url", baseUrl], withKey());
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toMatch(/nobody\/no-such-model is not a valid model ID/);
    expect(unknown.stdout).toBe("");

    mock.reset();
    const malformed = await cli(["chat", "Hi", "--model", "gpt4", "--base-url", baseUrl], withKey());
    expect(malformed.code).toBe(4);
    expect(malformed.stderr).toMatch(/Invalid model id "gpt4"/);
    expect(mock.requests).toHaveLength(0);
  });

  it("exits 3 when OPENROUTER_API_KEY is missing (nothing sent) and when the key is rejected", async () => {
    const missing = await cli(["chat", "Hi", "--base-url", baseUrl]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/OPENROUTER_API_KEY/);
    expect(mock.requests).toHaveLength(0);

    const wrong = await cli(["chat", "Hi", "--base-url", baseUrl], { OPENROUTER_API_KEY: "sk-or-v1-wrong-key-42" });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).not.toContain("sk-or-v1-wrong-key-42");
  });

  it("exits 5 when the host is unreachable (closed port on 127.0.0.1)", async () => {
    const port = await closedPort();
    const run = await cli(["chat", "Hi", "--base-url", `http://127.0.0.1:${port}/api/v1`], withKey());
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/network|fetch failed|ECONNREFUSED/i);
  });

  it("exits 1 for API errors: an error inside the stream (partial answer kept) and a 402", async () => {
    mock.injectFaults("midstream-error");
    const midstream = await cli(["chat", "A long enough prompt to stream several words", "--base-url", baseUrl], withKey());
    expect(midstream.code).toBe(1);
    expect(midstream.stdout.length).toBeGreaterThan(0);
    expect(midstream.stderr).toMatch(/openrouter: error: /);
    expect(midstream.stderr).toMatch(/the answer so far was printed above/);

    mock.injectFaults("insufficient-credits-402");
    const credits = await cli(["chat", "Hi", "--no-stream", "--base-url", baseUrl], withKey());
    expect(credits.code).toBe(1);
    expect(credits.stderr).toMatch(/can only afford/);
    expect(credits.stdout).toBe("");
  });

  it("Ctrl-C mid-stream aborts the request and exits 130, keeping what was printed", async () => {
    // A slow stand-in of its own: 200 ms between chunks, so the interrupt lands mid-answer.
    const slow = createMockOpenRouter({ apiKey: KEY, chunkDelayMs: 200 });
    const { baseUrl: slowUrl } = await slow.listen();
    try {
      const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", MAIN, "chat", "one two three four five six seven eight", "--base-url", slowUrl], {
          cwd: ROOT,
          env: { PATH: process.env["PATH"] ?? "", OPENROUTER_API_KEY: KEY },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => {
          stdout += d;
          // Interrupt once the first words have arrived.
          if (stdout.length > 0 && child.exitCode === null && !child.killed) child.kill("SIGINT");
        });
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        child.on("error", reject);
        child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
        child.stdin.end();
      });
      outputs.push(result.stdout, result.stderr);
      expect(result.code).toBe(130);
      expect(result.stderr).toMatch(/interrupted/);
      // Some of the answer arrived, not all of it.
      expect(result.stdout.length).toBeGreaterThan(0);
      expect(result.stdout).not.toContain("answering as openai/gpt-4o-mini.");
    } finally {
      await slow.close();
    }
  });

  it("exits 2 for usage errors", { timeout: 120_000 }, async () => {
    const cases: Array<[string[], RegExp]> = [
      [["chat"], /missing prompt/],
      [["chat", "Hi", "--variant", "turbo"], /unknown --variant "turbo"/],
      [["chat", "Hi", "--bogus"], /Unknown option '--bogus'/],
      [["chat", "Hi", "--json-schema", join(tmpdir(), "does-not-exist.json")], /cannot read --json-schema/],
      [["models", "--sort", "size"], /--sort must be one of/],
      [["models", "--limit", "0"], /--limit must be a positive integer/],
      [["frobnicate"], /unknown command "frobnicate"/],
      [["models", "--base-url", "not a url"], /not a valid URL/],
      // With a key set, plain http to another machine is refused in the CLI's own terms (no client option named).
      [["models", "--base-url", "http://example.com/api/v1"], /plain http to another machine while OPENROUTER_API_KEY is set.*Use https(?![\s\S]*allowInsecureHttp)/],
      [[], /Usage: openrouter <command>/],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(args, withKey())));
    runs.forEach((run, i) => {
      expect(run.code, cases[i]![0].join(" ")).toBe(2);
      expect(run.stderr).toMatch(cases[i]![1]);
    });
    expect(mock.requests).toHaveLength(0);
  });
});

describe("openrouter models", () => {
  it("prints the catalogue as an aligned table", async () => {
    const run = await cli(["models", "--base-url", baseUrl]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^MODEL\s+CONTEXT\s+\$\/M IN\s+\$\/M OUT\s+NAME$/);
    const ids = lines.slice(1).map((l) => l.split(/\s+/)[0]);
    const served = await servedModels();
    expect(served.length).toBeGreaterThan(3);
    expect(ids).toEqual(served.map((m) => m.id).sort((a, b) => a.localeCompare(b)));
    // Columns line up: "CONTEXT" ends where every context cell ends.
    const end = lines[0]!.indexOf("CONTEXT") + "CONTEXT".length;
    for (const line of lines.slice(1)) expect(line[end - 1]).toMatch(/[0-9KM-]/);
    // Prices are shown per million tokens.
    const cells = lines.find((l) => l.startsWith("openai/gpt-4o-mini "))!.split(/\s+/);
    const pricing = served.find((m) => m.id === "openai/gpt-4o-mini")!.pricing;
    expect(Number(cells[2])).toBeCloseTo(Number(pricing["prompt"]) * 1e6, 6);
    expect(Number(cells[3])).toBeCloseTo(Number(pricing["completion"]) * 1e6, 6);
  });

  it("--filter, --sort price and --limit", async () => {
    const run = await cli(["models", "--filter", "OPENAI", "--sort", "price", "--limit", "2", "--base-url", baseUrl]);
    expect(run.code).toBe(0);
    const ids = run.stdout.trimEnd().split("\n").slice(1).map((l) => l.split(/\s+/)[0]);
    const served = await servedModels();
    const expected = served
      .filter((m) => `${m.id} ${m.name}`.toLowerCase().includes("openai"))
      .sort((a, b) => Number(a.pricing["prompt"]) - Number(b.pricing["prompt"]))
      .slice(0, 2)
      .map((m) => m.id);
    expect(expected.length).toBe(2);
    expect(ids).toEqual(expected);
    expect(run.stderr).toMatch(new RegExp(`^2 of ${served.length} models`));
  });

  it("--json prints the selected models as JSON", async () => {
    const run = await cli(["models", "--filter", "claude", "--json", "--base-url", baseUrl]);
    expect(run.code).toBe(0);
    const list = JSON.parse(run.stdout) as Array<{ id: string }>;
    expect(list.length).toBeGreaterThan(0);
    for (const m of list) expect(m.id).toMatch(/claude/);
  });
});

describe("openrouter generation / key", () => {
  it("generation <id> shows a served generation's cost; an unknown id exits 4", async () => {
    const chat = await cli(["chat", "Hello", "--no-stream", "--base-url", baseUrl], withKey());
    expect(chat.code).toBe(0);
    const id = /gen-[\w-]+/.exec(chat.stderr)?.[0];
    expect(id).toBeDefined();
    const served = mock.generations.get(id!);
    expect(served).toBeDefined();

    const run = await cli(["generation", id!, "--base-url", baseUrl], withKey());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^id\\s+${id}$`, "m"));
    expect(run.stdout).toMatch(/^model\s+openai\/gpt-4o-mini$/m);
    const cost = Number(/^cost\s+\$(\S+)$/m.exec(run.stdout)?.[1]);
    expect(cost).toBeCloseTo(served!.total_cost, 6);

    const missing = await cli(["generation", "gen-does-not-exist", "--base-url", baseUrl], withKey());
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/not found/i);
  });

  it("key shows usage and limits, never the key", async () => {
    const run = await cli(["key", "--base-url", baseUrl], withKey());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^label\s+\S+/m);
    expect(run.stdout).toMatch(/^limit\s+unlimited$/m);
    expect(run.stdout).not.toContain(KEY);
    const auth = mock.requests.find((r) => r.path === "/key");
    expect(auth?.status).toBe(200);
  });
});

/** A loopback server answering every request with `handle`, for what the stand-in does not serve. */
async function loopback(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createHttpServer(handle);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/api/v1`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("what a hostile or broken server sends back", () => {
  it("a streamed answer holding the key split across two events prints [REDACTED], never the key", async () => {
    const cut = 11;
    const events = [`The key is ${KEY.slice(0, cut)}`, `${KEY.slice(cut)}. And again: ${KEY.slice(0, 20)}`, `${KEY.slice(20)}`, " done."];
    const server = await loopback((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = (delta: Record<string, unknown>, finish: string | null) =>
        `data: ${JSON.stringify({ id: "gen-split", object: "chat.completion.chunk", model: "openai/gpt-4o-mini", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      let i = 0;
      // One event per write, a tick apart, so they reach the CLI as separate reads and separate writes.
      const next = () => {
        if (i < events.length) {
          res.write(chunk({ content: events[i++] }, null));
          setTimeout(next, 10);
          return;
        }
        res.write(chunk({}, "stop"));
        res.end("data: [DONE]\n\n");
      };
      next();
    });
    try {
      const run = await cli(["chat", "Say the key", "--base-url", server.url], withKey());
      expect(run.stderr).not.toContain("error");
      expect(run.code).toBe(0);
      expect(run.stdoutChunks.length).toBeGreaterThan(1);
      expect(run.stdout).not.toContain(KEY);
      expect(run.stdout).not.toContain(KEY.slice(0, 20));
      expect(run.stdout).toBe("The key is [REDACTED]. And again: [REDACTED] done.\n");
    } finally {
      await server.close();
    }
  });

  it("key and generation on a 200 without a data object: a typed error, exit 1, no TypeError text", async () => {
    const server = await loopback((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
    try {
      for (const args of [["key"], ["generation", "gen-1"]]) {
        const run = await cli([...args, "--base-url", server.url], withKey());
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/openrouter: error: The response has no data object/);
        expect(run.stderr).not.toMatch(/Cannot read properties|TypeError/);
      }
    } finally {
      await server.close();
    }
  });

  it("key on a 200 HTML page: a typed error naming the problem, exit 1", async () => {
    const server = await loopback((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<html>${KEY}</html>`);
    });
    try {
      const run = await cli(["key", "--base-url", server.url], withKey());
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/openrouter: error: The response body is not JSON/);
      expect(run.stderr).not.toContain(KEY);
    } finally {
      await server.close();
    }
  });
});

describe("--help", () => {
  it("each command has its own help, exit 0, no request", { timeout: 120_000 }, async () => {
    const commands = ["chat", "models", "generation", "key"];
    const runs = await Promise.all([cli(["--help"]), ...commands.map((c) => cli([c, "--help"]))]);
    expect(runs[0]!.code).toBe(0);
    expect(runs[0]!.stdout).toMatch(/Commands:[\s\S]*chat[\s\S]*models[\s\S]*generation[\s\S]*key/);
    expect(runs[0]!.stdout).toMatch(/Exit codes:/);
    commands.forEach((c, i) => {
      const run = runs[i + 1]!;
      expect(run.code, c).toBe(0);
      expect(run.stdout).toContain(`Usage: openrouter ${c}`);
      expect(run.stdout).toMatch(/\n  5 +network failure/);
    });
    expect(mock.requests).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The pure pieces, in process.

describe("CLI helpers", () => {
  it("redacts the key however the text is cut into writes, and holds back no more than a possible start of it", async () => {
    const { redactingWriter } = await import("../../src/cli/redacting-writer.js");
    const text = `a ${KEY} b ${KEY.slice(0, 9)}x ${KEY}${KEY} sk-or-v1-cli`;
    const expected = text.split(KEY).join("[REDACTED]");
    for (let i = 0; i <= text.length; i++) {
      for (const j of [i, i + 1, i + 7, text.length]) {
        const written: string[] = [];
        const out = redactingWriter({ write: (t: string) => written.push(t) }, KEY);
        out.write(text.slice(0, i));
        out.write(text.slice(i, Math.max(i, j)));
        out.write(text.slice(Math.max(i, j)));
        out.flush();
        expect(written.join("")).toBe(expected);
      }
    }
    const written: string[] = [];
    const out = redactingWriter({ write: (t: string) => written.push(t) }, KEY);
    for (const ch of text) out.write(ch);
    expect(written.join("")).toBe(expected.slice(0, expected.length - "sk-or-v1-cli".length));
    out.flush();
    expect(written.join("")).toBe(expected);
  });

  it("formats money, per-million prices, token counts and context sizes", async () => {
    const { usd, perMillion, contextSize, tokens } = await import("../../src/cli/format.js");
    expect(usd(0.000123)).toBe("$0.000123");
    expect(usd(0.0000192)).toBe("$0.0000192");
    expect(usd(0.00000012345)).toBe("$0.000000123");
    expect(usd(12.5)).toBe("$12.50");
    expect(usd(0)).toBe("$0");
    expect(usd(undefined)).toBe("n/a");
    expect(perMillion("0.00000015")).toBe("0.15");
    expect(perMillion("0.0000025")).toBe("2.5");
    expect(perMillion("0.00015")).toBe("150");
    expect(perMillion("0")).toBe("free");
    expect(perMillion("-1")).toBe("varies");
    expect(perMillion(undefined)).toBe("-");
    expect(contextSize(128000)).toBe("128K");
    expect(contextSize(1_048_576)).toBe("1.05M");
    expect(contextSize(2_000_000)).toBe("2M");
    expect(contextSize(null)).toBe("-");
    expect(tokens(1234567)).toBe("1,234,567");
  });

  it("aligns table columns and cuts long cells", async () => {
    const { table } = await import("../../src/cli/format.js");
    const out = table(
      [
        { id: "a/very-long-model-name", n: 5 },
        { id: "b/x", n: 12345 },
      ],
      [
        { header: "ID", value: (r) => r.id, max: 10 },
        { header: "N", value: (r) => String(r.n), right: true },
      ],
    );
    expect(out).toBe("ID              N\na/very-lo…      5\nb/x         12345\n");
  });

  it("filters by every word, sorts by price/context/name and limits", async () => {
    const { selectModels } = await import("../../src/cli/models.js");
    const models = [
      { id: "x/alpha-mini", name: "Alpha Mini", context_length: 8000, pricing: { prompt: "0.000002", completion: "0.000004" } },
      { id: "x/alpha-max", name: "Alpha Max", context_length: 200000, pricing: { prompt: "0.00001", completion: "0.00003" } },
      { id: "openrouter/auto", name: "Auto Router", context_length: 2000000, pricing: { prompt: "-1", completion: "-1" } },
      { id: "y/beta", name: "Beta", context_length: 32000, pricing: { prompt: "0", completion: "0" } },
    ];
    const ids = (opts: Parameters<typeof selectModels>[1]) => selectModels(models, opts).map((m) => m.id);
    expect(ids({ sort: "price" })).toEqual(["y/beta", "x/alpha-mini", "x/alpha-max", "openrouter/auto"]);
    expect(ids({ sort: "context" })).toEqual(["openrouter/auto", "x/alpha-max", "y/beta", "x/alpha-mini"]);
    expect(ids({ sort: "name" })).toEqual(["x/alpha-max", "x/alpha-mini", "openrouter/auto", "y/beta"]);
    expect(ids({ filter: "ALPHA mini" })).toEqual(["x/alpha-mini"]);
    expect(ids({ filter: "router" })).toEqual(["openrouter/auto"]);
    expect(ids({ limit: 2 })).toEqual(["openrouter/auto", "x/alpha-max"]);
  });

  it("maps the library's errors to exit codes", async () => {
    const { exitCodeFor, EXIT, UsageError } = await import("../../src/cli/exit-codes.js");
    const errors = { ...(await import("../../src/core/errors.js")), ...(await import("../../src/core/call-errors.js")) };
    expect(exitCodeFor(new UsageError("x"))).toBe(EXIT.USAGE);
    expect(exitCodeFor(new errors.AuthenticationError("no key", { status: 401 }))).toBe(EXIT.MISSING_KEY);
    expect(exitCodeFor(new errors.NotFoundError("gone", { status: 404 }))).toBe(EXIT.NOT_FOUND);
    expect(exitCodeFor(new errors.BadRequestError("foo/bar is not a valid model ID", { status: 400 }))).toBe(EXIT.NOT_FOUND);
    expect(exitCodeFor(new errors.BadRequestError("messages: required", { status: 400 }))).toBe(EXIT.API_ERROR);
    expect(exitCodeFor(new errors.ConnectionError("fetch failed"))).toBe(EXIT.NETWORK);
    expect(exitCodeFor(new errors.TimeoutError("no answer in 10s"))).toBe(EXIT.NETWORK);
    expect(exitCodeFor(new errors.TimeoutError("Provider timed out", { status: 524 }))).toBe(EXIT.API_ERROR);
    expect(exitCodeFor(new errors.RateLimitError("slow down", { status: 429 }))).toBe(EXIT.API_ERROR);
    expect(exitCodeFor(new errors.AbortError("aborted"))).toBe(EXIT.INTERRUPTED);
    expect(exitCodeFor(new Error("bug"))).toBe(EXIT.API_ERROR);
  });

  it("splits global options from the command wherever they appear", async () => {
    const { splitArgv } = await import("../../src/cli/run.js");
    expect(splitArgv(["--base-url", "http://h/api/v1", "chat", "hi", "--no-stream"])).toEqual({
      command: "chat",
      rest: ["hi", "--no-stream"],
      baseUrl: "http://h/api/v1",
      help: false,
      version: false,
    });
    expect(splitArgv(["models", "--base-url=http://h", "--limit", "3"])).toMatchObject({ command: "models", rest: ["--limit", "3"], baseUrl: "http://h" });
    expect(splitArgv(["chat", "--help"])).toMatchObject({ command: "chat", rest: ["--help"], help: false });
    expect(splitArgv(["-h"])).toMatchObject({ command: undefined, help: true });
    expect(() => splitArgv(["--base-url"])).toThrow(/needs a URL/);
    expect(() => splitArgv(["--frob", "chat"])).toThrow(/unknown option --frob/);
  });
});
