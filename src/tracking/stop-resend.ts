/**
 * Sending again a stop request the supplier may never have taken (kinds/stop.ts `mayResend`),
 * at a client's request, under the order's claim as a first request is sent (./stop-requests.ts).
 * Answered or lost, the stop is checked anew the supplier's delay after this send (lost: its
 * outcome unknown again, so another needs that evidence again); refused (a status 2, say), it
 * stays as it was and the error is the client's answer, which it may retry. A claim left by a
 * gateway that stopped mid-resend counts as a lost answer; so does a resend whose record could
 * not be written: its claim stays as a mark, as a first request's does, and the next request or
 * housekeeping takes it as sent. Housekeeping (`port` null) only settles such a mark: nothing is
 * sent without a request. The stop's requestedAt stays the first request's; its history gains
 * no event (its state is still PENDING).
 */
import type { CallScope } from "../../datasources/deadline.js";
import type { StopIssuancePort } from "../../datasources/ports.js";
import type { Logger } from "../logger.js";
import { unrecorded, writeAfterSend } from "../reliability/after-send.js";
import type { TrackedRecord } from "../store/tracked-model.js";
import { sentTime } from "../store/unsettled-store.js";
import type { SupplierName } from "../vocabulary/suppliers.js";
import { SupplierError } from "../vocabulary/errors.js";
import type { Tracker } from "./engine.js";
import { mayResend, OUTCOME_UNKNOWN_MESSAGE as UNKNOWN, type StopReport } from "./kinds/stop.js";
import { outcomeUnknown, type OrderClaims } from "./outcome.js";

export interface ResendDeps {
  stops: Tracker<StopReport>;
  claims: OrderClaims;
  /** How long after a request its outcome can be known, by supplier. */
  checkDelayMs: (supplier: SupplierName) => number;
  log: Logger;
}

/** Sends `record`'s stop again when it still may be (see above); returns the stop as it now stands. */
export async function resendStop(
  d: ResendDeps,
  port: StopIssuancePort | null,
  record: TrackedRecord<StopReport>,
  scope?: CallScope,
): Promise<TrackedRecord<StopReport>> {
  const { tenant, supplier, ref: orderNo } = record;
  const delayMs = d.checkDelayMs(supplier);
  const claim = await d.claims.claim(tenant, supplier, orderNo);
  let settle = true;
  try {
    const current = await d.stops.get(tenant, supplier, orderNo);
    if (!current || !mayResend(current, delayMs)) return current ?? record;
    /** Records this send (at `sentAt`): checked anew the delay after it; the claim kept as a mark if the store fails. */
    const recordSend = async (message: string | null, unknown: boolean, sentAt: Date) => {
      const report: StopReport = { status: "PENDING", message, supplierOrderStatus: null, outcomeUnknown: unknown };
      const notBeforeInMs = Math.max(0, sentAt.getTime() + delayMs - Date.now());
      const written = await writeAfterSend(
        () => d.stops.resent(current, report, notBeforeInMs),
        d.log,
        "stop request sent again but not recorded: its mark stays",
        {
          orderNo,
          supplier,
        },
      );
      if (written.ok) return written.value ?? (await d.stops.get(tenant, supplier, orderNo)) ?? current;
      settle = false;
      await claim.keep(UNKNOWN);
      return unrecorded(d.stops.key(tenant, supplier, orderNo), orderNo, report, {
        status: "PENDING",
        isFinal: false,
        notBefore: new Date(Date.now() + notBeforeInMs),
        sentAt: current.startedAt ?? undefined,
      });
    };
    if (claim.earlier) return await recordSend(null, true, sentTime(claim.earlier) ?? new Date());
    if (!port) return current;
    const sentAt = new Date();
    let message: string | null;
    try {
      message = (await port.stop(orderNo, scope)).message;
    } catch (err) {
      if (outcomeUnknown(err))
        await recordSend((err instanceof SupplierError && !err.transportFailure && err.supplierMessage) || null, true, sentAt);
      throw err;
    }
    d.log.info({ orderNo, supplier }, "a stop request the supplier may never have taken was sent again");
    return await recordSend(message, false, sentAt);
  } finally {
    if (settle) await claim.settle();
  }
}
