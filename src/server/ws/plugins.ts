/**
 * The websocket's plugins, switched on from this one list in the order their hooks run:
 * authentication first (it sets the principal the others read), then the token's expiry, the
 * subscription cap and the metrics.
 */
import type { Authenticator } from "../../auth/index.js";
import type { Logger } from "../../logger.js";
import type { Metrics } from "../../metrics.js";
import { authenticateSockets } from "./authenticate.js";
import { capSubscriptions } from "./cap-subscriptions.js";
import { drainMutations, type MutationTracker } from "./drain-mutations.js";
import { meterOperations } from "./meter-operations.js";
import type { WsPlugin } from "./plugin.js";
import { closeAtTokenExpiry } from "./token-expiry.js";

/** What the websocket's plugins need. */
export interface WebsocketPluginDeps {
  authenticator: Pick<Authenticator, "authenticate">;
  metrics: Pick<Metrics, "operation" | "socketOpened" | "socketClosed">;
  /** Subscriptions one socket may have open (MAX_SUBSCRIPTIONS_PER_CONNECTION). */
  maxSubscriptions: number;
  /** Where refused sockets are logged. */
  log: Pick<Logger, "info" | "error">;
  /** Where the mutations are counted, for a shutdown to wait for their answers (the state-changing operations in flight). */
  inFlight: MutationTracker;
}

/** The plugin list; ./options.ts runs each hook in this order. */
export function websocketPlugins(d: WebsocketPluginDeps): WsPlugin[] {
  return [
    authenticateSockets(d.authenticator, d.metrics, d.log),
    closeAtTokenExpiry(),
    capSubscriptions(d.maxSubscriptions),
    meterOperations(d.metrics),
    // Last: counted only once every other plugin has let the operation through.
    drainMutations(d.inFlight),
  ];
}
