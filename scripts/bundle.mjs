// `npm run build`'s bundling step (issue 22, ready time): the gateway's start-up (dist/src/run.js)
// and what it imports, node_modules included, into dist/src/bundle/, one file per lazily loaded
// part (esbuild's code splitting keeps run.ts's dynamic imports lazy). Loading the several hundred
// modules of a start one by one cost ~0.5 s of a 1.7 s first start (bench/RESULTS.md); src/main.ts
// runs this bundle when it is current.
//
// Left outside (loaded from node_modules as usual):
// - PGlite: it finds its WebAssembly and data files beside its own modules;
// - pino: its transports (pino-pretty on a terminal) run its own files in a worker thread;
// - optional native add-ons that ws and pg look for and do without.
// The folder sits two levels below dist/, as the modules do, so paths made from
// import.meta.url (the prepared data directory, ../../pglite-template) resolve the same.
import { build } from "esbuild";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve as resolvePath } from "node:path";

const OUT = "dist/src/bundle";
/** Which modules went into which file of the bundle (test/e2e/load-path.test.ts reads it); not shipped. */
const META = "dist/bundle-meta.json";

/**
 * graphql-js's type guards (isObjectType, isListType…) go through its `instanceOf`, which, unless
 * NODE_ENV is "production", looks at every failed `instanceof` for the same class name from a
 * second copy of graphql ("Cannot use … from another module or realm"). The bundle holds one copy
 * of graphql (the build fails otherwise, below; test/e2e/bundle.test.ts checks it too), so that
 * check can never fire in it, and it cost ~1 % of a voidQuote's CPU in a profile
 * (bench/RESULTS.md, "Issue 24, fourteenth session"). In the bundle, graphql's `instanceOf` is its
 * production one whatever NODE_ENV says; nothing else reads NODE_ENV differently. The modules
 * (tests, tracing) keep the check.
 */
const GRAPHQL_INSTANCE_OF = /[\\/]node_modules[\\/]graphql[\\/]jsutils[\\/]instanceOf\.m?js$/;
const graphqlOneRealm = {
  name: "graphql-one-realm",
  setup(b) {
    const loaded = [];
    b.onLoad({ filter: GRAPHQL_INSTANCE_OF }, (args) => {
      loaded.push(args.path);
      const source = readFileSync(args.path, "utf8");
      const flag = /const isProduction =[^;]*;/;
      if (!flag.test(source)) throw new Error(`${args.path} changed: scripts/bundle.mjs no longer knows its production switch`);
      return { contents: source.replace(flag, "const isProduction = true;"), loader: "js" };
    });
    // Fails closed: the switch is only right with exactly one copy of graphql, the project's own.
    b.onEnd(() => {
      const own = resolvePath("node_modules/graphql/jsutils/instanceOf.js");
      if (loaded.length !== 1 || resolvePath(loaded[0]) !== own)
        throw new Error(`the bundle must hold exactly one copy of graphql (${own}); it loaded: ${loaded.join(", ") || "none"}`);
    });
  },
};

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
  // Apollo's hashing through Node's crypto, as outside a bundle (./lib/createhash.mjs says why).
  alias: { "@apollo/utils.createhash": "./scripts/lib/createhash.mjs" },
  plugins: [graphqlOneRealm],
  external: ["@electric-sql/pglite", "@electric-sql/pglite/*", "pino", "pino-pretty", "pg-native", "bufferutil", "utf-8-validate"],
  // CommonJS dependencies call require() for Node's own modules; an ES module has none.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  // Not minified, and no keepNames: esbuild's keepNames wraps every function it creates in a
  // name-setting call, closures made per request included, which cost 15 % more CPU per
  // voidQuote and 35 % per query in an A/B (bench/RESULTS.md). A bundler renames classes whose
  // names clash (Money becomes Money2), so every type-graphql type is named explicitly
  // (@ObjectType("Money", …)); test/e2e/bundle.test.ts checks the served schema.
  logLevel: "warning",
  metafile: true,
});
writeFileSync(META, JSON.stringify(metafile));
