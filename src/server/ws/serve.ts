/**
 * graphql-ws (graphql-transport-ws protocol) on the HTTP server's /graphql path, through the
 * library's `ws` adapter, with the gateway's options (./options.ts). What the socket server
 * adds to them:
 *
 * - A message size cap (`maxPayload`, the same as the HTTP body cap): `ws` closes an oversized
 *   message's socket with 1009 from the frame header, before the payload is buffered. The
 *   default of 100 MiB let one 46 MB `subscribe` block the event loop for 30 s (hardening
 *   issue, item 2).
 * - Browser origins and the subprotocol checked at the upgrade (CORS_ORIGINS; ./handshake.ts).
 * - Socket errors (oversized or malformed frames) logged as one pino line instead of the
 *   adapter's console.error with a stack trace (item 8).
 * - Keep-alive pings: a connection that stops answering is closed within two intervals and all
 *   it held released (issue 16, item 5; ./keepalive.ts).
 */
import type http from "node:http";
import type { ServerOptions } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { WebSocket, WebSocketServer } from "ws";
import type { Logger } from "../../logger.js";
import { keepAlive } from "./keepalive.js";
import { isGraphqlPath } from "../graphql-http.js";
import { verifyHandshake } from "./handshake.js";
import type { WsExtra } from "./plugin.js";

/** Where and how the socket server listens: on the HTTP server, with its size cap, origins and pings. */
export interface WebsocketServing {
  httpServer: http.Server;
  log: Logger;
  /** Largest message accepted, in bytes; larger: close 1009. */
  maxMessageBytes: number;
  /** Interval of keep-alive pings; a socket that misses one is closed at the next (WS_KEEPALIVE_MS). */
  keepAliveMs: number;
  /** Browser origins allowed to open a socket (CORS_ORIGINS); undefined: any. */
  allowedOrigins?: string[];
}

/** The socket server, running. */
export interface RunningWebsocket {
  server: WebSocketServer;
  /** Closes every socket with 1001 and stops the server (graphql-ws `dispose()`). */
  dispose(): Promise<void>;
}

/** Logs a socket's error as one line; a client's protocol error (ws already closed it with 1009, 1002…) at info. */
function socketErrorLogger(log: Logger) {
  return (socket: WebSocket) => (err: Error & { code?: string }) => {
    const clientFault = typeof err.code === "string" && err.code.startsWith("WS_ERR_");
    if (clientFault) log.info({ code: err.code, reason: err.message }, "websocket closed: the client broke the protocol");
    else log.error({ err }, "websocket error");
    if (socket.readyState === WebSocket.OPEN) socket.close(1011, "Internal server error");
  };
}

/** Serves `options` on /graphql of `o.httpServer` (the HTTP server's port and path). */
export function startWebsocket(options: ServerOptions<Record<string, unknown>, WsExtra>, o: WebsocketServing): RunningWebsocket {
  const server = new WebSocketServer({
    server: o.httpServer,
    maxPayload: o.maxMessageBytes,
    verifyClient: verifyHandshake(o.allowedOrigins, o.log),
  });
  // The paths HTTP serves GraphQL on, "/graphql/" included (`ws`'s `path` option matches one
  // exactly: an app configured with "/graphql/" had every transport but the websocket).
  server.shouldHandle = (req) => isGraphqlPath(req.url);
  // 0: graphql-ws's own keep-alive off (by default it pings every socket every 12 s on a timer of
  // its own and terminates it 12 s later); ./keepalive.ts pings, spread out, every WS_KEEPALIVE_MS.
  const before = new Set(server.listeners("error"));
  const cleanup = useServer(options, server, 0);
  // ws passes the HTTP server's errors on (a listen that fails: the port taken); useServer's own
  // listener prints them with a stack as "Internal error ... check your implementation", then
  // closes every socket with 1011. That listener only is replaced: one log line, the same closes;
  // start-up reports a failed listen itself (src/run.ts).
  for (const l of server.listeners("error")) if (!before.has(l)) server.off("error", l as (err: Error) => void);
  server.on("error", (err: Error) => {
    o.log.error({ err: err.message }, "websocket server error");
    for (const socket of server.clients) socket.close(1011, "Internal server error");
  });
  // Registered after useServer's own "connection" listener, so this runs after it has added
  // its socket "error" listener (console.error with a stack, then close 1011), and replaces it.
  const onError = socketErrorLogger(o.log);
  server.on("connection", (socket: WebSocket) => {
    socket.removeAllListeners("error");
    socket.on("error", onError(socket));
  });
  const pings = keepAlive(server, o.keepAliveMs, () => o.log.debug("websocket closed: it stopped answering keep-alive pings"));
  return {
    server,
    async dispose() {
      pings.stop();
      await cleanup.dispose();
    },
  };
}
