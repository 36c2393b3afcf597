/**
 * fileFromPath (src/node/file.ts): a file on disk as a `File` named and typed from its path, refused with a
 * typed error when it is not a readable regular file; and a file larger than 100 MB uploaded through
 * `client.files.upload` to a loopback server, streamed from disk: the server hashes what arrives (so neither
 * side holds the file), the hash equals that of the expected multipart body, and the memory held during the
 * upload stays far below the file's size (measured after forced GCs and printed; time is not asserted).
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, open, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, OpenRouter } from "../../src/index.js";
import { fileFromPath, nodeTransport } from "../../src/node/index.js";
import { boundaryOf, uploadServer } from "../helpers/upload-server.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "openrouter-fetch-file-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("fileFromPath", () => {
  it("names and types the file from its path, reads it lazily, and takes overrides", async () => {
    const path = join(dir, "Speech.MP3");
    await writeFile(path, Buffer.from([1, 2, 3, 4]));
    const file = await fileFromPath(path);
    expect([file.name, file.type, file.size]).toEqual(["Speech.MP3", "audio/mpeg", 4]);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3, 4]));
    const renamed = await fileFromPath(path, { name: "other.wav", type: "audio/wav" });
    expect([renamed.name, renamed.type]).toEqual(["other.wav", "audio/wav"]);
    const unknown = join(dir, "data.xyz");
    await writeFile(unknown, "x");
    expect((await fileFromPath(unknown)).type).toBe("application/octet-stream");
  });

  it("refuses a missing path, a directory and a non-string with InvalidArgumentError", async () => {
    await expect(fileFromPath(join(dir, "missing.bin"))).rejects.toBeInstanceOf(InvalidArgumentError);
    await mkdir(join(dir, "sub"));
    await expect(fileFromPath(join(dir, "sub"))).rejects.toThrow(/not a regular file/);
    await expect(fileFromPath("" as string)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(fileFromPath(42 as never)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it("uploads a file larger than 100 MB from disk, byte for byte, with bounded memory", { timeout: 180_000 }, async () => {
    const path = join(dir, "big.bin");
    // Every MiB differs, so a part sent twice, out of order or not at all changes the hash.
    const handle = await open(path, "w");
    for (let i = 0; i < CHUNKS; i++) {
      const block = Buffer.alloc(MiB, i);
      block.writeUInt32BE(i, 0);
      await handle.write(block);
    }
    await handle.close();
    try {
      // Node's fetch (undici) keeps a streamed request body until the request ends (nodejs/undici#4058): its
      // run checks the bytes and the JS heap; the run on the Node transport checks that the client holds no more
      // than a few chunks of the file at any time (heap and ArrayBuffers, measured after a forced GC).
      const viaFetch = await uploadMeasured(path, "fetch");
      expect(viaFetch.peak.heapUsed).toBeLessThan(50 * MiB);
      const viaNode = await uploadMeasured(path, "node");
      expect(viaNode.peak.heapUsed).toBeLessThan(50 * MiB);
      expect(viaNode.peak.arrayBuffers).toBeLessThan(50 * MiB);
    } finally {
      await rm(path, { force: true });
    }
  });
});

const MiB = 1024 * 1024;
const CHUNKS = 101;
// A forced GC before each sample, so the figures are what is held, not garbage waiting for collection.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Uploads the file through `client.files.upload`, checks what the server got, and returns the peak growth. */
async function uploadMeasured(path: string, via: "fetch" | "node") {
  const server = await uploadServer({
    mode: "hash",
    reply: (u) => ({ _shape: "openrouter", id: "file_big", type: "file", filename: "big.bin", mime_type: "application/octet-stream", size_bytes: u.length, created_at: "", downloadable: true }),
  });
  try {
    const transport = via === "node" ? nodeTransport() : undefined;
    const client = new OpenRouter({ apiKey: "sk-test", baseUrl: server.baseUrl, ...(transport && { transport }) });
    const file = await fileFromPath(path);
    gc();
    const before = process.memoryUsage();
    const peak = { heapUsed: 0, rss: 0, arrayBuffers: 0 };
    const sample = () => {
      // Twice: a backing store the first collection found dead is released by the second.
      gc();
      gc();
      const now = process.memoryUsage();
      peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed - before.heapUsed);
      peak.rss = Math.max(peak.rss, now.rss - before.rss);
      peak.arrayBuffers = Math.max(peak.arrayBuffers, now.arrayBuffers - before.arrayBuffers);
    };
    const timer = setInterval(sample, 250);
    const started = performance.now();
    const uploaded = await client.files.upload({ file, purpose: "user_data" });
    const ms = performance.now() - started;
    clearInterval(timer);

    const upload = server.received[0]!;
    const boundary = boundaryOf(upload.headers["content-type"]);
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nuser_data\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    const tail = `\r\n--${boundary}--\r\n`;
    const expected = createHash("sha256").update(head);
    for await (const chunk of createReadStream(path)) expected.update(chunk as Buffer);
    expected.update(tail);
    const size = CHUNKS * MiB;
    expect(uploaded.size_bytes).toBe(head.length + size + tail.length);
    expect(upload.length).toBe(head.length + size + tail.length);
    expect(Number(upload.headers["content-length"])).toBe(upload.length);
    expect(upload.sha256).toBe(expected.digest("hex"));

    const mb = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
    console.log(
      `upload of ${mb(size)} from disk via ${via === "node" ? "the Node transport" : "Node's fetch"}: peak growth after GC heapUsed ${mb(peak.heapUsed)}, ` +
        `arrayBuffers ${mb(peak.arrayBuffers)}, rss ${mb(peak.rss)}; ${ms.toFixed(0)} ms (not asserted)`,
    );
    await transport?.close();
    return { peak };
  } finally {
    await server.close();
  }
}
