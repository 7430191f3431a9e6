/**
 * ATRIP wire shapes → the gateway's supplier-neutral model. The only place that knows
 * ATRIP's field names, date format (yyyyMMdd), flags (0/1) and status numbers.
 *
 * Vital fields (voidCode, voidStatus, orderNo) decide and a bad one is a MappingError; every
 * other field is read with OptionalFields, so an odd one is left null and noted (issue B.5).
 */
import { sameOrderNo } from "../../src/vocabulary/tokens.js";
import { OptionalFields, type OddFieldNote } from "../lenient.js";
import { describeZodError } from "../json.js";
import {
  FINAL_VOID_STATUSES,
  type MoneyData,
  type PostTicketingServiceRefundData,
  type RefundMethodName,
  type StopOutcomeData,
  type VoidFareData,
  type VoidOrderData,
  type VoidQuoteData,
  type VoidStatusName,
  type VoidTicketData,
  type VoidWindowData,
  markUnsaid,
  type UnsaidVoidField,
} from "../model.js";
import { optionalVoidFields as F, voidOrder, type OrderDetailsReply, type VoidQuotationReply, type VoidReply } from "./wire.js";

/** ATRIP voidStatus → VoidStatus (docs/suppliers/atrip.md "voidStatus"). */
const VOID_STATUS_BY_NUMBER: Readonly<Record<number, VoidStatusName>> = {
  0: "SUPPLIER_PROCESSING",
  1: "AIRLINE_PROCESSING",
  2: "REFUNDED",
  3: "AIRLINE_REFUNDING",
  4: "REJECTED",
  5: "COMPLETED",
  6: "WITHDRAWN",
};

/** Thrown by mappers when a vital value is outside what ATRIP documents; the client turns it into an unreadable reply. */
export class MappingError extends Error {}

function toVoidStatus(n: number): VoidStatusName {
  const s = VOID_STATUS_BY_NUMBER[n];
  if (s === undefined) throw new MappingError(`voidStatus ${n} is not a documented ATRIP void status`);
  return s;
}

function toRefundMethod(m: "CashBackToOriginalPayment" | "Voucher" | null | undefined): RefundMethodName | null {
  if (m === "CashBackToOriginalPayment") return "ORIGINAL_PAYMENT";
  if (m === "Voucher") return "VOUCHER";
  return null;
}

/** voidTickets, by the element schema of the reply at hand (a quote's names are optional). */
function tickets(o: OptionalFields, element: typeof F.voidTicket | typeof F.quoteTicket): VoidTicketData[] {
  return o.list("voidTickets", element).map((t) => ({ firstName: t.firstName, lastName: t.lastName, ticketNo: t.ticketNo }));
}

function fare(o: OptionalFields): VoidFareData | null {
  const f = o.value("voidFareAmount", F.voidFareAmount);
  return f && { currency: f.currency, originalAmount: f.originalFareAmount, estimatedRefund: f.estimatedRefundAmount };
}

function services(o: OptionalFields): PostTicketingServiceRefundData[] {
  return o.list("voidPostTicketingServiceAmounts", F.voidPostTicketingServiceAmount).map((s) => ({
    postTicketingOrderNo: s.postTicketingOrderNo,
    currency: s.currency,
    originalAmount: s.originalPostTicketingServiceAmount,
    estimatedRefund: s.estimatedRefundAmount,
  }));
}

function fee(o: OptionalFields): MoneyData | null {
  const f = o.value("serviceFee", F.serviceFee);
  return f && { amount: f.transactionFee, currency: f.currency };
}

function window(o: OptionalFields): VoidWindowData | null {
  const w = o.value("voidWindow", F.voidWindow);
  if (!w) return null;
  return {
    supportVoid: w.supportVoid,
    allowVoid: w.allowVoid,
    voidTimeAfterIssue: w.voidTimeAfterIssure,
    voidTimeBeforeDeparture: w.voidTimeBeforeDepature,
    sameDayDeadlineTime: w.sameDayDeadlineTime,
    sameDayTimezone: w.sameDayTimezone,
  };
}

/** The fields a quotation and a void share, all optional. */
function common(o: OptionalFields, ticket: typeof F.voidTicket | typeof F.quoteTicket = F.voidTicket) {
  return {
    refundMethod: toRefundMethod(o.value("voidMethod", F.voidMethod)),
    expectedConfirmationDate: o.value("expectedConfirmationDate", F.expectedConfirmationDate),
    // The one entry field seed 002 marks nullable: a null there says the date is gone.
    expectedRefundDate: o.nullable("expectedRefundDate", F.expectedRefundDate),
    tickets: tickets(o, ticket),
    fare: fare(o),
    postTicketingServices: services(o),
    serviceFee: fee(o),
  };
}

/**
 * ATRIP's names of the void fields a reply may leave out (seed 002 requires only orderNo,
 * voidCode, expectedConfirmationDate, voidStatus and voidMethod of queryVoidOrders.do's
 * entries): left out, they say nothing, and a stored void keeps what it had.
 */
const UNSAID_BY_WIRE_NAME: ReadonlyArray<[string, UnsaidVoidField]> = [
  ["voidTickets", "tickets"],
  ["voidFareAmount", "fare"],
  ["voidPostTicketingServiceAmounts", "postTicketingServices"],
  ["serviceFee", "serviceFee"],
  ["expectedRefundDate", "expectedRefundDate"],
  ["voidOfferId", "voidOfferId"],
];

/** A void read from `o`, with the fields `o` did not say marked (markUnsaid). */
function withUnsaid(order: VoidOrderData, o: OptionalFields): VoidOrderData {
  return markUnsaid(
    order,
    UNSAID_BY_WIRE_NAME.filter(([wire]) => o.unsaid(wire)).map(([, field]) => field),
  );
}

/** voidQuotation.do → VoidQuote. `fastConfirmation` is non-null in the API: unknown reads as false. */
export function toVoidQuote(r: VoidQuotationReply, quotedAt: Date, note: OddFieldNote): VoidQuoteData {
  const o = new OptionalFields(r, note);
  return {
    supplier: "ATRIP",
    orderNo: r.orderNo,
    isVoidable: r.isVoidable,
    voidOfferId: r.voidOfferId,
    fastConfirmation: o.value("fastConfirmation", F.fastConfirmation) ?? false,
    ...common(o, F.quoteTicket),
    window: window(o),
    voidDeadline: o.value("voidDeadline", F.voidDeadline),
    quotedAt,
  };
}

/**
 * A void's status fields. Callers write them after a literal field: on Node 20 an object literal
 * that opens with a spread takes V8's slow path for every field after it (~1 µs each).
 */
function voidStatusFields(status: number) {
  const name = toVoidStatus(status);
  return { status: name, supplierStatus: status, isFinal: FINAL_VOID_STATUSES.has(name) };
}

/** void.do → VoidOrder. void.do documents fastConfirmation (0/1), so it is read here. */
export function voidReplyToOrder(r: VoidReply, note: OddFieldNote): VoidOrderData {
  const o = new OptionalFields(r, note);
  return withUnsaid(
    {
      supplier: "ATRIP",
      ...voidStatusFields(r.voidStatus),
      voidCode: r.voidCode,
      orderNo: r.orderNo,
      ...common(o),
      fastConfirmation: o.value("fastConfirmation", F.fastConfirmation),
      actualRefund: null,
      cancelReason: o.value("cancelReason", F.cancelReason),
      message: r.msg,
      voidOfferId: o.value("voidOfferId", F.voidOfferId),
    },
    o,
  );
}

/**
 * actualRefundAmount as Money. A bare amount takes voidFareAmount's currency; without one
 * (a Voucher void may lack voidFareAmount, seed 002) the currency is unknown, so it is left
 * out and noted rather than guessed.
 */
function actualRefund(o: OptionalFields, fareCurrency: string | null): MoneyData | null {
  const a = o.value("actualRefundAmount", F.actualRefundAmount);
  if (!a) return null;
  const currency = a.currency ?? fareCurrency;
  if (!currency) {
    o.odd("actualRefundAmount", "an amount without a currency, and no voidFareAmount to take one from");
    return null;
  }
  return { amount: a.amount, currency };
}

/**
 * One queryVoidOrders.do entry → VoidOrder. queryVoidOrders.do does not list fastConfirmation,
 * so it is null here unless ATRIP sends it anyway.
 */
export function wireVoidOrderToOrder(entry: unknown, message: string | null, note: OddFieldNote): VoidOrderData {
  const vital = voidOrder.safeParse(entry);
  if (!vital.success) throw new MappingError(describeZodError(vital.error));
  const w = vital.data;
  const o = new OptionalFields(w, note);
  const shared = common(o);
  return withUnsaid(
    {
      supplier: "ATRIP",
      ...voidStatusFields(w.voidStatus),
      voidCode: w.voidCode,
      orderNo: w.orderNo,
      ...shared,
      fastConfirmation: o.value("fastConfirmation", F.fastConfirmation),
      actualRefund: actualRefund(o, shared.fare?.currency ?? null),
      cancelReason: o.value("cancelReason", F.cancelReason),
      message,
      voidOfferId: o.value("voidOfferId", F.voidOfferId),
    },
    o,
  );
}

/**
 * Refuses a reply about another order than `asked`. Compared without case or surrounding space
 * (ATRIP may echo its own form of a number a client sent in lower case), and the other order is
 * not named: on a shared account it may be another tenant's.
 */
export function aboutOrder(replied: string, asked: string): void {
  if (!sameOrderNo(replied, asked)) throw new MappingError("the reply is about another order than the one asked about");
}

/** The orderStatus values ATRIP documents (ATRIP.md: 0 unpaid, 1 ticketing in process, 2 ticketed, -3 cancelled). */
const ORDER_STATUSES = new Set(["-3", "0", "1", "2"]);

/**
 * queryOrderDetails.do after a stop request (docs/suppliers/atrip.md, seed 000 (docs/suppliers/atrip.md "Sources")): orderStatus "-3" means
 * issuance was stopped, "2" means the tickets were issued; "0" and "1" are not known yet. A reply
 * about another order, without an orderStatus, or with one ATRIP does not document decides
 * nothing: a MappingError, so the check fails visibly (the stop's tracking.failure) and is
 * tried again, where it used to leave the stop PENDING with nothing said (black-box probe,
 * thirty-first session).
 */
export function toStopOutcome(orderNo: string, r: OrderDetailsReply): StopOutcomeData {
  if (r.orderNo !== null && r.orderNo !== undefined) aboutOrder(r.orderNo, orderNo);
  const s = r.orderStatus?.trim() || null;
  if (s === null) throw new MappingError("orderStatus is missing");
  if (!ORDER_STATUSES.has(s))
    throw new MappingError(`orderStatus ${JSON.stringify(s.slice(0, 20))} is not a documented ATRIP order status`);
  const state = s === "-3" ? "STOPPED" : s === "2" ? "ISSUED" : "PENDING";
  // 0 (unpaid) and 1 (ticketing in process): a stop ATRIP took shows -3 or 2 by then (seed 000:
  // the result is known "after 8 minutes"; ATRIP's web UI takes about 10).
  return { orderNo, state, supplierOrderStatus: s, showsNoStop: s === "0" || s === "1" };
}
