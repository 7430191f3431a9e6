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
import { codeKey, type StatusSourceName, type VoidEvent, type VoidKey, type VoidRecord } from "../store/void-store.js";
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

/** Most status changes recorded by one statement before they are published. */
const TRANSITION_CHUNK = 32;

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
   * Webhooks said these voids (distinct) changed: asks each supplier once per open void, side
   * by side, and records what they say, the batch's changes in one statement. `records` are
   * the voids' records as a batch lookup found them; they may be stale, which the
   * compare-and-set absorbs. Returns the error of each void (by codeKey) that could not be
   * confirmed; the others are done.
   */
  async confirmWebhooks(voids: Array<{ supplier: SupplierName; voidCode: string; records: VoidRecord[] }>, concurrency = 16): Promise<Map<string, unknown>> {
    const failed = new Map<string, unknown>();
    const reports: Array<{ records: VoidRecord[]; data: VoidOrderData | null }> = [];
    const open = voids.filter((v) => v.records.some((r) => !r.isFinal));
    let next = 0;
    const worker = async () => {
      while (next < open.length) {
        const v = open[next++];
        try {
          reports.push({ records: v.records.filter((r) => !r.isFinal), data: await this.ask(v.supplier, v.voidCode) });
        } catch (err) {
          failed.set(codeKey(v.supplier, v.voidCode), err);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, open.length) }, worker));
    await this.recordReports(reports, "WEBHOOK");
    return failed;
  }

  /**
   * observe() for many reports at once: same-status reports stored in one statement, forward
   * changes made in another and published; a change someone else got to first goes through
   * observe() again from the record as it now stands.
   */
  private async recordReports(reports: Array<{ records: VoidRecord[]; data: VoidOrderData | null }>, source: StatusSourceName): Promise<void> {
    const touches: Array<{ key: VoidKey; data: VoidOrderData }> = [];
    const moves: Array<{ record: VoidRecord; data: VoidOrderData }> = [];
    for (const { records, data } of reports) {
      if (!data) continue;
      for (const r of records) {
        if (data.status === r.status) touches.push({ key: keyOf(r), data });
        else if (VOID_STATUS_RANK[data.status] > VOID_STATUS_RANK[r.status]) moves.push({ record: r, data });
      }
    }
    await this.deps.store.voids.touchMany(touches);
    // In chunks, each published as soon as it is recorded: one statement for a whole large
    // batch would hold every event back until the last row is written.
    for (let start = 0; start < moves.length; start += TRANSITION_CHUNK) {
      const chunk = moves.slice(start, start + TRANSITION_CHUNK);
      const results = await this.deps.store.voids.transitionMany(
        chunk.map(({ record, data }) => ({ key: keyOf(record), from: record.status, data, source, nextPollInMs: pollDelayMs(this.deps.policy, 0, isWatched(record)) })),
      );
      for (const [i, res] of results.entries()) {
        if (res) {
          await this.publish(res.event, res.record);
          continue;
        }
        const now = await this.deps.store.voids.get(keyOf(chunk[i].record));
        if (now) await this.observe(now, chunk[i].data, source);
      }
    }
  }

  /**
   * One poll run: leases due voids, asks their suppliers, records changes, reschedules. The
   * voids whose poll brought no change get their leases back in one statement at the end.
   */
  async pollDue(owner: string, limit: number, leaseMs: number, concurrency = 16): Promise<number> {
    const due = await this.deps.store.voids.leaseDue(owner, limit, leaseMs);
    const unchanged: Array<{ key: VoidKey; nextPollInMs: number; pollAttempt: number; report: VoidOrderData | null }> = [];
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const r = due[next++];
        const report = await this.pollOne(r);
        if (report !== undefined) {
          unchanged.push({ key: keyOf(r), nextPollInMs: pollDelayMs(this.deps.policy, r.pollAttempt + 1, isWatched(r)), pollAttempt: r.pollAttempt + 1, report });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, worker));
    await this.deps.store.voids.releaseMany(owner, unchanged);
    return due.length;
  }

  /**
   * Polls one leased void. A change is recorded (which releases the lease and resets the
   * schedule) and undefined returned; otherwise the lease is the caller's to give back, with
   * the report to store (null when there is none: the call failed or the supplier has no such void).
   */
  private async pollOne(r: VoidRecord): Promise<VoidOrderData | null | undefined> {
    let data: VoidOrderData | null;
    try {
      data = await this.ask(r.supplier, r.voidCode);
    } catch (err) {
      this.deps.log.warn({ err: String(err), voidCode: r.voidCode, supplier: r.supplier }, "poll failed; will try again");
      return null;
    }
    if (!data) {
      this.deps.log.warn({ voidCode: r.voidCode, supplier: r.supplier }, "supplier does not know a tracked void");
      return null;
    }
    if (data.status === r.status) return data;
    const after = await this.observe(r, data, "POLL");
    // A backward report, or a change someone else recorded first that left it where it was.
    return after.status === r.status && !after.isFinal ? null : undefined;
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
