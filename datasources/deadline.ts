/**
 * One deadline per client call (issue B.12). The configured supplier timeout bounds what a
 * client waits for one port call, retries included: the resilience layer opens a deadline
 * around each call (resilience/index.ts), every HTTP attempt inside gets at most what is left
 * of it (http.ts), and a retry is made only while the rest of the budget allows one
 * (resilience/retry.ts). Before, each attempt had the full timeout: three attempts at a
 * supplier that never answers kept a client ~3 × SUPPLIER_TIMEOUT_MS.
 *
 * The deadline travels in AsyncLocalStorage (as the request id does, src/request-context.ts),
 * so the ports' signatures, which resolvers and tracking call, stay as they are.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** An instant after which a call has no time left. */
export class Deadline {
  constructor(
    /** Epoch ms. */
    readonly at: number,
    /** The budget it was opened with, for messages. */
    readonly budgetMs: number,
  ) {}

  /** Milliseconds left, never negative. */
  remainingMs(now: number = Date.now()): number {
    return Math.max(0, this.at - now);
  }
}

const current = new AsyncLocalStorage<Deadline>();

/**
 * Runs `fn` within a deadline `budgetMs` from now, or within the enclosing deadline when that
 * one ends sooner (a call made inside another call never gets more time than its caller has).
 */
export function withinDeadline<T>(budgetMs: number, fn: (deadline: Deadline) => Promise<T>): Promise<T> {
  const outer = current.getStore();
  const at = Date.now() + budgetMs;
  const deadline = outer && outer.at <= at ? outer : new Deadline(at, budgetMs);
  return current.run(deadline, () => fn(deadline));
}

/** The deadline of the call under way, if any (calls outside the resilience layer have none). */
export function currentDeadline(): Deadline | undefined {
  return current.getStore();
}
