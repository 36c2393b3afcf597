/**
 * agents/'s public values, as the package entry (index.ts) exports them. The tool functions and the error
 * classes are bindings declared here, not re-exports, so that `import { OpenRouter }` does not load tools.ts
 * and errors.ts, which the lazily loaded agent code uses (the reason is told in accounting/public.ts). Each
 * class is the module's own class under a constant of its type, with a type of the same name, so `instanceof`
 * and annotations work as with the class itself. `Conversation` comes through here too:
 * the build keeps this file apart from dist/index.js (scripts/build.ts, `publicFaces`), so the modules it
 * needs (the token estimator, its snapshot validator) are not imports of the entry file. Code inside the
 * package imports the modules themselves.
 */
import { defineTool as define, toolToWire as toWire } from "./tools.js";
import { MaxStepsError as MaxSteps, StructuredOutputError as StructuredOutput, ToolError as ToolFailure } from "./errors.js";

export { Conversation } from "./conversation.js";

/** Defines a tool; `args` is typed from `parameters`, annotate `ctx` to type the dependencies (see tools.ts). */
export const defineTool: typeof define = define;
/** The wire form of a tool for `tools[]` in a chat request (see tools.ts). */
export const toolToWire: typeof toWire = toWire;

/** The model never produced valid JSON for the schema within `maxRepairs` (see errors.ts). */
export const StructuredOutputError: typeof StructuredOutput = StructuredOutput;
export type StructuredOutputError = StructuredOutput;
/** `maxSteps` was reached while the model still wanted tools (see errors.ts). */
export const MaxStepsError: typeof MaxSteps = MaxSteps;
export type MaxStepsError = MaxSteps;
/** A tool kept failing beyond its retry limit (see errors.ts). */
export const ToolError: typeof ToolFailure = ToolFailure;
export type ToolError = ToolFailure;
