/**
 * ATRIP wire shapes → the gateway's supplier-neutral model. The only place that knows
 * ATRIP's field names, date format (yyyyMMdd), flags (0/1) and status numbers.
 */
import {
  FINAL_VOID_STATUSES,
  type MoneyData,
  type RefundMethodName,
  type StopOutcomeData,
  type VoidFareData,
  type VoidOrderData,
  type VoidQuoteData,
  type VoidStatusName,
  type VoidTicketData,
  type VoidWindowData,
} from "../model.js";
import type { OrderDetailsReply, VoidOrderWire, VoidQuotationReply, VoidReply } from "./wire.js";
import type { z } from "zod";
import type { serviceFee, voidFareAmount, voidPostTicketingServiceAmount, voidTicket, voidWindow } from "./wire.js";

/** ATRIP voidStatus → VoidStatus (ATRIP.md "voidStatus"). */
export const VOID_STATUS_BY_NUMBER: Readonly<Record<number, VoidStatusName>> = {
  0: "SUPPLIER_PROCESSING",
  1: "AIRLINE_PROCESSING",
  2: "REFUNDED",
  3: "AIRLINE_REFUNDING",
  4: "REJECTED",
  5: "COMPLETED",
  6: "WITHDRAWN",
};

/** Thrown by mappers when a value is outside what ATRIP documents; the client turns it into SUPPLIER_BAD_RESPONSE. */
export class MappingError extends Error {}

export function toVoidStatus(n: number): VoidStatusName {
  const s = VOID_STATUS_BY_NUMBER[n];
  if (s === undefined) throw new MappingError(`voidStatus ${n} is not a documented ATRIP void status`);
  return s;
}

export function toRefundMethod(m: "CashBackToOriginalPayment" | "Voucher" | null | undefined): RefundMethodName | null {
  if (m === "CashBackToOriginalPayment") return "ORIGINAL_PAYMENT";
  if (m === "Voucher") return "VOUCHER";
  return null;
}

/** yyyyMMdd → yyyy-MM-dd; null stays null; anything else is a bad reply. */
export function toDate(field: string, yyyymmdd: string | null): string | null {
  if (yyyymmdd === null) return null;
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(yyyymmdd);
  if (!m) throw new MappingError(`${field} "${yyyymmdd}" is not yyyyMMdd`);
  const [, y, mo, d] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) {
    throw new MappingError(`${field} "${yyyymmdd}" is not a calendar date`);
  }
  return `${y}-${mo}-${d}`;
}

function tickets(list: z.infer<typeof voidTicket>[] | null | undefined): VoidTicketData[] {
  return (list ?? []).map((t) => ({ firstName: t.firstName, lastName: t.lastName, ticketNo: t.ticketNo }));
}

function fare(f: z.infer<typeof voidFareAmount> | null | undefined): VoidFareData | null {
  if (!f) return null;
  return { currency: f.currency, originalAmount: f.originalFareAmount, estimatedRefund: f.estimatedRefundAmount };
}

function services(list: z.infer<typeof voidPostTicketingServiceAmount>[] | null | undefined) {
  return (list ?? []).map((s) => ({
    postTicketingOrderNo: s.postTicketingOrderNo,
    currency: s.currency,
    originalAmount: s.originalPostTicketingServiceAmount,
    estimatedRefund: s.estimatedRefundAmount,
  }));
}

function fee(f: z.infer<typeof serviceFee> | null | undefined): MoneyData | null {
  return f ? { amount: f.transactionFee, currency: f.currency } : null;
}

function window(w: z.infer<typeof voidWindow> | null | undefined): VoidWindowData | null {
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

/** voidQuotation.do → VoidQuote. */
export function toVoidQuote(r: VoidQuotationReply, quotedAt: Date): VoidQuoteData {
  return {
    supplier: "ATRIP",
    orderNo: r.orderNo,
    isVoidable: r.isVoidable,
    voidOfferId: r.voidOfferId,
    refundMethod: toRefundMethod(r.voidMethod),
    fastConfirmation: r.fastConfirmation ?? false,
    expectedConfirmationDate: toDate("expectedConfirmationDate", r.expectedConfirmationDate),
    expectedRefundDate: toDate("expectedRefundDate", r.expectedRefundDate),
    tickets: tickets(r.voidTickets),
    fare: fare(r.voidFareAmount),
    postTicketingServices: services(r.voidPostTicketingServiceAmounts),
    serviceFee: fee(r.serviceFee),
    window: window(r.voidWindow),
    quotedAt,
  };
}

function voidOrderBase(status: number) {
  const name = toVoidStatus(status);
  return { supplier: "ATRIP" as const, status: name, supplierStatus: status, isFinal: FINAL_VOID_STATUSES.has(name) };
}

/** void.do → VoidOrder. */
export function voidReplyToOrder(r: VoidReply): VoidOrderData {
  return {
    ...voidOrderBase(r.voidStatus),
    voidCode: r.voidCode,
    orderNo: r.orderNo,
    refundMethod: toRefundMethod(r.voidMethod),
    tickets: tickets(r.voidTickets),
    fare: fare(r.voidFareAmount),
    actualRefund: null,
    serviceFee: fee(r.serviceFee),
    expectedConfirmationDate: toDate("expectedConfirmationDate", r.expectedConfirmationDate),
    expectedRefundDate: toDate("expectedRefundDate", r.expectedRefundDate),
    cancelReason: r.cancelReason,
    message: r.msg,
    voidOfferId: r.voidOfferId,
  };
}

function actualRefund(w: VoidOrderWire): MoneyData | null {
  const a = w.actualRefundAmount;
  if (a === null || a === undefined) return null;
  if (typeof a === "string") {
    const currency = w.voidFareAmount?.currency;
    if (!currency) throw new MappingError("actualRefundAmount has no currency (no voidFareAmount)");
    return { amount: a, currency };
  }
  return { amount: a.amount, currency: a.currency };
}

/** One queryVoidOrders.do entry → VoidOrder. */
export function wireVoidOrderToOrder(w: VoidOrderWire, message: string | null): VoidOrderData {
  return {
    ...voidOrderBase(w.voidStatus),
    voidCode: w.voidCode,
    orderNo: w.orderNo,
    refundMethod: toRefundMethod(w.voidMethod),
    tickets: tickets(w.voidTickets),
    fare: fare(w.voidFareAmount),
    actualRefund: actualRefund(w),
    serviceFee: fee(w.serviceFee),
    expectedConfirmationDate: toDate("expectedConfirmationDate", w.expectedConfirmationDate),
    expectedRefundDate: toDate("expectedRefundDate", w.expectedRefundDate),
    cancelReason: w.cancelReason,
    message,
    voidOfferId: w.voidOfferId,
  };
}

/**
 * queryOrderDetails.do after a stop request (ATRIP.md, seeds/000_*): orderStatus "-3" means
 * issuance was stopped, "2" means the tickets were issued; anything else is not known yet.
 */
export function toStopOutcome(orderNo: string, r: OrderDetailsReply): StopOutcomeData {
  const s = r.orderStatus?.trim() ?? null;
  const state = s === "-3" ? "STOPPED" : s === "2" ? "ISSUED" : "PENDING";
  return { orderNo, state, supplierOrderStatus: s };
}
