#!/usr/bin/env node
// `npm run bench:gateway`: runs the bench from source (same loader as the bin). `run.js fake` and
// `run.js servers` are the upstream fake's and the gateway's processes, which the bench starts.
import { register } from "tsx/esm/api";

register({ tsconfig: new URL("../tsconfig.json", import.meta.url).pathname });
const role = process.argv[2];
await import(role === "servers" ? "./servers.ts" : role === "fake" ? "./fake-process.ts" : "./run.ts");
