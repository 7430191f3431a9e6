/**
 * `npm start`'s entry (`node dist/src/main.js`): runs the gateway's start-up (./run.ts) from the
 * bundle the build makes of it (scripts/bundle.mjs: a few files instead of several hundred
 * modules, ~0.5 s less to "ready", issue 22), or from the built modules when
 * - tracing is asked for: OpenTelemetry's instrumentations patch graphql, pg, ioredis, pino and
 *   http as they load, and cannot patch copies bundled inside one file;
 * - there is no bundle (under tsx, or a build without it), or it is older than run.js (a `tsc`
 *   run since the last `npm run build`, which rewrites every file it emits).
 */
import { statSync } from "node:fs";
import { tracingRequested } from "./telemetry/switch.js";

const bundle = new URL("./bundle/run.mjs", import.meta.url);

function bundleIsCurrent(): boolean {
  const built = statSync(bundle, { throwIfNoEntry: false });
  const modules = statSync(new URL("./run.js", import.meta.url), { throwIfNoEntry: false });
  return built !== undefined && (modules === undefined || built.mtimeMs >= modules.mtimeMs);
}

await import(!tracingRequested() && bundleIsCurrent() ? bundle.href : "./run.js");
