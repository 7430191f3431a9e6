/** State-changing calls: telling one whose outcome is unknown, and the mark each holds on its order while it is sent. */
import type { SupplierRegistry } from "../../datasources/registry.js";
import type { Logger } from "../logger.js";
import { writeAfterSend } from "../reliability/after-send.js";
import type { Unsettled, UnsettledStore } from "../store/unsettled-store.js";
import { GatewayError, SupplierError } from "../vocabulary/errors.js";
import type { SupplierName } from "../vocabulary/suppliers.js";

/** The supplier may or may not have acted on the call (its reply was lost or unreadable). */
export function outcomeUnknown(err: unknown): boolean {
  return (
    err instanceof SupplierError && (err.code === "SUPPLIER_OUTCOME_UNKNOWN" || (err.code === "SUPPLIER_UNAVAILABLE" && !err.retryable))
  );
}

/** Where an order's mark is kept, and which call it is about. */
interface UnsettledMark {
  unsettled: UnsettledStore;
  log: Logger;
  tenant: string;
  supplier: SupplierName;
  operation: string;
  orderNo: string;
}

/** What a claim allows beyond the call's timeout: recording the outcome (../reliability/after-send.ts retries for up to 0.6 s). */
const RECORDING_MS = 10_000;

/**
 * A request's hold on an order's mark, from before its state-changing call is sent until its
 * outcome is recorded (src/store/unsettled-store.ts). `earlier` is the mark of an earlier call
 * whose outcome is unknown, taken over; null when the order had none. Every write acts on this
 * claim's row only, and is tried as a write after a send (../reliability/after-send.ts): a
 * store failure is logged and leaves the mark, which costs the order's next request a check
 * with the supplier, never a resend.
 */
export class OrderClaim {
  constructor(
    private readonly m: UnsettledMark,
    readonly claimId: string,
    readonly earlier: Unsettled | null,
  ) {}

  get tenant(): string {
    return this.m.tenant;
  }

  get supplier(): SupplierName {
    return this.m.supplier;
  }

  get orderNo(): string {
    return this.m.orderNo;
  }

  /** The outcome is known and recorded (or the call was refused, or not sent): the mark goes. */
  async settle(): Promise<void> {
    await this.write(
      () => this.m.unsettled.settle(this.m.tenant, this.m.supplier, this.m.operation, this.m.orderNo, this.claimId),
      "cleared",
    );
  }

  /** Nothing was learned about the earlier call: its mark goes back as it was; a claim of a fresh order goes. */
  async giveBack(): Promise<void> {
    if (!this.earlier) return this.settle();
    await this.write(
      () => this.m.unsettled.restore(this.m.tenant, this.m.supplier, this.m.operation, this.m.orderNo, this.claimId),
      "given back",
    );
  }

  /**
   * The supplier may have acted on something the gateway did not record: the claim becomes a mark
   * nobody holds, since now. `heldElsewhere`: what the supplier holds was not sent by the gateway;
   * `acceptedRef`: the supplier said it accepted the call and named what it made (never sent again).
   * False when the store did not take it (logged).
   */
  async keep(detail: string, heldElsewhere = false, acceptedRef: string | null = null): Promise<boolean> {
    return this.write(
      () =>
        this.m.unsettled.mark(
          this.m.tenant,
          this.m.supplier,
          this.m.operation,
          this.m.orderNo,
          detail,
          this.claimId,
          heldElsewhere,
          acceptedRef,
        ),
      "turned into a mark (it stays claimed until it expires)",
    );
  }

  /**
   * The earlier call was found not to have gone through, and this claim sends it again now: the
   * mark's send time moves here. Best effort: a failure leaves the earlier time, and is logged.
   */
  async resending(): Promise<void> {
    try {
      await this.m.unsettled.resent(this.m.tenant, this.m.supplier, this.m.operation, this.m.orderNo, this.claimId);
    } catch (err) {
      this.m.log.warn({ err: String(err), orderNo: this.m.orderNo }, "the send time of a resent call was not recorded");
    }
  }

  /**
   * When `err` leaves the call's outcome unknown, keeps the mark, so the next request for the
   * order reads the supplier first; true when it did.
   */
  async keepIfUnknown(err: unknown): Promise<boolean> {
    if (!outcomeUnknown(err)) return false;
    await this.keep((err as Error).message);
    return true;
  }

  private async write(write: () => Promise<void>, done: string): Promise<boolean> {
    const written = await writeAfterSend(
      write,
      this.m.log,
      `${this.m.operation} mark of an order not ${done}: its next request asks the supplier first`,
      { orderNo: this.m.orderNo, supplier: this.m.supplier },
    );
    return written.ok;
  }
}

/** The hint of REQUEST_IN_PROGRESS for a call whose outcome the gateway records (a void, a stop). */
const RETRY_LATER = "Try again later: the gateway then knows how that one ended, and sends nothing twice.";

/**
 * The claims of one state-changing operation (a void submission, a stop request, a cancel): what
 * every claim of it shares, so each request names only its order.
 */
export class OrderClaims {
  constructor(
    private readonly unsettled: UnsettledStore,
    private readonly registry: SupplierRegistry,
    private readonly log: Logger,
    /** The operation's name in the marks. */
    readonly operation: string,
    /** The call, for people ("void submission"). */
    private readonly what: string,
    /** What to do about REQUEST_IN_PROGRESS (`inProgress`'s hint): a retry of a call the gateway keeps no record of is sent again. */
    private readonly retryHint = RETRY_LATER,
  ) {}

  /** The supplier's per-call timeout (unbounded for a supplier the registry does not know). */
  timeoutMs(supplier: SupplierName): number {
    return this.registry.get(supplier)?.timeoutMs ?? Number.POSITIVE_INFINITY;
  }

  /**
   * Claims the order before the call is sent, in flight for the call's timeout plus
   * RECORDING_MS, taking over the mark of an earlier call whose outcome is unknown (a lost
   * reply, or a sender that stopped mid-call). While another request holds the order (its call
   * in flight, here or on another instance), REQUEST_IN_PROGRESS with retryAfterSeconds, and
   * nothing is sent.
   */
  async claim(tenant: string, supplier: SupplierName, orderNo: string): Promise<OrderClaim> {
    const m: UnsettledMark = { unsettled: this.unsettled, log: this.log, tenant, supplier, operation: this.operation, orderNo };
    const timeoutMs = this.timeoutMs(supplier);
    const inFlightMs = (Number.isFinite(timeoutMs) ? timeoutMs : 60_000) + RECORDING_MS;
    const claimed = await this.unsettled.claim(tenant, supplier, this.operation, orderNo, inFlightMs);
    if ("claimId" in claimed) return new OrderClaim(m, claimed.claimId, null);
    const taken = claimed.earlier.inFlightMs > 0 ? null : await this.unsettled.takeOver(claimed.earlier, inFlightMs);
    if (taken?.claimId) return new OrderClaim(m, taken.claimId, taken);
    throw inProgress(
      `A ${this.what} for order ${orderNo} is being sent to ${supplier}, or checked, by another request; nothing was sent again`,
      claimed.earlier,
      this.retryHint,
    );
  }
}

/** REQUEST_IN_PROGRESS while a request holds an order's mark (`held`), retryable once its call has surely ended. */
export function inProgress(message: string, held: Unsettled, hint = RETRY_LATER): GatewayError {
  return new GatewayError("REQUEST_IN_PROGRESS", message, {
    supplier: held.supplier,
    retryable: true,
    retryAfterSeconds: Math.max(1, Math.ceil(held.inFlightMs / 1000)),
    hint,
  });
}
