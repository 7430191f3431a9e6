/**
 * Wraps a supplier adapter's ports in its resilience policies, composed here in one place:
 * deadline (the supplier's timeout for the whole call) → concurrency cap, shared fairly between
 * tenants (./fair-bulkhead.ts) → circuit breaker → retry (read-only calls only) → the call.
 * Policy rejections become the gateway's SUPPLIER_UNAVAILABLE; a call still waiting for a slot
 * at its deadline, SUPPLIER_TIMEOUT. Neither reached the supplier, so neither has a
 * `supplierCode` (API.md: the supplier's own code); `extensions.gatewayCode` says which guard
 * answered (CIRCUIT_OPEN, OVERLOADED).
 *
 * One guard per supplier: every account of a supplier (the gateway's, and tenants' own) shares
 * its cap and its breaker, since they share its servers; each call is queued as its tenant's
 * (hardening issue, item 7).
 */
import { BrokenCircuitError } from "cockatiel";
import { withinDeadline, type CallScope } from "../deadline.js";
import { SupplierError } from "../../src/vocabulary/errors.js";
import { type SupplierName } from "../../src/vocabulary/suppliers.js";
import type { SupplierAdapter } from "../ports.js";
import { DEFAULT_BREAKER, isAvailable, supplierBreaker, throughBreaker, type BreakerSettings } from "./breaker.js";
import { FairBulkhead, QueueFullError } from "./fair-bulkhead.js";
import { DEFAULT_RETRY, readRetry, type RetrySettings } from "./retry.js";

export interface ResilienceSettings {
  retry: RetrySettings;
  breaker: BreakerSettings;
  /** Calls in flight per supplier, and how many calls one tenant may have waiting for a slot. */
  concurrency: number;
  queue: number;
}

export const DEFAULT_RESILIENCE: ResilienceSettings = { retry: DEFAULT_RETRY, breaker: DEFAULT_BREAKER, concurrency: 64, queue: 512 };

/** Whose queue calls made outside any tenant's request wait in (tests, tools). */
const GATEWAY_QUEUE = "\u0000gateway";

function translate(supplier: SupplierName, err: unknown): unknown {
  if (err instanceof BrokenCircuitError) {
    return new SupplierError("SUPPLIER_UNAVAILABLE", `${supplier} is failing; the gateway paused calls to it for a few seconds`, {
      supplier,
      extra: { gatewayCode: "CIRCUIT_OPEN" },
      retryable: true,
      hint: "Try again shortly.",
      notSent: true,
    });
  }
  if (err instanceof QueueFullError) {
    return new SupplierError("SUPPLIER_UNAVAILABLE", `Too many calls to ${supplier} are waiting`, {
      supplier,
      extra: { gatewayCode: "OVERLOADED" },
      retryable: true,
      hint: "Try again shortly.",
      notSent: true,
    });
  }
  return err;
}

function queuedPastDeadline(supplier: SupplierName, budgetMs: number): SupplierError {
  // Nothing was sent, so even a state-changing call may simply be asked again.
  return new SupplierError("SUPPLIER_TIMEOUT", `${supplier} was not called: no free slot within the call's ${budgetMs} ms`, {
    supplier,
    extra: { gatewayCode: "OVERLOADED" },
    retryable: true,
    hint: "Try again shortly.",
    notSent: true,
  });
}

/** The policies of one supplier, shared by all of its accounts. */
export interface SupplierGuard {
  /** The adapter with every port method guarded, its calls queued as `tenant`'s. */
  wrap(adapter: SupplierAdapter, tenant: string): SupplierAdapter;
  /** False while the breaker keeps calls away from the supplier. */
  available(): boolean;
}

export function supplierGuard(s: ResilienceSettings = DEFAULT_RESILIENCE): SupplierGuard {
  const breaker = supplierBreaker(s.breaker);
  const slots = new FairBulkhead(s.concurrency, s.queue);
  const retry = readRetry(s.retry);

  /**
   * One call under one deadline (the caller's, when it ends sooner); a call still queued at the
   * deadline gives up without being sent. `call` gets the scope with that deadline.
   */
  const run = <R>(
    adapter: SupplierAdapter,
    tenant: string,
    outer: CallScope | undefined,
    call: (scope: CallScope) => Promise<R>,
  ): Promise<R> => {
    const scope = withinDeadline(outer, adapter.timeoutMs, tenant);
    const { deadline } = scope;
    /**
     * A slot when the cap is reached: wait in the tenant's queue, at most until the deadline
     * leaves less than one attempt's least time (a call sent with 12 ms left only adds to the
     * load of a supplier that is already slow: it is not sent).
     */
    const queued = async () => {
      const expiry = new AbortController();
      const waitMs = Math.max(0, deadline.remainingMs() - s.retry.minAttemptMs);
      const timer = setTimeout(() => expiry.abort(queuedPastDeadline(adapter.name, deadline.budgetMs)), waitMs);
      try {
        const release = await slots.acquire(tenant, expiry.signal);
        if (deadline.remainingMs() >= s.retry.minAttemptMs) return release;
        release();
        throw queuedPastDeadline(adapter.name, deadline.budgetMs);
      } finally {
        clearTimeout(timer);
      }
    };
    const guarded = async () => {
      // A free slot is taken at once: no timer, no signal (4 µs a call on Node 20).
      const release = slots.tryAcquire(tenant) ?? (await queued());
      try {
        // A started call ends by itself: every attempt's timeout is cut to the deadline (http.ts).
        return await throughBreaker(breaker, () => call(scope));
      } finally {
        release();
      }
    };
    return guarded().catch((err: unknown) => {
      throw translate(adapter.name, err);
    });
  };

  return {
    available: () => isAvailable(breaker),
    wrap(adapter, tenant) {
      /** A read-only call: retried within the deadline. */
      const read = <R>(outer: CallScope | undefined, fn: (scope: CallScope) => Promise<R>): Promise<R> =>
        run(adapter, tenant, outer, (scope) => retry(() => fn(scope), scope.deadline));
      /** A call that changes supplier state: never retried. */
      const write = <R>(outer: CallScope | undefined, fn: (scope: CallScope) => Promise<R>): Promise<R> => run(adapter, tenant, outer, fn);
      const { voids, stopIssuance, cancels } = adapter;
      const findSubmitted = voids?.findSubmitted?.bind(voids);
      return {
        ...adapter,
        voids: voids && {
          quote: (orderNo, scope) => read(scope, (s) => voids.quote(orderNo, s)),
          submit: (orderNo, voidOfferId, scope) => write(scope, (s) => voids.submit(orderNo, voidOfferId, s)),
          query: (voidCode, scope) => read(scope, (s) => voids.query(voidCode, s)),
          findSubmitted: findSubmitted && ((orderNo, scope) => read(scope, (s) => findSubmitted(orderNo, s))),
        },
        stopIssuance: stopIssuance && {
          stop: (orderNo, scope) => write(scope, (s) => stopIssuance.stop(orderNo, s)),
          outcome: (orderNo, scope) => read(scope, (s) => stopIssuance.outcome(orderNo, s)),
        },
        cancels: cancels && {
          check: cancels.check?.bind(cancels),
          cancel: (request, scope) => write(scope, (s) => cancels.cancel(request, s)),
        },
        available: () => isAvailable(breaker) && adapter.available(),
      };
    },
  };
}

/** One adapter with policies of its own, every call in one queue (tests and tools). */
export function withResilience(adapter: SupplierAdapter, s: ResilienceSettings = DEFAULT_RESILIENCE): SupplierAdapter {
  return supplierGuard(s).wrap(adapter, GATEWAY_QUEUE);
}
