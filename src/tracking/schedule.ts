/**
 * When to ask a supplier again: from VOID_POLL_MIN_MS doubling towards VOID_POLL_MAX_MS while
 * nothing changes (1, 2, 4, 8, 16, 30 min with the defaults), at most VOID_POLL_WATCHED_MS
 * while someone is subscribed. A little jitter keeps many records from coming due together.
 */
export interface PollPolicy {
  minMs: number;
  maxMs: number;
  watchedMs: number;
}

export function pollDelayMs(policy: PollPolicy, attempt: number, watched: boolean, jitter = 0.1): number {
  const backoff = Math.min(policy.maxMs, policy.minMs * 2 ** Math.min(attempt, 30));
  const base = watched ? Math.min(backoff, policy.watchedMs) : backoff;
  return Math.round(base * (1 - jitter * Math.random()));
}
