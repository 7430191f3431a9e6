/**
 * The Apollo plugin that counts every GraphQL operation over HTTP (src/server/operation-meter.ts):
 * by root field and outcome (OK or the first error's code), with its duration.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import type { OperationLabels } from "./operation-label.js";
import { MeteredOperation, type OperationCounter } from "./operation-meter.js";

/** Counts each HTTP operation once, when its response is sent; the label is set once Apollo has resolved the operation. */
export function operationMetricsPlugin<C extends object>(counter: OperationCounter, labels: OperationLabels): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      const op = new MeteredOperation(counter);
      return {
        async didResolveOperation(rc) {
          op.label = labels.of(rc.document, rc.operation);
        },
        async willSendResponse(rc) {
          const body = rc.response.body;
          op.answered(body.kind === "single" ? body.singleResult.errors : undefined);
          op.end();
        },
      };
    },
  };
}
