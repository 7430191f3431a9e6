/**
 * A circuit breaker per supplier: after `threshold` consecutive transport failures (refused,
 * reset, 5xx, timeouts, lost replies) the gateway stops calling the supplier for
 * `halfOpenAfterMs`, answering SUPPLIER_UNAVAILABLE at once; then one probe call decides.
 * Business refusals (NOT_VOIDABLE, CANCEL_REJECTED…) are answers, not failures.
 */
import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from "cockatiel";
import { SupplierError } from "../errors.js";

export interface BreakerSettings {
  threshold: number;
  halfOpenAfterMs: number;
}

export const DEFAULT_BREAKER: BreakerSettings = { threshold: 5, halfOpenAfterMs: 10_000 };

const TRANSPORT_FAILURES = new Set(["SUPPLIER_UNAVAILABLE", "SUPPLIER_TIMEOUT", "SUPPLIER_OUTCOME_UNKNOWN", "SUPPLIER_BAD_RESPONSE"]);

export function supplierBreaker(s: BreakerSettings = DEFAULT_BREAKER): CircuitBreakerPolicy {
  return circuitBreaker(
    handleWhen((e) => e instanceof SupplierError && TRANSPORT_FAILURES.has(e.code)),
    { halfOpenAfter: s.halfOpenAfterMs, breaker: new ConsecutiveBreaker(s.threshold) },
  );
}

/** False while the breaker keeps calls away from the supplier. */
export function isAvailable(b: CircuitBreakerPolicy): boolean {
  return b.state !== CircuitState.Open && b.state !== CircuitState.Isolated;
}
