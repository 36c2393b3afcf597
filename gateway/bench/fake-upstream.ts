/**
 * A minimal loopback OpenRouter fake for the bench: answers at once, so what is measured is the gateway.
 * Chat JSON, chat SSE (STREAM_CHUNKS content chunks + usage + [DONE]), and a one-model /models list.
 */
import { createServer, type Server } from "node:http";

export const STREAM_CHUNKS = 50;
const MODEL = "openai/gpt-4o-mini";

const completion = JSON.stringify({
  id: "gen-bench",
  object: "chat.completion",
  created: 1,
  model: MODEL,
  provider: "Bench",
  choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "Hello from the bench fake." } }],
  usage: { prompt_tokens: 10, completion_tokens: 6, total_tokens: 16, cost: 0.0000051 },
});

const chunk = (i: number) =>
  `data: ${JSON.stringify({ id: "gen-bench", object: "chat.completion.chunk", created: 1, model: MODEL, provider: "Bench", choices: [{ index: 0, delta: { content: `tok${i} ` }, finish_reason: null }] })}\n\n`;
const streamBody =
  Array.from({ length: STREAM_CHUNKS }, (_, i) => chunk(i)).join("") +
  `data: ${JSON.stringify({ id: "gen-bench", object: "chat.completion.chunk", created: 1, model: MODEL, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n` +
  `data: ${JSON.stringify({ id: "gen-bench", object: "chat.completion.chunk", created: 1, model: MODEL, choices: [], usage: { prompt_tokens: 10, completion_tokens: 50, total_tokens: 60, cost: 0.0000315 } })}\n\n` +
  "data: [DONE]\n\n";
const streamParts = streamBody.split(/(?<=\n\n)/);

const models = JSON.stringify({
  data: [{ id: MODEL, name: "bench", context_length: 128000, pricing: { prompt: "0.00000015", completion: "0.0000006" }, top_provider: { max_completion_tokens: 16384 }, architecture: { modality: "text->text" } }],
});

export function startFake(): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url?.startsWith("/api/v1/models")) {
      res.writeHead(200, { "content-type": "application/json" }).end(models);
      return;
    }
    let body = "";
    req.on("data", (d: Buffer) => (body += d));
    req.on("end", () => {
      if (req.url !== "/api/v1/chat/completions" && req.url !== "/v1/chat/completions") return void res.writeHead(404).end();
      if (body.includes('"stream":true')) {
        res.writeHead(200, { "content-type": "text/event-stream", "x-generation-id": "gen-bench" });
        // One write per event, as a real upstream flushes them.
        for (const part of streamParts) res.write(part);
        res.end();
      } else {
        res.writeHead(200, { "content-type": "application/json", "x-generation-id": "gen-bench" }).end(completion);
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({ server, baseUrl: `http://127.0.0.1:${port}/api/v1` });
    }),
  );
}
