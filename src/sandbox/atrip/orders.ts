/**
 * The ATRIP simulator's demo orders. Each covers one scenario of docs/suppliers/atrip.md; `npm start` prints
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
  /**
   * Leave voidFareAmount out of every void reply. Seed 002 promises it only "if voidMethod is
   * CashBackToOriginalPayment", so a Voucher void may lack it.
   */
  omitFare?: boolean;
  /**
   * How queryVoidOrders.do writes actualRefundAmount once refunded (default: a number). Seed 002
   * names the field in prose only, with no type; "list" is a shape the gateway does not expect.
   */
  refundAs?: "number" | "string" | "object" | "list";
  /**
   * queryVoidOrders.do gives actualRefundAmount only this many void steps after the final status
   * (seed 002: it comes "once the airline confirms"); before that the void is final without it.
   */
  refundLateSteps?: number;
  /** void.do records the void (it happened) but answers this undocumented status. */
  submitAnswerStatus?: number;
  /**
   * Past its void window: the quote answers status 0 with isVoidable false (seed 002: "如果已超出废票窗口期，
   * 接口会返回不可废票"), and void.do refuses with 822.
   */
  windowClosed?: boolean;
  /** void.do records the void and answers status 0 with its voidCode, but with this undocumented voidStatus. */
  submitOddVoidStatus?: number;
  /**
   * Simulated ms after void.do before voidQuotation.do shows the void (816); until then it quotes
   * as if there were none. Seed 002: an accepted void "usually" shows within 5 minutes.
   */
  acceptanceLagMs?: number;
  /**
   * What stopTicket.do does: STOPPED / ISSUED (accepted, then that outcome), REFUSED (always
   * status 2, "System error"), BUSY (status 2 the first time, then accepted and STOPPED),
   * UNDOCUMENTED (accepted and STOPPED, but answers status 3, which seed 000 does not list).
   */
  stop?: "STOPPED" | "ISSUED" | "REFUSED" | "BUSY" | "UNDOCUMENTED";
  /** BUSY's first answer: 2 (seed 000's "System error"; the default), or a common failure status (-1, 9999). */
  busyStatus?: number;
  /** queryOrderDetails.do answers this status (docs/suppliers/atrip.md: 701, 702, 704, 705) instead of the order… */
  detailsStatus?: number;
  /** …only the first this many times, then normally (absent: always). */
  detailsStatusTimes?: number;
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
  {
    orderNo: "ATR-VOID-DEADLINE",
    shows: "quotes fine, but void.do answers 822 (deadline exceeded)",
    submitBlockedStatus: 822,
    voidPath: [0],
  },
  {
    orderNo: "ATR-VOID-WINDOW-CLOSED",
    shows: "past its void window: the quote says isVoidable false (status 0), and void.do answers 822",
    submitBlockedStatus: 822,
    windowClosed: true,
    voidPath: [0],
  },
  { orderNo: "ATR-NOT-VOIDABLE", shows: "808: non-voidable per airline policy", voidBlockedStatus: 808 },
  { orderNo: "ATR-TICKET-USED", shows: "820: a ticket was already used", voidBlockedStatus: 820 },
  { orderNo: "ATR-ANCILLARY", shows: "824: an ancillary order number, not the main order", voidBlockedStatus: 824 },
  { orderNo: "ATR-STOP-OK", shows: "stopTicketIssuance succeeds: orderStatus -3 after the delay (STOPPED)", stop: "STOPPED" },
  { orderNo: "ATR-STOP-ISSUED", shows: "stopTicketIssuance fails: the tickets are issued (orderStatus 2, ISSUED)", stop: "ISSUED" },
  { orderNo: "ATR-STOP-REFUSED", shows: "stopTicket.do always answers status 2 (System error): not accepted, ask again", stop: "REFUSED" },
  {
    orderNo: "ATR-VOID-VOUCHER",
    shows: "Voucher void without voidFareAmount: 0 → 1 → 2, actualRefundAmount as an object",
    voidPath: [0, 1, 2],
    voidMethod: "Voucher",
    omitFare: true,
    refundAs: "object",
    currency: "EUR",
    fare: "96.00",
    refund: "96.00",
    fee: "0",
  },
  {
    orderNo: "ATR-REFUND-STRING",
    shows: 'like ATR-VOID-DEPOSIT, but actualRefundAmount is a string ("1180.50")',
    voidPath: [0, 1, 2],
    refundAs: "string",
    currency: "CNY",
    fare: "1280.50",
    refund: "1180.50",
    fee: "100",
  },
  {
    orderNo: "ATR-REFUND-LATE",
    shows:
      "like ATR-VOID-DEPOSIT, but REFUNDED first without actualRefundAmount; the amount comes one step later (voidOrder with refresh: true reads it)",
    voidPath: [0, 1, 2],
    refundLateSteps: 1,
    currency: "USD",
    fare: "1000.00",
    refund: "950.00",
    fee: "50",
  },
  {
    orderNo: "ATR-REFUND-ODD",
    shows: "like ATR-VOID-DEPOSIT, but actualRefundAmount is a list: REFUNDED with actualRefund null (logged once)",
    voidPath: [0, 1, 2],
    refundAs: "list",
    currency: "CNY",
    fare: "1280.50",
    refund: "1180.50",
    fee: "100",
  },
  {
    orderNo: "ATR-VOID-ODD",
    shows: "void.do records the void but answers status 830 (undocumented) → SUPPLIER_OUTCOME_UNKNOWN",
    voidPath: [0, 1, 2],
    submitAnswerStatus: 830,
  },
  {
    orderNo: "ATR-VOID-ODD-STATUS",
    shows:
      "void.do answers status 0 and a voidCode, but voidStatus 9 (undocumented): the gateway reads the void by its voidCode and records it",
    voidPath: [0, 1, 2],
    submitOddVoidStatus: 9,
  },
  {
    orderNo: "ATR-VOID-LATE",
    shows:
      "like ATR-VOID-ODD (830 → SUPPLIER_OUTCOME_UNKNOWN), but quotes show the void only 4 minutes later: with its webhook lost, a resubmission before ATRIP's 5 minutes sends nothing",
    voidPath: [0, 1, 2],
    submitAnswerStatus: 830,
    acceptanceLagMs: 4 * 60_000,
  },
  { orderNo: "ATR-STOP-BUSY", shows: "stopTicket.do answers 2 (System error) the first time, then accepts: STOPPED", stop: "BUSY" },
  {
    orderNo: "ATR-STOP-9999",
    shows: "stopTicket.do answers 9999 (system error, a common status) the first time, then accepts: STOPPED",
    stop: "BUSY",
    busyStatus: 9999,
  },
  {
    orderNo: "ATR-STOP-ODD",
    shows: "stopTicket.do accepts but answers status 3 (undocumented) → SUPPLIER_OUTCOME_UNKNOWN; STOPPED later",
    stop: "UNDOCUMENTED",
  },
  { orderNo: "ATR-DETAILS-701", shows: "queryOrderDetails.do answers 701 (several orders match)", stop: "STOPPED", detailsStatus: 701 },
  { orderNo: "ATR-DETAILS-702", shows: "queryOrderDetails.do answers 702 (PNR and carrier needed)", stop: "STOPPED", detailsStatus: 702 },
  { orderNo: "ATR-DETAILS-704", shows: "queryOrderDetails.do answers 704 (parameters do not match)", stop: "STOPPED", detailsStatus: 704 },
  {
    orderNo: "ATR-DETAILS-705",
    shows: "queryOrderDetails.do answers 705 (timeout) once, then the order",
    stop: "STOPPED",
    detailsStatus: 705,
    detailsStatusTimes: 1,
  },
];

/** The demo order an order number stands for. */
export function findDemoOrder(orderNo: string): DemoOrder | undefined {
  return findTemplate(DEMO_ORDERS, orderNo);
}
