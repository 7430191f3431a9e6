/**
 * What a websocket handshake must carry before graphql-ws sees the socket: an allowed browser
 * origin (./origin.ts) and the graphql-transport-ws subprotocol. Without that subprotocol the
 * handshake is refused with HTTP 400 and a body that says why, logged once. graphql-ws itself
 * would accept the socket with no subprotocol in its answer and close it with 4406; a client
 * that had offered one (the legacy `graphql-ws` of subscriptions-transport-ws, which Apollo iOS
 * and Apollo Kotlin 3 use by default) then fails the handshake by RFC 6455 and never sees the
 * 4406, so it retried for ever with nothing said on either side (black-box probe, thirtieth session).
 */
import type { IncomingMessage } from "node:http";
import { GRAPHQL_TRANSPORT_WS_PROTOCOL } from "graphql-ws";
import type { Logger } from "../../logger.js";
import { verifyOrigin, type VerifyClient } from "./origin.js";

const LEGACY = "graphql-ws";

/** The offered subprotocols, as `ws` reads the header (comma-separated tokens). */
function offered(req: IncomingMessage): string[] {
  const header = req.headers["sec-websocket-protocol"];
  return (Array.isArray(header) ? header.join(",") : (header ?? "")).split(",").map((p) => p.trim());
}

/** Why a handshake's subprotocols are refused, or undefined when graphql-transport-ws is among them. */
function subprotocolRefusal(req: IncomingMessage): string | undefined {
  const protocols = offered(req);
  if (protocols.includes(GRAPHQL_TRANSPORT_WS_PROTOCOL)) return undefined;
  return protocols.includes(LEGACY)
    ? `The legacy "graphql-ws" subprotocol (subscriptions-transport-ws) is not served: use "${GRAPHQL_TRANSPORT_WS_PROTOCOL}" (graphql-ws), or subscribe over HTTP (multipart or SSE)`
    : `Offer the "${GRAPHQL_TRANSPORT_WS_PROTOCOL}" subprotocol (graphql-ws), or subscribe over HTTP (multipart or SSE)`;
}

/** The `ws` `verifyClient` of the gateway's socket server: the origin (with CORS_ORIGINS), then the subprotocol. */
export function verifyHandshake(allowedOrigins: readonly string[] | undefined, log: Logger): VerifyClient {
  const origin = verifyOrigin(allowedOrigins);
  const subprotocol: VerifyClient = ({ req }, callback) => {
    const why = subprotocolRefusal(req);
    if (!why) return callback(true);
    log.info({ status: 400, legacy: offered(req).includes(LEGACY) }, "websocket refused: no graphql-transport-ws subprotocol");
    // Plain text: `ws` labels a refusal's body text/html.
    callback(false, 400, why, { "Content-Type": "text/plain; charset=utf-8" });
  };
  if (!origin) return subprotocol;
  return (info, callback) =>
    origin(info, (ok, code, message, headers) => (ok ? subprotocol(info, callback) : callback(ok, code, message, headers)));
}
