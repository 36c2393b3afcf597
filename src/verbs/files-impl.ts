/** The files verbs on the client's pipeline. */
import type { CallOptions } from "../core/types.js";
import { type BinaryResponse, binaryResponse, openBinary } from "./binary.js";
import type { VerbContext } from "./context.js";
import type { FileDeleted, FileList, FileListQuery, FileObject, FileScope, FileUploadParams } from "./files-types.js";
import type { Reader } from "../core/read.js";
import { type ObjectReply, callFor, checkParams, pathId, queryString, readObject, run, runJson } from "./media-common.js";
import { sendUpload } from "./multipart-call.js";

export async function upload(ctx: VerbContext, params: FileUploadParams, options: CallOptions = {}): Promise<FileObject> {
  const verb = "files.upload";
  const { file, filename, contentType, purpose, workspace_id, provider } = checkParams(verb, params) as unknown as FileUploadParams;
  const path = `/files${queryString(verb, { workspace_id, provider })}`;
  const request = { verb, path, fields: { purpose }, part: { name: "file", file, filename, contentType }, fallbackName: "upload.bin" };
  return (await sendUpload(ctx, request, options, readObject as Reader<ObjectReply<FileObject>>)).value;
}

export async function list(ctx: VerbContext, query?: FileListQuery, options?: CallOptions): Promise<FileList> {
  return runJson<FileList>(ctx, callFor("files.list", "GET", `/files${queryString("files.list", query)}`, options), options);
}

/** `/files/{id}` (and what follows), with the scope as the query. */
function filePath(verb: string, id: string, suffix: string, scope: FileScope | undefined): string {
  return `/files/${pathId(verb, id)}${suffix}${queryString(verb, scope)}`;
}

export async function get(ctx: VerbContext, id: string, scope?: FileScope, options?: CallOptions): Promise<FileObject> {
  return runJson<FileObject>(ctx, callFor("files.get", "GET", filePath("files.get", id, "", scope), options), options);
}

export async function content(ctx: VerbContext, id: string, scope?: FileScope, options?: CallOptions): Promise<BinaryResponse> {
  const call = callFor("files.content", "GET", filePath("files.content", id, "/content", scope), options);
  return binaryResponse(await run(ctx, call, openBinary, options));
}

// `delete` is a reserved word: the function is `remove`, exported under the method's name.
async function remove(ctx: VerbContext, id: string, scope?: FileScope, options?: CallOptions): Promise<FileDeleted> {
  return runJson<FileDeleted>(ctx, callFor("files.delete", "DELETE", filePath("files.delete", id, "", scope), options), options);
}
export { remove as delete };
