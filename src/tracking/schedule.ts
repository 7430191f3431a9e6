/**
 * When to ask a supplier again: from VOID_POLL_MIN_MS doubling towards VOID_POLL_MAX_MS while
 * nothing changes (1, 2, 4, 8, 16, 30 min with the defaults), at most VOID_POLL_WATCHED_MS
 * while someone is subscribed. A little jitter keeps many records from coming due together.
 */
/** The check intervals of a kind (VOID_POLL_MIN_MS, VOID_POLL_MAX_MS, VOID_POLL_WATCHED_MS). */
export interface PollPolicy {
  /** The first wait, after a record starts or changes. */
  minMs: number;
  /** The longest wait while nothing changes. */
  maxMs: number;
  /** The longest wait while someone is subscribed to the record. */
  watchedMs: number;
}

/**
 * The wait before check number `attempt + 1` of a record, up to `jitter` shorter so records spread out.
 * @param jitter fraction the wait may be shortened by, at random. @default 0.1
 */
export function pollDelayMs(policy: PollPolicy, attempt: number, watched: boolean, jitter = 0.1): number {
  const backoff = Math.min(policy.maxMs, policy.minMs * 2 ** Math.min(attempt, 30));
  const base = watched ? Math.min(backoff, policy.watchedMs) : backoff;
  return Math.round(base * (1 - jitter * Math.random()));
}
