/**
 * A callback at a point in time, however far away. `setTimeout` holds at most 2^31-1 ms
 * (about 24.8 days) and fires at once for anything longer, so a websocket with a 30-day JWT
 * used to be closed the moment it opened (hardening issue, item 5). Here the wait is split into
 * chunks no longer than that, re-armed until the time has come.
 */

/** setTimeout's longest delay. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A pending `runAt`; cancel it when what it would end has ended by itself (a socket closed). */
export interface Scheduled {
  cancel(): void;
}

/**
 * Runs `fn` once at `at` (at once when `at` is past, or not a valid date: failing closed).
 * The timers are unref'd: they never keep the process alive.
 */
export function runAt(at: Date, fn: () => void): Scheduled {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const arm = () => {
    if (cancelled) return;
    const left = at.getTime() - Date.now();
    if (!(left > 0)) {
      fn();
      return;
    }
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  return {
    cancel() {
      cancelled = true;
      clearTimeout(timer);
    },
  };
}
