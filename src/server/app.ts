/**
 * One HTTP server: Apollo Server 5 on /graphql (express 5 integration), graphql-ws on the same
 * path and port (queries and mutations work there too; src/server/websocket.ts), Apollo
 * Sandbox as the landing page. Shutdown drains HTTP requests and disposes the websocket server
 * (graphql-ws `dispose()`).
 *
 * The /graphql chain, in order: request id, CORS (answers preflights), the authentication gate
 * (401 before the body is read when credentials are configured), the JSON body parser (capped),
 * Apollo. Request errors end in one handler that logs through pino.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { expressMiddleware } from "@as-integrations/express5";
import cors from "cors";
import express from "express";
import { GraphQLError, type GraphQLSchema } from "graphql";
import type { GatewayContext, Services } from "../../resolvers/context.js";
import { GatewayError } from "../../datasources/errors.js";
import type { Authenticator, Principal } from "../auth/index.js";
import type { Logger } from "../logger.js";
import { enterRequest } from "../request-context.js";
import { authGate, gatedPrincipal } from "./auth-gate.js";
import { makeFormatError } from "./format-error.js";
import { refuseHttpSubscriptionsPlugin } from "./http-subscriptions.js";
import { limitRules, type QueryLimits } from "./limits.js";
import { OperationLabels, UNKNOWN } from "./operation-label.js";
import { operationMetricsPlugin } from "./operation-metrics.js";
import { requestErrorHandler } from "./request-errors.js";
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
}

export interface RunningServer {
  url: string;
  port: number;
  httpServer: http.Server;
  /** Stops accepting, finishes in-flight requests, closes websockets. */
  close(): Promise<void>;
}

function requestId(header: unknown): string {
  return typeof header === "string" && /^[\w.-]{1,128}$/.test(header) ? header : randomUUID();
}

/** Honours (or makes) the request id and echoes it, before anything can refuse the request. */
const withRequestId: express.RequestHandler = (req, res, next) => {
  const id = requestId(req.headers["x-request-id"]);
  res.locals.requestId = id;
  res.setHeader("x-request-id", id);
  next();
};

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { schema, services, log, authenticator } = opts;
  const contextFor = (principal: Principal | null, id: string): GatewayContext => ({ principal, tenant: principal?.tenant ?? "", requestId: id, services });
  const app = express();
  app.disable("x-powered-by");
  const httpServer = http.createServer(app);
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
      refuseHttpSubscriptionsPlugin(),
      operationMetricsPlugin(services.metrics, labels),
    ],
  });
  await apollo.start();

  opts.routes?.(app);
  app.use(
    "/graphql",
    withRequestId,
    cors(opts.corsOrigins ? { origin: opts.corsOrigins } : undefined),
    authGate(authenticator, () => services.metrics.operation(UNKNOWN, "UNAUTHENTICATED", 0)),
    express.json({ limit: opts.maxBodyBytes }),
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<GatewayContext> => {
        const id = res.locals.requestId as string;
        enterRequest(id);
        // The gate has verified the credential when credentials are configured; this is the
        // check for the anonymous demo, and a second line of defence.
        const gated = gatedPrincipal(res);
        if (gated) return contextFor(gated, id);
        try {
          return contextFor(await authenticator.authenticate(req.headers.authorization), id);
        } catch (err) {
          if (err instanceof GatewayError) throw new GraphQLError(err.message, { extensions: { code: err.code, http: { status: 401 } } });
          throw err;
        }
      },
    }),
  );
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
