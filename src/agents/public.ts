/**
 * agents/'s public values, as the package entry (index.ts) exports them. The tool functions are bindings
 * declared here, not re-exports, so that `import { OpenRouter }` does not load tools.ts, which the lazily
 * loaded agent code uses (the reason is told in accounting/public.ts). `Conversation` comes through here too:
 * the build keeps this file apart from dist/index.js (scripts/build.ts, `publicFaces`), so the modules it
 * needs (the token estimator, its snapshot validator) are not imports of the entry file. Code inside the
 * package imports the modules themselves.
 */
import { defineTool as define, toolToWire as toWire } from "./tools.js";

export { Conversation } from "./conversation.js";

/** Defines a tool; `args` is typed from `parameters`, annotate `ctx` to type the dependencies (see tools.ts). */
export const defineTool: typeof define = define;
/** The wire form of a tool for `tools[]` in a chat request (see tools.ts). */
export const toolToWire: typeof toWire = toWire;
