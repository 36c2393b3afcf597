/**
 * Structured output where code generation is banned, as on Cloudflare Workers: a child Node process runs with
 * `--disallow-code-generation-from-strings` (eval and new Function throw EvalError) and makes structured
 * calls against a loopback server through the real client.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
const src = (file: string) => JSON.stringify(pathToFileURL(join(ROOT, "src", file)).href);

const CHILD = `
import { createServer } from "node:http";
import { OpenRouter } from ${src("index.ts")};
import { structured } from ${src("agents/structured.ts")};
import { codeGenerationDisallowed } from ${src("agents/validator/index.ts")};
import { Conversation } from ${src("agents/conversation.ts")};

const out = {};
try { new Function("return 1"); out.newFunction = "allowed"; } catch (e) { out.newFunction = e.name; }

// A first attempt (one message) gets an invalid reply, a repair (three messages) a valid one.
let n = 0;
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (d) => (body += d));
  req.on("end", () => {
    n++;
    const first = JSON.parse(body).messages.length === 1;
    const content = first ? '{"name":"Ada","age":"36"}' : '{"name":"Ada","age":36}';
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ id: "gen-" + n, object: "chat.completion", created: 1, model: "m/x",
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content } }],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, cost: 0.001 } }));
  });
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const client = new OpenRouter({ apiKey: "sk-or-test", baseUrl: "http://127.0.0.1:" + server.address().port + "/api/v1" });
const schema = { type: "object", properties: { name: { type: "string" }, age: { type: "integer" } }, required: ["name", "age"], additionalProperties: false };
const messages = [{ role: "user", content: "person" }];

for (const validator of ["interpreter", "ajv", "auto"]) {
  try {
    const r = await structured(client, { model: "m/x", messages, schema, validator });
    out[validator] = { data: r.data, attempts: r.attempts, firstError: r.failures[0]?.errors[0] };
  } catch (e) {
    out[validator] = { error: e.name, message: String(e.message).slice(0, 200) };
  }
}
out.fellBack = codeGenerationDisallowed();
// The precompiled (standalone) validator needs no code generation either.
const restored = Conversation.fromJSON(client, { version: 1, model: "m/x", messages: [{ role: "user", content: "hi" }] });
out.restoredMessages = restored.messages.length;
try { Conversation.fromJSON(client, { version: 1, messages: [] }); } catch (e) { out.badSnapshot = e.name; }
server.close();
console.log(JSON.stringify(out));
`;

const dir = mkdtempSync(join(tmpdir(), "orf-no-codegen-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runChild(flags: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = join(dir, "child.mts");
  writeFileSync(file, CHILD);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...flags, "--import", "tsx", file], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
  });
}

describe("structured output with code generation disallowed", () => {
  it("works with the interpreter, falls back under auto, and fails loudly when ajv is forced", async () => {
    const { code, stdout, stderr } = await runChild(["--disallow-code-generation-from-strings"]);
    expect(code, stderr).toBe(0);
    const out = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
    expect(out.newFunction).toBe("EvalError"); // the ban is really in force
    expect(out.interpreter).toEqual({ data: { name: "Ada", age: 36 }, attempts: 2, firstError: { path: "/age", keyword: "type", message: "must be integer" } });
    expect(out.ajv.error).toBe("EvalError");
    expect(out.auto).toMatchObject({ data: { name: "Ada", age: 36 }, attempts: 2 });
    expect(out.fellBack).toBe(true);
    expect(out.restoredMessages).toBe(1);
    expect(out.badSnapshot).toBe("InvalidArgumentError");
  }, 60_000);

  it("control: without the flag ajv compiles and auto does not fall back", async () => {
    const { code, stdout, stderr } = await runChild([]);
    expect(code, stderr).toBe(0);
    const out = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
    expect(out.newFunction).toBe("allowed");
    expect(out.ajv).toMatchObject({ data: { name: "Ada", age: 36 }, attempts: 2 });
    expect(out.fellBack).toBe(false);
  }, 60_000);
});
