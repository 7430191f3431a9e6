/**
 * Follows stop-ticket-issuance requests: PENDING until, at or after checkAfter, the supplier's
 * order state says STOPPED or ISSUED; asks again with backoff while it says neither. An
 * `order.ticketed` webhook only makes the next check happen now — the outcome recorded is
 * always what the supplier answers to that check.
 */
import type { SupplierName } from "../../datasources/errors.js";
import type { SupplierRegistry } from "../../datasources/registry.js";
import type { Logger } from "../logger.js";
import type { PubSub } from "../pubsub/index.js";
import type { Store } from "../store/index.js";
import type { StopKey, StopRecord } from "../store/stop-store.js";
import { pollDelayMs, type PollPolicy } from "./schedule.js";
import { KeyedLock } from "./keyed-lock.js";
import { outcomeUnknown } from "./void-submission.js";
import { stopTopics, stopView } from "./topics.js";

export interface StopTrackerDeps {
  store: Store;
  registry: SupplierRegistry;
  pubsub: PubSub;
  policy: PollPolicy;
  log: Logger;
  /** How long after a request its outcome can be known (STOP_CHECK_DELAY_MS). */
  checkDelayMs: number;
  onPublished?: () => void;
}

const keyOf = (s: StopRecord): StopKey => ({ tenant: s.tenant, supplier: s.supplier, orderNo: s.orderNo });

export class StopTracker {
  constructor(private readonly deps: StopTrackerDeps) {}

  /**
   * Asks the supplier to stop issuance and records a PENDING stop. An order that already has
   * a stop request gets that record back and the supplier is not asked again.
   */
  private readonly lock = new KeyedLock();

  request(tenant: string, supplier: SupplierName, orderNo: string): Promise<StopRecord> {
    return this.lock.run(`${tenant}\u0000${supplier}\u0000${orderNo}`, () => this.requestNow(tenant, supplier, orderNo));
  }

  private async requestNow(tenant: string, supplier: SupplierName, orderNo: string): Promise<StopRecord> {
    const key = { tenant, supplier, orderNo };
    const port = this.deps.registry.stopIssuance(supplier);
    const existing = await this.deps.store.stops.get(key);
    if (existing) return existing;
    let accepted;
    try {
      accepted = await port.stop(orderNo);
    } catch (err) {
      // The reply was lost: the supplier may be trying to stop. Track the order as if it were —
      // the outcome recorded later is only ever what queryOrderDetails.do says (-3 or 2) — and
      // never send stopTicket.do again for it.
      if (outcomeUnknown(err)) await this.deps.store.stops.insert(key, "outcome of the stop request unknown: the gateway is checking", this.deps.checkDelayMs);
      throw err;
    }
    const record = await this.deps.store.stops.insert(key, accepted.message, this.deps.checkDelayMs);
    await this.publish(record);
    return record;
  }

  /** One check run: leases due PENDING stops and asks their suppliers. */
  async checkDue(owner: string, limit: number, leaseMs: number): Promise<number> {
    const due = await this.deps.store.stops.leaseDue(owner, limit, leaseMs);
    for (const s of due) await this.check(s);
    return due.length;
  }

  /** An order.ticketed hint: check that order's pending stops at once. */
  async hintTicketed(supplier: SupplierName, orderNo: string): Promise<boolean> {
    const pending = await this.deps.store.stops.pendingByOrder(supplier, orderNo);
    for (const s of pending) await this.deps.store.stops.checkSoon(keyOf(s));
    return pending.length > 0;
  }

  private async check(s: StopRecord): Promise<void> {
    const key = keyOf(s);
    try {
      const outcome = await this.deps.registry.stopIssuance(s.supplier).outcome(s.orderNo);
      if (outcome.state !== "PENDING") {
        const resolved = await this.deps.store.stops.resolve(key, outcome.state, outcome.supplierOrderStatus);
        if (resolved) await this.publish(resolved);
        return;
      }
      await this.deps.store.stops.reschedule(key, pollDelayMs(this.deps.policy, s.checkAttempt, false), s.checkAttempt + 1, outcome.supplierOrderStatus);
    } catch (err) {
      this.deps.log.warn({ err: String(err), orderNo: s.orderNo, supplier: s.supplier }, "stop-issuance check failed; will try again");
      await this.deps.store.stops.reschedule(key, pollDelayMs(this.deps.policy, s.checkAttempt + 1, false), s.checkAttempt + 1, s.supplierOrderStatus);
    }
  }

  /** Publishes without making the caller wait (see VoidTracker.publish). */
  private async publish(s: StopRecord): Promise<void> {
    const payload = stopView(s);
    this.deps.onPublished?.();
    void Promise.all([this.deps.pubsub.publish(stopTopics.tenant(s.tenant), payload), this.deps.pubsub.publish(stopTopics.order(s.tenant, s.orderNo), payload)]).catch(
      (err: unknown) => this.deps.log.error({ err: String(err), orderNo: s.orderNo }, "publishing a stop change failed"),
    );
  }
}
