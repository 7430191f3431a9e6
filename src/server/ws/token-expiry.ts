/**
 * A socket lives no longer than its credential: when the JWT it authenticated with expires, the
 * socket is closed with 4403, however far away that is (hardening issue, item 5; the timer is
 * src/server/expiry.ts, which splits waits longer than setTimeout can hold). Runs after the
 * authentication plugin, which sets the principal.
 */
import { runAt, type Scheduled } from "../expiry.js";
import type { WsContext, WsPlugin } from "./plugin.js";

/** The expiry as a plugin: a timer per socket whose principal has an `expiresAt`, cancelled when the socket closes. */
export function closeAtTokenExpiry(): WsPlugin {
  const timers = new WeakMap<WsContext["extra"], Scheduled>();
  return {
    onConnect(ctx) {
      const at = ctx.extra.principal?.expiresAt;
      if (at) {
        const socket = ctx.extra.socket;
        timers.set(
          ctx.extra,
          runAt(at, () => socket.close(4403, "Forbidden: the token has expired")),
        );
      }
      return true;
    },
    onClose(ctx) {
      timers.get(ctx.extra)?.cancel();
      timers.delete(ctx.extra);
    },
  };
}
