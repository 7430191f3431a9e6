/**
 * `_entities`: how the router's representations become the gateway's records. A reference
 * is resolved for the caller's tenant only, so another tenant's void or stop is `null`, as
 * unknown as it is to `voidOrder` and `ticketIssuanceStop`; so is a supplier this gateway does
 * not serve. Representations are raw JSON (no argument coercion or validation runs on them), so
 * each key field is checked here; a bad one fails its own reference only.
 */
import type { VoidOrderData } from "../../datasources/model.js";
import type { TrackedRecord } from "../store/tracked-model.js";
import type { StopReport } from "../tracking/kinds/stop.js";
import type { SupplierName } from "../vocabulary/suppliers.js";
import type { GatewayContext } from "../../resolvers/context.js";
import { optionalId } from "../../resolvers/validate.js";
import { requireScope } from "../auth/index.js";
import { stopView, voidView, type StopView, type VoidOrderView } from "../tracking/views.js";

type Representation = Record<string, unknown>;

/** The representation's supplier, or undefined when it names none this gateway serves. */
function supplierOf(ref: Representation, ctx: GatewayContext): SupplierName | undefined {
  return typeof ref.supplier === "string" && ctx.services.registry.get(ref.supplier as SupplierName)
    ? (ref.supplier as SupplierName)
    : undefined;
}

async function voidOrder(ref: Representation, ctx: GatewayContext): Promise<VoidOrderView | null> {
  requireScope(ctx.principal, "read");
  const supplier = supplierOf(ref, ctx);
  const voidCode = optionalId("voidCode", ref.voidCode);
  if (!supplier || !voidCode) return null;
  // Every reference of the request in one read (src/tracking/loaders.ts).
  const record = await ctx.loaders.record.load(ctx.services.tracking.voids.key(ctx.tenant, supplier, voidCode));
  return record ? voidView(record as TrackedRecord<VoidOrderData>) : null;
}

async function ticketIssuanceStop(ref: Representation, ctx: GatewayContext): Promise<StopView | null> {
  requireScope(ctx.principal, "read");
  const supplier = supplierOf(ref, ctx);
  const orderNo = optionalId("orderNo", ref.orderNo);
  if (!supplier || !orderNo) return null;
  const stop = await ctx.loaders.record.load(ctx.services.tracking.stops.key(ctx.tenant, supplier, orderNo));
  return stop ? stopView(stop as TrackedRecord<StopReport>) : null;
}

/**
 * Any order can be referenced; its fields show what this tenant's records say of it. Async like
 * the others: @apollo/subgraph calls each reference resolver in a plain map, so a synchronous
 * throw (a bad key) would fail every reference of the request, not only its own.
 */
async function order(ref: Representation, ctx: GatewayContext): Promise<{ supplier: SupplierName; orderNo: string } | null> {
  requireScope(ctx.principal, "read");
  const supplier = supplierOf(ref, ctx);
  const orderNo = optionalId("orderNo", ref.orderNo);
  return supplier && orderNo ? { supplier, orderNo } : null;
}

/** `__resolveReference` of each entity, by type name. */
export const REFERENCE_RESOLVERS = {
  VoidOrder: voidOrder,
  TicketIssuanceStop: ticketIssuanceStop,
  Order: order,
} as const;
