/**
 * Runs tasks for the same key one after another on this instance, so two simultaneous
 * requests for one order cannot both pass "nothing submitted yet" and both call the supplier.
 * (Across instances the order's claim is the guard: ./outcome.ts `OrderClaims`.)
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}

/** The key of one tenant's order at one supplier. */
export const orderKey = (tenant: string, supplier: string, orderNo: string): string => `${tenant}\u0000${supplier}\u0000${orderNo}`;
