/**
 * Server-side keep-alive for websockets (issue 16, item 5). A phone that drops off its network
 * leaves a TCP connection that neither closes nor answers (no FIN, no RST); without pings the
 * gateway kept such sockets — their subscriptions, feed listeners, watch marks and gauges — for
 * ever. Every `intervalMs` each socket gets a ws ping frame (browsers and the ws library answer
 * pongs by themselves); a socket that has not answered the previous ping is terminated, which
 * releases all it held (graphql-ws then runs its close handler). A dead connection is thus let
 * go within two intervals; one that answers is never cut. The pings are spread over the
 * interval, a slice of the sockets every ~100 ms (../staggered.ts), not sent to all at once.
 */
import type { WebSocket, WebSocketServer } from "ws";
import { Staggered } from "../staggered.js";

/** The running pings; stop them when the server is disposed. */
export interface KeepAlive {
  stop(): void;
}

/**
 * Pings every socket of `server` every `intervalMs` (WS_KEEPALIVE_MS) and terminates those that did not answer
 * the last ping; `onDead` is told of each.
 */
export function keepAlive(server: WebSocketServer, intervalMs: number, onDead: () => void = () => undefined): KeepAlive {
  const answered = new WeakMap<WebSocket, boolean>();
  const pings = new Staggered<WebSocket>(intervalMs, (socket) => {
    if (answered.get(socket) === false) {
      onDead();
      socket.terminate();
      return;
    }
    answered.set(socket, false);
    try {
      socket.ping();
    } catch {
      // A socket closing as we ping; its close event releases it.
    }
  });
  let stopped = false;
  server.on("connection", (socket: WebSocket) => {
    if (stopped) return;
    answered.set(socket, true);
    socket.on("pong", () => answered.set(socket, true));
    socket.on("close", () => pings.delete(socket));
    pings.add(socket);
  });
  return {
    stop: () => {
      stopped = true;
      pings.stop();
    },
  };
}
