/** Telling a state-changing call whose outcome the gateway cannot know from a plain failure. */
import type { Logger } from "../logger.js";
import { writeAfterSend } from "../reliability/after-send.js";
import type { UnsettledStore } from "../store/unsettled-store.js";
import { SupplierError } from "../vocabulary/errors.js";
import type { SupplierName } from "../vocabulary/suppliers.js";

/** The supplier may or may not have acted on the call (its reply was lost or unreadable). */
export function outcomeUnknown(err: unknown): boolean {
  return (
    err instanceof SupplierError && (err.code === "SUPPLIER_OUTCOME_UNKNOWN" || (err.code === "SUPPLIER_UNAVAILABLE" && !err.retryable))
  );
}

/** Where an unsettled submission is remembered, and what it is. */
interface UnsettledMark {
  unsettled: UnsettledStore;
  log: Logger;
  tenant: string;
  supplier: SupplierName;
  operation: string;
  orderNo: string;
}

/**
 * When `err` leaves a state-changing call's outcome unknown, marks the order unsettled, so the
 * next request for it reads the supplier first; true when it did. The call has been sent, so a
 * store failure is logged (saying what it costs: `unmarked`) and the supplier's answer stands
 * (src/reliability/after-send.ts).
 */
export async function markIfUnknown(err: unknown, m: UnsettledMark, unmarked: string): Promise<boolean> {
  if (!outcomeUnknown(err)) return false;
  await writeAfterSend(() => m.unsettled.mark(m.tenant, m.supplier, m.operation, m.orderNo, (err as Error).message), m.log, unmarked, {
    orderNo: m.orderNo,
    supplier: m.supplier,
  });
  return true;
}
