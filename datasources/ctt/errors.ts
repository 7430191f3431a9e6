/**
 * CTT `code` → what happened. CTT documents no code at all: the only one in seed 004 (docs/suppliers/ctt.md "Sources") is the
 * help page's generated sample (`"code": 1` beside "sample string 2", "sample string 3"). The
 * decision rule is therefore an assumption, stated once here as docs/suppliers/ctt.md states it:
 *   code == 1             → success
 *   code == 0 or negative → a refusal described by `message` (CANCEL_REJECTED, code kept)
 *   anything else         → the gateway cannot tell: SUPPLIER_OUTCOME_UNKNOWN for a cancel
 * No negative code is given a meaning of its own (the simulator's -2 bad signature and -3
 * unknown order are its own choices, not CTT's): they are refusals with CTT's code and message.
 */
import { unreadableReply, type ReplyContext } from "../errors.js";
import { SupplierError } from "../../src/vocabulary/errors.js";

/** What a CTT code is taken to mean. */
export type CttOutcome = "SUCCESS" | "REFUSED" | "UNKNOWN";

/** The assumed meaning of a CTT code (see above). */
export function cttOutcome(code: bigint): CttOutcome {
  if (code === 1n) return "SUCCESS";
  if (code <= 0n) return "REFUSED";
  return "UNKNOWN";
}

/** The error for a reply whose code is not success: a refusal, or an answer the gateway cannot interpret. */
export function cttError(call: ReplyContext, code: bigint, message: string | null): SupplierError {
  const answer = { supplierCode: String(code), supplierMessage: message ?? undefined };
  if (cttOutcome(code) === "UNKNOWN") return unreadableReply(call, `code ${code} is not one the gateway knows how to read`, answer);
  return new SupplierError("CANCEL_REJECTED", `CTT refused to cancel the order: ${message ?? `code ${code}`}`, {
    supplier: "CTT",
    ...answer,
    retryable: false,
  });
}

/**
 * What a cancel gets, unsent, when another tenant owns the order on a shared account
 * (hardening issue, item 4): the answer an unknown order gets. CTT documents none, so only the
 * simulator's is known: against it (`sandbox`), its refusal (CANCEL_REJECTED, code -3 and its
 * message), so that the two read alike; against real CTT, the gateway's own ORDER_NOT_FOUND,
 * with no supplierCode, as CTT said nothing (docs/suppliers/ctt.md).
 */
export function cttUnknownOrder(sandbox: boolean): SupplierError {
  if (sandbox) return cttError({ supplier: "CTT", operation: "api/order/cancel", changesState: true }, -3n, "订单不存在 (order not found)");
  return new SupplierError("ORDER_NOT_FOUND", "CTT has no such order", { supplier: "CTT", retryable: false });
}
