/**
 * Wraps a supplier adapter's ports in its resilience policies, composed here in one place:
 * deadline (the supplier's timeout for the whole call) → bulkhead (concurrency cap) → circuit
 * breaker → retry (read-only calls only) → the call. Policy rejections become the gateway's
 * SUPPLIER_UNAVAILABLE; a call still waiting for a slot at its deadline, SUPPLIER_TIMEOUT.
 */
import { BrokenCircuitError, BulkheadRejectedError, bulkhead, wrap } from "cockatiel";
import { withinDeadline } from "../deadline.js";
import { SupplierError, type SupplierName } from "../errors.js";
import type { SupplierAdapter } from "../ports.js";
import { DEFAULT_BREAKER, isAvailable, supplierBreaker, type BreakerSettings } from "./breaker.js";
import { DEFAULT_RETRY, readRetry, type RetrySettings } from "./retry.js";

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

function queuedPastDeadline(supplier: SupplierName, budgetMs: number): SupplierError {
  // Nothing was sent, so even a state-changing call may simply be asked again.
  return new SupplierError("SUPPLIER_TIMEOUT", `${supplier} was not called: no free slot within the call's ${budgetMs} ms`, {
    supplier,
    supplierCode: "OVERLOADED",
    retryable: true,
    hint: "Try again shortly.",
  });
}

/** Returns the adapter with every port method guarded; `available()` follows the breaker. */
export function withResilience(adapter: SupplierAdapter, s: ResilienceSettings = DEFAULT_RESILIENCE): SupplierAdapter {
  const breaker = supplierBreaker(s.breaker);
  const policies = wrap(bulkhead(s.concurrency, s.queue), breaker);
  const retry = readRetry(s.retry);

  /** One call under one deadline; a call still queued at the deadline gives up without being sent. */
  const run = <R>(call: () => Promise<R>): Promise<R> =>
    withinDeadline(adapter.timeoutMs, async (deadline) => {
      const expiry = new AbortController();
      let started = false;
      let timer: NodeJS.Timeout | undefined;
      // A started call ends by itself: every attempt's timeout is cut to the deadline (http.ts).
      const queued = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          expiry.abort();
          if (!started) reject(queuedPastDeadline(adapter.name, deadline.budgetMs));
        }, deadline.remainingMs());
      });
      const work = policies.execute(() => {
        started = true;
        return call();
      }, expiry.signal);
      try {
        return await Promise.race([work, queued]);
      } finally {
        clearTimeout(timer);
      }
    }).catch((err: unknown) => {
      throw translate(adapter.name, err);
    });

  const read = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => (...args: A): Promise<R> => run(() => retry(() => fn(...args)));
  const write = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => (...args: A): Promise<R> => run(() => fn(...args));

  const { voids, stopIssuance, cancels } = adapter;
  return {
    ...adapter,
    voids: voids && {
      quote: read(voids.quote.bind(voids)),
      submit: write(voids.submit.bind(voids)),
      query: read(voids.query.bind(voids)),
    },
    stopIssuance: stopIssuance && {
      stop: write(stopIssuance.stop.bind(stopIssuance)),
      outcome: read(stopIssuance.outcome.bind(stopIssuance)),
    },
    cancels: cancels && { cancel: write(cancels.cancel.bind(cancels)) },
    available: () => isAvailable(breaker) && adapter.available(),
  };
}
