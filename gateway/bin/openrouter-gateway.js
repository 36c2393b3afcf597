#!/usr/bin/env node
// The gateway runs from its TypeScript sources through tsx, with the client taken from the workspace sources
// (see tsconfig.json "paths"), so a fresh clone needs no build step.
import { register } from "tsx/esm/api";

register({ tsconfig: new URL("../tsconfig.json", import.meta.url).pathname });
await import("../src/cli.ts");
