/**
 * The answer to a `subscribe` beyond MAX_SUBSCRIPTIONS_PER_CONNECTION (hardening issue, item
 * 7): a graphql-ws `error` message for that subscription, with a code clients can branch on.
 */
import { GraphQLError } from "graphql";

export function tooManySubscriptions(limit: number): GraphQLError {
  return new GraphQLError(`This connection already has ${limit} subscriptions open, the most allowed`, {
    extensions: {
      code: "TOO_MANY_SUBSCRIPTIONS",
      limit,
      retryable: true,
      hint: "Complete subscriptions you no longer need, or open another connection.",
    },
  });
}
