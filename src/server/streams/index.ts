/**
 * Subscriptions over HTTP (issue 23): Apollo's multipart protocol (./multipart.ts) and
 * graphql-sse (./sse.ts) on /graphql, chosen by the Accept header (./negotiate.ts), sharing
 * one registry of open streams (./registry.ts) and the websocket's way of running operations.
 * The /graphql handler (src/server/graphql-http.ts) hands a request over after the checks
 * every request passes: CORS, authentication, the body cap, trusted documents.
 */
import type { KeyValueCache } from "@apollo/utils.keyvaluecache";
import type { HttpStreamTransport } from "../../metrics.js";
import { errorBody, type ErrorCode } from "../../vocabulary/errors.js";
import { UNKNOWN } from "../operation-label.js";
import { countRefused } from "../operation-meter.js";
import { sendGraphqlJson } from "../send-json.js";
import type { StreamDeps, StreamRequest } from "./exchange.js";
import { serveMultipart } from "./multipart.js";
import { getAsBody, persistedHash, withPersistedQuery } from "./persisted.js";
import { refuseOnSse, sseServer } from "./sse.js";

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

/** An answer of GraphQL errors before anything ran, as the transport frames such answers. */
function refuse(d: StreamDeps, transport: HttpStreamTransport, r: StreamRequest, status: number, code: ErrorCode, message: string): true {
  countRefused(d.metrics, UNKNOWN, code);
  const body = errorBody(message, code);
  if (transport === "sse") refuseOnSse(r.res, body);
  else sendGraphqlJson(r.req, r.res, status, body);
  return true;
}

/** `apq`: the cache Apollo keeps automatic persisted queries in (./persisted.ts); undefined: none. */
export function httpStreamServer(d: StreamDeps, apq?: KeyValueCache<string>): HttpStreamServer {
  const sse = sseServer(d);
  return {
    async serve(transport, request) {
      let r = request;
      // A GET carries the same fields in its URL (Apollo Client sends a hashed subscription as a
      // GET with `useGETForHashedQueries`): read as a body, its document filled in the URL.
      const get = r.body === undefined ? getAsBody(r.search) : undefined;
      const sent = get?.body ?? r.body;
      let body = sent as { query?: unknown } | undefined;
      if (apq && sent !== undefined) {
        const persisted = await withPersistedQuery(
          apq,
          sent,
          (query, name) => !("refused" in d.prepare(query, typeof name === "string" ? name : undefined)),
        );
        if ("refused" in persisted) return refuse(d, transport, r, 400, "BAD_REQUEST", persisted.refused.message);
        body = persisted.body as { query?: unknown };
        if (get === undefined) r = { ...r, body };
        else if (typeof body.query === "string" && !get.params.has("query")) {
          get.params.set("query", body.query);
          r = { ...r, search: `?${get.params.toString()}` };
        }
      }
      // A hash alone the cache does not know: the client sends its document next. Answered here
      // for multipart too: Apollo would first refuse an Accept that names no JSON type (406).
      if (persistedHash(body) !== undefined && body?.query === undefined)
        return refuse(d, transport, r, 200, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound");
      if (transport === "multipart") return serveMultipart(d, r);
      await sse(r);
      return true;
    },
  };
}
