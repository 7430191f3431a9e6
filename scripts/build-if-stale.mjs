// `npm start`'s first step (issue 22, item 4; ./start.mjs runs it): builds only when a source is
// newer than the last build (dist/.build-stamp, written as `npm run build`'s last step) or no
// build exists, so a start on an unchanged tree costs a directory walk (tens of ms) instead of a
// full tsc run.
import { spawnSync } from "node:child_process";
import process from "node:process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const STAMP = "dist/.build-stamp";
/** What the build reads: tsconfig.json's include list, and the files that decide its result. */
const INPUTS = [
  "src",
  "schema",
  "resolvers",
  "datasources",
  "test",
  "bench",
  "examples",
  "vitest.config.ts",
  "tsconfig.json",
  "package-lock.json",
];
const SKIP = new Set(["node_modules", "dist", "web"]);
/** Files the build reads; a benchmark's RESULTS.md or a document changing needs no build. */
const READ = /\.(ts|mts|cts|json)$/;

/** The newest modification time under `path` (a file or a folder), in ms. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return READ.test(path) ? st.mtimeMs : 0;
  let max = st.mtimeMs;
  for (const entry of readdirSync(path)) if (!SKIP.has(entry)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

/** Builds when a source is newer than the last build or there is none; returns the build's exit status, 0 when none ran. */
export function buildIfStale() {
  const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
  const changed = Math.max(...INPUTS.map(newest));
  if (changed <= built) return 0;
  process.stdout.write(built ? "sources changed since the last build: building\n" : "no build yet: building\n");
  const r = spawnSync("npm", ["run", "build"], { stdio: "inherit" });
  return r.status ?? 1;
}

// Run on its own (`node scripts/build-if-stale.mjs`): exits with the build's status.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exit(buildIfStale());
