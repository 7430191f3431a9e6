/**
 * Authentication at `connection_init` (hardening issue, item 3): the credential is
 * `connectionParams.authorization`, its name read as HTTP reads a header's, in any case (clients
 * copy `{ Authorization: … }` from their HTTP headers; two spellings with different values
 * refuse the socket); a bad or missing one refuses the socket (graphql-ws closes
 * it with 4403 Forbidden). Before the ack, graphql-ws closes a socket that sends `subscribe`
 * with 4401, so nothing but connection_init is parsed for an unauthenticated socket. The
 * principal is kept in the socket's extra for the operations' context; open sockets are a gauge.
 * A refused socket is logged (info) with why, never with the credential.
 */
import type { Authenticator } from "../../auth/index.js";
import { GatewayError } from "../../vocabulary/errors.js";
import type { Logger } from "../../logger.js";
import type { Metrics } from "../../metrics.js";
import type { WsPlugin } from "./plugin.js";

/** The `authorization` connection parameter in any case; undefined when absent, or when spellings disagree. */
function authorizationParam(params: Readonly<Record<string, unknown>> | undefined): unknown {
  if (!params) return undefined;
  const values = new Set(Object.keys(params).flatMap((k) => (k.toLowerCase() === "authorization" ? [params[k]] : [])));
  return values.size === 1 ? [...values][0] : undefined;
}

/** Authentication as a plugin: `authenticate` is the same as over HTTP (src/auth/), so one credential works on both. */
export function authenticateSockets(
  authenticator: Pick<Authenticator, "authenticate">,
  gauge: Pick<Metrics, "socketOpened" | "socketClosed">,
  log: Pick<Logger, "info" | "error">,
): WsPlugin {
  const refused = (code: string, reason: string) => log.info({ code, reason }, "websocket refused at connection_init");
  return {
    async onConnect(ctx) {
      try {
        ctx.extra.principal = await authenticator.authenticate(authorizationParam(ctx.connectionParams));
      } catch (err) {
        // A credential that could not be checked (the JWT key set cannot be fetched) is not a
        // forbidden one: 1013 (try again later), which graphql-ws's client retries by itself.
        if (err instanceof GatewayError && err.code === "SERVICE_UNAVAILABLE") ctx.extra.socket.close(1013, "Try again later");
        if (err instanceof GatewayError) refused(err.code, err.message);
        else log.error({ err }, "websocket refused at connection_init: the credential could not be checked");
        return false;
      }
      if (!ctx.extra.principal) {
        refused("UNAUTHENTICATED", "no connectionParams.authorization (or spellings of it that disagree), and no anonymous access");
        return false;
      }
      gauge.socketOpened();
      return true;
    },
    onClose(ctx) {
      if (ctx.extra.principal) gauge.socketClosed();
    },
  };
}
