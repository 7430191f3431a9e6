/**
 * Authentication at `connection_init` (hardening issue, item 3): the credential is
 * `connectionParams.authorization`; a bad or missing one refuses the socket (graphql-ws closes
 * it with 4403 Forbidden). Before the ack, graphql-ws closes a socket that sends `subscribe`
 * with 4401, so nothing but connection_init is parsed for an unauthenticated socket. The
 * principal is kept in the socket's extra for the operations' context; open sockets are a gauge.
 */
import type { Authenticator } from "../../auth/index.js";
import type { Metrics } from "../../metrics.js";
import type { WsPlugin } from "./plugin.js";

/** Authentication as a plugin: `authenticate` is the same as over HTTP (src/auth/), so one credential works on both. */
export function authenticateSockets(
  authenticator: Pick<Authenticator, "authenticate">,
  gauge: Pick<Metrics, "socketOpened" | "socketClosed">,
): WsPlugin {
  return {
    async onConnect(ctx) {
      try {
        ctx.extra.principal = await authenticator.authenticate(ctx.connectionParams?.authorization);
      } catch {
        return false;
      }
      if (!ctx.extra.principal) return false;
      gauge.socketOpened();
      return true;
    },
    onClose(ctx) {
      if (ctx.extra.principal) gauge.socketClosed();
    },
  };
}
