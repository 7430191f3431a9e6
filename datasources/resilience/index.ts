/**
 * Wraps a supplier adapter's ports in its resilience policies, composed here in one place:
 * bulkhead (concurrency cap) → circuit breaker → retry (read-only calls only) → the call.
 * Policy rejections become the gateway's SUPPLIER_UNAVAILABLE.
 */
import { BrokenCircuitError, BulkheadRejectedError, bulkhead, wrap, type IPolicy } from "cockatiel";
import { SupplierError, type SupplierName } from "../errors.js";
import type { SupplierAdapter } from "../ports.js";
import { DEFAULT_BREAKER, isAvailable, supplierBreaker, type BreakerSettings } from "./breaker.js";
import { DEFAULT_RETRY, readRetryPolicy, type RetrySettings } from "./retry.js";

export interface ResilienceSettings {
  retry: RetrySettings;
  breaker: BreakerSettings;
  /** Calls in flight per supplier, and how many may wait for a slot. */
  concurrency: number;
  queue: number;
}

export const DEFAULT_RESILIENCE: ResilienceSettings = { retry: DEFAULT_RETRY, breaker: DEFAULT_BREAKER, concurrency: 64, queue: 512 };

function translate(supplier: SupplierName, err: unknown): unknown {
  if (err instanceof BrokenCircuitError) {
    return new SupplierError("SUPPLIER_UNAVAILABLE", `${supplier} is failing; the gateway paused calls to it for a few seconds`, {
      supplier,
      supplierCode: "CIRCUIT_OPEN",
      retryable: true,
      hint: "Try again shortly.",
    });
  }
  if (err instanceof BulkheadRejectedError) {
    return new SupplierError("SUPPLIER_UNAVAILABLE", `Too many calls to ${supplier} are waiting`, { supplier, supplierCode: "OVERLOADED", retryable: true, hint: "Try again shortly." });
  }
  return err;
}

/** Returns the adapter with every port method guarded; `available()` follows the breaker. */
export function withResilience(adapter: SupplierAdapter, s: ResilienceSettings = DEFAULT_RESILIENCE): SupplierAdapter {
  const breaker = supplierBreaker(s.breaker);
  const cap = bulkhead(s.concurrency, s.queue);
  const writes = wrap(cap, breaker);
  const reads = wrap(cap, breaker, readRetryPolicy(s.retry));
  const guard = <A extends unknown[], R>(policy: IPolicy, fn: (...args: A) => Promise<R>) => (...args: A): Promise<R> =>
    policy.execute(() => fn(...args)).catch((err: unknown) => {
      throw translate(adapter.name, err);
    });
  const { voids, stopIssuance, cancels } = adapter;
  return {
    ...adapter,
    voids: voids && {
      quote: guard(reads, voids.quote.bind(voids)),
      submit: guard(writes, voids.submit.bind(voids)),
      query: guard(reads, voids.query.bind(voids)),
    },
    stopIssuance: stopIssuance && {
      stop: guard(writes, stopIssuance.stop.bind(stopIssuance)),
      outcome: guard(reads, stopIssuance.outcome.bind(stopIssuance)),
    },
    cancels: cancels && { cancel: guard(writes, cancels.cancel.bind(cancels)) },
    available: () => isAvailable(breaker) && adapter.available(),
  };
}
