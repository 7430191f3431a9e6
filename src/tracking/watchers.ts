/**
 * Which records of one kind this instance's subscribers watch. A record someone subscribed
 * to (by reference or by order) is checked at least every `watchedMs` (VOID_POLL_WATCHED_MS),
 * never before its notBefore; the mark lives in the store, so any instance's poller honours
 * it. Marks are refreshed by one statement per tenant per interval, not one per
 * subscription, so 10,000 subscribers cost a handful of queries; new targets are marked at
 * once, those that arrive while a mark is being written together in the next one.
 */
import type { Logger } from "../logger.js";
import type { KindName } from "../vocabulary/kinds.js";
import type { RecordStore } from "./ports.js";

interface Target {
  tenant: string;
  by: "ref" | "order";
  value: string;
  count: number;
}

interface Marks {
  refs: string[];
  orders: string[];
}

/**
 * The watch marks of one kind on this instance: `add` when a subscription on a record or order starts,
 * the function it returns when it ends; marks are refreshed before they lapse while anyone still watches.
 */
export class Watchers {
  private readonly targets = new Map<string, Target>();
  private timer?: NodeJS.Timeout;
  /** New targets not marked yet, by tenant. */
  private pending = new Map<string, Marks>();
  private flushing?: Promise<void>;

  constructor(
    private readonly kind: KindName,
    private readonly records: Pick<RecordStore, "watch">,
    private readonly watchedMs: number,
    private readonly log: Logger,
  ) {}

  /** Targets watched now (tests, metrics). */
  get size(): number {
    return this.targets.size;
  }

  /** Watches a record or an order's records until the returned function is called. */
  add(tenant: string, target: { ref?: string; orderNo?: string }): () => void {
    const by = target.ref !== undefined ? "ref" : "order";
    const value = (target.ref ?? target.orderNo) as string;
    const key = `${tenant}\u0000${by}\u0000${value}`;
    const existing = this.targets.get(key);
    if (existing) existing.count += 1;
    else {
      this.targets.set(key, { tenant, by, value, count: 1 });
      // A new target is marked at once, so its next check is pulled forward now.
      this.markSoon(tenant, by, value);
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

  private markSoon(tenant: string, by: Target["by"], value: string): void {
    let g = this.pending.get(tenant);
    if (!g) this.pending.set(tenant, (g = { refs: [], orders: [] }));
    (by === "ref" ? g.refs : g.orders).push(value);
    this.flushing ??= this.flush();
  }

  /** Writes pending marks, one statement per tenant, until none are left. */
  private async flush(): Promise<void> {
    await new Promise((r) => setImmediate(r)); // gather the targets added in this turn
    while (this.pending.size) {
      const batch = this.pending;
      this.pending = new Map();
      for (const [tenant, g] of batch) await this.mark(tenant, g);
    }
    this.flushing = undefined;
  }

  private async beat(): Promise<void> {
    const byTenant = new Map<string, Marks>();
    for (const t of this.targets.values()) {
      let g = byTenant.get(t.tenant);
      if (!g) byTenant.set(t.tenant, (g = { refs: [], orders: [] }));
      (t.by === "ref" ? g.refs : g.orders).push(t.value);
    }
    for (const [tenant, g] of byTenant) await this.mark(tenant, g);
  }

  private async mark(tenant: string, g: Marks): Promise<void> {
    try {
      await this.records.watch(this.kind, tenant, g.refs, g.orders, this.watchedMs * 3, this.watchedMs);
    } catch (err) {
      this.log.warn({ err: String(err), kind: this.kind }, "could not mark records watched");
    }
  }
}
