/**
 * A loopback HTTP server on 127.0.0.1 that receives uploads and keeps what arrived: the raw body (small
 * uploads), or for large ones only its SHA-256, length, head and tail, hashed as the bytes arrive so the test
 * process never holds the upload. Plus a strict multipart parser, so a test compares each received part's
 * headers and bytes with what it sent.
 */
import { createHash } from "node:crypto";
import { type IncomingHttpHeaders, createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedUpload {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The whole body (mode "buffer" only). */
  body: Buffer | undefined;
  length: number;
  sha256: string;
  /** The first 64 KiB and the last 4 KiB of the body. */
  head: Buffer;
  tail: Buffer;
}

export interface UploadServer {
  baseUrl: string;
  received: ReceivedUpload[];
  close(): Promise<void>;
}

/**
 * Starts the server. `statuses` answers the requests in order (then 200); a 200 answers `reply`'s JSON.
 *
 * @example
 * const server = await uploadServer({ mode: "buffer", reply: () => ({ id: "file_1" }) });
 */
export async function uploadServer(options: { mode: "buffer" | "hash"; statuses?: number[]; reply: (upload: ReceivedUpload) => unknown }): Promise<UploadServer> {
  const received: ReceivedUpload[] = [];
  const statuses = [...(options.statuses ?? [])];
  const server = createServer((req, res) => {
    const hash = createHash("sha256");
    const chunks: Buffer[] = [];
    let head = Buffer.alloc(0);
    let tail = Buffer.alloc(0);
    let length = 0;
    req.on("data", (chunk: Buffer) => {
      hash.update(chunk);
      length += chunk.length;
      if (options.mode === "buffer") chunks.push(chunk);
      if (head.length < 65536) head = Buffer.concat([head, chunk.subarray(0, 65536 - head.length)]);
      tail = Buffer.concat([tail, chunk]).subarray(-4096);
    });
    req.on("end", () => {
      const upload: ReceivedUpload = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: options.mode === "buffer" ? Buffer.concat(chunks) : undefined,
        length,
        sha256: hash.digest("hex"),
        head: Buffer.from(head),
        tail: Buffer.from(tail),
      };
      received.push(upload);
      const status = statuses.shift() ?? 200;
      const body = status === 200 ? options.reply(upload) : { error: { code: status, message: "Service unavailable (scripted)" } };
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/api/v1`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ParsedPart {
  /** The part's header lines, as received. */
  headers: string[];
  body: Buffer;
}

/**
 * Splits a multipart body at its boundary, strictly: it must start with the first delimiter, every part must
 * have a blank line after its headers, and it must end with the close delimiter and CRLF.
 */
export function parseMultipart(body: Buffer, boundary: string): ParsedPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  if (!body.subarray(0, delimiter.length).equals(delimiter)) throw new Error("body does not start with the boundary");
  const parts: ParsedPart[] = [];
  let at = delimiter.length;
  for (;;) {
    const after = body.subarray(at, at + 2).toString("latin1");
    if (after === "--") {
      if (body.subarray(at + 2).toString("latin1") !== "\r\n") throw new Error("bytes after the close delimiter");
      return parts;
    }
    if (after !== "\r\n") throw new Error(`no CRLF after a delimiter at ${at}`);
    const start = at + 2;
    const next = body.indexOf(Buffer.concat([Buffer.from("\r\n"), delimiter]), start);
    if (next < 0) throw new Error("part without a closing delimiter");
    const part = body.subarray(start, next);
    const blank = part.indexOf("\r\n\r\n");
    if (blank < 0) throw new Error("part without a blank line after its headers");
    parts.push({ headers: part.subarray(0, blank).toString("utf8").split("\r\n"), body: Buffer.from(part.subarray(blank + 4)) });
    at = next + 2 + delimiter.length;
  }
}

/** The boundary of a `multipart/form-data; boundary=…` content type. */
export function boundaryOf(contentType: string | undefined): string {
  const match = /^multipart\/form-data; boundary=(.+)$/.exec(contentType ?? "");
  if (!match) throw new Error(`not a multipart content type: ${contentType}`);
  return match[1]!;
}
