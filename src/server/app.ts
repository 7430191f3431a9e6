/**
 * One HTTP server: Apollo Server 5 on /graphql (served from node:http, ./graphql-http.ts),
 * graphql-ws on the same path and port (queries and mutations work there too; ./ws/),
 * subscriptions over HTTP as multipart or SSE on the same path (./streams/), Apollo
 * Sandbox as the landing page; the webhook intake on node:http too (./webhooks.ts); every other
 * route (health, metrics) on express.
 * Shutdown drains HTTP requests and disposes the websocket server (graphql-ws `dispose()`).
 *
 * `startServer` only assembles parts that are each built and unit-tested on their own
 * (issue 17, item 1): the HTTP server (./http-server.ts), the express routes, the Apollo
 * plugins (./apollo-plugins.ts), the websocket options (./ws/options.ts) and plugins
 * (./ws/plugins.ts), and the /graphql handler.
 */
import type http from "node:http";
import { ApolloServer } from "@apollo/server";
import { InMemoryLRUCache } from "@apollo/utils.keyvaluecache";
import express from "express";
import type { GraphQLSchema } from "graphql";
import type { GatewayContext, Services } from "../../resolvers/context.js";
import type { Authenticator } from "../auth/index.js";
import type { Logger } from "../logger.js";
import { apolloPlugins } from "./apollo-plugins.js";
import type { Explorer } from "./explorer.js";
import { makeFormatError } from "./format-error.js";
import { contextFactory } from "./operation-context.js";
import { graphqlHttpHandler } from "./graphql-http.js";
import { createHttpServer, listen } from "./http-server.js";
import { LeanExecution } from "./lean-execution.js";
import { limitRules, type QueryLimits } from "./limits.js";
import { OperationLabels } from "./operation-label.js";
import { operationPreparer } from "./prepare-operation.js";
import { requestErrorHandler } from "./request-errors.js";
import { httpStreamServer, HttpStreams } from "./streams/index.js";
import { checkTrustedDocuments, type TrustedDocumentsPolicy } from "./trusted-documents.js";
import { websocketOptions } from "./ws/options.js";
import { websocketPlugins } from "./ws/plugins.js";
import type { WebhookIntakeHandler } from "./webhooks.js";
import { startWebsocket } from "./ws/serve.js";

/**
 * A stop's time, within the 15 s a shutdown has (src/run.ts): first the state-changing operations
 * in flight answer, over HTTP and the websockets alike, while both still serve (at most
 * SETTLE_MS); then HTTP drains (the requests left, at most DRAIN_GRACE_MS), the streams end and
 * the websockets close with 1001. Apollo's drain alone would close a websocket at once, its
 * operation's answer lost (it ends every connection with no HTTP request running).
 */
const SETTLE_MS = 9_000;
const DRAIN_GRACE_MS = 3_000;

/** What the server is made of; main.ts fills it from configuration (docs/configuration.md). */
export interface ServerOptions {
  schema: GraphQLSchema;
  services: Services;
  authenticator: Authenticator;
  log: Logger;
  /** Port to listen on; 0: any free port. */
  port: number;
  host: string;
  /** Mounts extra routes (health, metrics) on express. */
  routes?: (app: express.Express) => void;
  /** The webhook intake, served from node:http before the express routes. */
  webhooks?: WebhookIntakeHandler;
  limits: QueryLimits;
  /** Allowed browser origins; undefined: any (credentials are bearer tokens, never cookies). */
  corsOrigins?: string[];
  /** Largest GraphQL request body, and largest websocket message, in bytes (GRAPHQL_MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** Subscriptions one websocket may have open (MAX_SUBSCRIPTIONS_PER_CONNECTION). */
  maxSubscriptionsPerConnection: number;
  /** Production: no schema names suggested in errors (validation and variable values). */
  production: boolean;
  /** Websocket keep-alive ping interval (WS_KEEPALIVE_MS). */
  wsKeepAliveMs: number;
  /** How long a websocket may take to send connection_init (WS_CONNECTION_INIT_TIMEOUT_MS). */
  wsConnectionInitTimeoutMs: number;
  /** Idle time after which a keep-alive HTTP connection is closed (HTTP_KEEPALIVE_TIMEOUT_MS). */
  httpKeepAliveTimeoutMs: number;
  /** A federation subgraph behind a router: trusted documents' operations, written for the supergraph, are not checked at start. */
  federationSubgraph?: boolean;
  /** Trusted documents (operation manifests); undefined: every document as sent. */
  trustedDocuments?: TrustedDocumentsPolicy;
  /** What GET /graphql shows a browser (EXPLORER). @default "sandbox" */
  explorer?: Explorer;
  /** Plain operations over HTTP without Apollo's pipeline (GRAPHQL_LEAN_EXECUTION; ./lean-execution.ts). @default true */
  leanExecution?: boolean;
  /** Subscriptions over HTTP: the multipart heartbeat and the slow-reader bound (HTTP_SUBSCRIPTION_*). */
  httpStreams: { heartbeatMs: number; maxBufferedBytes: number };
}

/** A listening server. */
export interface RunningServer {
  url: string;
  port: number;
  httpServer: http.Server;
  /** Stops accepting, finishes in-flight requests, closes websockets. */
  close(): Promise<void>;
}

/** Express for every route but /graphql; its last handler answers request errors through pino. */
function expressRoutes(log: Logger, routes?: (app: express.Express) => void): express.Express {
  const app = express();
  app.disable("x-powered-by");
  routes?.(app);
  app.use(requestErrorHandler(log));
  return app;
}

/** Builds the parts, starts Apollo, and listens; resolves once the port is bound. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { schema, services, log, authenticator } = opts;
  const { metrics } = services;
  const contextFor = contextFactory(services);
  const formatError = makeFormatError(log, opts.production);
  const rules = limitRules(opts.limits);
  const labels = new OperationLabels(schema);
  const prepare = operationPreparer({ schema, rules, labels, hideSuggestions: opts.production, maxTokens: opts.limits.maxTokens });
  if (opts.trustedDocuments && !opts.federationSubgraph) checkTrustedDocuments(opts.trustedDocuments, prepare);
  const { webhooks } = opts;
  const http = createHttpServer(expressRoutes(log, opts.routes), {
    keepAliveTimeoutMs: opts.httpKeepAliveTimeoutMs,
    direct: webhooks ? [(req, res) => webhooks.serve(req, res)] : [],
  });

  const ws = startWebsocket(
    websocketOptions({
      schema,
      rules,
      formatError,
      labels,
      hideSuggestions: opts.production,
      maxTokens: opts.limits.maxTokens,
      contextFor,
      trustedDocuments: opts.trustedDocuments,
      connectionInitWaitTimeoutMs: opts.wsConnectionInitTimeoutMs,
      plugins: websocketPlugins({
        authenticator,
        metrics,
        maxSubscriptions: opts.maxSubscriptionsPerConnection,
        log,
        inFlight: services.idempotency.inFlight,
      }),
    }),
    { httpServer: http.server, log, maxMessageBytes: opts.maxBodyBytes, keepAliveMs: opts.wsKeepAliveMs, allowedOrigins: opts.corsOrigins },
  );

  const streams = new HttpStreams({ log, metrics, ...opts.httpStreams });
  // Apollo's automatic persisted queries, in a cache the HTTP streams share (./streams/persisted.ts).
  const apq = new InMemoryLRUCache<string>();

  const apollo = new ApolloServer<GatewayContext>({
    schema,
    introspection: true,
    // Apollo's own warnings go through pino too.
    logger: log,
    // main.ts owns SIGINT/SIGTERM and stops everything in order.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: opts.production,
    validationRules: rules,
    parseOptions: { maxTokens: opts.limits.maxTokens },
    formatError,
    persistedQueries: { cache: apq },
    // On stop, the HTTP streams end (clients resubscribe elsewhere) and the websockets close.
    plugins: apolloPlugins({
      httpServer: http.server,
      drainGraceMs: DRAIN_GRACE_MS,
      alsoStop: [streams, ws],
      metrics,
      labels,
      explorer: opts.explorer,
    }),
  });
  await apollo.start();
  const lean = opts.leanExecution === false ? undefined : new LeanExecution({ schema, prepare, labels, metrics, formatError });
  http.serveGraphql(
    graphqlHttpHandler({
      apollo,
      authenticator,
      log,
      corsOrigins: opts.corsOrigins,
      maxBodyBytes: opts.maxBodyBytes,
      contextFor,
      trustedDocuments: opts.trustedDocuments,
      metrics,
      streams: httpStreamServer({ schema, prepare, formatError, contextFor, metrics, streams }, apq),
      lean,
    }),
  );

  const { port, url } = await listen(http.server, opts.port, opts.host);
  return {
    url,
    port,
    httpServer: http.server,
    async close() {
      lean?.close();
      // No new state-changing work from here on (SERVICE_UNAVAILABLE, retryable): what runs finishes.
      services.idempotency.inFlight.close();
      await services.idempotency.inFlight.settled(SETTLE_MS);
      await apollo.stop();
      ws.server.close();
      webhooks?.close();
    },
  };
}
