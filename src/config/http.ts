/** The HTTP server: where it listens, who may call it from a browser, how much it reads (issue 21, item 4: one concern, one row per setting). */
import { z } from "zod";
import { bool, commaList, concern, httpUrl, port, positiveInt, text, TIMER_MAX_MS, variable } from "../config-kit.js";
import { DEFAULT_LIMITS } from "../server/limits.js";

/**
 * A browser origin as browsers send it in `Origin` — scheme, host and port only, lowercase — since
 * the list is compared with that header as written: `https://app.example/` or one with a path
 * would never match, and every browser call from there would be refused.
 */
const origin = httpUrl.superRefine((v, ctx) => {
  // zod runs this after a failed URL check too: that one already says what is wrong.
  if (!URL.canParse(v) || !/^https?:$/.test(new URL(v).protocol)) return;
  const exact = new URL(v).origin;
  if (v !== exact)
    ctx.addIssue({ code: "custom", message: `"${v}" is not an origin (scheme://host[:port], nothing after): use "${exact}"` });
});

export const HTTP = concern(
  {
    port: variable({ name: "PORT", default: "4000", schema: port, description: "HTTP port of /graphql, /webhooks/…, /healthz" }),
    host: variable({ name: "HOST", default: "0.0.0.0", schema: text, description: "Interface to listen on" }),
    corsOrigins: variable({
      name: "CORS_ORIGINS",
      schema: commaList.pipe(z.array(origin).min(1, "list at least one origin")),
      description: "Comma-separated browser origins allowed to call /graphql, each scheme://host[:port] as browsers send it (unset: any)",
    }),
    maxBodyBytes: variable({
      name: "GRAPHQL_MAX_BODY_BYTES",
      default: "102400",
      schema: positiveInt,
      description: "Largest GraphQL request body (larger: 413) and largest websocket message (larger: closed with 1009)",
    }),
    keepAliveTimeoutMs: variable({
      name: "HTTP_KEEPALIVE_TIMEOUT_MS",
      default: "65000",
      // The server's headers timeout is this plus 1 s, which must still fit Node's timers.
      schema: positiveInt.max(TIMER_MAX_MS - 1000, `must be at most ${TIMER_MAX_MS - 1000}`),
      description: "Idle keep-alive HTTP connections are kept this long: above load balancers' idle timeouts (60 s is common)",
    }),
    leanExecution: variable({
      name: "GRAPHQL_LEAN_EXECUTION",
      default: "true",
      schema: bool,
      description:
        "true: a plain POSTed query or mutation runs on graphql-js without Apollo Server's request pipeline, answered exactly as Apollo answers it (~70 µs less CPU per request); false: every request through Apollo",
    }),
    federationSubgraph: variable({
      name: "FEDERATION_SUBGRAPH",
      default: "false",
      schema: bool,
      description: "true: serve the schema as an Apollo Federation 2 subgraph (_service, _entities, @key)",
    }),
    explorer: variable({
      name: "EXPLORER",
      default: "sandbox",
      schema: z.enum(["sandbox", "graphiql", "off"], { message: "must be sandbox, graphiql or off" }),
      description:
        "What GET /graphql shows a browser: sandbox (Apollo Sandbox, loaded from Apollo's CDN), graphiql (GraphiQL served from the gateway itself: works offline) or off",
    }),
    nodeEnv: variable({
      name: "NODE_ENV",
      schema: z.string(),
      description:
        "production: no schema names suggested in errors (validation and variable values, every transport; stack traces and internal messages are never shown)",
    }),
    // Read by Apollo Server itself; rows here so that --help, .env.example and the docs say what they do.
    apolloKey: variable({
      name: "APOLLO_KEY",
      schema: text,
      secret: true,
      description:
        "Apollo Server's own: set, every request takes Apollo Server's full pipeline (no lean path); with APOLLO_GRAPH_REF too, Apollo Server sends usage reports (operation names and statistics; no variables, no headers) to Apollo GraphOS. Unset: nothing is sent",
    }),
    apolloGraphRef: variable({
      name: "APOLLO_GRAPH_REF",
      schema: text,
      description: "Apollo Server's own: the GraphOS graph (graph@variant) APOLLO_KEY's usage reports go to",
    }),
  },
  ({ nodeEnv, apolloKey: _key, apolloGraphRef: _ref, ...values }) => ({ ...values, production: nodeEnv === "production" }),
);

/** What one GraphQL operation may ask for. */
export const LIMITS = concern({
  maxDepth: variable({
    name: "GRAPHQL_MAX_DEPTH",
    default: String(DEFAULT_LIMITS.maxDepth),
    schema: positiveInt,
    description: "Deepest selection an operation may have",
  }),
  maxAliases: variable({
    name: "GRAPHQL_MAX_ALIASES",
    default: String(DEFAULT_LIMITS.maxAliases),
    schema: positiveInt,
    description:
      "Most aliases in one operation (aliases of __typename, which Relay writes for its type checks, are not counted: the depth and cost limits and GRAPHQL_MAX_BODY_BYTES bound them)",
  }),
  maxCost: variable({
    name: "GRAPHQL_MAX_COST",
    default: String(DEFAULT_LIMITS.maxCost),
    schema: positiveInt,
    description: "Highest cost of one operation (graphql-armor's cost model)",
  }),
  maxTokens: variable({
    name: "GRAPHQL_MAX_TOKENS",
    default: String(DEFAULT_LIMITS.maxTokens),
    schema: positiveInt,
    description:
      "Most tokens (names, punctuation, values) one GraphQL document may have, counted as it is parsed: a longer one is refused before it is parsed further or validated, whose cost grows with its size (GRAPHQL_PARSE_FAILED). The full introspection query has under 200",
  }),
});
