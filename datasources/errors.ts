/**
 * What the datasources share to report a supplier's answer as an error: the call a reply
 * belongs to and the rule for an answer the gateway cannot read. The errors themselves are
 * the vocabulary's (src/vocabulary/errors.ts).
 */
import { OUTCOME_HINT, SupplierError } from "../src/vocabulary/errors.js";
import { parseJson } from "./json.js";
import { redactParsed } from "./redact.js";
import type { SupplierName } from "../src/vocabulary/suppliers.js";

/** The call a reply belongs to, as the error builders need it. */
export interface ReplyContext {
  supplier: SupplierName;
  /** The supplier's name for the call (e.g. "void.do"). */
  operation: string;
  /** True when the call changes supplier state (void.do, stopTicket.do, cancels). */
  changesState: boolean;
}

/**
 * An answer arrived but the gateway cannot interpret it: unparseable, not the documented shape,
 * a vital field missing, or a code the supplier does not document. For a call that changes
 * state the outcome is then unknown (issue B.6: never a guessed success or refusal); for a
 * read it is SUPPLIER_BAD_RESPONSE. `answer` keeps the supplier's own code and message.
 */
export function unreadableReply(
  call: ReplyContext,
  detail: string,
  answer: { supplierCode?: string; supplierMessage?: string } = {},
): SupplierError {
  const details = { supplier: call.supplier, supplierCode: answer.supplierCode, supplierMessage: answer.supplierMessage, retryable: false };
  if (call.changesState) {
    return new SupplierError(
      "SUPPLIER_OUTCOME_UNKNOWN",
      `${call.supplier} ${call.operation} sent an answer the gateway cannot interpret (${detail}); the gateway did not resend it`,
      { ...details, hint: OUTCOME_HINT },
    );
  }
  return new SupplierError("SUPPLIER_BAD_RESPONSE", `${call.supplier} ${call.operation} sent an unexpected reply (${detail})`, details);
}

/**
 * A reply's text as lossless JSON (./json.ts), the call's `secrets` redacted in its strings
 * (./redact.ts); one that is not JSON is the unreadable-reply error of `call`.
 */
export function replyJson(call: ReplyContext, text: string, secrets?: readonly string[]): unknown {
  try {
    // A byte order mark before the JSON text was dropped as it was decoded (./charset.ts); a second is not JSON.
    return redactParsed(parseJson(text), text, secrets);
  } catch {
    throw unreadableReply(call, "not JSON");
  }
}
