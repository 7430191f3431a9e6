/**
 * What makes a kind of tracked record (issue 11): its status ladder, its final states and
 * its supplier question. Everything else — schedule, leases, the transition rule, coalesced
 * asks, the event log, delivery, replay, watch marks — is the engine's, the same for every
 * kind. A void and a stop-issuance request are two small instances (src/tracking/kinds/).
 */
import type { CallScope } from "../../datasources/deadline.js";
import type { SupplierName } from "../vocabulary/suppliers.js";
import type { KindName } from "../vocabulary/kinds.js";
import type { SupplierRegistry } from "../../datasources/registry.js";
import type { NotKnown, WebhookHint } from "../../datasources/ports.js";
import type { PollPolicy, PollVariables } from "./schedule.js";

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
   * issue, item 4); when the supplier does not know it, what it said.
   */
  ask(tenant: string, supplier: SupplierName, ref: string, scope?: CallScope): Promise<D | NotKnown>;
  /** The supplier account a tenant's asks go to; asks through one account may share a call. @default one account */
  accountOf?(tenant: string, supplier: SupplierName): string;
  /** When to ask again while nothing changes. */
  readonly policy: PollPolicy;
}

/**
 * A kind as the tracked-kinds list wires it (src/tracking/kinds/index.ts; issue 21, item 5):
 * its name, its own schedule rows, its gauge, which webhooks are about it, and how to make the
 * kind from the registry and its schedule. Configuration, metrics, the inbox and the tracking
 * wiring loop over the list; adding a kind touches the list and the kind's own file.
 */
export interface KindDefinition<D = unknown> {
  readonly name: KindName;
  /** Its schedule's configuration rows (`<PREFIX>_POLL_*`). */
  readonly poll: PollVariables;
  /** The gauge of its records not yet final (metrics). */
  readonly openGauge: { readonly name: string; readonly help: string };
  /** The reference of the record a supplier's webhook is about, when it is about one of this kind. */
  webhookRef?(hint: WebhookHint): string | null;
  /** The kind, asking the registry's ports with each tenant's account. */
  create(registry: SupplierRegistry, policy: PollPolicy): TrackedKind<D>;
}
