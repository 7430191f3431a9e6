/** Telling a state-changing call whose outcome the gateway cannot know from a plain failure. */
import { SupplierError } from "../vocabulary/errors.js";

/** The supplier may or may not have acted on the call (its reply was lost or unreadable). */
export function outcomeUnknown(err: unknown): boolean {
  return (
    err instanceof SupplierError && (err.code === "SUPPLIER_OUTCOME_UNKNOWN" || (err.code === "SUPPLIER_UNAVAILABLE" && !err.retryable))
  );
}
