/**
 * Stop-ticket-issuance requests: the request now, the outcome later. An accepted request
 * starts a tracked stop, PENDING, first checked at checkAfter (the supplier's documented delay,
 * or STOP_CHECK_DELAY_MS); from then on the engine checks it like any tracked record, and a
 * webhook saying the order was ticketed makes it check at once if its checkAfter has passed
 * (never before: the order's state means something else until then). The outcome recorded is only
 * ever what the supplier's order state says. A request is an operation on the order: on a
 * shared supplier account the registry's stop port passes it through the order-ownership check
 * (hardening issue, item 4: another tenant's stop of an order already stopped was sent to the
 * supplier again; issue 21, item 6: applied where the registry hands out ports).
 * The order is claimed before the stop request is sent, as a void or a cancel is (./outcome.ts
 * `OrderClaims`): a request on another instance meanwhile answers REQUEST_IN_PROGRESS, and a
 * gateway that stops mid-call leaves the claim, so the order's next request, once the claim has
 * expired, tracks the stop as one whose outcome is unknown instead of sending it again; so does
 * housekeeping (`resumeLeft`) when no request comes. Such a stop is sent again only at a client's
 * request, and only once the order's state shows that no stop was taken (./stop-resend.ts).
 */
import type { CallScope } from "../../datasources/deadline.js";
import type { SupplierName } from "../vocabulary/suppliers.js";
import type { StopIssuancePort } from "../../datasources/ports.js";
import type { SupplierRegistry } from "../../datasources/registry.js";
import type { TrackedRecord } from "../store/tracked-model.js";
import type { Tracker } from "./engine.js";
import type { Logger } from "../logger.js";
import type { Store } from "../store/index.js";
import { sentTime } from "../store/unsettled-store.js";
import { unrecorded, writeAfterSend } from "../reliability/after-send.js";
import { KeyedLock, orderKey } from "./keyed-lock.js";
import { outcomeUnknownPending, OUTCOME_UNKNOWN_MESSAGE as UNKNOWN, type StopReport } from "./kinds/stop.js";
import { resendStop } from "./stop-resend.js";
import { SupplierError } from "../vocabulary/errors.js";
import { OrderClaims, outcomeUnknown, type OrderClaim } from "./outcome.js";

const OPERATION = "STOP";

/**
 * stopTicketIssuance: sends the request once per order (serialised per order by a keyed lock
 * here and by the order's claim across instances) and starts its tracked stop.
 */
export class StopRequests {
  private readonly lock = new KeyedLock();

  constructor(
    readonly stops: Tracker<StopReport>,
    private readonly store: Store,
    private readonly registry: SupplierRegistry,
    /** How long after a request its outcome can be known, by supplier (its documentation; STOP_CHECK_DELAY_MS). */
    readonly checkDelayMs: (supplier: SupplierName) => number,
    readonly log: Logger,
  ) {
    this.claims = new OrderClaims(store.unsettled, registry, log, OPERATION, "stop request");
  }

  /** The order claims stop requests are sent under (./stop-resend.ts uses them too). */
  readonly claims: OrderClaims;

  /**
   * Asks the supplier to stop issuance and tracks the stop. An order that already has a stop
   * request gets that record back and the supplier is not asked again. The registry is asked
   * once, before the lock (an unsupported operation fails at once). `scope` names the request it serves.
   */
  request(tenant: string, supplier: SupplierName, orderNo: string, scope?: CallScope): Promise<TrackedRecord<StopReport>> {
    const port = this.registry.stopIssuance(supplier, tenant);
    return this.lock.run(orderKey(tenant, supplier, orderNo), () => this.requestNow(port, tenant, supplier, orderNo, scope));
  }

  private async requestNow(
    port: StopIssuancePort,
    tenant: string,
    supplier: SupplierName,
    orderNo: string,
    scope: CallScope | undefined,
  ): Promise<TrackedRecord<StopReport>> {
    const found = await this.claimUnrecorded(tenant, supplier, orderNo);
    // A stop the supplier may never have taken goes by ./stop-resend.ts: sent again on evidence, or a left resend's mark taken as sent.
    if ("record" in found) return outcomeUnknownPending(found.record) ? resendStop(this, port, found.record, scope) : found.record;
    const { claim } = found;
    // The earlier claim's sender stopped before recording anything: its stop request may have
    // reached the supplier. Tracked as one whose outcome is unknown; not sent again unless the
    // order's state shows no stop once it would (./stop-resend.ts).
    if (claim.earlier) return this.track(claim, tenant, supplier, orderNo, null, undefined, true);
    let message: string | null;
    // requestedAt is when the request went out (docs/api.md), not when its answer came back.
    const sentAt = new Date();
    try {
      message = (await port.stop(orderNo, scope)).message;
    } catch (err) {
      // The reply was lost: the supplier may be trying to stop. Track the order as if it were —
      // the outcome recorded later is only ever what the order's state says — and never send
      // the stop request again for it.
      // Its message is the supplier's, if it said anything in an answer the gateway cannot read;
      // an HTTP 5xx's body is about the failed call, not the stop (black-box probe: "oops").
      if (outcomeUnknown(err))
        await this.track(
          claim,
          tenant,
          supplier,
          orderNo,
          (err instanceof SupplierError && !err.transportFailure && err.supplierMessage) || null,
          sentAt,
          true,
        );
      else await claim.settle();
      throw err;
    }
    return this.track(claim, tenant, supplier, orderNo, message, sentAt, false);
  }

  /**
   * Stops the gateway may have sent without recording them — a gateway killed mid-call, a store
   * that failed after the send — leave only the order's mark. Each mark nobody holds any more
   * becomes a tracked stop whose outcome is unknown, as the order's next request would make it,
   * so the outcome is learned and published even if the client never asks again. Nothing is
   * sent. Run by housekeeping; returns how many stops it started tracking.
   */
  async resumeLeft(limit = 100): Promise<number> {
    let resumed = 0;
    for (const mark of await this.store.unsettled.unheld(OPERATION, limit)) {
      const { tenant, supplier, orderNo } = mark;
      try {
        await this.lock.run(orderKey(tenant, supplier, orderNo), async () => {
          const found = await this.claimUnrecorded(tenant, supplier, orderNo);
          // A mark beside a stop that may be sent again: a resend stopped mid-call, taken as lost.
          if ("record" in found) {
            if (outcomeUnknownPending(found.record)) await resendStop(this, null, found.record);
            return;
          }
          if (!found.claim.earlier) return found.claim.settle(); // the mark went meanwhile
          await this.track(found.claim, tenant, supplier, orderNo, null, undefined, true);
          resumed += 1;
        });
      } catch (err) {
        // Another request holds the order now (REQUEST_IN_PROGRESS), or the store failed: the next run looks again.
        this.log.warn({ err: String(err), orderNo, supplier }, "a stop request's mark could not be resumed");
      }
    }
    return resumed;
  }

  /**
   * The order's stop record when it has one (a stale mark beside it is cleared), or the order
   * claimed for a stop request (./outcome.ts `OrderClaims`: REQUEST_IN_PROGRESS while another
   * request holds it). The record is read again once claimed: another instance may have
   * recorded its stop between the first read and the claim. A store failure there has sent
   * nothing, so the order goes back as it was.
   */
  private async claimUnrecorded(
    tenant: string,
    supplier: SupplierName,
    orderNo: string,
  ): Promise<{ record: TrackedRecord<StopReport> } | { claim: OrderClaim }> {
    const existing = await this.stops.get(tenant, supplier, orderNo);
    if (existing) {
      // Beside a stop the supplier may never have taken, a mark may be a resend that stopped
      // mid-call: ./stop-resend.ts decides, whatever the record's checks say meanwhile.
      if (!outcomeUnknownPending(existing)) await this.clearStaleMark(tenant, supplier, orderNo);
      return { record: existing };
    }
    const claim = await this.claims.claim(tenant, supplier, orderNo);
    const recorded = await this.stops.get(tenant, supplier, orderNo).catch(async (err: unknown) => {
      await claim.giveBack();
      throw err;
    });
    if (!recorded) return { claim };
    await claim.settle();
    return { record: recorded };
  }

  /**
   * A mark left beside a recorded stop (its claim's settle failed, or the record was written
   * but reported lost) means nothing once the record exists: it goes, unless a request holds it.
   * Best effort; a failure is logged and the record is answered all the same.
   */
  private async clearStaleMark(tenant: string, supplier: SupplierName, orderNo: string): Promise<void> {
    await this.store.unsettled.settleUnheld(tenant, supplier, OPERATION, orderNo).catch((err: unknown) => {
      this.log.warn({ err: String(err), orderNo, supplier }, "a stop request's stale mark could not be cleared");
    });
  }

  /**
   * Records the stop the supplier accepted (or may be acting on). If the store fails even after
   * retries, the client is still answered the PENDING stop, not told to send it again, and the
   * order's claim stays: its next request tracks the stop instead of sending it.
   */
  private async track(
    claim: OrderClaim,
    tenant: string,
    supplier: SupplierName,
    orderNo: string,
    message: string | null,
    sentAt: Date | undefined,
    unknown: boolean,
  ): Promise<TrackedRecord<StopReport>> {
    const report: StopReport = { status: "PENDING", message, supplierOrderStatus: null, outcomeUnknown: unknown };
    // The stop was requested when its call was sent — this request's (`sentAt`), or an earlier
    // call's whose sender stopped before recording (its mark) — and its outcome can be known the
    // supplier's delay after that.
    const sent = claim.earlier ? sentTime(claim.earlier) : (sentAt ?? null);
    const delayMs = sent ? Math.max(0, sent.getTime() + this.checkDelayMs(supplier) - Date.now()) : this.checkDelayMs(supplier);
    const written = await writeAfterSend(
      async () => {
        const record = await this.stops.start(tenant, supplier, orderNo, orderNo, report, {
          source: "SUBMIT",
          // An earlier call's mark is the store's time; this request's own send time goes by the
          // store's clock too, as the record's other times: sent this long before the write.
          started: claim.earlier ? (sent ?? true) : sentAt ? { msAgo: Date.now() - sentAt.getTime() } : true,
          notBeforeInMs: delayMs,
        });
        if (!record) throw new Error(`stop request for ${orderNo} could not be recorded`);
        return record;
      },
      this.log,
      "stop request sent to the supplier but not recorded: its mark stays, and housekeeping tracks it once the store is back",
      { orderNo, supplier },
    );
    if (written.ok) {
      await claim.settle();
      return written.value;
    }
    await claim.keep(UNKNOWN);
    return unrecorded(this.stops.key(tenant, supplier, orderNo), orderNo, report, {
      status: "PENDING",
      isFinal: false,
      notBefore: new Date(Date.now() + delayMs),
      sentAt: sent ?? sentAt,
    });
  }
}
