/**
 * ATRIP status → gateway error (docs/errors.md; codes from docs/suppliers/atrip.md and
 * the OpenAPI descriptions in seed 002 (docs/suppliers/atrip.md "Sources"), stopTicket.do's in 000_*). `msg` is passed
 * on as supplierMessage for people, never branched on.
 *
 * A status counts as documented only for the calls whose documentation lists it: the common
 * statuses for every call, the void statuses for the three void calls, 2 for stopTicket.do,
 * 70x/800 for queryOrderDetails.do. Anything else is an answer the gateway cannot interpret:
 * SUPPLIER_OUTCOME_UNKNOWN for a call that changes state, SUPPLIER_BAD_RESPONSE for a read.
 */
import { unreadableReply } from "../errors.js";
import { OUTCOME_HINT, SupplierError, type ErrorCode } from "../../src/vocabulary/errors.js";
import type { OrderOperation } from "../ports.js";

interface Row {
  code: ErrorCode;
  /** Whether the same request may succeed later (for calls that change nothing). */
  retryable: boolean;
  text: string;
  hint?: string;
  /**
   * The supplier says it did not take the request: retryable even for a call that changes
   * state. Otherwise a failed state-changing call is never called retryable.
   */
  notTaken?: boolean;
  /** The calls whose documentation lists this status; absent: every call (docs/suppliers/atrip.md "Common error statuses"). */
  calls?: readonly string[];
  /** Repeats of a read the documentation allows after this status; absent: the gateway's setting. */
  retries?: number;
}

const QUERY_INSTEAD =
  "A void was already submitted for this order: do not resubmit. voidOrders(orderNo) lists it if the gateway holds it; otherwise check with ATRIP.";
const VOID_CALLS = ["voidQuotation.do", "void.do", "queryVoidOrders.do"] as const;
const ORDER_DETAILS = ["queryOrderDetails.do"] as const;

/** Every documented ATRIP status other than 0, with what a client should read. */
export const ATRIP_STATUS_TABLE: Readonly<Record<number, Row>> = {
  // "may retry once if the call is safe to repeat"
  [-1]: { code: "SUPPLIER_UNAVAILABLE", retryable: true, text: "ATRIP reported a generic failure", retries: 1 },
  100: { code: "SUPPLIER_REJECTED_REQUEST", retryable: false, text: "ATRIP says required data is missing from the request" },
  110: {
    code: "SUPPLIER_RATE_LIMITED",
    retryable: true,
    notTaken: true,
    text: "ATRIP's request-rate limit was exceeded",
    hint: "Back off and try again later.",
  },
  900: {
    code: "SUPPLIER_AUTH_FAILED",
    retryable: false,
    text: "ATRIP refused the gateway's credentials",
    hint: "Check ATRIP_CLIENT_ID and ATRIP_CLIENT_SECRET.",
  },
  901: { code: "SUPPLIER_REJECTED_REQUEST", retryable: false, text: "ATRIP called the request illegal (not JSON)" },
  902: { code: "SUPPLIER_AUTH_FAILED", retryable: false, text: "ATRIP denied access for this account" },
  // "may retry once if safe, then give up"
  9999: { code: "SUPPLIER_UNAVAILABLE", retryable: true, text: "ATRIP had a system error", retries: 1 },
  // stopTicket.do, seed 000: "2: System error". Not a refusal: the attempt was not accepted (issue B.7).
  2: {
    code: "SUPPLIER_UNAVAILABLE",
    retryable: true,
    notTaken: true,
    text: "ATRIP had a system error and did not accept the stop request",
    hint: "ATRIP reported a system error and did not confirm the stop request: ask again.",
    calls: ["stopTicket.do"],
  },
  // queryOrderDetails.do (docs/suppliers/atrip.md): 701/702/704 are about the request; 705 is ATRIP timing out.
  701: {
    code: "SUPPLIER_REJECTED_REQUEST",
    retryable: false,
    text: "ATRIP found several orders matching the request",
    calls: ORDER_DETAILS,
  },
  702: { code: "SUPPLIER_REJECTED_REQUEST", retryable: false, text: "ATRIP asks for airlinePNR and carrier", calls: ORDER_DETAILS },
  703: { code: "ORDER_NOT_FOUND", retryable: false, text: "ATRIP found no order", calls: ORDER_DETAILS },
  704: {
    code: "SUPPLIER_REJECTED_REQUEST",
    retryable: false,
    text: "ATRIP says the request parameters do not match",
    calls: ORDER_DETAILS,
  },
  705: {
    code: "SUPPLIER_TIMEOUT",
    retryable: true,
    text: "ATRIP timed out looking up the order",
    hint: "Ask again.",
    calls: ORDER_DETAILS,
  },
  800: { code: "ORDER_NOT_FOUND", retryable: false, text: "ATRIP has no such order", calls: ORDER_DETAILS },
  801: {
    code: "ORDER_NOT_FOUND",
    retryable: false,
    text: "ATRIP found no order to void",
    hint: "Check the main ticket order number.",
    calls: VOID_CALLS,
  },
  803: {
    code: "VOID_ALREADY_SUBMITTED",
    retryable: false,
    text: "A void was already submitted for this passenger or segment",
    hint: "A void was already submitted for a passenger or segment of this order: do not resubmit. voidOrders(orderNo) lists it if the gateway holds it; otherwise check with ATRIP.",
    calls: VOID_CALLS,
  },
  805: {
    code: "VOID_OFFER_EXPIRED",
    retryable: false,
    text: "The voidOfferId has expired or is not from the latest quote",
    hint: "Quote again with voidQuote, then submit the new voidOfferId.",
    calls: VOID_CALLS,
  },
  808: { code: "NOT_VOIDABLE", retryable: false, text: "The airline's policy does not allow voiding this ticket", calls: VOID_CALLS },
  810: { code: "SUPPLIER_REJECTED_REQUEST", retryable: false, text: "ATRIP called the request parameters invalid", calls: VOID_CALLS },
  814: {
    code: "VOID_IN_PROGRESS",
    retryable: true,
    notTaken: true,
    text: "A void submission for this order is already in progress",
    hint: 'Wait, then try again (ATRIP: "Wait before retrying"); if that submission went through meanwhile, the answer is VOID_ALREADY_SUBMITTED.',
    calls: VOID_CALLS,
    // "Wait before retrying" (seed 002): not within the client's call, where a read was repeated
    // after 100 ms (seeds probe, thirty-third session).
    retries: 0,
  },
  815: { code: "TICKET_NOT_FOUND", retryable: false, text: "ATRIP found no ticket for this order", calls: VOID_CALLS },
  816: {
    code: "VOID_ALREADY_SUBMITTED",
    retryable: false,
    text: "A void was already submitted for this order",
    hint: QUERY_INSTEAD,
    calls: VOID_CALLS,
  },
  817: {
    code: "VOID_ALREADY_SUBMITTED",
    retryable: false,
    text: "A void was already submitted for this order",
    hint: QUERY_INSTEAD,
    calls: VOID_CALLS,
  },
  818: {
    code: "VOID_ALREADY_SUBMITTED",
    retryable: false,
    text: "A void was already submitted for this order",
    hint: QUERY_INSTEAD,
    calls: VOID_CALLS,
  },
  820: {
    code: "TICKET_ALREADY_USED",
    retryable: false,
    text: "A ticket of this order was already used; flown segments cannot be voided",
    calls: VOID_CALLS,
  },
  822: {
    code: "VOID_DEADLINE_EXCEEDED",
    retryable: false,
    text: "The void deadline has passed; this ticket can no longer be voided",
    calls: VOID_CALLS,
  },
  824: {
    code: "WRONG_ORDER_NUMBER",
    retryable: false,
    text: "This is an ancillary order number",
    hint: "Use the main ticket order number.",
    calls: VOID_CALLS,
  },
  841: {
    code: "VOID_PAYMENT_METHOD_UNSUPPORTED",
    retryable: false,
    text: "The payment method of this order does not support void",
    hint: "Contact the airline directly.",
    calls: VOID_CALLS,
  },
  843: {
    code: "VOID_ROUTE_UNSUPPORTED",
    retryable: false,
    text: "ATRIP does not support void for this airline or route",
    calls: VOID_CALLS,
  },
};

const STOP_NOT_TAKEN_HINT = "ATRIP reported a failure and did not accept the stop request: ask again.";

/** The table row of a status if the documentation of `operation` lists it. */
function documentedStatus(operation: string, status: number): Row | undefined {
  const row = ATRIP_STATUS_TABLE[status];
  return row && (!row.calls || row.calls.includes(operation)) ? row : undefined;
}

/**
 * The SupplierError for a non-zero ATRIP status. For state-changing calls (`changesState`)
 * only statuses saying ATRIP did not take the request stay retryable. No stopTicket.do refusal
 * is documented, so STOP_ISSUANCE_REJECTED is never produced from a status (docs/api.md).
 */
export function atripError(operation: string, status: number, msg: string | null, changesState: boolean): SupplierError {
  const answer = { supplierCode: String(status), supplierMessage: msg ?? undefined };
  const row = documentedStatus(operation, status);
  // An undocumented stopTicket.do status is SUPPLIER_OUTCOME_UNKNOWN too, and the stop is tracked
  // as PENDING: the contract says so (../shared/design/API.md, STOP_ISSUANCE_REJECTED).
  if (row === undefined) {
    return unreadableReply({ supplier: "ATRIP", operation, changesState }, `status ${status} is not documented for ${operation}`, answer);
  }
  // stopTicket.do: "2 (or any non-zero) means failure" (docs/suppliers/atrip.md), so a documented
  // status there (-1, 9999 as much as 2) says the stop was not taken, and asking again is safe.
  const stopNotTaken = operation === "stopTicket.do" && row.retryable;
  // Elsewhere a failure ATRIP does not say it left untaken (-1, 9999) may have changed state: the
  // order is marked like a lost reply (src/tracking/outcome.ts), and the client is told to query first.
  const mayHaveActed = changesState && row.retryable && row.notTaken !== true && !stopNotTaken;
  return new SupplierError(row.code, `${row.text} (ATRIP ${operation} status ${status})`, {
    supplier: "ATRIP",
    ...answer,
    retryable: row.retryable && !mayHaveActed,
    retriesAllowed: row.retries,
    hint: row.hint ?? (mayHaveActed ? OUTCOME_HINT : stopNotTaken ? STOP_NOT_TAKEN_HINT : undefined),
  });
}

/** Seed 002's text for 801 ("order not found for void"), as ATRIP words it. */
const NO_ORDER_FOR_VOID = "Order not found for void. Check the original main ticket order number.";

/**
 * Seed 000's one failure of stopTicket.do: status 2, "System error". It documents no other, so
 * an order ATRIP does not know gets this too (the simulator answers it so).
 */
const STOP_SYSTEM_ERROR = "System error";

/**
 * The error a call gets when ATRIP does not know the order: 801 for the void calls (seed 002),
 * and for a stop request stopTicket.do's one documented failure, status 2 (SUPPLIER_UNAVAILABLE,
 * "ask again"; no unknown-order status is documented for it). The gateway answers this, unsent,
 * when another tenant owns the order (hardening issue, item 4), so that it reads exactly as an
 * unknown order does.
 */
export function atripUnknownOrder(operation: OrderOperation): SupplierError {
  if (operation === "VOID_QUOTE") return atripError("voidQuotation.do", 801, NO_ORDER_FOR_VOID, false);
  if (operation === "VOID_SUBMIT") return atripError("void.do", 801, NO_ORDER_FOR_VOID, true);
  return atripError("stopTicket.do", 2, STOP_SYSTEM_ERROR, true);
}
