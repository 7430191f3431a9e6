/** What every supplier call shares: its deadline, retries of reads, concurrency and the circuit breaker (issue 21, item 4). */
import { z } from "zod";
import { DEFAULT_RESILIENCE, type ResilienceSettings } from "../../datasources/resilience/index.js";
import { bool, concern, positiveInt, variable } from "../config-kit.js";

export const SUPPLIER_CALLS = concern(
  {
    readRetries: variable({
      name: "SUPPLIER_READ_RETRIES",
      default: String(DEFAULT_RESILIENCE.retry.maxRetries),
      schema: z.coerce
        .number({ message: "must be a number" })
        .int("must be a whole number")
        .min(0, "must be 0 to 10")
        .max(10, "must be 0 to 10"),
      description: "Retries of read-only supplier calls on retryable failures (never for state-changing calls)",
    }),
    maxConcurrency: variable({
      name: "SUPPLIER_MAX_CONCURRENCY",
      default: String(DEFAULT_RESILIENCE.concurrency),
      schema: positiveInt,
      description: `Calls in flight per supplier, shared fairly between tenants (each tenant may have ${DEFAULT_RESILIENCE.queue} more waiting)`,
    }),
    circuitThreshold: variable({
      name: "CIRCUIT_THRESHOLD",
      default: String(DEFAULT_RESILIENCE.breaker.threshold),
      schema: positiveInt,
      description: "Consecutive transport failures that open a supplier's circuit",
    }),
    circuitHalfOpenMs: variable({
      name: "CIRCUIT_HALF_OPEN_MS",
      default: String(DEFAULT_RESILIENCE.breaker.halfOpenAfterMs),
      schema: positiveInt,
      description: "How long an open circuit waits before one probe call",
    }),
    timeoutMs: variable({
      name: "SUPPLIER_TIMEOUT_MS",
      default: "10000",
      schema: positiveInt,
      description: "Deadline of one supplier call for every supplier: the reply read and any retries included",
    }),
  },
  (v): { timeoutMs: number; resilience: ResilienceSettings } => ({
    timeoutMs: v.timeoutMs,
    resilience: {
      ...DEFAULT_RESILIENCE,
      retry: { ...DEFAULT_RESILIENCE.retry, maxRetries: v.readRetries },
      concurrency: v.maxConcurrency,
      breaker: { threshold: v.circuitThreshold, halfOpenAfterMs: v.circuitHalfOpenMs },
    },
  }),
);

/**
 * A supplier's switch for sending it the trace context (tracing, issue 16): one row per
 * supplier in the list, `<SUPPLIER>_TRACE_PROPAGATION`.
 */
export function tracePropagationVariable(supplier: string) {
  return variable({
    name: `${supplier}_TRACE_PROPAGATION`,
    default: "true",
    schema: bool,
    description: `With tracing on (OTEL_*), send ${supplier} the W3C trace context (traceparent); false: no trace header`,
  });
}
