/**
 * A stop-ticket-issuance request as a tracked kind: PENDING until the supplier says STOPPED or
 * ISSUED (both final), and the supplier question "what does the order's state say about the
 * stop", through the registry's stop-issuance port. The record's reference is the order number.
 */
import type { StopStateName } from "../../../datasources/model.js";
import type { SupplierRegistry } from "../../../datasources/registry.js";
import type { KindDefinition, TrackedKind } from "../kind.js";
import { pollVariables, type PollPolicy } from "../schedule.js";

/** What the gateway knows of a stop: its state, the supplier's message and order status. */
export interface StopReport {
  status: StopStateName;
  /** The supplier's message to the request, kept when later checks bring none. */
  message: string | null;
  supplierOrderStatus: string | null;
  /**
   * The latest answered check found the order showing no sign of a stop (the supplier's
   * `StopOutcomeData.showsNoStop`). Absent before a check, and in checks recorded before 2026-12-08.
   */
  showsNoStop?: boolean;
  /**
   * The gateway does not know the supplier took the request: its reply was lost or could not be
   * read, or the gateway stopped mid-call (../stop-requests.ts). Absent in checks' reports: a
   * check keeps what was stored.
   */
  outcomeUnknown?: boolean;
}

const RANK: Record<StopStateName, number> = { PENDING: 0, STOPPED: 1, ISSUED: 1 };

/**
 * What the order's mark says of a stop whose request may or may not have reached the supplier
 * (its reply was lost, or its gateway stopped mid-call). Stops recorded before 2026-12-06 also
 * carry it as their message, the gateway's own, not the supplier's: an outcome drops it. Such a
 * stop is now recorded with the supplier's message, if it said one, or none.
 */
export const OUTCOME_UNKNOWN_MESSAGE = "outcome of the stop request unknown: the gateway is checking";

/** A later report over the stored one: the supplier's message is kept, the gateway's own "unknown" only while PENDING. */
function mergeStop(stored: StopReport, report: StopReport): StopReport {
  const kept = stored.message === OUTCOME_UNKNOWN_MESSAGE && report.status !== "PENDING" ? null : stored.message;
  const unknown = report.outcomeUnknown ?? stored.outcomeUnknown;
  return { ...report, message: report.message ?? kept, ...(unknown === undefined ? {} : { outcomeUnknown: unknown }) };
}

/**
 * Whether the gateway does not know the supplier took a PENDING stop's request (facts that no
 * check changes): its outcome unknown, or, recorded before 2026-12-06, the gateway's own message.
 */
export function outcomeUnknownPending(record: { status: string; isFinal: boolean; data: StopReport }): boolean {
  return (
    record.status === "PENDING" &&
    !record.isFinal &&
    (record.data.outcomeUnknown === true || record.data.message === OUTCOME_UNKNOWN_MESSAGE)
  );
}

/**
 * Whether a stop's request may be sent again: the gateway does not know the supplier took it
 * (its reply was lost or could not be read, or the gateway stopped mid-call; a stop recorded
 * before 2026-12-06 says so by its message — one recorded from then until 2026-12-07 by neither,
 * and is never sent again), and the order's state shows no stop well after it would: a check
 * that got an answer, made at least twice the supplier's delay (`delayMs`) after the request,
 * found the order showing no sign of one (`showsNoStop`, which each supplier's datasource
 * decides from its own order states). A gateway killed between claiming the order and sending left such a stop PENDING for ever, never
 * sent (crash probe, thirty-second session).
 */
export function mayResend(
  record: {
    status: string;
    isFinal: boolean;
    notBefore: Date | null;
    lastCheckedAt: Date | null;
    checkFailure: unknown;
    data: StopReport;
  },
  delayMs: number,
): boolean {
  const d = record.data;
  return (
    outcomeUnknownPending(record) &&
    d.showsNoStop === true &&
    record.checkFailure === null &&
    record.notBefore !== null &&
    record.lastCheckedAt !== null &&
    record.lastCheckedAt.getTime() >= record.notBefore.getTime() + delayMs
  );
}

/** The stop kind, asking each supplier's stop-issuance port with the tenant's account. */
function stopKind(registry: SupplierRegistry, policy: PollPolicy): TrackedKind<StopReport> {
  return {
    name: "stop",
    policy,
    rank: (status) => RANK[status as StopStateName] ?? -1,
    isFinal: (status) => status === "STOPPED" || status === "ISSUED",
    statusOf: (report) => report.status,
    messageOf: (report) => report.message,
    merge: mergeStop,
    accountOf: (tenant, supplier) => registry.account(supplier, tenant).id,
    ask: async (tenant, supplier, orderNo, scope) => {
      const o = await registry.stopIssuance(supplier, tenant).outcome(orderNo, scope);
      return { status: o.state, message: null, supplierOrderStatus: o.supplierOrderStatus, showsNoStop: o.showsNoStop };
    },
  };
}

/**
 * Stop requests in the tracked-kinds list: their own STOP_POLL_* rows (the first check is at the
 * request's checkAfter, these are the checks after it), gateway_pending_stops, and webhooks saying
 * an order was ticketed (a stop request's reference is its order number).
 */
export const stopDefinition: KindDefinition<StopReport> = {
  name: "stop",
  poll: pollVariables(
    "STOP",
    "a pending stop request after its first check",
    "Base poll interval of a pending stop request: its first check is at checkAfter, the next twice this later, then doubling",
  ),
  openGauge: { name: "gateway_pending_stops", help: "Stop-issuance requests not yet resolved" },
  webhookRef: (hint) => (hint.kind === "ticketed" ? hint.orderNo : null),
  create: stopKind,
};
