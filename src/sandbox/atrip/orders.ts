/**
 * The ATRIP simulator's demo orders. Each covers one scenario of ATRIP.md; `npm start` prints
 * this list. An order number may carry any suffix after a dash (ATR-VOID-DEPOSIT-7) and then
 * behaves like its template with its own state, so demos and tests can repeat a scenario.
 */

import { findTemplate, type DemoTemplate } from "../demo-orders.js";

export interface DemoOrder extends DemoTemplate {
  /** Status that voidQuotation.do and void.do answer with (808, 820, 824…). */
  voidBlockedStatus?: number;
  /** Status that only void.do answers with, after a normal quote (822: the deadline passed). */
  submitBlockedStatus?: number;
  /** The voidStatus values a submitted void goes through, one step per SANDBOX void step. */
  voidPath?: number[];
  cancelReason?: string;
  voidMethod?: "CashBackToOriginalPayment" | "Voucher";
  currency?: string;
  fare?: string;
  refund?: string;
  fee?: string;
  /** Outcome of a stop-issuance request (STOPPED, ISSUED) or a refusal of the request itself. */
  stop?: "STOPPED" | "ISSUED" | "REFUSED";
}

export const DEMO_ORDERS: DemoOrder[] = [
  {
    orderNo: "ATR-VOID-DEPOSIT",
    shows: "voidable, deposit-paid: the void goes 0 → 1 → 2 (REFUNDED)",
    voidPath: [0, 1, 2],
    voidMethod: "CashBackToOriginalPayment",
    currency: "CNY",
    fare: "1280.50",
    refund: "1180.50",
    fee: "100",
  },
  {
    orderNo: "ATR-VOID-VCC",
    shows: "voidable, VCC pass-through: the void goes 0 → 1 → 5 (COMPLETED)",
    voidPath: [0, 1, 5],
    voidMethod: "CashBackToOriginalPayment",
    currency: "USD",
    fare: "412.30",
    refund: "387.30",
    fee: "25",
  },
  {
    orderNo: "ATR-VOID-REJECT",
    shows: "voidable, but the airline rejects it: 0 → 1 → 4 (REJECTED) with a cancelReason",
    voidPath: [0, 1, 4],
    voidMethod: "Voucher",
    currency: "EUR",
    fare: "96.00",
    refund: "96.00",
    fee: "0",
    cancelReason: "The airline rejected the void: the ticket was already revalidated.",
  },
  { orderNo: "ATR-VOID-DEADLINE", shows: "quotes fine, but void.do answers 822 (deadline exceeded)", submitBlockedStatus: 822, voidPath: [0] },
  { orderNo: "ATR-NOT-VOIDABLE", shows: "808: non-voidable per airline policy", voidBlockedStatus: 808 },
  { orderNo: "ATR-TICKET-USED", shows: "820: a ticket was already used", voidBlockedStatus: 820 },
  { orderNo: "ATR-ANCILLARY", shows: "824: an ancillary order number, not the main order", voidBlockedStatus: 824 },
  { orderNo: "ATR-STOP-OK", shows: "stopTicketIssuance succeeds: orderStatus -3 after the delay (STOPPED)", stop: "STOPPED" },
  { orderNo: "ATR-STOP-ISSUED", shows: "stopTicketIssuance fails: the tickets are issued (orderStatus 2, ISSUED)", stop: "ISSUED" },
  { orderNo: "ATR-STOP-REFUSED", shows: "stopTicket.do answers status 2: the attempt is refused at once", stop: "REFUSED" },
];

/** The demo order an order number stands for. */
export function findDemoOrder(orderNo: string): DemoOrder | undefined {
  return findTemplate(DEMO_ORDERS, orderNo);
}
