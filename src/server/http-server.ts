/**
 * The gateway's one HTTP server: /graphql goes to the GraphQL handler (node:http, no express
 * on the hot path; issue 14) once it is set, webhooks to their intake (node:http too; issue 24),
 * every other route (health, metrics) to express. graphql-ws shares the server and the path
 * (./ws/serve.ts).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { errorBody } from "../vocabulary/errors.js";
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
  /**
   * Offered each request before the other routes: each answers the requests that are its own and
   * returns true, or returns false (the webhook intake, ./webhooks.ts).
   */
  direct?: ReadonlyArray<(req: http.IncomingMessage, res: http.ServerResponse) => boolean>;
}

/**
 * Creates the server without listening (src/server/http-server.ts `listen` does); `others` serves
 * every request that neither /graphql nor a `direct` handler takes.
 */
export function createHttpServer(others: Listener, o: HttpServerOptions): GatewayHttpServer {
  let graphql: Listener | undefined;
  const direct = o.direct ?? [];
  // Node checks the headers timeout only every connectionsCheckingInterval (30 s by default): a
  // connection that sends nothing, or dribbles its headers, was held up to 30 s past it
  // (black-box probe: 81–91 s against 66 s). Checked every 2 s, it is closed within 2 s of it.
  const server = http.createServer({ connectionsCheckingInterval: 2000 }, (req, res) => {
    if (graphql && isGraphqlPath(req.url)) return graphql(req, res);
    for (const serve of direct) if (serve(req, res)) return;
    others(req, res);
  });
  server.keepAliveTimeout = o.keepAliveTimeoutMs;
  server.headersTimeout = o.keepAliveTimeoutMs + 1000;
  server.on("clientError", answerClientError);
  return {
    server,
    serveGraphql(handler) {
      graphql = handler;
    },
  };
}

/** Node's own answers to a request it could not parse, by its parser's error code; any other: 400. */
const CLIENT_ERRORS: Record<string, { status: number; text: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    text: "Request Header Fields Too Large",
    message: `The request's headers, its URL included, are larger than ${http.maxHeaderSize} bytes: send a long query in a POST body or as a persisted query`,
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, text: "Request Timeout", message: "The request was not received in time" },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, text: "Payload Too Large", message: "The request's chunk extensions are too large" },
};

/**
 * A request Node's parser refused (headers too large, a malformed request line) gets the status
 * Node would send, with a GraphQL error as its body, as every other refusal (API.md: every error
 * carries a code); then the connection is closed, as Node does.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: import("node:stream").Duplex): void {
  // As Node's own handler: only while no response of this connection has begun.
  const inFlight = (socket as { _httpMessage?: http.ServerResponse })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const e = CLIENT_ERRORS[err.code ?? ""] ?? { status: 400, text: "Bad Request", message: "The request could not be read as HTTP" };
    const body = JSON.stringify(errorBody(e.message, "BAD_REQUEST"));
    socket.write(
      `HTTP/1.1 ${e.status} ${e.text}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
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
