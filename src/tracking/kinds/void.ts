/**
 * A void as a tracked kind: the VoidStatus ladder (each supplier's mapping translates its own
 * statuses onto it), final at REFUNDED, REJECTED, COMPLETED and WITHDRAWN, and the supplier
 * question "where does this void stand", through the registry's void port.
 */
import {
  FINAL_VOID_STATUSES,
  VOID_STATUS_RANK,
  type UnsaidVoidField,
  type VoidOrderData,
  type VoidStatusName,
} from "../../../datasources/model.js";
import type { SupplierRegistry } from "../../../datasources/registry.js";
import type { KindDefinition, TrackedKind } from "../kind.js";
import { pollVariables, type PollPolicy } from "../schedule.js";

/** `stored`'s `field` into `merged`, where it has one (a void recorded before the field existed has none). */
function keep<K extends UnsaidVoidField>(merged: VoidOrderData, stored: VoidOrderData, field: K): void {
  if (stored[field] !== undefined) merged[field] = stored[field];
}

/** The void kind, asking each supplier's void port with the tenant's account. */
function voidKind(registry: SupplierRegistry, policy: PollPolicy): TrackedKind<VoidOrderData> {
  return {
    name: "void",
    policy,
    rank: (status) => VOID_STATUS_RANK[status as VoidStatusName] ?? -1,
    isFinal: (status) => FINAL_VOID_STATUSES.has(status as VoidStatusName),
    statusOf: (report) => report.status,
    // The cancel reason when there is one (a rejected or withdrawn void), else the supplier's
    // message: a query's envelope says "success" of the call, not of the void.
    messageOf: (report) => (report.cancelReason ? report.cancelReason : (report.message ?? null)),
    // Not every supplier call reports fastConfirmation (a submission may, a later query not):
    // a report without it keeps the one stored. Nor does a later answer of the same status
    // always repeat the refund amount: one that was given is kept.
    // And a field the report did not say (not one it says is empty) keeps what was stored: a
    // query may list a void's tickets and fees only sometimes.
    merge: (stored, report) => {
      const merged: VoidOrderData = {
        ...report,
        fastConfirmation: report.fastConfirmation ?? stored.fastConfirmation ?? null,
        actualRefund: report.actualRefund ?? (report.status === stored.status ? stored.actualRefund : null) ?? null,
      };
      for (const field of report.unsaid ?? []) keep(merged, stored, field);
      return merged;
    },
    ask: (tenant, supplier, voidCode, scope) => registry.voids(supplier, tenant).query(voidCode, scope),
    accountOf: (tenant, supplier) => registry.account(supplier, tenant).id,
  };
}

/** Voids in the tracked-kinds list: VOID_POLL_* rows, gateway_open_voids, `order.void`-like webhooks. */
export const voidDefinition: KindDefinition<VoidOrderData> = {
  name: "void",
  poll: pollVariables("VOID", "an open void"),
  openGauge: { name: "gateway_open_voids", help: "Tracked voids not yet final" },
  webhookRef: (hint) => (hint.kind === "void" ? hint.voidCode : null),
  create: voidKind,
};
