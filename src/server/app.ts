/**
 * One HTTP server: Apollo Server 5 on /graphql (served from node:http, src/server/graphql-http.ts),
 * graphql-ws on the same path and port (queries and mutations work there too;
 * src/server/websocket.ts), Apollo Sandbox as the landing page; every other route (webhooks,
 * health, metrics) on express. Shutdown drains HTTP requests and disposes the websocket server
 * (graphql-ws `dispose()`). Request errors end in one handler that logs through pino.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import express from "express";
import type { GraphQLSchema } from "graphql";
import type { GatewayContext, Services } from "../../resolvers/context.js";
import type { Authenticator, Principal } from "../auth/index.js";
import type { Logger } from "../logger.js";
import { annotate, ATTR } from "../telemetry/spans.js";
import { makeFormatError } from "./format-error.js";
import { graphqlHttpHandler, isGraphqlPath } from "./graphql-http.js";
import { refuseHttpSubscriptionsPlugin } from "./http-subscriptions.js";
import { limitRules, type QueryLimits } from "./limits.js";
import { OperationLabels, UNKNOWN } from "./operation-label.js";
import { operationMetricsPlugin } from "./operation-metrics.js";
import { requestErrorHandler } from "./request-errors.js";
import { trustedDocumentsPlugin, type TrustedDocumentsPolicy } from "./trusted-documents.js";
import { startWebsocket } from "./websocket.js";

export interface ServerOptions {
  schema: GraphQLSchema;
  services: Services;
  authenticator: Authenticator;
  log: Logger;
  port: number;
  host: string;
  /** Mounts extra routes (webhooks, health) before /graphql. */
  routes?: (app: express.Express) => void;
  limits: QueryLimits;
  /** Allowed browser origins; undefined: any (credentials are bearer tokens, never cookies). */
  corsOrigins?: string[];
  /** Largest GraphQL request body, and largest websocket message, in bytes. */
  maxBodyBytes: number;
  /** Subscriptions one websocket may have open (MAX_SUBSCRIPTIONS_PER_CONNECTION). */
  maxSubscriptionsPerConnection: number;
  /** Production: no field suggestions in validation errors. */
  production: boolean;
  /** Websocket keep-alive ping interval (WS_KEEPALIVE_MS). */
  wsKeepAliveMs: number;
  /** How long a websocket may take to send connection_init (WS_CONNECTION_INIT_TIMEOUT_MS). */
  wsConnectionInitTimeoutMs: number;
  /** Idle time after which a keep-alive HTTP connection is closed (HTTP_KEEPALIVE_TIMEOUT_MS). */
  httpKeepAliveTimeoutMs: number;
  /** Trusted documents (operation manifests); undefined: every document as sent. */
  trustedDocuments?: TrustedDocumentsPolicy;
}

export interface RunningServer {
  url: string;
  port: number;
  httpServer: http.Server;
  /** Stops accepting, finishes in-flight requests, closes websockets. */
  close(): Promise<void>;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { schema, services, log, authenticator } = opts;
  const contextFor = (principal: Principal | null, id: string): GatewayContext => {
    if (principal) annotate(ATTR.tenant, principal.tenant);
    return { principal, tenant: principal?.tenant ?? "", requestId: id, services };
  };
  const app = express();
  app.disable("x-powered-by");
  // /graphql is served once Apollo has started (below); until then every route is express's.
  const graphql: { serve?: (req: http.IncomingMessage, res: http.ServerResponse) => void } = {};
  const httpServer = http.createServer((req, res) => (graphql.serve && isGraphqlPath(req.url) ? graphql.serve(req, res) : app(req, res)));
  // Node closes idle keep-alive connections after 5 s, sooner than load balancers (60 s and
  // more) expect: a balancer then reuses a connection the gateway is closing, the classic
  // cause of sporadic 502s. Idle connections stay open longer than the balancer's, and the
  // headers timeout is above that (Node requires it; issue 16, item 6).
  httpServer.keepAliveTimeout = opts.httpKeepAliveTimeoutMs;
  httpServer.headersTimeout = opts.httpKeepAliveTimeoutMs + 1000;
  const formatError = makeFormatError(log);
  const rules = limitRules(opts.limits);
  const labels = new OperationLabels(schema);

  const ws = startWebsocket({
    httpServer,
    schema,
    authenticator,
    metrics: services.metrics,
    log,
    rules,
    formatError,
    labels,
    contextFor,
    maxMessageBytes: opts.maxBodyBytes,
    keepAliveMs: opts.wsKeepAliveMs,
    connectionInitWaitTimeoutMs: opts.wsConnectionInitTimeoutMs,
    trustedDocuments: opts.trustedDocuments,
    allowedOrigins: opts.corsOrigins,
    maxSubscriptions: opts.maxSubscriptionsPerConnection,
  });

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
    formatError,
    plugins: [
      // On by default, the cache-control plugin wraps every field resolver (willResolveField)
      // to compute cache hints nothing here uses (no @cacheControl, no response cache).
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await ws.dispose();
            },
          };
        },
      },
      ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
      ...(opts.trustedDocuments ? [trustedDocumentsPlugin<GatewayContext>(opts.trustedDocuments)] : []),
      refuseHttpSubscriptionsPlugin(),
      operationMetricsPlugin(services.metrics, labels),
    ],
  });
  await apollo.start();

  opts.routes?.(app);
  graphql.serve = graphqlHttpHandler({
    apollo,
    authenticator,
    log,
    corsOrigins: opts.corsOrigins,
    maxBodyBytes: opts.maxBodyBytes,
    contextFor,
    onRefused: () => services.metrics.operation(UNKNOWN, "UNAUTHENTICATED", 0),
    trustedDocuments: opts.trustedDocuments,
    metrics: services.metrics,
  });
  app.use(requestErrorHandler(log));

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(opts.port, opts.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const shownHost = opts.host === "0.0.0.0" || opts.host === "::" ? "localhost" : opts.host;
  return {
    url: `http://${shownHost}:${port}/graphql`,
    port,
    httpServer,
    async close() {
      await apollo.stop();
      ws.server.close();
    },
  };
}
