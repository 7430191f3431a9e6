/**
 * The gateway runs from its bundle (scripts/bundle.mjs). Tests that record which modules a
 * process loaded count a file of the bundle as the modules the build put in it, from esbuild's
 * own account (dist/bundle-meta.json).
 */
import { readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const BUNDLE_DIR = join(ROOT, "dist", "src", "bundle") + sep;

type Metafile = { inputs: Record<string, unknown>; outputs: Record<string, { inputs: Record<string, unknown> }> };
let meta: Metafile | undefined;
const metafile = (): Metafile => (meta ??= JSON.parse(readFileSync(join(ROOT, "dist", "bundle-meta.json"), "utf8")) as Metafile);

/** Every module the build put in the bundle, as esbuild names it (relative to the project: "node_modules/graphql/index.js"). */
export function bundleInputs(): string[] {
  return Object.keys(metafile().inputs);
}

/** The modules (absolute paths) in one file of the bundle; throws for a file the build did not make. */
function bundledModules(file: string): string[] {
  const output = metafile().outputs[relative(ROOT, file).split(sep).join("/")];
  if (!output) throw new Error(`${file} is not in the bundle's metafile (dist/bundle-meta.json)`);
  return Object.keys(output.inputs).map((input) => join(ROOT, input));
}

/** Loaded files (absolute paths), with each file of the bundle replaced by the modules in it. */
export function withBundledModules(files: string[]): string[] {
  return files.flatMap((f) => (f.startsWith(BUNDLE_DIR) ? bundledModules(f) : [f]));
}
