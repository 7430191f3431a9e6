/**
 * Never a second void submission by accident (seed 002: once a submission succeeded, do not
 * call void.do again). Before calling the supplier: any void the gateway holds for the order,
 * whatever its status, answers VOID_ALREADY_SUBMITTED with its voidCode. A void.do the
 * supplier answers "already submitted" (803, 816-818) leaves the order marked, so the webhook
 * of the void it holds adopts it. When a submission lost its reply, the order is marked
 * unsettled; the next submission asks the supplier whether it went through
 * (VoidPort.findSubmitted) instead of resending, and a webhook naming the order settles it by
 * adopting the void.
 *
 * The mark is written before void.do is sent (a claim: ./outcome.ts `OrderClaims`) and cleared
 * once the outcome is recorded: a process that stops in between leaves it, so nothing is sent
 * again for the order without asking the supplier first. While a request holds the mark (its
 * check or its void.do in flight), another submission for the order (another instance) gets
 * REQUEST_IN_PROGRESS, and a webhook naming the order leaves the void to that request.
 *
 * A submission is an operation on an order: on a shared supplier account the registry's void
 * port passes it through the order-ownership check (hardening issue, item 4), the check of a
 * lost submission (findSubmitted) included. A quote goes through the same port (issue 21,
 * item 6), and is recorded as the order's latest (`quote`): a void is sent only with that
 * quote's offer (`offerRefused`).
 */
import { withinDeadline, type CallScope, type DeadlineScope } from "../../datasources/deadline.js";
import { GatewayError, OUTCOME_HINT, SupplierError } from "../vocabulary/errors.js";
import { type SupplierName } from "../vocabulary/suppliers.js";
import { isIdentifier, sameOrderNo } from "../vocabulary/tokens.js";
import type { SupplierRegistry } from "../../datasources/registry.js";
import type { VoidOrderData, VoidQuoteData } from "../../datasources/model.js";
import type { VoidPort } from "../../datasources/ports.js";
import type { Logger } from "../logger.js";
import type { Store } from "../store/index.js";
import { sentTime, type Unsettled } from "../store/unsettled-store.js";
import type { TrackedRecord } from "../store/tracked-model.js";
import type { Tracker } from "./engine.js";
import { LaterWrites, unrecorded, writeAfterSend } from "../reliability/after-send.js";
import { KeyedLock, orderKey } from "./keyed-lock.js";
import { inProgress, OrderClaims, outcomeUnknown, type OrderClaim } from "./outcome.js";

/**
 * A void the supplier shows on an order number the gateway would not take back as an input (not
 * 1-64 letters, digits, '-' and '_'): adopted, it could not be listed by its order, and one of some
 * KB could not even be stored (black-box probe, thirty-third session, with a tenant's own account,
 * where any order may be adopted). The supplier's record is one the gateway cannot read.
 */
function unadoptableOrder(supplier: SupplierName): SupplierError {
  return new SupplierError(
    "SUPPLIER_BAD_RESPONSE",
    `${supplier} shows the void on an order number the gateway cannot take as an input (1-64 letters, digits, '-' and '_'): not adopted`,
    { supplier, retryable: false },
  );
}

/** Why an accepted void was not recorded: its voidCode is another order's (VoidSubmission.clash). */
const CLASH = "void accepted by the supplier under a voidCode recorded for another order: not recorded";

const OPERATION = "VOID";
/** Final statuses of a void that did not void the order. */
const NOT_DONE: ReadonlySet<string> = new Set(["REJECTED", "WITHDRAWN"]);
const ADOPTION_HINT =
  "The gateway adopts the void if the supplier reports it; list it with voidOrders(orderNo), or check with the supplier.";

/** submitVoid: the duplicate guard, reconciliation of lost replies, then the start of the tracked void. */
export class VoidSubmission {
  constructor(
    private readonly store: Store,
    private readonly registry: SupplierRegistry,
    private readonly voids: Tracker<VoidOrderData>,
    private readonly log: Logger,
    /** How long each supplier may take to show a void it accepted (its documented delay). */
    private readonly acceptanceVisibleMs: (supplier: SupplierName) => number = () => 0,
    /** Where a void the store did not take goes to be recorded once it does. */
    private readonly later: LaterWrites = new LaterWrites(log),
  ) {
    this.claims = new OrderClaims(store.unsettled, registry, log, OPERATION, "void submission");
  }

  private readonly claims: OrderClaims;

  private readonly lock = new KeyedLock();

  /**
   * voidQuote: the supplier's quote, recorded as the order's latest, which is what submitVoid may
   * send (`offerRefused`). A quote the store does not take is SERVICE_UNAVAILABLE: its offer has
   * replaced the one before at the supplier, and a submission of it would be refused here.
   */
  async quote(tenant: string, supplier: SupplierName, orderNo: string, scope?: CallScope): Promise<VoidQuoteData> {
    const quote = await this.registry.voids(supplier, tenant).quote(orderNo, scope);
    const written = await writeAfterSend(
      () => this.store.quotes.record(tenant, supplier, orderNo, quote.voidOfferId, quote.isVoidable),
      this.log,
      "void quote not recorded",
      { orderNo, supplier },
    );
    if (!written.ok)
      throw new GatewayError("SERVICE_UNAVAILABLE", `${supplier} quoted order ${orderNo}, but the gateway could not record the quote`, {
        supplier,
        retryable: true,
        hint: "Quote again shortly: submitVoid takes only the offer of the latest quote the gateway recorded.",
      });
    return quote;
  }

  /**
   * Why `voidOfferId` may not be sent for the order, or null: seed 002 makes a quotation mandatory
   * before every void, takes only the latest quotation's voidOfferId, and has the quote's
   * isVoidable count. An offer the gateway never quoted, one a later quote replaced, or one of a
   * quote that called the order not voidable was sent to void.do as the client gave it (seeds
   * probe, thirty-third session).
   */
  private async offerRefused(tenant: string, supplier: SupplierName, orderNo: string, voidOfferId: string): Promise<GatewayError | null> {
    const latest = await this.store.quotes.latest(tenant, supplier, orderNo);
    const requote = "Quote again with voidQuote, then submit the new voidOfferId.";
    if (!latest)
      return new GatewayError("VOID_OFFER_EXPIRED", "The gateway has no quote of this order from the last day: a void needs one", {
        supplier,
        gatewayCode: "NO_QUOTE",
        retryable: false,
        hint: requote,
      });
    if (!latest.voidable)
      return new GatewayError("NOT_VOIDABLE", "The latest quote of this order calls it not voidable", {
        supplier,
        gatewayCode: "QUOTE_NOT_VOIDABLE",
        retryable: false,
        hint: "Quote again: a void is sent only with the offer of a quote that calls the order voidable.",
      });
    if (latest.offerId !== voidOfferId)
      return new GatewayError("VOID_OFFER_EXPIRED", "The voidOfferId is not the latest quote's for this order", {
        supplier,
        gatewayCode: "STALE_OFFER",
        retryable: false,
        hint: requote,
      });
    return null;
  }

  /**
   * One submission per order at a time on this instance; the checks run again for the next.
   * The registry is asked once, before the lock (an unsupported operation fails at once), and
   * its port serves the whole submission. `scope` names the request it serves.
   */
  submit(
    tenant: string,
    supplier: SupplierName,
    orderNo: string,
    voidOfferId: string,
    scope?: CallScope,
  ): Promise<TrackedRecord<VoidOrderData>> {
    const port = this.registry.voids(supplier, tenant);
    return this.lock.run(orderKey(tenant, supplier, orderNo), () => this.submitNow(port, tenant, supplier, orderNo, voidOfferId, scope));
  }

  private async submitNow(
    port: VoidPort,
    tenant: string,
    supplier: SupplierName,
    orderNo: string,
    voidOfferId: string,
    scope: CallScope | undefined,
  ): Promise<TrackedRecord<VoidOrderData>> {
    // Claimed first, then checked: a void another instance records meanwhile is seen here, as its
    // record is written before its claim is cleared.
    const claim = await this.claims.claim(tenant, supplier, orderNo);
    let held: TrackedRecord<VoidOrderData> | undefined;
    try {
      held = heldVoid(await this.voids.byOrder(tenant, orderNo), supplier);
    } catch (err) {
      await claim.giveBack();
      throw err;
    }
    if (held) {
      // A mark taken over beside a recorded void is stale (a record written later than its claim
      // could clear it, e.g. by LaterWrites after the claim expired): it goes, as a stop's does.
      // Nothing is ever sent while the gateway holds a void for the order anyway.
      if (claim.earlier) await claim.settle();
      else await claim.giveBack();
      throw alreadyHeld(orderNo, supplier, held);
    }
    if (claim.earlier) {
      // One deadline for the client's call (issue 13, B.12): the check and the submission share it.
      return this.reconcileThenSubmit(port, claim, claim.earlier, voidOfferId, withinDeadline(scope, this.claims.timeoutMs(supplier)));
    }
    return this.submitClaimed(port, claim, tenant, supplier, orderNo, voidOfferId, scope);
  }

  /**
   * Asks whether the lost submission went through, then submits within what is left of the
   * client's deadline. When the check used more than half of it, the submission is not sent with
   * the rest — one cut short by its deadline would be one more unknown outcome — and the
   * client is told to submit again, which now goes straight to the supplier. The claim holds
   * the order throughout: no other request acts on the mark meanwhile.
   */
  private async reconcileThenSubmit(
    port: VoidPort,
    claim: OrderClaim,
    unsettled: Unsettled,
    voidOfferId: string,
    scope: DeadlineScope,
  ): Promise<TrackedRecord<VoidOrderData>> {
    const { deadline } = scope;
    const { tenant, supplier, orderNo } = unsettled;
    try {
      await this.reconcile(port, unsettled, scope);
    } catch (err) {
      // The earlier submission did not go through, but asking replaced the offer: the mark goes.
      if (err instanceof GatewayError && err.code === "VOID_OFFER_EXPIRED") await claim.settle();
      else await claim.giveBack();
      throw err;
    }
    if (deadline.remainingMs() < deadline.budgetMs / 2) {
      await claim.settle();
      throw new GatewayError(
        "SUPPLIER_TIMEOUT",
        `The earlier submission for order ${orderNo} did not go through, but checking it took most of the time allowed; the void was not submitted`,
        { supplier, retryable: true, hint: "Submit again: the check is done, and the next submission goes straight to the supplier." },
      );
    }
    return this.submitClaimed(port, claim, tenant, supplier, orderNo, voidOfferId, scope);
  }

  /** Sends the void this request claimed; the claim becomes the record, an unknown outcome's mark, or nothing. */
  private async submitClaimed(
    port: VoidPort,
    claim: OrderClaim,
    tenant: string,
    supplier: SupplierName,
    orderNo: string,
    voidOfferId: string,
    scope: CallScope | undefined,
  ): Promise<TrackedRecord<VoidOrderData>> {
    let refusal;
    try {
      refusal = await this.offerRefused(tenant, supplier, orderNo, voidOfferId);
    } catch (err) {
      await claim.giveBack();
      throw err;
    }
    if (refusal) {
      // Nothing sent; an earlier submission this claim took over was found not to have gone through.
      await claim.settle();
      throw refusal;
    }
    let submitted;
    // Sent again after the earlier submission was found not to have gone through: sent now.
    if (claim.earlier) await claim.resending();
    // submittedAt is when void.do went out (docs/api.md), not when its answer came back.
    const sentAt = new Date();
    try {
      submitted = await port.submit(orderNo, voidOfferId, scope);
    } catch (err) {
      if (outcomeUnknown(err)) {
        // An answer that names the void it accepted: read that void by its code, and record it.
        const voidCode = (err as GatewayError).extra.voidCode;
        const named = typeof voidCode === "string" ? voidCode : null;
        const accepted = named !== null ? await this.readAccepted(claim, tenant, supplier, orderNo, named, sentAt) : null;
        if (accepted) return accepted;
        await this.keepAccepted(claim, (err as Error).message, named);
      } else if (err instanceof GatewayError && err.code === "VOID_ALREADY_SUBMITTED") {
        // The supplier holds a void for the order that the gateway never recorded: the claim stays as the
        // order's mark, so the webhook of that void adopts it and a repeat asks the supplier first.
        await claim.keep(err.message, true);
        await this.rereadWebhooks(supplier, orderNo);
        err.extra.hint = ADOPTION_HINT;
      } else await claim.settle();
      throw err;
    }
    if (!sameOrderNo(submitted.orderNo, orderNo)) return this.acceptedForAnother(claim, tenant, orderNo, submitted, sentAt);
    // Recorded under the number as the client sent it, which is how it will ask for it.
    return this.record(claim, tenant, { ...submitted, orderNo }, sentAt);
  }

  /**
   * The supplier accepted a void, but its answer names another order than the one sent (a void
   * answer echoes the request's orderNo: the supplier's documentation). Recorded under either
   * name, the order sent would look void-free, and a repeat would be sent (black-box probe,
   * thirty-first session). The void is read by its code and recorded when the supplier then
   * names the order sent; otherwise nothing is recorded and the order keeps its claim as a lost
   * reply's mark, so a repeat asks the supplier before anything is sent again. The other order
   * is logged, not told to the client: on a shared account it may be another tenant's.
   */
  private async acceptedForAnother(
    claim: OrderClaim,
    tenant: string,
    orderNo: string,
    submitted: VoidOrderData,
    sentAt: Date,
  ): Promise<TrackedRecord<VoidOrderData>> {
    const { supplier, voidCode } = submitted;
    const accepted = await this.readAccepted(claim, tenant, supplier, orderNo, voidCode, sentAt);
    if (accepted) return accepted;
    const message = `${supplier} accepted a void of order ${orderNo} as ${voidCode} but named another order in its answer: not recorded`;
    this.log.error(
      { voidCode, orderNo, answeredFor: submitted.orderNo },
      "void accepted by the supplier for another order than sent: not recorded",
    );
    await this.keepAccepted(claim, message, voidCode);
    throw new SupplierError("SUPPLIER_OUTCOME_UNKNOWN", message, { supplier, retryable: false, hint: OUTCOME_HINT, extra: { voidCode } });
  }

  /**
   * Keeps the claim as the order's mark; when the supplier said it accepted a void (`voidCode`),
   * the mark says so, and a mark the store did not take is written later, whoever holds the order
   * then (UnsettledStore.noteAccepted): a claim that merely expired would be taken over as a
   * sender that stopped mid-call, and the order checked as if nothing had been accepted.
   */
  private async keepAccepted(claim: OrderClaim, detail: string, voidCode: string | null): Promise<void> {
    if (await claim.keep(detail, false, voidCode)) return;
    if (voidCode === null) return;
    const { tenant, supplier, orderNo } = claim;
    this.later.add(
      () => this.store.unsettled.noteAccepted(tenant, supplier, OPERATION, orderNo, detail, voidCode),
      "the mark of a void the supplier accepted, with its voidCode, written",
      { orderNo, voidCode },
    );
  }

  /**
   * The supplier accepted a void for this order under a voidCode the gateway already holds for
   * another order, this tenant's or another's (`recordedFor` undefined; supplier codes are
   * unique, so the answer cannot be trusted). That record is not this one's: nothing is
   * recorded, and the order keeps its claim as a lost reply's mark, so nothing is sent again
   * without asking the supplier first.
   */
  private async clash(claim: OrderClaim, submitted: VoidOrderData, recordedFor: string | undefined): Promise<never> {
    const { supplier, voidCode, orderNo } = submitted;
    this.log.error({ voidCode, orderNo, recordedFor: recordedFor ?? "another tenant" }, CLASH);
    await this.keepAccepted(claim, CLASH, voidCode);
    throw new SupplierError(
      "SUPPLIER_OUTCOME_UNKNOWN",
      `${supplier} accepted the void of order ${orderNo} as ${voidCode}, a voidCode the gateway holds for another order: not recorded`,
      { supplier, retryable: false, hint: OUTCOME_HINT },
    );
  }

  /**
   * The order is marked for a void the supplier holds and the gateway never recorded: a webhook
   * of that void that came before the mark was kept as naming a void no tenant knew, and may be
   * all the supplier sends (a void already final sends no more). It is read again now, and
   * adopts the void. Best effort: a failure leaves it to a later webhook or a refresh.
   */
  private async rereadWebhooks(supplier: SupplierName, orderNo: string): Promise<void> {
    try {
      const n = await this.store.inbox.reopenUnknownVoids(supplier, orderNo);
      if (n)
        this.log.info({ supplier, orderNo, webhooks: n }, "webhooks kept for a void no tenant knew are read again: its order is marked");
    } catch (err) {
      this.log.warn({ err: String(err), orderNo }, "webhooks kept for the order's void were not read again");
    }
  }

  /**
   * void.do's answer named the void it accepted, but could not be read whole or named another
   * order: asks the supplier for that void and records it. Null when the supplier cannot say,
   * or names another order: the unknown outcome then stands, with the voidCode.
   */
  private async readAccepted(
    claim: OrderClaim,
    tenant: string,
    supplier: SupplierName,
    orderNo: string,
    voidCode: string,
    sentAt: Date,
  ): Promise<TrackedRecord<VoidOrderData> | null> {
    const report = await this.voids.ask(tenant, supplier, voidCode).catch((err: unknown) => {
      this.log.warn({ err: String(err), orderNo, voidCode }, "the void named by a void.do answer could not be read");
      return null;
    });
    if (report && !sameOrderNo(report.orderNo, orderNo))
      this.log.warn(
        { orderNo, voidCode, recordedFor: report.orderNo },
        "the supplier's record of the void named by a void.do answer names another order",
      );
    if (!report || !sameOrderNo(report.orderNo, orderNo)) return null;
    // Its status is what the query said: the event's source says so.
    return this.record(claim, tenant, { ...report, orderNo }, sentAt, "QUERY");
  }

  /**
   * The supplier accepted the void: record it, submitted when its void.do was sent (`sentAt`),
   * then clear the claim. If the store fails even after retries, the client still gets the void
   * (it happened, and it carries the voidCode), and it is recorded, dated the same, once the
   * store takes writes again (LaterWrites), then the claim cleared. Until then the claim stays: the order's next
   * submission asks the supplier first, and voidOrder with refresh: true adopts the void; if
   * this process stops first, so do they, and the supplier's webhook.
   */
  private async record(
    claim: OrderClaim,
    tenant: string,
    submitted: VoidOrderData,
    sentAt: Date,
    source: "SUBMIT" | "QUERY" = "SUBMIT",
  ): Promise<TrackedRecord<VoidOrderData>> {
    const context = { voidCode: submitted.voidCode, orderNo: submitted.orderNo };
    // By the store's clock, as the record's other times: sent this long before the write.
    const start = () =>
      this.voids.start(tenant, submitted.supplier, submitted.voidCode, submitted.orderNo, submitted, {
        source,
        started: { msAgo: Date.now() - sentAt.getTime() },
      });
    // Null: another tenant holds this voidCode. Either way a clash, not a store failure.
    const written = await writeAfterSend(start, this.log, "void accepted by the supplier but not recorded", context);
    if (written.ok) {
      if (!written.value || written.value.orderNo !== submitted.orderNo) return this.clash(claim, submitted, written.value?.orderNo);
      await claim.settle();
      return written.value;
    }
    // The client is answered the void now; a clash found once the store is back only keeps the mark.
    this.later.add(
      async () => {
        const record = await start();
        if (!record || record.orderNo !== submitted.orderNo) {
          this.log.error({ ...context, recordedFor: record?.orderNo ?? "another tenant" }, CLASH);
          return this.keepAccepted(claim, CLASH, submitted.voidCode);
        }
        await claim.settle();
      },
      "void accepted by the supplier but not recorded",
      context,
    );
    return unrecorded(this.voids.key(tenant, submitted.supplier, submitted.voidCode), submitted.orderNo, submitted, {
      status: submitted.status,
      isFinal: submitted.isFinal,
      sentAt,
    });
  }

  /**
   * An earlier submission for this order lost its reply. The supplier is asked whether it went
   * through (VoidPort.findSubmitted): yes — nothing is sent again (the void arrives with the
   * supplier's webhook, or by polling once known); no — the submission goes ahead, unless asking
   * replaced the client's offer, which must then be quoted again (VOID_OFFER_EXPIRED; the mark
   * is cleared). A "no" counts only once the supplier's documented time to show an accepted void
   * has passed since the reply was lost, and only when the answer is conclusive; until then
   * nothing is sent and the mark stays. A supplier that cannot be asked gets nothing sent again.
   */
  private async reconcile(port: VoidPort, unsettled: Unsettled, scope: CallScope): Promise<void> {
    const { supplier, orderNo } = unsettled;
    if (unsettled.acceptedRef) return this.acceptedBefore(unsettled, unsettled.acceptedRef, scope);
    if (!port.findSubmitted) {
      throw new GatewayError(
        "SUPPLIER_OUTCOME_UNKNOWN",
        `An earlier submission for order ${orderNo} lost its reply, and ${supplier} cannot be asked whether it went through; it was not submitted again`,
        {
          supplier,
          retryable: false,
          hint: ADOPTION_HINT,
        },
      );
    }
    const checkedAt = new Date();
    const check = await port.findSubmitted(orderNo, scope);
    // The check quoted: the supplier's latest offer is one the client was not given (a quote the
    // client made meanwhile, recorded after the check began, is left to decide).
    if (check.offerReplaced)
      await this.store.quotes.forget(unsettled.tenant, supplier, orderNo, checkedAt).catch((err: unknown) => {
        this.log.warn({ err: String(err), orderNo }, "a void quote replaced by a check was not forgotten");
      });
    if (check.submitted) {
      throw new GatewayError(
        "VOID_ALREADY_SUBMITTED",
        `An earlier submission for order ${orderNo} went through; it was not submitted again`,
        {
          supplier,
          retryable: false,
          hint: "The gateway adopts the void when the supplier reports it; list it with voidOrders(orderNo).",
        },
      );
    }
    if (check.inconclusive !== undefined) {
      throw new GatewayError(
        "SUPPLIER_OUTCOME_UNKNOWN",
        `An earlier submission for order ${orderNo} lost its reply, and ${supplier} cannot tell yet whether it went through (${check.inconclusive}); it was not submitted again`,
        { supplier, retryable: false, hint: ADOPTION_HINT },
      );
    }
    const visibleAt = this.visibleAt(unsettled, supplier);
    const waitMs = visibleAt - Date.now();
    if (waitMs > 0) {
      throw new GatewayError(
        "SUPPLIER_OUTCOME_UNKNOWN",
        `An earlier submission for order ${orderNo} lost its reply, and ${supplier} may take until ${new Date(visibleAt).toISOString()} to show a void it accepted; it was not submitted again`,
        {
          supplier,
          retryable: true,
          retryAfterSeconds: Math.ceil(waitMs / 1000),
          hint: `Submit again after ${new Date(visibleAt).toISOString()}: the gateway then asks ${supplier} again and sends the void only if it did not go through (quote again if it answers VOID_OFFER_EXPIRED). ${ADOPTION_HINT}`,
        },
      );
    }
    if (!check.offerReplaced) return;
    throw new GatewayError(
      "VOID_OFFER_EXPIRED",
      `The earlier submission for order ${orderNo} did not go through, and checking it replaced your offer`,
      {
        supplier,
        retryable: false,
        hint: "Quote again with voidQuote, then submit the new voidOfferId.",
      },
    );
  }

  /**
   * The earlier submission was answered as accepted, naming `voidCode`, in an answer the gateway
   * could not take whole (unreadable, an undocumented status, another order named, or a voidCode
   * it holds for another order). The supplier's documentation forbids calling void.do again after
   * an accepted submission (seed 002), so it never is: a quote would find the order voidable until
   * the void shows, and a second void went out (seeds probe, thirty-third session). The supplier is
   * asked for that void: shown on this order, VOID_ALREADY_SUBMITTED (voidOrder with refresh:
   * true records it); not, SUPPLIER_OUTCOME_UNKNOWN. The mark stays either way.
   */
  private async acceptedBefore(unsettled: Unsettled, voidCode: string, scope: CallScope): Promise<never> {
    const { tenant, supplier, orderNo } = unsettled;
    const report = await this.voids.ask(tenant, supplier, voidCode, scope);
    if (report && sameOrderNo(report.orderNo, orderNo)) {
      throw new GatewayError(
        "VOID_ALREADY_SUBMITTED",
        `An earlier submission for order ${orderNo} was accepted as ${voidCode}; it was not submitted again`,
        {
          supplier,
          voidCode,
          retryable: false,
          hint: `Read it with voidOrder(supplier: ${supplier}, voidCode: "${voidCode}", refresh: true): the gateway then records it as this order's void.`,
        },
      );
    }
    throw new SupplierError(
      "SUPPLIER_OUTCOME_UNKNOWN",
      `${supplier} answered an earlier submission for order ${orderNo} as accepted (${voidCode}) but does not show that void on this order; after an accepted submission the void is never submitted again`,
      { supplier, retryable: false, hint: ADOPTION_HINT, extra: { voidCode } },
    );
  }

  /**
   * voidOrder(refresh: true): asks the supplier for the void and applies its answer to the
   * tenant's record. A void the tenant has no record of is adopted when `mayAdopt` allows its
   * order; if the tenant's submission to that order is unsettled, the adopted void is the one
   * that submission asked for, dated as `settleFromWebhook` dates it, and the order's mark goes.
   * While a request holds that submission (in flight, or left by a gateway that stopped mid-call
   * until its claim expires), REQUEST_IN_PROGRESS: that request records its own void, or the
   * mark comes free, and adopting it now would date it wrongly for good.
   */
  async refresh(
    tenant: string,
    supplier: SupplierName,
    voidCode: string,
    mayAdopt: (orderNo: string | null) => Promise<boolean>,
    scope?: CallScope,
  ): Promise<TrackedRecord<VoidOrderData> | null> {
    let settles: string | null = null;
    const record = await this.voids.refresh(
      tenant,
      supplier,
      voidCode,
      async (report) => {
        // As a client would write it (the supplier may pad it with spaces).
        const orderNo = report?.orderNo.trim() ?? null;
        if (!(await mayAdopt(orderNo)) || orderNo === null) return null;
        if (!isIdentifier(orderNo)) throw unadoptableOrder(supplier);
        const mark = await this.store.unsettled.get(tenant, supplier, OPERATION, orderNo);
        if (!mark) return { orderNo, started: false };
        if (mark.inFlightMs > 0)
          throw inProgress(`A void submission for order ${orderNo} is being sent to ${supplier}, or checked, by another request`, mark);
        settles = orderNo;
        return { orderNo, started: submittedAt(mark) };
      },
      scope,
    );
    if (record && settles !== null) await this.store.unsettled.settleUnheld(tenant, supplier, OPERATION, settles);
    return record;
  }

  /**
   * When the supplier shows a void this mark's lost reply may have made, at the latest (ms):
   * `since` — when the reply was lost, or, for a sender that stopped mid-call, when its call had
   * surely ended — plus the supplier's documented time to show one.
   */
  private visibleAt(mark: Unsettled, supplier: SupplierName): number {
    return mark.since.getTime() + this.acceptanceVisibleMs(supplier);
  }

  /**
   * A webhook names a void no tenant knows: adopt it for the tenant whose submission to that
   * order is unsettled — only when the supplier, asked with that tenant's account, says the
   * void is on that order (a webhook naming another order's void settles nothing). Its first
   * event's source is the webhook. The supplier takes one void per order, so after a lost reply
   * it is the void that submission asked for (`submittedAt`).
   *
   * A mark a request holds right now is left to it ("held"): that request records its own void,
   * or, if its process stopped mid-call, the mark is unheld once its call has surely ended, and
   * the webhook, tried again by then, adopts the void (black-box probe: a void accepted while its
   * gateway was killed was never recorded, its webhooks all closed as unknown meanwhile). A void
   * the supplier does not show yet is waited for ("early") until its documented time to show one
   * has passed since the mark.
   */
  async settleFromWebhook(supplier: SupplierName, orderNo: string, voidCode: string): Promise<WebhookSettlement> {
    const marks = await this.store.unsettled.byOrder(supplier, OPERATION, orderNo);
    const waiting = marks.filter((u) => u.inFlightMs === 0);
    const heldForMs = Math.max(0, ...marks.map((u) => u.inFlightMs));
    if (waiting.length !== 1) return heldForMs > 0 ? { state: "held", forMs: heldForMs } : { state: "none" };
    const [u] = waiting;
    const report = await this.voids.ask(u.tenant, supplier, voidCode);
    if (!report) {
      // The supplier does not show the void yet, though its webhook names it: within its
      // documented time to show a void it accepted, the webhook is read again then (black-box
      // probe: the row was closed as unknown, and the void was never adopted).
      const waitMs = this.visibleAt(u, supplier) - Date.now();
      return waitMs > 0 ? { state: "early", forMs: waitMs } : { state: "none" };
    }
    if (report.orderNo !== orderNo) return { state: "none" };
    const adopted = await this.voids.start(u.tenant, supplier, voidCode, orderNo, report, {
      source: "WEBHOOK",
      started: submittedAt(u),
    });
    if (!adopted) return { state: "none" };
    await this.store.unsettled.settleUnheld(u.tenant, supplier, OPERATION, orderNo);
    return { state: "settled" };
  }
}

/**
 * What a webhook naming a void no tenant knows did to its order's mark: adopted the void, nothing,
 * or wait `forMs` — for the request holding it ("held"), or for the supplier to show the void ("early").
 */
export type WebhookSettlement = { state: "settled" | "none" } | { state: "held" | "early"; forMs: number };

/**
 * When the void adopted onto an unsettled order was submitted: the supplier takes one void per
 * order, so after a lost reply it is the gateway's, sent when the mark says (a mark from before
 * store migration 12: when the reply was lost); after a refusal as "already submitted" it was
 * submitted elsewhere (false: submittedAt null).
 */
const submittedAt = (mark: Unsettled): Date | false => (mark.heldElsewhere ? false : sentTime(mark));

/** The void the gateway holds for an order, if any: an open one first, else the newest (records come oldest first). */
export function heldVoid(
  voids: ReadonlyArray<TrackedRecord<VoidOrderData>>,
  supplier: SupplierName,
): TrackedRecord<VoidOrderData> | undefined {
  const mine = voids.filter((v) => v.supplier === supplier);
  return mine.find((v) => !v.isFinal) ?? mine.at(-1);
}

/** VOID_ALREADY_SUBMITTED for a void the gateway holds; seed 002: once a submission succeeded, void.do is not called again. */
function alreadyHeld(orderNo: string, supplier: SupplierName, held: TrackedRecord<VoidOrderData>): GatewayError {
  return new GatewayError(
    "VOID_ALREADY_SUBMITTED",
    `Order ${orderNo} already has void ${held.ref} (${held.status}); it was not submitted again`,
    {
      supplier,
      voidCode: held.ref,
      retryable: false,
      hint: NOT_DONE.has(held.status)
        ? `Void ${held.ref} ended ${held.status}. ${supplier} takes one void submission per order, so the gateway does not send another: contact ${supplier} to go further.`
        : "Track it with voidOrder or voidStatusChanged(voidCode).",
    },
  );
}
