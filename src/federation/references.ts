/**
 * `_entities`: how the router's representations become the gateway's records. A reference
 * is resolved for the caller's tenant only, so another tenant's void or stop is `null`, as
 * unknown as it is to `voidOrder` and `ticketIssuanceStop`; so is a supplier this gateway does
 * not serve. Representations are raw JSON (no argument coercion or validation runs on them), so
 * each key field is checked here: a missing key, a supplier the Supplier enum does not have, or an
 * id no supplier uses fails its own reference only, with BAD_USER_INPUT.
 */
import type { VoidOrderData } from "../../datasources/model.js";
import type { TrackedRecord } from "../store/tracked-model.js";
import type { StopReport } from "../tracking/kinds/stop.js";
import type { SupplierName } from "../vocabulary/suppliers.js";
import type { GatewayContext } from "../../resolvers/context.js";
import { optionalId, optionalToken } from "../../resolvers/validate.js";
import { Supplier } from "../../schema/enums.js";
import { badInput } from "../vocabulary/errors.js";
import { requireScope } from "../auth/index.js";
import { stopView, voidView, type StopView, type VoidOrderView } from "../tracking/views.js";

type Representation = Record<string, unknown>;

/** The representation's supplier (one of the Supplier enum's values), or undefined when this gateway does not serve it. */
function supplierOf(ref: Representation, ctx: GatewayContext): SupplierName | undefined {
  const name = ref.supplier;
  if (typeof name !== "string" || !Object.hasOwn(Supplier, name))
    throw badInput("supplier", `must be one of ${Object.keys(Supplier).join(", ")}`);
  return ctx.services.registry.get(name as SupplierName) ? (name as SupplierName) : undefined;
}

/** A key field the entity's @key requires, checked by `rule` (the identifier rule, or the supplier-token rule of a voidCode). */
function requiredId(field: string, value: unknown, rule = optionalId): string {
  const id = rule(field, value);
  if (id === undefined) throw badInput(field, "is required (a key field of the entity)");
  return id;
}

async function voidOrder(ref: Representation, ctx: GatewayContext): Promise<VoidOrderView | null> {
  requireScope(ctx.principal, "read");
  const supplier = supplierOf(ref, ctx);
  const voidCode = requiredId("voidCode", ref.voidCode, optionalToken);
  if (!supplier) return null;
  // Every reference of the request in one read (src/tracking/loaders.ts).
  const record = await ctx.loaders.record.load(ctx.services.tracking.voids.key(ctx.tenant, supplier, voidCode));
  return record ? voidView(record as TrackedRecord<VoidOrderData>) : null;
}

async function ticketIssuanceStop(ref: Representation, ctx: GatewayContext): Promise<StopView | null> {
  requireScope(ctx.principal, "read");
  const supplier = supplierOf(ref, ctx);
  const orderNo = requiredId("orderNo", ref.orderNo);
  if (!supplier) return null;
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
  const orderNo = requiredId("orderNo", ref.orderNo);
  return supplier ? { supplier, orderNo } : null;
}

/** `__resolveReference` of each entity, by type name. */
export const REFERENCE_RESOLVERS = {
  VoidOrder: voidOrder,
  TicketIssuanceStop: ticketIssuanceStop,
  Order: order,
} as const;
