/**
 * The public types of `client.files` (the facade is files.ts, the code files-impl.ts).
 */
import type { components, operations } from "../generated/openrouter.js";
import type { CallOptions } from "../core/types.js";
import type { BinaryResponse } from "./binary.js";
import type { FileInput } from "./multipart.js";

type Schemas = components["schemas"];

/** An uploaded file's metadata. */
export type FileObject = Schemas["FileObject"];
/** The answer of `GET /files`. */
export type FileList = Schemas["FileListResponse"];
/** The answer of `DELETE /files/{id}`. */
export type FileDeleted = Schemas["FileDeletedResponse"];
/** The query of `GET /files` (`limit`, `cursor`, `order`, `provider`, `workspace_id`, …). */
export type FileListQuery = NonNullable<operations["listFiles"]["parameters"]["query"]>;
/** Where a file lives: `workspace_id` and `provider`, for every files call. */
export type FileScope = NonNullable<operations["getFileMetadata"]["parameters"]["query"]>;

/** What `files.upload` takes. */
export interface FileUploadParams extends FileScope {
  /** The file: a `Blob` or `File`, bytes, a stream (sent once, without retries), or in Node `fileFromPath(path)`. */
  file: FileInput;
  /** The name it is stored under. Default: the `File`'s name, else `upload.bin`. */
  filename?: string | undefined;
  /** Default: the `Blob`'s type, else `application/octet-stream`. */
  contentType?: string | undefined;
  /** Sent as the `purpose` form field (e.g. `user_data`). */
  purpose?: string | undefined;
}

/** `client.files`. */
export interface Files {
  /**
   * Uploads a file as `multipart/form-data`, streamed (a file from `fileFromPath` is read from disk as it is sent).
   *
   * @example
   * const file = await client.files.upload({ file: new Blob(["hello"], { type: "text/plain" }), filename: "hello.txt" });
   */
  upload(params: FileUploadParams, options?: CallOptions): Promise<FileObject>;
  /**
   * The uploaded files (one page; pass `cursor` for the next).
   *
   * @example
   * const { data, has_more } = await client.files.list({ limit: 20 });
   */
  list(query?: FileListQuery, options?: CallOptions): Promise<FileList>;
  /**
   * A file's metadata.
   *
   * @example
   * const meta = await client.files.get(file.id);
   */
  get(id: string, scope?: FileScope, options?: CallOptions): Promise<FileObject>;
  /**
   * A file's bytes, as a stream or bytes.
   *
   * @example
   * const bytes = await (await client.files.content(file.id)).bytes();
   */
  content(id: string, scope?: FileScope, options?: CallOptions): Promise<BinaryResponse>;
  /**
   * Deletes a file.
   *
   * @example
   * await client.files.delete(file.id);
   */
  delete(id: string, scope?: FileScope, options?: CallOptions): Promise<FileDeleted>;
}
