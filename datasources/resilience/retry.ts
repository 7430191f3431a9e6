/**
 * Retries for read-only supplier calls only (voidQuotation.do, queryVoidOrders.do,
 * queryOrderDetails.do): on failures the supplier error marks retryable, with jittered
 * exponential backoff, honouring Retry-After (up to `maxRetryAfterMs`; longer means give up),
 * and no more often than the answer allows (`SupplierError.retriesAllowed`: ATRIP's -1 and 9999
 * "may retry once"). A rate limit without Retry-After is not retried here: the supplier asked
 * to back off (ATRIP 110: "back off"), and a repeat within the call's deadline would only add
 * to its load; the client is told it is retryable. State-changing calls never pass through here
 * (Duffel: do not retry cancellations).
 *
 * A retry is made only while the call's deadline leaves room for the wait and a useful attempt
 * (issue B.12: one deadline per client call). cockatiel's retry policy cannot do that: it
 * decides to retry before it knows the wait, then sleeps through the deadline. Hence this loop.
 */
import type { Deadline } from "../deadline.js";
import { SupplierError } from "../../src/vocabulary/errors.js";

export interface RetrySettings {
  /** Retries after the first attempt. */
  maxRetries: number;
  initialDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  /** Least time an attempt must have left, after the wait, to be worth making. */
  minAttemptMs: number;
}

export const DEFAULT_RETRY: RetrySettings = {
  maxRetries: 2,
  initialDelayMs: 100,
  maxDelayMs: 2000,
  maxRetryAfterMs: 5000,
  minAttemptMs: 100,
};

/**
 * How long to wait before retry number `n + 1` after `err`, or undefined when the error is not
 * worth retrying (not retryable, or a Retry-After longer than we are willing to wait).
 */
export function retryDelayMs(s: RetrySettings, n: number, err: unknown): number | undefined {
  if (!(err instanceof SupplierError) || !err.retryable) return undefined;
  if (n >= (err.retriesAllowed ?? Number.POSITIVE_INFINITY)) return undefined;
  const after = err.extra.retryAfterSeconds;
  // Retry-After: 0 (or a date passed) asks for nothing: the backoff below still applies.
  if (typeof after === "number" && after > 0) return after * 1000 <= s.maxRetryAfterMs ? after * 1000 : undefined;
  // A rate limit that does not say when (no Retry-After) asks to back off: not within this call.
  if (err.code === "SUPPLIER_RATE_LIMITED" && after === undefined) return undefined;
  // Exponential with "full jitter": anywhere between half and all of the capped delay.
  const cap = Math.min(s.maxDelayMs, s.initialDelayMs * 2 ** n);
  return Math.round(cap * (0.5 + Math.random() / 2));
}

/** Runs an attempt, and again on retryable failures while retries and the deadline (none: no limit) allow. */
export function readRetry(s: RetrySettings = DEFAULT_RETRY): <T>(attempt: () => Promise<T>, deadline?: Deadline) => Promise<T> {
  return async (attempt, deadline) => {
    let previous: unknown;
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        // A retry that never left the gateway (its deadline passed while it waited) says nothing
        // new: the client gets the failure that made it retry, which did reach the supplier.
        if (n > 0 && err instanceof SupplierError && err.notSent) throw previous;
        previous = err;
        const delay = n < s.maxRetries ? retryDelayMs(s, n, err) : undefined;
        const left = deadline?.remainingMs() ?? Number.POSITIVE_INFINITY;
        // No room for the wait plus an attempt: the client gets the real failure now.
        if (delay === undefined || delay + s.minAttemptMs > left) throw err;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  };
}
