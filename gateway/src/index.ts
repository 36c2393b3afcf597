/**
 * openrouter-fetch-gateway: the public surface. Re-exports only.
 */
export { createGateway } from "./gateway.js";
export type { Gateway, GatewayOptions } from "./gateway.js";
export { openStore } from "./store.js";
export type { Store } from "./store.js";
export { createKey, listKeys, revokeKey, usageReport } from "./admin.js";
