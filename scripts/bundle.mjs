// `npm run build`'s bundling step (issue 22, ready time): the gateway's start-up (dist/src/run.js)
// and what it imports, node_modules included, into dist/src/bundle/, one file per lazily loaded
// part (esbuild's code splitting keeps run.ts's dynamic imports lazy). Loading ~2,000 modules
// one by one cost ~0.3 s of a 1.5 s first start; src/main.ts runs this bundle when it is current.
//
// Left outside (loaded from node_modules as usual):
// - PGlite: it finds its WebAssembly and data files beside its own modules;
// - pino: its transports (pino-pretty on a terminal) run its own files in a worker thread;
// - optional native add-ons that ws and pg look for and do without.
// The folder sits two levels below dist/, as the modules do, so paths made from
// import.meta.url (the prepared data directory, ../../pglite-template) resolve the same.
import { build } from "esbuild";
import { rmSync, writeFileSync } from "node:fs";

const OUT = "dist/src/bundle";
/** Which modules went into which file of the bundle (test/e2e/load-path.test.ts reads it); not shipped. */
const META = "dist/bundle-meta.json";
rmSync(OUT, { recursive: true, force: true });
const { metafile } = await build({
  entryPoints: { run: "dist/src/run.js" },
  outdir: OUT,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["@electric-sql/pglite", "@electric-sql/pglite/*", "pino", "pino-pretty", "pg-native", "bufferutil", "utf-8-validate"],
  // CommonJS dependencies call require() for Node's own modules; an ES module has none.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  // Whitespace and syntax only: identifiers and class names (type-graphql names GraphQL types
  // after them) stay as written, so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  logLevel: "warning",
  metafile: true,
});
writeFileSync(META, JSON.stringify(metafile));
