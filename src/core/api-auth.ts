/**
 * Which key a `client.api` request sends: the management key for the operations the spec marks
 * `managementKey` (the generated `MANAGEMENT_OPERATIONS`), the API key for the others, unless the caller chose.
 * Loaded with api-request.ts on the first `client.api` request, so the table stays out of the core bundle.
 */
import { AuthenticationError, InvalidArgumentError, describe } from "./errors.js";
import { MANAGEMENT_OPERATIONS } from "../generated/management.js";

/**
 * The request header that picks the key of one `client.api` request: `management` or `inference`. It is read
 * and removed here, never sent.
 */
export const KEY_KIND_HEADER = "x-openrouter-key-kind";

/**
 * The headers a `client.api` request is sent with: the caller's (without `content-type`, which the pipeline
 * sets, and without the key-kind header), plus `authorization` with the management key when the operation
 * needs it or the caller asked for it. An `Authorization` header of the caller's own always wins; with no
 * management key configured, a management operation goes out with the API key (which may be one).
 *
 * @example
 * requestHeaders(new Request("https://x/api/v1/keys"), "GET", "/keys", "/keys", mgmt).authorization; // `Bearer ${mgmt}`
 */
export function requestHeaders(request: { readonly headers: Headers }, method: string, pathname: string, path: string, managementKey: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, key) => {
    if (key !== "content-type" && key !== KEY_KIND_HEADER) headers[key] = value;
  });
  const kind = request.headers.get(KEY_KIND_HEADER);
  if (kind !== null && kind !== "management" && kind !== "inference") {
    throw new InvalidArgumentError(`client.api ${method} ${path}: ${KEY_KIND_HEADER} must be "management" or "inference"`);
  }
  const management = kind === null ? MANAGEMENT_OPERATIONS.test(`${method} ${pathname}`) : kind === "management";
  if (!management || headers["authorization"] !== undefined) return headers;
  if (managementKey !== undefined) headers["authorization"] = `Bearer ${managementKey}`;
  else if (kind !== null) {
    // Asked for by name: sending the API key instead would only earn a 403 from OpenRouter.
    const info = { method, path };
    throw new AuthenticationError(`No management key: pass { managementKey } to new OpenRouter() or set OPENROUTER_MANAGEMENT_KEY${describe(info)}`, info);
  }
  return headers;
}
