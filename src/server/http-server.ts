/**
 * The gateway's one HTTP server: /graphql goes to the GraphQL handler (node:http, no express
 * on the hot path; issue 14) once it is set, every other route (webhooks, health, metrics) to
 * express. graphql-ws shares the server and the path (./ws/serve.ts).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { isGraphqlPath } from "./graphql-http.js";

type Listener = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** The server and the switch that hands /graphql to its handler once Apollo has started. */
export interface GatewayHttpServer {
  server: http.Server;
  /** From now on /graphql is served by `handler`; until then it goes to the other routes (404). */
  serveGraphql(handler: Listener): void;
}

/** The server's connection timeouts. */
export interface HttpServerOptions {
  /**
   * Idle time after which a keep-alive connection is closed (HTTP_KEEPALIVE_TIMEOUT_MS). Node's
   * 5 s is shorter than load balancers expect (60 s and more): a balancer then reuses a
   * connection the gateway is closing, the classic cause of sporadic 502s (issue 16, item 6).
   * The headers timeout is set above it, as Node requires.
   */
  keepAliveTimeoutMs: number;
}

/** Creates the server without listening (src/server/http-server.ts `listen` does); `others` serves every path but /graphql. */
export function createHttpServer(others: Listener, o: HttpServerOptions): GatewayHttpServer {
  let graphql: Listener | undefined;
  const server = http.createServer((req, res) => (graphql && isGraphqlPath(req.url) ? graphql(req, res) : others(req, res)));
  server.keepAliveTimeout = o.keepAliveTimeoutMs;
  server.headersTimeout = o.keepAliveTimeoutMs + 1000;
  return {
    server,
    serveGraphql(handler) {
      graphql = handler;
    },
  };
}

/** Listens on `host:port` (0: any free port); resolves with the port and the /graphql URL to show. */
export async function listen(server: http.Server, port: number, host: string): Promise<{ port: number; url: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  return { port: bound, url: `http://${shownHost}:${bound}/graphql` };
}
