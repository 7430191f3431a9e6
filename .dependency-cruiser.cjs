/**
 * The architecture as rules a machine checks (issue 21, item 2; docs/architecture.md "Layout").
 * `npm run lint:arch` runs them and CI fails on any error. Type-only imports count: a cycle
 * or an upward import is one to a reader whether or not it survives compilation.
 */
/** Production code: what `npm start` can load. Tests, benchmarks and examples are not. */
const PRODUCTION = "^(src|datasources|resolvers|schema)/";
/** The vocabulary every layer shares; it imports nothing of the project but itself. */
const VOCABULARY = "^src/vocabulary/";
/** Leaves of src/ the datasources may use besides the vocabulary: each imports nothing of the project. */
const DATASOURCE_LEAVES = ["^src/vocabulary/", "^src/config-kit\\.ts$", "^src/telemetry/spans\\.ts$"];

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "No import cycle anywhere, type-only included.",
      from: {},
      to: { circular: true },
    },
    {
      name: "vocabulary-is-a-leaf",
      severity: "error",
      comment: "The vocabulary (errors and their codes, supplier names, kind names) imports nothing of the project but itself.",
      from: { path: VOCABULARY },
      to: { path: "^(src|datasources|resolvers|schema|test|bench|examples)/", pathNot: VOCABULARY },
    },
    {
      name: "datasource-leaves-are-leaves",
      severity: "error",
      comment: "The parts of src/ the datasources use import nothing of the project but the vocabulary.",
      from: { path: DATASOURCE_LEAVES.slice(1) },
      to: { path: "^(src|datasources|resolvers|schema)/", pathNot: VOCABULARY },
    },
    {
      name: "datasources-import-only-leaves-of-src",
      severity: "error",
      comment: "datasources/ is the supplier layer: from src/ it takes only the leaves (the vocabulary, config-kit, spans).",
      from: { path: "^datasources/" },
      to: { path: "^src/", pathNot: DATASOURCE_LEAVES },
    },
    {
      name: "datasources-never-reach-up",
      severity: "error",
      comment: "datasources/ knows nothing of resolvers or the schema.",
      from: { path: "^datasources/" },
      to: { path: "^(resolvers|schema)/" },
    },
    {
      name: "no-async-hooks-in-production",
      severity: "error",
      comment:
        "No AsyncLocalStorage (or other async hook) in what npm start loads: on Node 20 and 22 one switches on promise hooks for every promise of the process, a quarter of a request's CPU (bench/RESULTS.md, issue 24, eighth session). Pass what a call needs as an argument (datasources/deadline.ts, CallScope).",
      from: { path: PRODUCTION },
      to: { dependencyTypes: ["core"], path: "async_hooks$" },
    },
    {
      name: "sandbox-only-from-start-up",
      severity: "error",
      comment: "Nothing but the start-up path (src/run.ts) reaches the simulators; a gateway on real suppliers loads none.",
      from: { path: PRODUCTION, pathNot: ["^src/run\\.ts$", "^src/sandbox/"] },
      to: { path: "^src/sandbox/" },
    },
    {
      name: "sandbox-independent-of-datasources",
      severity: "error",
      comment: "The simulators are an independent reading of the supplier documents.",
      from: { path: "^src/sandbox/" },
      to: { path: "^datasources/" },
    },
    {
      name: "resolvers-reach-services-not-stores",
      severity: "error",
      comment: "Resolvers call services (tracking, the registry); only the record shapes of the store are theirs to name.",
      from: { path: "^resolvers/" },
      to: { path: "^src/store/", pathNot: "^src/store/tracked-model\\.ts$" },
    },
    {
      name: "production-not-from-tests",
      severity: "error",
      comment: "Production code never imports tests, benchmarks or examples.",
      from: { path: PRODUCTION },
      to: { path: "^(test|bench|examples)/" },
    },
    {
      name: "production-not-on-dev-dependencies",
      severity: "error",
      comment: "npm ci --omit=dev must still run the gateway.",
      from: { path: PRODUCTION },
      to: { dependencyTypes: ["npm-dev"], dependencyTypesNot: ["type-only"] },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "Every import resolves.",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^dist/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
  },
};
