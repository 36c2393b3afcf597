/**
 * One adapter per client under test. Each adapter is loaded inside a fresh worker process and bound to one
 * fake-server scenario before timing starts (client construction is not measured).
 *
 * Every adapter reports streamed text through the same `onText` callback so the harness adds the same cost to
 * each, and returns the plain completion's text so it can be checked against what the server sent.
 *
 * @example
 * ```ts
 * const a = await loadAdapter("floor", "http://127.0.0.1:40123");
 * if ("unavailable" in a) throw new Error(a.unavailable);
 * const bound = a.bind("chat");
 * console.log(await bound.chat(requestBody(false)));
 * ```
 */
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { existsSync } from "node:fs";
import type { requestBody } from "./payload.js";

export type Body = ReturnType<typeof requestBody>;

/** A client bound to one scenario's base URL. */
export interface BoundClient {
  chat(body: Body): Promise<string>;
  stream(body: Body, onText: (text: string) => void): Promise<void>;
  /** Only for clients with a structured-output helper. Resolves with the validated, parsed value. */
  structured?: (body: Body, schema: object) => Promise<unknown>;
  /** Whether `structured` goes through `client.structured` or the module's standalone function. */
  structuredVia?: "client" | "module";
}

export interface Adapter {
  name: string;
  bind(scenario: string): BoundClient;
}

export type LoadResult = Adapter | { unavailable: string };

const API_KEY = "sk-or-v1-bench-not-a-real-key";

/** The floor's and the limit's SSE handling: eventsource-parser, one JSON.parse per event, the text handed on. */
function textParser(createParser: typeof import("eventsource-parser").createParser, onText: (text: string) => void) {
  return createParser({
    onEvent(ev) {
      if (ev.data === "[DONE]") return;
      const chunk = JSON.parse(ev.data) as { choices: { delta?: { content?: string | null } }[] };
      const text = chunk.choices[0]?.delta?.content;
      if (text) onText(text);
    },
  });
}

/** Body reads seen by the floor and limit adapters, so the harness can report how many events arrive per read. */
export const readStats = { reads: 0 };

async function loadFloor(origin: string): Promise<Adapter> {
  const { createParser } = await import("eventsource-parser");
  return {
    name: "floor",
    bind(scenario) {
      const url = `${origin}/b/${scenario}/chat/completions`;
      const headers = { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" };
      return {
        async chat(body) {
          const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          const json = (await res.json()) as { choices: { message: { content: string | null } }[] };
          return json.choices[0]?.message.content ?? "";
        },
        async stream(body, onText) {
          const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
          if (!res.ok || res.body === null) throw new Error(`HTTP ${res.status}`);
          const parser = textParser(createParser, onText);
          const reader = res.body.getReader();
          const decoder = new TextDecoder();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            readStats.reads++;
            parser.feed(decoder.decode(value, { stream: true }));
          }
          parser.feed(decoder.decode());
        },
      };
    },
  };
}

/** The minimal surface of our client that the bench relies on (kept loose so the bench type-checks before src exists). */
interface OurClient {
  chat(params: Body): Promise<{ text: string }>;
  chatStream(params: Body): AsyncIterable<{ type: string; text?: string }>;
  structured?: (params: unknown) => Promise<unknown>;
}
type OurCtor = new (opts: { apiKey: string; baseUrl: string; transport?: unknown }) => OurClient;

/** Where our library's entry lives; a variable so tsc does not need the file to exist. */
export const OURS_ENTRY = fileURLToPath(new URL("../src/index.ts", import.meta.url));

/**
 * The Node transport's factory, from the build beside our built core entry (or src/ without one); one transport
 * per worker, with its default options, shared by every client the worker binds.
 */
async function nodeTransportOf(): Promise<unknown> {
  const built = process.env["BENCH_OURS_ENTRY"];
  const spec = built ? pathToFileURL(join(dirname(built), "node", "index.js")).href : new URL("../src/node/index.ts", import.meta.url).href;
  const mod = (await import(spec)) as { nodeTransport?: () => unknown };
  if (typeof mod.nodeTransport !== "function") throw new Error("no nodeTransport export");
  return mod.nodeTransport();
}

async function loadOurs(origin: string, name: string, via: "fetch" | "node" = "fetch"): Promise<LoadResult> {
  if (!existsSync(OURS_ENTRY)) return { unavailable: "src/index.ts does not exist yet" };
  let mod: { OpenRouter?: unknown };
  try {
    // The driver builds src/ the way the package is built (esbuild, no tsx name-keeping) and passes the file,
    // so the bench measures the code users run; without it (a worker started by hand) src/ is loaded via tsx.
    const built = process.env["BENCH_OURS_ENTRY"];
    const spec = built ? pathToFileURL(built).href : new URL("../src/index.ts", import.meta.url).href;
    mod = (await import(spec)) as { OpenRouter?: unknown };
  } catch (err) {
    return { unavailable: `import failed: ${String(err instanceof Error ? err.message : err).split("\n")[0]}` };
  }
  if (typeof mod.OpenRouter !== "function") return { unavailable: "src/index.ts does not export OpenRouter" };
  const Ctor = mod.OpenRouter as OurCtor;
  if (typeof Ctor.prototype.chat !== "function" || typeof Ctor.prototype.chatStream !== "function") {
    return { unavailable: "OpenRouter has no chat/chatStream yet" };
  }
  let transport: unknown;
  if (via === "node") {
    try {
      transport = await nodeTransportOf();
    } catch (err) {
      return { unavailable: `node transport: ${String(err instanceof Error ? err.message : err).split("\n")[0]}` };
    }
  }
  // client.structured when the client has it; else the module's standalone `structured(client, params)`.
  let structuredFn: ((client: OurClient, params: unknown) => Promise<unknown>) | undefined;
  const viaClient = typeof Ctor.prototype.structured === "function";
  if (viaClient) {
    structuredFn = (client, params) => client.structured!(params);
  } else {
    try {
      const spec = new URL("../src/agents/structured.ts", import.meta.url).href;
      const sm = (await import(spec)) as { structured?: (client: OurClient, params: unknown) => Promise<unknown> };
      if (typeof sm.structured === "function") structuredFn = sm.structured;
    } catch {
      // No structured outputs yet: the group reports "unavailable".
    }
  }
  return {
    name,
    bind(scenario) {
      const client = new Ctor({ apiKey: API_KEY, baseUrl: `${origin}/b/${scenario}`, ...(transport !== undefined && { transport }) });
      const bound: BoundClient = {
        async chat(body) {
          return (await client.chat(body)).text;
        },
        async stream(body, onText) {
          for await (const ev of client.chatStream(body)) {
            if (ev.type === "content" && ev.text) onText(ev.text);
          }
        },
      };
      if (structuredFn !== undefined) {
        const fn = structuredFn;
        bound.structuredVia = viaClient ? "client" : "module";
        bound.structured = async (body, schema) => {
          const { stream: _stream, ...rest } = body;
          const r = (await fn(client, { ...rest, schema, name: "person" })) as Record<string, unknown>;
          // Accept either the parsed value itself or a result object carrying it.
          return r !== null && typeof r === "object" && ("data" in r || "value" in r || "parsed" in r)
            ? (r["data"] ?? r["value"] ?? r["parsed"])
            : r;
        };
      }
      return bound;
    },
  };
}

async function loadOpenAI(origin: string): Promise<Adapter> {
  const { default: OpenAI } = await import("openai");
  return {
    name: "openai",
    bind(scenario) {
      const client = new OpenAI({ apiKey: API_KEY, baseURL: `${origin}/b/${scenario}` });
      return {
        async chat(body) {
          const r = await client.chat.completions.create({ ...body, stream: false });
          return r.choices[0]?.message.content ?? "";
        },
        async stream(body, onText) {
          const s = await client.chat.completions.create({ ...body, stream: true });
          for await (const chunk of s) {
            const text = chunk.choices[0]?.delta?.content;
            if (text) onText(text);
          }
        },
      };
    },
  };
}

async function loadOpenRouterSdk(origin: string): Promise<Adapter> {
  const { OpenRouter } = await import("@openrouter/sdk");
  return {
    name: "openrouter-sdk",
    bind(scenario) {
      const client = new OpenRouter({ apiKey: API_KEY, serverURL: `${origin}/b/${scenario}` });
      return {
        async chat(body) {
          const r = await client.chat.send({ chatRequest: { ...body, stream: false } });
          if (!("choices" in r)) throw new Error("expected a JSON completion");
          const content = r.choices[0]?.message.content;
          return typeof content === "string" ? content : "";
        },
        async stream(body, onText) {
          const s = await client.chat.send({ chatRequest: { ...body, stream: true } });
          if ("choices" in s) throw new Error("expected a stream");
          for await (const chunk of s) {
            const text = chunk.choices[0]?.delta?.content;
            if (text) onText(text);
          }
        },
      };
    },
  };
}

/**
 * The raw limit on Node: undici's `Pool.request` (keep-alive, one connection per concurrent request) with
 * eventsource-parser, with no WHATWG `Request`/`Response` or web-stream layer. Each body is read the fastest way
 * for its metric: chat with `body.json()`; streams with `data` callbacks (no promise per chunk, unlike
 * `for await`) decoded by a streaming TextDecoder, so a character split across reads decodes correctly.
 * `BENCH_LIMIT_READ=iterate` reads streams with `for await` instead, to compare the two.
 */
async function loadLimit(origin: string): Promise<Adapter> {
  const { Pool } = await import("undici");
  const { createParser } = await import("eventsource-parser");
  const pool = new Pool(origin, { keepAliveTimeout: 60_000 });
  const iterate = process.env["BENCH_LIMIT_READ"] === "iterate";
  return {
    name: "limit",
    bind(scenario) {
      const path = `/b/${scenario}/chat/completions`;
      const headers = { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" };
      return {
        async chat(body) {
          const res = await pool.request({ method: "POST", path, headers, body: JSON.stringify(body) });
          if (res.statusCode !== 200) {
            await res.body.dump();
            throw new Error(`HTTP ${res.statusCode}`);
          }
          const json = (await res.body.json()) as { choices: { message: { content: string | null } }[] };
          return json.choices[0]?.message.content ?? "";
        },
        async stream(body, onText) {
          const res = await pool.request({ method: "POST", path, headers, body: JSON.stringify(body) });
          if (res.statusCode !== 200) {
            await res.body.dump();
            throw new Error(`HTTP ${res.statusCode}`);
          }
          const parser = textParser(createParser, onText);
          const decoder = new TextDecoder();
          const feed = (chunk: Uint8Array) => {
            readStats.reads++;
            parser.feed(decoder.decode(chunk, { stream: true }));
          };
          if (iterate) {
            for await (const chunk of res.body) feed(chunk as Uint8Array);
          } else {
            await new Promise<void>((resolve, reject) => {
              res.body.on("data", feed);
              res.body.once("end", resolve);
              res.body.once("error", reject);
            });
          }
          parser.feed(decoder.decode());
        },
      };
    },
  };
}

/** How one client is loaded and measured. */
interface AdapterSpec {
  /** Column heading in the printed table. */
  label: string;
  /** Our own client: runs the structured-output group, and the targets are judged on it. */
  ours?: true;
  /**
   * What the static measurements load: a package (import time, installed size) and a one-line module re-exporting
   * what a user imports (bundle size; omitted for Node-only packages, which do not bundle for a neutral platform).
   * `"ours"`: our library, built from src/. Omitted: no static figures.
   */
  static?: "ours" | { package: string; bundleEntry?: string };
  load(origin: string): Promise<LoadResult>;
}

/**
 * Every client the bench knows, in table order. The floor and the limit come first: every figure is shown as
 * a ratio to both. Adding a client is one entry here; the driver, the worker and the table pick it up. Ours
 * runs twice: on its default transport (fetch) and on the Node transport (`openrouter-fetch/node`, undici's
 * pool), with the client's default options otherwise.
 */
export const ADAPTER_SPECS = {
  floor: { label: "floor (fetch + eventsource-parser)", static: { package: "eventsource-parser", bundleEntry: 'export { createParser } from "eventsource-parser";' }, load: loadFloor },
  limit: { label: "limit (undici Pool.request + eventsource-parser)", static: { package: "undici" }, load: loadLimit },
  ours: { label: "openrouter-fetch", ours: true, static: "ours", load: (o: string) => loadOurs(o, "ours") },
  "ours-node": { label: "openrouter-fetch (node transport)", ours: true, load: (o: string) => loadOurs(o, "ours-node", "node") },
  openai: { label: "openai", static: { package: "openai", bundleEntry: 'export { default } from "openai";' }, load: loadOpenAI },
  "openrouter-sdk": {
    label: "@openrouter/sdk",
    static: { package: "@openrouter/sdk", bundleEntry: 'export { OpenRouter } from "@openrouter/sdk";' },
    load: loadOpenRouterSdk,
  },
} satisfies Record<string, AdapterSpec>;

export type AdapterName = keyof typeof ADAPTER_SPECS;
export const ADAPTERS = Object.keys(ADAPTER_SPECS) as AdapterName[];
export const ADAPTER_LABEL = Object.fromEntries(ADAPTERS.map((a) => [a, ADAPTER_SPECS[a].label])) as Record<AdapterName, string>;

/** The spec of a client, widened so optional fields read the same for every entry. */
export function adapterSpec(name: AdapterName): AdapterSpec {
  return ADAPTER_SPECS[name];
}

/** Our own clients among `names` (the ones targets are judged on). */
export function oursAdapters(names: readonly AdapterName[]): AdapterName[] {
  return names.filter((a) => adapterSpec(a).ours === true);
}

/** Imports and prepares one client; `unavailable` instead of a throw when our own client is not there yet. */
export async function loadAdapter(name: AdapterName, origin: string): Promise<LoadResult> {
  return adapterSpec(name).load(origin);
}
