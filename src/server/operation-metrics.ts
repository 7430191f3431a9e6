/**
 * Counts every GraphQL operation over HTTP by root field and outcome (OK or the first error's
 * code), with its duration. The label comes from the resolved operation and the schema
 * (OperationLabels), never from the operationName a client sends (hardening issue, item 1).
 */
import type { ApolloServerPlugin } from "@apollo/server";
import type { Metrics } from "../metrics.js";
import { UNKNOWN, type OperationLabels } from "./operation-label.js";

export function operationMetricsPlugin<C extends object>(metrics: Metrics, labels: OperationLabels): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      const started = performance.now();
      // Stays UNKNOWN when the request fails before an operation is resolved (parse, validation).
      let label = UNKNOWN;
      return {
        async didResolveOperation(rc) {
          label = labels.of(rc.document, rc.operation);
        },
        async willSendResponse(rc) {
          const body = rc.response.body;
          const errors = body.kind === "single" ? body.singleResult.errors : undefined;
          const outcome = errors?.length ? String(errors[0].extensions?.code ?? "ERROR") : "OK";
          metrics.operation(label, outcome, (performance.now() - started) / 1000);
        },
      };
    },
  };
}
