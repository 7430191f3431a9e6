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
import type { GraphQLSchema } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { GatewayContext, Services } from "../../resolvers/context.js";
import type { Logger } from "../logger.js";
import { makeFormatError } from "./format-error.js";

export interface ServerOptions {
  schema: GraphQLSchema;
  services: Services;
  log: Logger;
  port: number;
  host: string;
  /** Mounts extra routes (webhooks, health) before /graphql. */
  routes?: (app: express.Express) => void;
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
  const { schema, services, log } = opts;
  const app = express();
  app.disable("x-powered-by");
  const httpServer = http.createServer(app);
  const formatError = makeFormatError(log);

  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql" });
  const wsCleanup = useServer<Record<string, unknown>>(
    {
      schema,
      context: (): GatewayContext => ({ tenant: "default", requestId: randomUUID(), services }),
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors) return;
        return { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) };
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
    ],
  });
  await apollo.start();

  opts.routes?.(app);
  app.use(
    "/graphql",
    cors(),
    express.json({ limit: "100kb" }),
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<GatewayContext> => {
        const id = requestId(req.headers["x-request-id"]);
        res.setHeader("x-request-id", id);
        return { tenant: "default", requestId: id, services };
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
