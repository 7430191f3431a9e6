/**
 * Follows every void to its final state. Three producers feed it — the submit reply, supplier
 * webhooks (confirmed by asking the supplier) and the poller — and one rule records their
 * reports: a change is a compare-and-set plus an event in one transaction, and only the
 * winner publishes. Concurrent asks for the same void are coalesced into one supplier call.
 */
import DataLoader from "dataloader";
import type { SupplierName } from "../../datasources/errors.js";
import { VOID_STATUS_RANK, type VoidOrderData } from "../../datasources/model.js";
import type { SupplierRegistry } from "../../datasources/registry.js";
import type { Logger } from "../logger.js";
import type { PubSub } from "../pubsub/index.js";
import type { Store } from "../store/index.js";
import type { StatusSourceName, VoidEvent, VoidKey, VoidRecord } from "../store/void-store.js";
import { pollDelayMs, type PollPolicy } from "./schedule.js";
import { voidEventPayload, voidTopics } from "./topics.js";

export interface VoidTrackerDeps {
  store: Store;
  registry: SupplierRegistry;
  pubsub: PubSub;
  policy: PollPolicy;
  log: Logger;
  /** Called for each event handed to the pub/sub (metrics). */
  onPublished?: () => void;
}

const keyOf = (r: VoidRecord): VoidKey => ({ tenant: r.tenant, supplier: r.supplier, voidCode: r.voidCode });
const isWatched = (r: VoidRecord) => r.watchedUntil !== null && r.watchedUntil.getTime() > Date.now();

export class VoidTracker {
  private readonly loaders = new Map<SupplierName, DataLoader<string, VoidOrderData | null>>();
  /** Supplier calls made (one per coalesced ask), for tests and metrics. */
  supplierCalls = 0;

  constructor(private readonly deps: VoidTrackerDeps) {}

  /**
   * Asks the supplier for a void. Every ask for the same void while a call is in flight shares
   * that call (DataLoader, with the entry dropped once the call settles).
   */
  ask(supplier: SupplierName, voidCode: string): Promise<VoidOrderData | null> {
    let loader = this.loaders.get(supplier);
    if (!loader) {
      const port = this.deps.registry.voids(supplier);
      loader = new DataLoader<string, VoidOrderData | null>(
        (codes) =>
          Promise.all(
            codes.map((c) => {
              this.supplierCalls += 1;
              return port.query(c).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
            }),
          ),
        { maxBatchSize: 100 },
      );
      this.loaders.set(supplier, loader);
    }
    const l = loader;
    return l.load(voidCode).finally(() => l.clear(voidCode));
  }

  /** Records a void void.do just accepted, with its SUBMIT event, and publishes it. */
  async submitted(tenant: string, data: VoidOrderData): Promise<VoidRecord> {
    const res = await this.deps.store.voids.record(tenant, data, "SUBMIT", new Date(), pollDelayMs(this.deps.policy, 0, false));
    if (!res) throw new Error(`void ${data.voidCode} already belongs to another tenant`);
    if (res.event) await this.publish(res.event, res.record);
    return res.record;
  }

  /**
   * refresh: true — asks the supplier first. A void the gateway does not know yet is adopted
   * (recorded with a QUERY event) when the supplier knows it and no other tenant owns it.
   */
  async refresh(tenant: string, supplier: SupplierName, voidCode: string): Promise<VoidRecord | null> {
    const key = { tenant, supplier, voidCode };
    const data = await this.ask(supplier, voidCode);
    const record = await this.deps.store.voids.get(key);
    if (record) return this.observe(record, data, "QUERY");
    if (!data) return null;
    const res = await this.deps.store.voids.record(tenant, data, "QUERY", null, pollDelayMs(this.deps.policy, 0, false));
    if (!res) return null;
    if (res.event) await this.publish(res.event, res.record);
    return res.record;
  }

  /**
   * Applies one supplier report to a record: a forward change becomes an event (once, whoever
   * races), the same status just refreshes the stored report, a backward or missing report
   * changes nothing. Returns the record as it stands afterwards.
   */
  async observe(record: VoidRecord, data: VoidOrderData | null, source: StatusSourceName): Promise<VoidRecord> {
    let current = record;
    for (let i = 0; i < 5; i += 1) {
      if (current.isFinal || !data) return current;
      if (data.status === current.status) {
        await this.deps.store.voids.touch(keyOf(current), data);
        return current;
      }
      if (VOID_STATUS_RANK[data.status] < VOID_STATUS_RANK[current.status]) return current;
      const res = await this.deps.store.voids.transition(keyOf(current), current.status, data, source, pollDelayMs(this.deps.policy, 0, isWatched(current)));
      if (res) {
        await this.publish(res.event, res.record);
        return res.record;
      }
      const reread = await this.deps.store.voids.get(keyOf(current));
      if (!reread) return current;
      current = reread;
    }
    return current;
  }

  /**
   * A webhook said a void changed: ask the supplier and record what it says. Returns false when
   * no tenant knows the void (the inbox keeps it; nothing is published).
   */
  async confirmWebhook(supplier: SupplierName, voidCode: string): Promise<boolean> {
    const records = await this.deps.store.voids.byCode(supplier, voidCode);
    if (records.length === 0) return false;
    const open = records.filter((r) => !r.isFinal);
    if (open.length === 0) return true;
    const data = await this.ask(supplier, voidCode);
    for (const r of open) await this.observe(r, data, "WEBHOOK");
    return true;
  }

  /** One poll run: leases due voids, asks their suppliers, records, reschedules. */
  async pollDue(owner: string, limit: number, leaseMs: number, concurrency = 16): Promise<number> {
    const due = await this.deps.store.voids.leaseDue(owner, limit, leaseMs);
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const r = due[next++];
        await this.pollOne(owner, r);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, worker));
    return due.length;
  }

  private async pollOne(owner: string, r: VoidRecord): Promise<void> {
    const key = keyOf(r);
    let data: VoidOrderData | null;
    try {
      data = await this.ask(r.supplier, r.voidCode);
    } catch (err) {
      this.deps.log.warn({ err: String(err), voidCode: r.voidCode, supplier: r.supplier }, "poll failed; will try again");
      await this.deps.store.voids.release(key, owner, pollDelayMs(this.deps.policy, r.pollAttempt + 1, isWatched(r)), r.pollAttempt + 1);
      return;
    }
    if (!data) this.deps.log.warn({ voidCode: r.voidCode, supplier: r.supplier }, "supplier does not know a tracked void");
    const after = await this.observe(r, data, "POLL");
    // A change released the lease and reset the schedule; otherwise back off.
    if (after.status === r.status && !after.isFinal) {
      await this.deps.store.voids.release(key, owner, pollDelayMs(this.deps.policy, r.pollAttempt + 1, isWatched(r)), r.pollAttempt + 1);
    }
  }

  /**
   * Publishes without making the caller wait: a Redis outage must not hold up mutations or
   * polls. A publish that fails is logged; the event is in the log, and subscribers that resume
   * with afterEventId get it.
   */
  private async publish(event: VoidEvent, record: VoidRecord): Promise<void> {
    const payload = voidEventPayload(event, record);
    const topics = [voidTopics.tenant(event.tenant), voidTopics.code(event.tenant, event.voidCode), voidTopics.order(event.tenant, event.orderNo)];
    this.deps.onPublished?.();
    void Promise.all(topics.map((t) => this.deps.pubsub.publish(t, payload))).catch((err: unknown) => {
      this.deps.log.error({ err: String(err), eventId: event.id }, "publishing a void event failed");
    });
  }
}
