/**
 * At most `max` subscriptions open per socket (MAX_SUBSCRIPTIONS_PER_CONNECTION; hardening
 * issue, item 7): one more gets a graphql-ws `error` message with TOO_MANY_SUBSCRIPTIONS, and
 * the socket and its other subscriptions carry on (one socket used to accept 20,000). Queries
 * and mutations over the socket are not counted.
 */
import { GraphQLError } from "graphql";
import type { WsContext, WsPlugin } from "./plugin.js";

/** The refusal of a subscription beyond the cap, with a code clients can branch on. */
function tooManySubscriptions(limit: number): GraphQLError {
  return new GraphQLError(`This connection already has ${limit} subscriptions open, the most allowed`, {
    extensions: {
      code: "TOO_MANY_SUBSCRIPTIONS",
      limit,
      retryable: true,
      hint: "Complete subscriptions you no longer need, or open another connection.",
    },
  });
}

/** The cap as a plugin: a subscription holds its place from `onOperation` until it completes or is refused. */
export function capSubscriptions(max: number): WsPlugin {
  /** Each socket's open subscriptions, by operation id. */
  const open = new WeakMap<WsContext["extra"], Set<string>>();
  const ended = (ctx: WsContext, id: string) => void open.get(ctx.extra)?.delete(id);
  return {
    onOperation(ctx, id, op) {
      if (!op.subscription) return undefined;
      let ids = open.get(ctx.extra);
      if (!ids) open.set(ctx.extra, (ids = new Set()));
      if (ids.size >= max) return [tooManySubscriptions(max)];
      ids.add(id);
      return undefined;
    },
    // A later plugin refused the operation this one had counted.
    onRefused: ended,
    onComplete: ended,
  };
}
