/**
 * Sending again a stop request the supplier may never have taken (kinds/stop.ts `mayResend`),
 * at a client's request, under the order's claim as a first request is sent (./stop-requests.ts).
 * Answered or lost, the stop is checked anew the supplier's delay after this send (lost: its
 * outcome unknown again, so another needs that evidence again); refused (a status 2, say), it
 * stays as it was and the error is the client's answer, which it may retry.
 *
 * A claim left by a gateway that stopped mid-resend (`claim.earlier`) counts as a lost send,
 * whatever the record's checks say meanwhile: the stop is checked anew the delay after that
 * send, and nothing is sent now; its mark goes only once the record accounts for it, and goes
 * back as it was if the store fails before. A resend whose record could not be written keeps
 * its claim as a mark, as a first request's does. Housekeeping (`port` null) only settles such
 * marks: nothing is sent without a request. The stop's requestedAt stays the first request's;
 * its history gains no event (its state is still PENDING).
 */
import type { CallScope } from "../../datasources/deadline.js";
import type { StopIssuancePort } from "../../datasources/ports.js";
import type { Logger } from "../logger.js";
import { writeAfterSend } from "../reliability/after-send.js";
import type { TrackedRecord } from "../store/tracked-model.js";
import { sentTime } from "../store/unsettled-store.js";
import type { SupplierName } from "../vocabulary/suppliers.js";
import { SupplierError } from "../vocabulary/errors.js";
import type { Tracker } from "./engine.js";
import { mayResend, outcomeUnknownPending, OUTCOME_UNKNOWN_MESSAGE as UNKNOWN, type StopReport } from "./kinds/stop.js";
import { outcomeUnknown, type OrderClaims } from "./outcome.js";

export interface ResendDeps {
  stops: Tracker<StopReport>;
  claims: OrderClaims;
  /** How long after a request its outcome can be known, by supplier. */
  checkDelayMs: (supplier: SupplierName) => number;
  log: Logger;
}

/** Leeway between a mark's send time and the notBefore its record got from it (two clocks, rounding). */
const ACCOUNTED_LEEWAY_MS = 1000;
/** Reads of a stop's record, written meanwhile, before its resend's record write is given up (and tried again). */
const RESENT_ROUNDS = 3;

/** Sends `record`'s stop again when it still may be, or takes a left resend's mark as sent (see above); the stop as it now stands. */
export async function resendStop(
  d: ResendDeps,
  port: StopIssuancePort | null,
  record: TrackedRecord<StopReport>,
  scope?: CallScope,
): Promise<TrackedRecord<StopReport>> {
  const { tenant, supplier, ref: orderNo } = record;
  const delayMs = d.checkDelayMs(supplier);
  const claim = await d.claims.claim(tenant, supplier, orderNo);
  // What becomes of the claim: a left mark goes back as it was until the record accounts for it.
  let end: "settle" | "giveBack" | "keep" = claim.earlier ? "giveBack" : "settle";
  try {
    const current = await d.stops.get(tenant, supplier, orderNo);
    /**
     * Records a send (at `sentAt`): checked anew the delay after it; the claim kept as a mark if
     * the store fails. Onto the record as read (`from`): when it was written since (a check, or a
     * later send recorded first), read again, and left as it is if it accounts for this send or a
     * later one, or is no longer an open PENDING stop.
     */
    const recordSend = async (from: TrackedRecord<StopReport>, message: string | null, unknown: boolean, sentAt: Date) => {
      const report: StopReport = { status: "PENDING", message, supplierOrderStatus: null, outcomeUnknown: unknown };
      let seen: TrackedRecord<StopReport> | null = from;
      const written = await writeAfterSend(
        async () => {
          for (let round = 0; round < RESENT_ROUNDS; round++) {
            if (round > 0) seen = await d.stops.get(tenant, supplier, orderNo);
            if (!seen || seen.isFinal || seen.status !== "PENDING" || accountsFor(seen, sentAt)) return seen;
            const notBeforeInMs = Math.max(0, sentAt.getTime() + delayMs - Date.now());
            const resent = await d.stops.resent(seen, report, notBeforeInMs);
            if (resent) return resent;
          }
          throw new Error("the stop's record kept changing while its resend was recorded");
        },
        d.log,
        "stop request sent again but not recorded: its mark stays",
        {
          orderNo,
          supplier,
        },
      );
      if (written.ok) {
        end = "settle";
        return written.value ?? from;
      }
      end = "keep";
      await claim.keep(UNKNOWN);
      const notBefore = new Date(Math.max(Date.now(), sentAt.getTime() + delayMs));
      return { ...from, data: report, notBefore, nextCheckAt: notBefore, updatedAt: new Date() };
    };
    if (claim.earlier) {
      // Final, or known taken: the mark means nothing. Already counted from: the same.
      if (!current || !outcomeUnknownPending(current)) return settled(current ?? record);
      const sent = sentTime(claim.earlier) ?? new Date();
      if (accountsFor(current, sent)) return settled(current);
      return await recordSend(current, null, true, sent);
    }
    if (!current || !mayResend(current, delayMs) || !port) return current ?? record;
    const sentAt = new Date();
    let message: string | null;
    try {
      message = (await port.stop(orderNo, scope)).message;
    } catch (err) {
      if (outcomeUnknown(err))
        await recordSend(current, (err instanceof SupplierError && !err.transportFailure && err.supplierMessage) || null, true, sentAt);
      throw err;
    }
    d.log.info({ orderNo, supplier }, "a stop request the supplier may never have taken was sent again");
    return await recordSend(current, message, false, sentAt);
  } finally {
    if (end === "settle") await claim.settle();
    else if (end === "giveBack") await claim.giveBack();
  }

  /** Whether `r` is checked from a send at `sent` or later (its notBefore at least the delay after it). */
  function accountsFor(r: TrackedRecord<StopReport>, sent: Date): boolean {
    return r.notBefore !== null && r.notBefore.getTime() >= sent.getTime() + delayMs - ACCOUNTED_LEEWAY_MS;
  }

  function settled(r: TrackedRecord<StopReport>): TrackedRecord<StopReport> {
    end = "settle";
    return r;
  }
}
