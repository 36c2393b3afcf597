/**
 * `fileFromPath(path)`: a file on disk as a `File` for uploads (`client.files.upload`, `client.audio.transcribe`)
 * that is read as it is sent, never whole into memory. `fs.openAsBlob` gives a `Blob` backed by the file (Node
 * 19.8+); wrapping it in a `File` only adds the name, it copies nothing. Each attempt of an upload reads the
 * file again from the start, so a retried upload sends it whole.
 */
import { openAsBlob } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, extname } from "node:path";
import { InvalidArgumentError } from "../core/errors.js";

/** Content types by extension, for the files an OpenRouter upload usually carries. */
const TYPES: Record<string, string> = {
  ".mp3": "audio/mpeg", ".wav": "audio/wav", ".m4a": "audio/mp4", ".ogg": "audio/ogg", ".flac": "audio/flac", ".webm": "audio/webm",
  ".mp4": "video/mp4", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
  ".pdf": "application/pdf", ".json": "application/json", ".jsonl": "application/jsonl", ".txt": "text/plain", ".csv": "text/csv", ".md": "text/markdown",
};

/** Options of {@link fileFromPath}. */
export interface FileFromPathOptions {
  /** The name sent with the file (default: the path's last segment). */
  name?: string | undefined;
  /** Its content type (default: from the extension, else `application/octet-stream`). */
  type?: string | undefined;
}

/**
 * A file on disk as a `File` that streams from disk when uploaded. Fails with `InvalidArgumentError` when the
 * path is not a readable regular file, before anything is sent.
 *
 * @example
 * import { fileFromPath } from "openrouter-fetch/node";
 * await client.files.upload({ file: await fileFromPath("./report.pdf") });
 */
export async function fileFromPath(path: string, options: FileFromPathOptions = {}): Promise<File> {
  if (typeof path !== "string" || path === "") throw new InvalidArgumentError("fileFromPath() needs a path as a non-empty string");
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new InvalidArgumentError(`fileFromPath(): ${path} is not a regular file`);
    size = info.size;
  } catch (cause) {
    if (cause instanceof InvalidArgumentError) throw cause;
    throw new InvalidArgumentError(`fileFromPath(): cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  const type = options.type ?? TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
  const blob = await openAsBlob(path, { type });
  if (blob.size !== size) throw new InvalidArgumentError(`fileFromPath(): ${path} changed while it was opened`);
  return new File([blob], options.name ?? basename(path), { type });
}
