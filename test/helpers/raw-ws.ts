/**
 * A graphql-transport-ws client at the message level (the `ws` package, no graphql-ws
 * client): for tests that must leave in ways a well-behaved client never would — a
 * duplicate id, a garbage message, a cut connection.
 */
import WebSocket from "ws";

export interface RawClient {
  ws: WebSocket;
  /** Resolves with the close code once the socket is closed (by either side). */
  closed: Promise<number>;
  send(message: unknown): void;
  subscribe(id: string, query: string, variables?: Record<string, unknown>): void;
}

/** Opens a socket, sends connection_init with `payload`, and resolves once it is acknowledged. */
export function rawClient(url: string, payload: Record<string, unknown> = {}): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, "graphql-transport-ws");
    let closedResolve!: (code: number) => void;
    const closed = new Promise<number>((r) => (closedResolve = r));
    ws.on("close", (code) => closedResolve(code));
    ws.on("error", () => undefined);
    const client: RawClient = {
      ws,
      closed,
      send: (m) => ws.send(typeof m === "string" ? m : JSON.stringify(m)),
      subscribe: (id, query, variables = {}) => ws.send(JSON.stringify({ id, type: "subscribe", payload: { query, variables } })),
    };
    ws.on("open", () => client.send({ type: "connection_init", payload }));
    ws.on("message", (data) => {
      if (JSON.parse(String(data)).type === "connection_ack") resolve(client);
    });
    closed.then((code) => reject(new Error(`closed with ${code} before connection_ack`)));
  });
}
