/**
 * What makes a kind of tracked record (issue 11): its status ladder, its final states and
 * its supplier question. Everything else — schedule, leases, the transition rule, coalesced
 * asks, the event log, delivery, replay, watch marks — is the engine's, the same for every
 * kind. A void and a stop-issuance request are two small instances (src/tracking/kinds/).
 */
import type { SupplierName } from "../vocabulary/suppliers.js";
import type { KindName } from "../vocabulary/kinds.js";
import type { PollPolicy } from "./schedule.js";

/** A kind of tracked record: what differs between voids and stop requests. `D` is the supplier report a record keeps. */
export interface TrackedKind<D> {
  readonly name: KindName;
  /** How far along a status is. A report ranked below the record (an older, slower reply) is never recorded. */
  rank(status: string): number;
  /** Statuses after which the record never changes again. */
  isFinal(status: string): boolean;
  /** The status a report states. */
  statusOf(report: D): string;
  /** The message an event recording this report carries. */
  messageOf(report: D): string | null;
  /** The report to store, from the stored one and a newer one (default: the newer). */
  merge?(stored: D, report: D): D;
  /**
   * Asks the supplier where a tenant's record stands, with the tenant's account (hardening
   * issue, item 4); null when the supplier does not know it.
   */
  ask(tenant: string, supplier: SupplierName, ref: string): Promise<D | null>;
  /** The supplier account a tenant's asks go to; asks through one account may share a call. @default one account */
  accountOf?(tenant: string, supplier: SupplierName): string;
  /** When to ask again while nothing changes. */
  readonly policy: PollPolicy;
}
