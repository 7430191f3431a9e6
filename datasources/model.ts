/**
 * Supplier-neutral results the datasources produce and the schema types expose. Field names
 * follow docs/api.md; each supplier's mapping is the one place that fills them.
 */
import type { SupplierName } from "../src/vocabulary/suppliers.js";

export type SupplierOperationName = "STOP_TICKET_ISSUANCE" | "VOID" | "CANCEL_ORDER";
export type RefundMethodName = "ORIGINAL_PAYMENT" | "VOUCHER";
export type VoidStatusName =
  "SUPPLIER_PROCESSING" | "AIRLINE_PROCESSING" | "REFUNDED" | "AIRLINE_REFUNDING" | "REJECTED" | "COMPLETED" | "WITHDRAWN";

/** Statuses after which a void never changes again. */
export const FINAL_VOID_STATUSES: ReadonlySet<VoidStatusName> = new Set(["REFUNDED", "REJECTED", "COMPLETED", "WITHDRAWN"]);

export interface MoneyData {
  amount: string;
  currency: string;
}
export interface VoidTicketData {
  firstName: string;
  lastName: string;
  ticketNo: string;
}
export interface VoidFareData {
  currency: string;
  originalAmount: string;
  estimatedRefund: string;
}
export interface PostTicketingServiceRefundData {
  postTicketingOrderNo: string;
  currency: string;
  originalAmount: string;
  estimatedRefund: string;
}
export interface VoidWindowData {
  supportVoid: boolean;
  allowVoid: boolean;
  voidTimeAfterIssue: string | null;
  voidTimeBeforeDeparture: string | null;
  sameDayDeadlineTime: string | null;
  sameDayTimezone: string | null;
}

export interface VoidQuoteData {
  supplier: SupplierName;
  orderNo: string;
  isVoidable: boolean;
  voidOfferId: string | null;
  refundMethod: RefundMethodName | null;
  fastConfirmation: boolean;
  /** yyyy-MM-dd */
  expectedConfirmationDate: string | null;
  expectedRefundDate: string | null;
  tickets: VoidTicketData[];
  fare: VoidFareData | null;
  postTicketingServices: PostTicketingServiceRefundData[];
  serviceFee: MoneyData | null;
  window: VoidWindowData | null;
  /** The supplier's own words for until when the void is accepted (e.g. "23:59"), as its quote gave them. */
  voidDeadline: string | null;
  quotedAt: Date;
}

/** A void as the supplier reports it (void.do or queryVoidOrders.do). */
export interface VoidOrderData {
  supplier: SupplierName;
  voidCode: string;
  orderNo: string;
  status: VoidStatusName;
  supplierStatus: number;
  isFinal: boolean;
  refundMethod: RefundMethodName | null;
  tickets: VoidTicketData[];
  fare: VoidFareData | null;
  /**
   * Refunds of post-ticketing services (baggage…) voided with the order, as last reported.
   * Optional only because voids recorded before the field existed lack it; mappings always set it.
   */
  postTicketingServices?: PostTicketingServiceRefundData[];
  /**
   * Whether the airline confirms automatically; null when the report did not say
   * (queryVoidOrders.do does not list it). Absent in voids recorded before the field existed.
   */
  fastConfirmation?: boolean | null;
  actualRefund: MoneyData | null;
  serviceFee: MoneyData | null;
  expectedConfirmationDate: string | null;
  expectedRefundDate: string | null;
  cancelReason: string | null;
  message: string | null;
  voidOfferId: string | null;
  /**
   * The optional fields this report did not say (absent from the supplier's answer, or
   * unreadable), as against ones it says are empty: merged into a stored void they keep the
   * stored values (src/tracking/kinds/void.ts). Not enumerable (markUnsaid), so never stored or
   * sent to a client.
   */
  readonly unsaid?: readonly UnsaidVoidField[];
}

/** The fields of a void a later report may leave out without meaning the void has none of them. */
export type UnsaidVoidField = "tickets" | "fare" | "postTicketingServices" | "serviceFee" | "expectedRefundDate" | "voidOfferId";

/** Marks `report`'s unsaid fields (VoidOrderData.unsaid), as a property that no copy, store or answer carries. */
export function markUnsaid(report: VoidOrderData, fields: readonly UnsaidVoidField[]): VoidOrderData {
  if (fields.length > 0) Object.defineProperty(report, "unsaid", { value: fields, enumerable: false });
  return report;
}

export type StopStateName = "PENDING" | "STOPPED" | "ISSUED";

/** What the supplier said to a stop-issuance request: accepted, with a message. */
export interface StopAcceptedData {
  supplier: SupplierName;
  orderNo: string;
  message: string | null;
}

/** What an order's state says about an earlier stop request. */
export interface StopOutcomeData {
  orderNo: string;
  state: StopStateName;
  /** The supplier's own order status, for logs and support. */
  supplierOrderStatus: string | null;
  /**
   * The order's state shows no sign of a stop request, where one the supplier took would show
   * once the supplier's delay has passed. Seen that long after a request whose outcome the
   * gateway does not know, it is evidence the request never reached the supplier.
   */
  showsNoStop: boolean;
}

export interface CancelOrderRequest {
  orderNo: string;
  subChannel?: string | null;
  passengerIds?: string[] | null;
  reason?: string | null;
}

export interface CancelOrderData {
  supplier: SupplierName;
  orderNo: string;
  cancelledAt: Date | null;
  supplierOrderStatus: string | null;
  message: string | null;
}

/**
 * How far along a status is. A report that would move a void backwards (a slower, older
 * reply arriving after a newer one) is not recorded as a change.
 */
export const VOID_STATUS_RANK: Readonly<Record<VoidStatusName, number>> = {
  SUPPLIER_PROCESSING: 0,
  AIRLINE_PROCESSING: 1,
  AIRLINE_REFUNDING: 2,
  REFUNDED: 3,
  REJECTED: 3,
  COMPLETED: 3,
  WITHDRAWN: 3,
};
