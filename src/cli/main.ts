#!/usr/bin/env node
/**
 * The `openrouter` bin: wires the process (argv, env, stdio, Ctrl-C) into `runCli`. Node only.
 *
 * @example
 * // $ OPENROUTER_API_KEY=sk-or-… openrouter chat "Hello" --model openai/gpt-4o-mini
 */
import { readFileSync } from "node:fs";
import { runCli } from "./run.js";

/** The package version; package.json sits two levels up from both src/cli/ and dist/cli/. */
function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const controller = new AbortController();
// The first Ctrl-C cancels the request (the command then exits 130); a second one exits at once.
process.once("SIGINT", () => {
  controller.abort();
  process.once("SIGINT", () => process.exit(130));
});
// `openrouter models | head` closes stdout early: that is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
  readStdin,
  version: version(),
});
