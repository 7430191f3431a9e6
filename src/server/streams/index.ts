/**
 * Subscriptions over HTTP (issue 23): Apollo's multipart protocol (./multipart.ts) and
 * graphql-sse (./sse.ts) on /graphql, chosen by the Accept header (./negotiate.ts), sharing
 * one registry of open streams (./registry.ts) and the websocket's way of running operations.
 * The /graphql handler (src/server/graphql-http.ts) hands a request over after the checks
 * every request passes: CORS, authentication, the body cap, trusted documents.
 */
import type { HttpStreamTransport } from "../../metrics.js";
import type { StreamDeps, StreamRequest } from "./exchange.js";
import { serveMultipart } from "./multipart.js";
import { sseServer } from "./sse.js";

export { streamTransportOf } from "./negotiate.js";
export { refuseOnSse } from "./sse.js";
export { HttpStreams } from "./registry.js";
export type { StreamDeps } from "./exchange.js";

/** The HTTP stream transports, ready to serve. */
export interface HttpStreamServer {
  /**
   * Serves `r` over `transport`; resolves false, having written nothing, when the request is
   * Apollo's after all (a query or mutation asking for multipart).
   */
  serve(transport: HttpStreamTransport, r: StreamRequest): Promise<boolean>;
}

export function httpStreamServer(d: StreamDeps): HttpStreamServer {
  const sse = sseServer(d);
  return {
    async serve(transport, r) {
      if (transport === "multipart") return serveMultipart(d, r);
      await sse(r);
      return true;
    },
  };
}
