// `npm start` in one Node process (issue 22, item 4): builds first when a source changed since
// the last build (./build-if-stale.mjs), then runs the gateway in this same process. As npm's
// `prestart`, the check cost a Node start of its own (0.15 s of `npm start`'s 2.7-3.2 s here).
import process from "node:process";
import { buildIfStale } from "./build-if-stale.mjs";

const status = buildIfStale();
if (status !== 0) process.exit(status);
await import("../dist/src/main.js");
