/**
 * Cancels with care. A cancel whose reply was lost (SUPPLIER_OUTCOME_UNKNOWN) marks the order
 * unsettled. A cancel of an order that is already cancelled changes nothing more (the simulators
 * refuse it; neither supplier's document says how it answers one), so the next cancelOrder for
 * that order may be sent — and its answer is read in that light: a refusal then says the earlier
 * cancel may well be the one that cancelled the order.
 * The order is marked before the cancel is sent, as a void submission is (./outcome.ts
 * `OrderClaims`): a gateway that stops mid-call leaves the mark, and a second cancel of the
 * order while one is in flight on another instance answers REQUEST_IN_PROGRESS.
 * A cancel is an operation on the order: on a shared supplier account the registry's cancel
 * port passes it through the order-ownership check (hardening issue, item 4; issue 21, item 6).
 */
import { GatewayError, OUTCOME_HINT, SupplierError } from "../vocabulary/errors.js";
import type { CallScope } from "../../datasources/deadline.js";
import { type SupplierName } from "../vocabulary/suppliers.js";
import type { CancelOrderData, CancelOrderRequest } from "../../datasources/model.js";
import type { SupplierRegistry } from "../../datasources/registry.js";
import type { Logger } from "../logger.js";
import type { Store } from "../store/index.js";
import { sentTime } from "../store/unsettled-store.js";
import { OrderClaims } from "./outcome.js";

const OPERATION = "CANCEL";

/**
 * What to do after a cancel whose outcome is unknown. There is nothing in the gateway to query
 * for a cancel (OUTCOME_HINT's "query its state"): the next cancelOrder of the order is sent,
 * and read in the light of this one.
 */
const CANCEL_OUTCOME_HINT =
  "The supplier may or may not have cancelled the order. Check the order with the supplier, or send cancelOrder again: if this cancel went through, the next one can only succeed or be refused, and a refusal then carries earlierOutcomeUnknown (neither supplier documents how it answers a second cancel).";

/** cancelOrder: the supplier's cancel (through the registry's port), with lost replies remembered per order. */
export class CancelSubmission {
  constructor(
    store: Store,
    private readonly registry: SupplierRegistry,
    log: Logger,
  ) {
    this.claims = new OrderClaims(
      store.unsettled,
      registry,
      log,
      OPERATION,
      "cancel",
      // The gateway keeps no record of a cancel that was answered: a retry is sent again.
      "Wait until that cancel has ended before sending another: a cancel sent again is sent to the supplier, and if the first one cancelled the order it is most likely refused (CANCEL_REJECTED; neither supplier documents how it answers a second cancel).",
    );
  }

  private readonly claims: OrderClaims;

  /** `scope` names the request it serves. */
  async cancel(tenant: string, supplier: SupplierName, request: CancelOrderRequest, scope?: CallScope): Promise<CancelOrderData> {
    const port = this.registry.cancels(supplier, tenant);
    const { orderNo } = request;
    port.check?.(request);
    // Claimed before it is sent (./outcome.ts): a gateway that stops before the answer is
    // recorded leaves the mark, and the repeat's refusal is read in its light.
    const claim = await this.claims.claim(tenant, supplier, orderNo);
    let result: CancelOrderData;
    try {
      result = await port.cancel(request, scope);
    } catch (err) {
      if (await claim.keepIfUnknown(err)) {
        if (err instanceof SupplierError && err.hint === OUTCOME_HINT) err.extra.hint = CANCEL_OUTCOME_HINT;
        throw err;
      }
      const { earlier } = claim;
      if (earlier && err instanceof GatewayError && err.code === "CANCEL_REJECTED") {
        err.extra.earlierOutcomeUnknown = true;
        err.extra.hint = `An earlier cancel of this order (sent at ${sentTime(earlier).toISOString()}) lost its reply. If this refusal says the order is already cancelled, that earlier cancel may have done it; check the order with the supplier.`;
        await claim.settle();
      } else await claim.giveBack();
      throw err;
    }
    await claim.settle();
    return result;
  }
}
