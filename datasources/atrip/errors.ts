/**
 * ATRIP status → gateway error (API.md "Errors"; codes from ../shared/suppliers/ATRIP.md and
 * the OpenAPI descriptions in ../shared/seeds/002_*). `msg` is passed on as supplierMessage for
 * people, never branched on.
 */
import { SupplierError, type ErrorCode } from "../errors.js";

interface Row {
  code: ErrorCode;
  /** Whether the same request may succeed later (for calls that change nothing). */
  retryable: boolean;
  text: string;
  hint?: string;
}

const QUERY_INSTEAD = "A void was already submitted for this order: track it with voidOrder instead of resubmitting.";

/** Every documented ATRIP status other than 0, with what a client should read. */
export const ATRIP_STATUS_TABLE: Readonly<Record<number, Row>> = {
  [-1]: { code: "SUPPLIER_UNAVAILABLE", retryable: true, text: "ATRIP reported a generic failure" },
  100: { code: "SUPPLIER_REJECTED_REQUEST", retryable: false, text: "ATRIP says required data is missing from the request" },
  110: { code: "SUPPLIER_RATE_LIMITED", retryable: true, text: "ATRIP's request-rate limit was exceeded", hint: "Back off and try again later." },
  900: { code: "SUPPLIER_AUTH_FAILED", retryable: false, text: "ATRIP refused the gateway's credentials", hint: "Check ATRIP_CLIENT_ID and ATRIP_CLIENT_SECRET." },
  901: { code: "SUPPLIER_REJECTED_REQUEST", retryable: false, text: "ATRIP called the request illegal (not JSON)" },
  902: { code: "SUPPLIER_AUTH_FAILED", retryable: false, text: "ATRIP denied access for this account" },
  9999: { code: "SUPPLIER_UNAVAILABLE", retryable: true, text: "ATRIP had a system error" },
  800: { code: "ORDER_NOT_FOUND", retryable: false, text: "ATRIP has no such order" },
  703: { code: "ORDER_NOT_FOUND", retryable: false, text: "ATRIP found no order" },
  801: { code: "ORDER_NOT_FOUND", retryable: false, text: "ATRIP found no order to void", hint: "Check the main ticket order number." },
  803: { code: "VOID_ALREADY_SUBMITTED", retryable: false, text: "A void was already submitted for this passenger or segment", hint: QUERY_INSTEAD },
  805: { code: "VOID_OFFER_EXPIRED", retryable: false, text: "The voidOfferId has expired or is not from the latest quote", hint: "Quote again with voidQuote, then submit the new voidOfferId." },
  808: { code: "NOT_VOIDABLE", retryable: false, text: "The airline's policy does not allow voiding this ticket" },
  810: { code: "SUPPLIER_REJECTED_REQUEST", retryable: false, text: "ATRIP called the request parameters invalid" },
  814: { code: "VOID_IN_PROGRESS", retryable: true, text: "A void submission for this order is already in progress", hint: "Wait, then query the void instead of resubmitting." },
  815: { code: "TICKET_NOT_FOUND", retryable: false, text: "ATRIP found no ticket for this order" },
  816: { code: "VOID_ALREADY_SUBMITTED", retryable: false, text: "A void was already submitted for this order", hint: QUERY_INSTEAD },
  817: { code: "VOID_ALREADY_SUBMITTED", retryable: false, text: "A void was already submitted for this order", hint: QUERY_INSTEAD },
  818: { code: "VOID_ALREADY_SUBMITTED", retryable: false, text: "A void was already submitted for this order", hint: QUERY_INSTEAD },
  820: { code: "TICKET_ALREADY_USED", retryable: false, text: "A ticket of this order was already used; flown segments cannot be voided" },
  822: { code: "VOID_DEADLINE_EXCEEDED", retryable: false, text: "The void deadline has passed; this ticket can no longer be voided" },
  824: { code: "WRONG_ORDER_NUMBER", retryable: false, text: "This is an ancillary order number", hint: "Use the main ticket order number." },
  841: { code: "VOID_PAYMENT_METHOD_UNSUPPORTED", retryable: false, text: "The payment method of this order does not support void", hint: "Contact the airline directly." },
  843: { code: "VOID_ROUTE_UNSUPPORTED", retryable: false, text: "ATRIP does not support void for this airline or route" },
};

/** Codes a state-changing call may be retried on: the supplier said it did nothing yet. */
const SAFE_TO_RESEND = new Set<ErrorCode>(["SUPPLIER_RATE_LIMITED", "VOID_IN_PROGRESS"]);

/**
 * The SupplierError for a non-zero ATRIP status. stopTicket.do documents only 0 and 2 ("system
 * error"): there any status that is not a common code means the stop was not accepted.
 * For state-changing calls (`changesState`) only codes that prove nothing happened stay retryable.
 */
export function atripError(operation: string, status: number, msg: string | null, changesState: boolean): SupplierError {
  const details = { supplier: "ATRIP" as const, supplierCode: String(status), supplierMessage: msg ?? undefined };
  const row = ATRIP_STATUS_TABLE[status];
  if (operation === "stopTicket.do" && (row === undefined || !row.code.startsWith("SUPPLIER_"))) {
    return new SupplierError("STOP_ISSUANCE_REJECTED", `ATRIP did not accept the stop-issuance request (status ${status})`, {
      ...details,
      retryable: false,
      hint: "Ticket issuance goes on; check the order with the supplier.",
    });
  }
  if (row === undefined) {
    return new SupplierError("SUPPLIER_BAD_RESPONSE", `ATRIP ${operation} answered with undocumented status ${status}`, {
      ...details,
      retryable: false,
    });
  }
  return new SupplierError(row.code, `${row.text} (ATRIP ${operation} status ${status})`, {
    ...details,
    retryable: row.retryable && (!changesState || SAFE_TO_RESEND.has(row.code)),
    hint: row.hint,
  });
}
