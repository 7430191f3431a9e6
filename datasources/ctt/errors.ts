/**
 * CTT `code` → gateway error. CTT documents only `code == 1` = success (CTT.md). The codes
 * below are the ones the simulator uses for a bad signature and an unknown order, kept in one
 * table so they can be corrected when CTT confirms its own; any other code is a refusal.
 */
import { SupplierError, type ErrorCode } from "../errors.js";

export const CTT_CODES: Readonly<Record<number, { code: ErrorCode; hint?: string }>> = {
  [-2]: { code: "SUPPLIER_AUTH_FAILED", hint: "Check CTT_SIGN_KEY." },
  [-3]: { code: "ORDER_NOT_FOUND" },
};

export function cttError(code: number, message: string | null): SupplierError {
  const row = CTT_CODES[code] ?? { code: "CANCEL_REJECTED" as ErrorCode };
  const text = row.code === "CANCEL_REJECTED" ? "CTT refused to cancel the order" : "CTT rejected the request";
  return new SupplierError(row.code, `${text}: ${message ?? `code ${code}`}`, {
    supplier: "CTT",
    supplierCode: String(code),
    supplierMessage: message ?? undefined,
    retryable: false,
    hint: row.hint,
  });
}
