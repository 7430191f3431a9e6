/**
 * One HTTP server: Apollo Server 5 on /graphql (express 5 integration), graphql-ws on the same
 * path and port (queries and mutations work there too), Apollo Sandbox as the landing page.
 * Shutdown drains HTTP requests and disposes the websocket server (graphql-ws `dispose()`).
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
import { getOperationAST, parse, specifiedRules, validate, type GraphQLSchema } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { GraphQLError } from "graphql";
import type { GatewayContext, Services } from "../../resolvers/context.js";
import { GatewayError } from "../../datasources/errors.js";
import type { Authenticator, Principal } from "../auth/index.js";
import type { Logger } from "../logger.js";
import { enterRequest } from "../request-context.js";
import { makeFormatError } from "./format-error.js";
import { limitRules, type QueryLimits } from "./limits.js";
import { subscribeShared } from "./shared-execution.js";

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
  /** Largest GraphQL request body, in bytes. */
  maxBodyBytes: number;
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

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { schema, services, log, authenticator } = opts;
  const contextFor = (principal: Principal | null, id: string): GatewayContext => ({ principal, tenant: principal?.tenant ?? "", requestId: id, services });
  const app = express();
  app.disable("x-powered-by");
  const httpServer = http.createServer(app);
  const formatError = makeFormatError(log);
  const rules = limitRules(opts.limits);

  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql" });
  type Op = { name: string; started: number; outcome: string };
  const wsCleanup = useServer<Record<string, unknown>, { principal?: Principal | null; expiry?: NodeJS.Timeout; ops?: Map<string, Op> }>(
    {
      schema,
      // A bad or missing credential closes the socket with 4403 (graphql-ws Forbidden).
      onConnect: async (ctx) => {
        let principal: Principal | null;
        try {
          principal = await authenticator.authenticate(ctx.connectionParams?.authorization);
        } catch {
          return false;
        }
        if (!principal) return false;
        ctx.extra.principal = principal;
        services.metrics.socketOpened();
        if (principal.expiresAt) {
          const socket = (ctx.extra as unknown as { socket: { close(code: number, reason: string): void } }).socket;
          ctx.extra.expiry = setTimeout(() => socket.close(4403, "Forbidden: the token has expired"), Math.max(0, principal.expiresAt.getTime() - Date.now()));
          ctx.extra.expiry.unref();
        }
        return true;
      },
      subscribe: subscribeShared,
      onClose: (ctx) => {
        clearTimeout(ctx.extra.expiry);
        if (ctx.extra.principal) services.metrics.socketClosed();
      },
      // The same validation as over HTTP, limits included, before anything executes.
      onSubscribe: (ctx, _id, payload) => {
        let document;
        try {
          document = parse(payload.query);
        } catch (err) {
          return [err as never];
        }
        const errors = validate(schema, document, [...specifiedRules, ...rules]);
        if (errors.length) return errors;
        const id = randomUUID();
        enterRequest(id);
        const name = payload.operationName ?? getOperationAST(document, undefined)?.name?.value ?? "anonymous";
        (ctx.extra.ops ??= new Map()).set(_id, { name, started: performance.now(), outcome: "OK" });
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: contextFor(ctx.extra.principal ?? null, id),
        };
      },
      onNext: (ctx, id, _payload, _args, result) => {
        if (!result.errors) return;
        const errors = result.errors.map((e) => formatError(e.toJSON(), e));
        const op = ctx.extra.ops?.get(id);
        if (op) op.outcome = String(errors[0]?.extensions?.code ?? "ERROR");
        return { ...result, errors };
      },
      // Operations over the websocket count like HTTP ones (a subscription: its whole life).
      onComplete: (ctx, id) => {
        const op = ctx.extra.ops?.get(id);
        if (!op) return;
        ctx.extra.ops?.delete(id);
        services.metrics.operation(op.name, op.outcome, (performance.now() - op.started) / 1000);
      },
    },
    wsServer,
  );

  const apollo = new ApolloServer<GatewayContext>({
    schema,
    introspection: true,
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
              await wsCleanup.dispose();
            },
          };
        },
      },
      ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
      {
        // Operations by name and outcome (OK or the first error's code), with durations.
        async requestDidStart() {
          const started = performance.now();
          return {
            async willSendResponse(rc) {
              const body = rc.response.body;
              const errors = body.kind === "single" ? body.singleResult.errors : undefined;
              const outcome = errors?.length ? String(errors[0].extensions?.code ?? "ERROR") : "OK";
              services.metrics.operation(rc.operationName ?? "anonymous", outcome, (performance.now() - started) / 1000);
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  opts.routes?.(app);
  app.use(
    "/graphql",
    cors(opts.corsOrigins ? { origin: opts.corsOrigins } : undefined),
    express.json({ limit: opts.maxBodyBytes }),
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<GatewayContext> => {
        const id = requestId(req.headers["x-request-id"]);
        res.setHeader("x-request-id", id);
        enterRequest(id);
        try {
          return contextFor(await authenticator.authenticate(req.headers.authorization), id);
        } catch (err) {
          if (err instanceof GatewayError) throw new GraphQLError(err.message, { extensions: { code: err.code, http: { status: 401 } } });
          throw err;
        }
      },
    }),
  );

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
      wsServer.close();
    },
  };
}
