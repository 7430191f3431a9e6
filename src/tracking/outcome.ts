/** Telling a state-changing call whose outcome the gateway cannot know from a plain failure. */
import type { Logger } from "../logger.js";
import { writeAfterSend } from "../reliability/after-send.js";
import type { Unsettled, UnsettledStore } from "../store/unsettled-store.js";
import { GatewayError, SupplierError } from "../vocabulary/errors.js";
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

/** What a claim allows beyond the call's timeout: recording the outcome (./after-send.ts retries for up to 0.6 s). */
const RECORDING_MS = 10_000;

/**
 * Marks the order before a state-changing call is sent (a claim, in flight for the call's
 * timeout plus RECORDING_MS), so a process that stops before it records the outcome leaves the
 * mark behind: null when this request may send, else the mark of an earlier call whose outcome
 * is unknown (a lost reply, or a sender that stopped mid-call). While another request's call is
 * in flight (another instance), REQUEST_IN_PROGRESS with retryAfterSeconds; nothing is sent.
 * The sender then settles the claim, or `markIfUnknown` turns it into a lost reply's mark.
 */
export async function claimOrder(m: Omit<UnsettledMark, "log">, timeoutMs: number, what: string): Promise<Unsettled | null> {
  const inFlightMs = (Number.isFinite(timeoutMs) ? timeoutMs : 60_000) + RECORDING_MS;
  const earlier = await m.unsettled.claim(m.tenant, m.supplier, m.operation, m.orderNo, inFlightMs);
  const until = earlier?.inFlightUntil?.getTime();
  if (until === undefined || until <= Date.now()) return earlier;
  throw new GatewayError(
    "REQUEST_IN_PROGRESS",
    `A ${what} for order ${m.orderNo} is being sent to ${m.supplier} by another request; it was not sent again`,
    {
      supplier: m.supplier,
      retryable: true,
      retryAfterSeconds: Math.ceil((until - Date.now()) / 1000),
      hint: "Try again later: the gateway then knows how that one ended, and sends nothing twice.",
    },
  );
}
