/**
 * Which voids this instance's subscribers watch. A void someone subscribed to (by voidCode or
 * orderNo) is polled at least every VOID_POLL_WATCHED_MS; the mark lives in the store so any
 * instance's poller honours it. Marks are refreshed by one statement per tenant per interval,
 * not one per subscription, so 10,000 subscribers cost a handful of queries; new targets are
 * marked at once, those that arrive while a mark is being written together in the next one.
 */
import type { Logger } from "../logger.js";
import type { VoidStore } from "../store/void-store.js";

interface Target {
  tenant: string;
  kind: "code" | "order";
  value: string;
  count: number;
}

export class Watchers {
  private readonly targets = new Map<string, Target>();
  private timer?: NodeJS.Timeout;
  /** New targets not marked yet, by tenant. */
  private pending = new Map<string, { codes: string[]; orders: string[] }>();
  private flushing?: Promise<void>;

  constructor(
    private readonly voids: VoidStore,
    private readonly watchedMs: number,
    private readonly log: Logger,
  ) {}

  /** Watches a void or an order until the returned function is called. */
  add(tenant: string, target: { voidCode?: string; orderNo?: string }): () => void {
    const kind = target.voidCode !== undefined ? "code" : "order";
    const value = (target.voidCode ?? target.orderNo) as string;
    const key = `${tenant}\u0000${kind}\u0000${value}`;
    const existing = this.targets.get(key);
    if (existing) existing.count += 1;
    else {
      this.targets.set(key, { tenant, kind, value, count: 1 });
      // New targets are marked at once, so their next poll is pulled forward now.
      this.markSoon(tenant, kind, value);
    }
    if (!this.timer) {
      this.timer = setInterval(() => void this.beat(), this.watchedMs);
      this.timer.unref();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const t = this.targets.get(key);
      if (t && --t.count === 0) this.targets.delete(key);
      if (this.targets.size === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  private markSoon(tenant: string, kind: Target["kind"], value: string): void {
    let g = this.pending.get(tenant);
    if (!g) this.pending.set(tenant, (g = { codes: [], orders: [] }));
    (kind === "code" ? g.codes : g.orders).push(value);
    this.flushing ??= this.flush();
  }

  /** Writes pending marks, one statement per tenant, until none are left. */
  private async flush(): Promise<void> {
    await new Promise((r) => setImmediate(r)); // gather the targets added in this turn
    while (this.pending.size) {
      const batch = this.pending;
      this.pending = new Map();
      for (const [tenant, g] of batch) await this.mark(tenant, g.codes, g.orders);
    }
    this.flushing = undefined;
  }

  private async beat(): Promise<void> {
    const byTenant = new Map<string, { codes: string[]; orders: string[] }>();
    for (const t of this.targets.values()) {
      let g = byTenant.get(t.tenant);
      if (!g) byTenant.set(t.tenant, (g = { codes: [], orders: [] }));
      (t.kind === "code" ? g.codes : g.orders).push(t.value);
    }
    for (const [tenant, g] of byTenant) await this.mark(tenant, g.codes, g.orders);
  }

  private async mark(tenant: string, codes: string[], orders: string[]): Promise<void> {
    try {
      await this.voids.watch(tenant, codes, orders, this.watchedMs * 3, this.watchedMs);
    } catch (err) {
      this.log.warn({ err: String(err) }, "could not mark voids watched");
    }
  }
}
