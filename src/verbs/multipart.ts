/**
 * `multipart/form-data` request bodies for uploads (transcriptions, files), streamed: the body is a
 * `ReadableStream` that reads the file part as it is sent (a `Blob` made by `fileFromPath` reads from disk
 * chunk by chunk), so an upload never holds a whole file in memory. The body is built afresh for each attempt
 * (`Upload.body` is a factory), so a retry sends it whole again; a `ReadableStream` given by the caller can be
 * read only once, so such an upload is marked not replayable and sent without retries.
 *
 * Names and filenames are escaped as browsers do (CR, LF and `"` percent-encoded), so no input can end a
 * header or the quoted string early; the boundary is random, so no file can contain it by chance.
 */
import { InvalidArgumentError } from "../core/errors.js";
import type { Upload } from "../core/types.js";

/** What an upload can be made from: a `Blob` or `File` (e.g. from `fileFromPath`), bytes, or a stream of bytes. */
export type FileInput = Blob | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array>;

/** A form field's value: a string, a number or a boolean, or a list (sent as repeated fields). */
export type FieldValue = string | number | boolean | readonly (string | number | boolean)[] | undefined;

/** The file part of a form. */
export interface FilePart {
  /** The form field's name (`file`). */
  name: string;
  file: FileInput;
  /** Default: the `File`'s name, else `fallbackName`. */
  filename?: string | undefined;
  /** Default: the `Blob`'s type, else `application/octet-stream`. */
  contentType?: string | undefined;
}

/** A multipart body for `Call.upload`. */
export interface MultipartBody {
  upload: Upload;
  /** False when the file is a one-shot stream: the call must then not be retried (nothing could be resent). */
  replayable: boolean;
  /** The boundary between parts. */
  boundary: string;
  /**
   * The typed error of a source stream that yielded something other than bytes, once that happened: fetch
   * reports it only as a network failure, so the verb throws this instead.
   */
  sourceError(): InvalidArgumentError | undefined;
}

type Segment = Uint8Array | Blob | ReadableStream<Uint8Array>;

const encoder = new TextEncoder();
/** A MIME type: a token, "/", a token, then parameters of printable ASCII (no CR or LF). */
const CONTENT_TYPE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:\s*;[\x20-\x7e]*)?$/;

/** A random boundary (128 bits): no file contains it by chance, so no byte of any part needs escaping. */
export function newBoundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `----openrouter-fetch-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * A name or filename inside a quoted header parameter, escaped as the HTML standard's form encoding does.
 *
 * @example
 * escapeQuoted('a"b\r\n.mp3') // 'a%22b%0D%0A.mp3'
 */
export function escapeQuoted(value: string): string {
  return value.replace(/\r/g, "%0D").replace(/\n/g, "%0A").replace(/"/g, "%22");
}

/** The size of a file input when it is known up front; undefined for a stream. */
function sizeOf(file: FileInput): number | undefined {
  if (file instanceof Blob) return file.size;
  if (file instanceof Uint8Array || file instanceof ArrayBuffer) return file.byteLength;
  return undefined;
}

/** Checks a file input before anything is sent. */
export function checkFile(verb: string, file: unknown): FileInput {
  if (file instanceof Blob || file instanceof Uint8Array || file instanceof ArrayBuffer) return file;
  if (file instanceof ReadableStream) {
    if (file.locked) throw new InvalidArgumentError(`${verb}(): the file stream is locked (already being read); pass a fresh stream`);
    return file;
  }
  throw new InvalidArgumentError(
    `${verb}() needs file as a Blob, File, Uint8Array, ArrayBuffer or ReadableStream (in Node, fileFromPath(path)), got ${file === null ? "null" : typeof file}`,
  );
}

/**
 * The body of a form with text `fields` (in order) and one file part after them.
 *
 * @example
 * const { upload } = multipartBody("files.upload", { purpose: "user_data" }, { name: "file", file: new Uint8Array([1, 2]) }, "upload.bin");
 * upload.contentType; // "multipart/form-data; boundary=----openrouter-fetch-…"
 */
export function multipartBody(verb: string, fields: Record<string, FieldValue>, part: FilePart, fallbackName: string, boundary = newBoundary()): MultipartBody {
  const file = checkFile(verb, part.file);
  const filename = part.filename ?? (typeof File !== "undefined" && file instanceof File && file.name !== "" ? file.name : fallbackName);
  if (typeof filename !== "string" || filename === "" || filename.includes("\0")) {
    throw new InvalidArgumentError(`${verb}(): filename must be a non-empty string without NUL characters`);
  }
  const contentType = part.contentType ?? (file instanceof Blob && file.type !== "" ? file.type : "application/octet-stream");
  if (typeof contentType !== "string" || !CONTENT_TYPE.test(contentType)) {
    throw new InvalidArgumentError(`${verb}(): contentType must be a MIME type such as "audio/mpeg" (printable ASCII, no line breaks)`);
  }
  let head = "";
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item !== "string" && typeof item !== "number" && typeof item !== "boolean") {
        throw new InvalidArgumentError(`${verb}(): ${name} must be a string, number or boolean`);
      }
      const text = String(item);
      if (text.includes(boundary)) throw new InvalidArgumentError(`${verb}(): ${name} contains the multipart boundary`);
      head += `--${boundary}\r\nContent-Disposition: form-data; name="${escapeQuoted(name)}"\r\n\r\n${text}\r\n`;
    }
  }
  head += `--${boundary}\r\nContent-Disposition: form-data; name="${escapeQuoted(part.name)}"; filename="${escapeQuoted(filename)}"\r\nContent-Type: ${contentType}\r\n\r\n`;
  const headBytes = encoder.encode(head);
  const tailBytes = encoder.encode(`\r\n--${boundary}--\r\n`);
  const size = sizeOf(file);
  const oneShot = file instanceof ReadableStream;
  let opened = false;
  let sourceError: InvalidArgumentError | undefined;
  const onBadChunk = () => (sourceError = new InvalidArgumentError(`${verb}(): the file stream must yield Uint8Array chunks`));
  const upload: Upload = {
    contentType: `multipart/form-data; boundary=${boundary}`,
    body: () => {
      if (oneShot && opened) {
        throw new InvalidArgumentError(`${verb}(): a ReadableStream upload can be sent only once; pass a Blob or bytes to allow retries`);
      }
      opened = true;
      const middle: Segment = file instanceof ArrayBuffer ? new Uint8Array(file) : file;
      return concatStream([headBytes, middle, tailBytes], onBadChunk);
    },
  };
  if (size !== undefined) upload.length = headBytes.byteLength + size + tailBytes.byteLength;
  return { upload, replayable: !oneShot, boundary, sourceError: () => sourceError };
}

/**
 * The segments one after another as a pull stream: one chunk per pull, so a file flows at the pace the network
 * takes it and nothing is read ahead.
 */
function concatStream(segments: Segment[], onBadChunk: () => Error): ReadableStream<Uint8Array> {
  let next = 0;
  let current: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          if (current !== undefined) {
            const read = await current.read();
            if (!read.done) {
              if (!(read.value instanceof Uint8Array)) throw onBadChunk();
              controller.enqueue(read.value);
              return;
            }
            current = undefined;
          }
          const segment = segments[next++];
          if (segment === undefined) {
            controller.close();
            return;
          }
          if (segment instanceof Uint8Array) {
            if (segment.byteLength > 0) {
              controller.enqueue(segment);
              return;
            }
          } else current = (segment instanceof Blob ? segment.stream() : segment).getReader();
        }
      },
      async cancel(reason) {
        await current?.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
