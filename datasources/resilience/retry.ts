/**
 * Retries for read-only supplier calls only (voidQuotation.do, queryVoidOrders.do,
 * queryOrderDetails.do): on failures the supplier error marks retryable, with jittered
 * exponential backoff, honouring Retry-After (up to `maxRetryAfterMs`; longer means give up).
 * State-changing calls never pass through here (Duffel: do not retry cancellations).
 */
import { DelegateBackoff, handleWhen, retry, type IRetryBackoffContext, type RetryPolicy } from "cockatiel";
import { SupplierError } from "../errors.js";

export interface RetrySettings {
  /** Retries after the first attempt. */
  maxRetries: number;
  initialDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetrySettings = { maxRetries: 2, initialDelayMs: 100, maxDelayMs: 2000, maxRetryAfterMs: 5000 };

export function readRetryPolicy(s: RetrySettings = DEFAULT_RETRY): RetryPolicy {
  // The state is the retry number within one execution (cockatiel keeps it per call chain).
  const backoff = new DelegateBackoff<IRetryBackoffContext<unknown>, number>((ctx, n = 0) => {
    const err = "error" in ctx.result ? ctx.result.error : undefined;
    const after = err instanceof SupplierError ? (err.extra.retryAfterSeconds as number | undefined) : undefined;
    if (after !== undefined) return { delay: after * 1000, state: n + 1 };
    // Exponential with "full jitter": anywhere between half and all of the capped delay.
    const cap = Math.min(s.maxDelayMs, s.initialDelayMs * 2 ** n);
    return { delay: Math.round(cap * (0.5 + Math.random() / 2)), state: n + 1 };
  });
  return retry(
    // A Retry-After longer than we are willing to wait means: give up now, say so.
    handleWhen((e) => e instanceof SupplierError && e.retryable && Number(e.extra.retryAfterSeconds ?? 0) * 1000 <= s.maxRetryAfterMs),
    { maxAttempts: s.maxRetries, backoff },
  );
}
