#!/usr/bin/env node
// `npm run bench:gateway`: runs the bench from source (same loader as the bin). `run.js servers` is the
// server process the bench starts.
import { register } from "tsx/esm/api";

register({ tsconfig: new URL("../tsconfig.json", import.meta.url).pathname });
await import(process.argv[2] === "servers" ? "./servers.ts" : "./run.ts");
