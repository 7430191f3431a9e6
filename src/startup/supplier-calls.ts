/**
 * Observers of supplier calls, as plugins of the shared HTTP transport (issue 21, item 4): each
 * is told of every call. The gateway's list: metrics, then the log.
 */
import type { CallObserver } from "../../datasources/http.js";
import type { OddField } from "../../datasources/lenient.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";

/** Counts each call by supplier, operation and outcome. */
export function meterSupplierCalls(metrics: Metrics): CallObserver {
  return (call) => metrics.supplierCall(call);
}

/** Logs each call: those a client asked for at info, background tracking (polls, confirmations) at debug. */
export function logSupplierCalls(log: Logger): CallObserver {
  return (call) => {
    log[call.requestId ? "info" : "debug"](
      {
        requestId: call.requestId,
        tenant: call.tenant,
        supplier: call.supplier,
        operation: call.operation,
        durationMs: Math.round(call.durationMs),
        outcome: call.outcome,
        httpStatus: call.httpStatus,
      },
      "supplier call",
    );
  };
}

/** A reply field of an unexpected shape is left out of the answer and logged once (issue 13, item 5). */
export function logOddFields(log: Logger): (odd: OddField) => void {
  return (odd) => log.warn({ ...odd }, "supplier reply field of an unexpected shape left out");
}
