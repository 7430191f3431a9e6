/**
 * Subscriptions are served over the websocket only. Sent over HTTP POST, one used to run its
 * resolver without an event and fail with an internal error ("…reading 'replayed'"); now it
 * is refused with HTTP 400 and BAD_REQUEST before anything executes (hardening issue, item 6).
 * (Apollo itself refuses a subscription sent by GET, with 405.)
 */
import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError } from "graphql";

/** The message of a subscription sent over HTTP: where to send it instead. */
const SUBSCRIPTIONS_OVER_HTTP =
  "Subscriptions are served over the websocket at /graphql (graphql-transport-ws protocol, e.g. the graphql-ws client), not over HTTP";

/** Refuses a subscription over HTTP once Apollo has resolved the operation, before anything runs. */
export function refuseHttpSubscriptionsPlugin<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          if (rc.operation?.operation === "subscription") {
            throw new GraphQLError(SUBSCRIPTIONS_OVER_HTTP, { extensions: { code: "BAD_REQUEST", http: { status: 400 } } });
          }
        },
      };
    },
  };
}
