/**
 * A subscription over HTTP is served as a stream when its Accept header asks for one
 * (multipart or SSE; ./streams/). Sent as a plain request, it used to run its resolver without
 * an event and fail with an internal error ("…reading 'replayed'"); it is refused with HTTP 400
 * and BAD_REQUEST before anything executes (hardening issue, item 6), the message naming the
 * transports that serve it. (Apollo itself refuses a subscription sent by GET, with 405.)
 */
import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError } from "graphql";

/** The message of a subscription sent as a plain request: how to ask for it instead. */
const SUBSCRIPTIONS_OVER_HTTP =
  "A subscription over HTTP needs a streaming Accept header: 'multipart/mixed;subscriptionSpec=1.0' (Apollo's multipart protocol, as Apollo Client's HttpLink sends it) or 'text/event-stream' (graphql-sse); or use the websocket at /graphql (graphql-transport-ws)";

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
