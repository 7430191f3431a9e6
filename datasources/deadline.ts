/**
 * One deadline per client call (issue B.12). The configured supplier timeout bounds what a
 * client waits for one port call, retries included: the resilience layer opens a deadline
 * around each call (resilience/index.ts), every HTTP attempt inside gets at most what is left
 * of it (http.ts), and a retry is made only while the rest of the budget allows one
 * (resilience/retry.ts). Before, each attempt had the full timeout: three attempts at a
 * supplier that never answers kept a client ~3 × SUPPLIER_TIMEOUT_MS.
 *
 * The deadline travels with the call as an argument (a `CallScope`, the last parameter of
 * every port and client method), with the id of the request the call serves. Both once travelled in
 * AsyncLocalStorage; on Node 20 and 22 that switches on promise hooks for every promise of the
 * process, which cost a quarter of a `voidQuote`'s CPU and of a supplier-free query's
 * (bench/RESULTS.md, "Issue 24, eighth session"). eslint forbids `node:async_hooks` outside the
 * telemetry folder.
 */

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

/** What a supplier call carries besides its own arguments. Every field is optional: background calls have neither. */
export interface CallScope {
  /** The HTTP request or websocket operation the call serves, for its log line. */
  readonly requestId?: string;
  /** The tenant whose call it is (set by the resilience layer, which queues it as that tenant's), for its log line. */
  readonly tenant?: string;
  /** The deadline of the client call under way; set by the resilience layer. */
  readonly deadline?: Deadline;
}

/** A scope whose deadline is set. */
export type DeadlineScope = CallScope & { readonly deadline: Deadline };

/**
 * `scope` with a deadline `budgetMs` from now, or with its own when that ends sooner (a call
 * made inside another call never gets more time than its caller has).
 */
export function withinDeadline(scope: CallScope | undefined, budgetMs: number, tenant?: string): DeadlineScope {
  const outer = scope?.deadline;
  const at = Date.now() + budgetMs;
  return {
    requestId: scope?.requestId,
    tenant: tenant ?? scope?.tenant,
    deadline: outer && outer.at <= at ? outer : new Deadline(at, budgetMs),
  };
}
