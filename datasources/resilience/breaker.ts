/**
 * A circuit breaker per supplier: after `threshold` consecutive transport failures (refused,
 * reset, HTTP 5xx, timeouts, lost replies: `SupplierError.transportFailure`) the gateway stops
 * calling the supplier for `halfOpenAfterMs`, answering SUPPLIER_UNAVAILABLE at once; then one
 * probe call decides. Answers are not failures of the supplier: business refusals
 * (NOT_VOIDABLE, CANCEL_REJECTED…), supplier status codes, and replies the gateway cannot read
 * (SUPPLIER_BAD_RESPONSE) are about one call, and must not stop everyone's calls (issue B.5).
 */
import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from "cockatiel";
import { SupplierError } from "../../src/vocabulary/errors.js";

export interface BreakerSettings {
  threshold: number;
  halfOpenAfterMs: number;
}

export const DEFAULT_BREAKER: BreakerSettings = { threshold: 5, halfOpenAfterMs: 10_000 };

const isTransportFailure = (e: unknown) => e instanceof SupplierError && e.transportFailure;

/** The breaker of one supplier. */
export function supplierBreaker(s: BreakerSettings = DEFAULT_BREAKER): CircuitBreakerPolicy {
  return circuitBreaker(handleWhen(isTransportFailure), { halfOpenAfter: s.halfOpenAfterMs, breaker: new ConsecutiveBreaker(s.threshold) });
}

/**
 * Runs `call` through the breaker. Every answer counts as the supplier answering — a success
 * that ends a run of failures, as a value does — only a transport failure counts toward
 * opening it, and a call never sent counts neither way. (cockatiel passes an error it does not
 * handle by without counting it, so "consecutive" failures used to span any number of answered
 * refusals between them.)
 */
export async function throughBreaker<R>(b: CircuitBreakerPolicy, call: () => Promise<R>): Promise<R> {
  const outcome = await b.execute(async (): Promise<{ value: R } | { refusal: unknown }> => {
    try {
      return { value: await call() };
    } catch (err) {
      // A call the gateway never sent (no time left for it) says nothing of the supplier:
      // thrown through, unhandled, cockatiel counts it neither way.
      if (isTransportFailure(err) || (err instanceof SupplierError && err.notSent)) throw err;
      return { refusal: err };
    }
  });
  if ("refusal" in outcome) throw outcome.refusal;
  return outcome.value;
}

/** False while the breaker keeps calls away from the supplier. */
export function isAvailable(b: CircuitBreakerPolicy): boolean {
  return b.state !== CircuitState.Open && b.state !== CircuitState.Isolated;
}
