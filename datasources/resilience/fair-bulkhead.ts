/**
 * A supplier's concurrency cap (SUPPLIER_MAX_CONCURRENCY), shared fairly between tenants
 * (hardening issue, item 7: one tenant's burst of `refresh` aliases pushed another tenant's
 * `voidQuote` to ~1 s p50 behind one FIFO queue). Calls that find no free slot wait in their
 * tenant's own queue; whenever a slot frees, it goes to the waiting tenant with the fewest
 * calls in flight (ties: the one served longest ago), so a tenant that asks for little is
 * served at the next free slot however much another one asks for. Nobody's share is reserved:
 * a tenant alone may use every slot. Each tenant may have `queuePerTenant` calls waiting;
 * beyond that its next call is refused at once (another tenant's queue is unaffected).
 */

/** Thrown by `acquire` when the tenant's queue is full. */
export class QueueFullError extends Error {
  constructor() {
    super("the supplier's queue for this tenant is full");
    this.name = "QueueFullError";
  }
}

interface Waiter {
  grant: (release: () => void) => void;
  fail: (err: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class FairBulkhead {
  private active = 0;
  private readonly inFlight = new Map<string, number>();
  /** Waiting calls by tenant; the map's order is the order tenants were last served in. */
  private readonly waiting = new Map<string, Waiter[]>();

  constructor(
    /** Calls in flight at most, all tenants together. */
    readonly slots: number,
    /** Calls one tenant may have waiting. */
    readonly queuePerTenant: number,
  ) {}

  /** Calls in flight now (tests, metrics). */
  get executing(): number {
    return this.active;
  }

  /**
   * Resolves with a release function once a slot is the tenant's. Rejects with QueueFullError
   * when the tenant's queue is full, and with the signal's reason when it aborts first.
   */
  acquire(tenant: string, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    const free = this.tryAcquire(tenant);
    if (free) return Promise.resolve(free);
    const queue = this.waiting.get(tenant) ?? [];
    if (queue.length >= this.queuePerTenant) return Promise.reject(new QueueFullError());
    return new Promise((grant, fail) => {
      const w: Waiter = { grant, fail, signal };
      if (signal) {
        w.onAbort = () => {
          this.drop(tenant, w);
          fail(signal.reason);
        };
        signal.addEventListener("abort", w.onAbort, { once: true });
      }
      queue.push(w);
      this.waiting.set(tenant, queue);
      this.drain();
    });
  }

  /**
   * The release function of a slot taken at once, when one is free and nobody waits; undefined
   * otherwise (then `acquire` queues). Lets a caller skip the queue's timer and signal when, as
   * almost always, there is no queue.
   */
  tryAcquire(tenant: string): (() => void) | undefined {
    return this.active < this.slots && !this.waiting.size ? this.take(tenant) : undefined;
  }

  private take(tenant: string): () => void {
    this.active += 1;
    this.inFlight.set(tenant, (this.inFlight.get(tenant) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= 1;
      const n = (this.inFlight.get(tenant) ?? 1) - 1;
      if (n) this.inFlight.set(tenant, n);
      else this.inFlight.delete(tenant);
      this.drain();
    };
  }

  /** Hands free slots to waiting tenants, the one with the fewest calls in flight first. */
  private drain(): void {
    while (this.active < this.slots && this.waiting.size) {
      let chosen: string | undefined;
      let least = Number.POSITIVE_INFINITY;
      for (const tenant of this.waiting.keys()) {
        const n = this.inFlight.get(tenant) ?? 0;
        if (n < least) [chosen, least] = [tenant, n];
      }
      const tenant = chosen as string;
      const queue = this.waiting.get(tenant) as Waiter[];
      const w = queue.shift() as Waiter;
      // Served: to the back of the order, behind tenants with as few calls in flight.
      this.waiting.delete(tenant);
      if (queue.length) this.waiting.set(tenant, queue);
      if (w.onAbort) w.signal?.removeEventListener("abort", w.onAbort);
      w.grant(this.take(tenant));
    }
  }

  private drop(tenant: string, w: Waiter): void {
    const queue = this.waiting.get(tenant);
    if (!queue) return;
    const i = queue.indexOf(w);
    if (i >= 0) queue.splice(i, 1);
    if (!queue.length) this.waiting.delete(tenant);
  }
}
