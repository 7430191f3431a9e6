/**
 * The fields the gateway adds to a referenced Order. Like every query they show only the
 * caller's tenant's records: another tenant's void of the same order is not there.
 */
import type { VoidOrderData } from "../../datasources/model.js";
import type { TrackedRecord } from "../store/tracked-model.js";
import type { StopReport } from "../tracking/kinds/stop.js";
import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { RequireScope } from "../auth/field-scopes.js";
import type { SupplierName } from "../vocabulary/suppliers.js";
import type { GatewayContext } from "../../resolvers/context.js";
import { TicketIssuanceStop } from "../../schema/ticket-issuance-stop.type.js";
import { VoidOrder } from "../../schema/void-order.type.js";
import { stopView, voidView, type StopView, type VoidOrderView } from "../tracking/views.js";
import { Order } from "./order.type.js";

@Resolver(() => Order)
export class OrderEntityResolver {
  @RequireScope("read")
  @FieldResolver(() => [VoidOrder], { description: "Every void the gateway recorded for this order, oldest first" })
  async voids(@Root() order: Order, @Ctx() ctx: GatewayContext): Promise<VoidOrderView[]> {
    // Every referenced order's voids in one read (src/tracking/loaders.ts).
    const records = (await ctx.loaders.byOrder.load({ kind: "void", tenant: ctx.tenant, orderNo: order.orderNo })) as Array<
      TrackedRecord<VoidOrderData>
    >;
    return records.filter((r) => r.supplier === order.supplier).map(voidView);
  }

  @RequireScope("read")
  @FieldResolver(() => TicketIssuanceStop, { nullable: true, description: "The stop-issuance request for this order, if one was made" })
  async ticketIssuanceStop(@Root() order: Order, @Ctx() ctx: GatewayContext): Promise<StopView | null> {
    const stop = await ctx.loaders.record.load(ctx.services.tracking.stops.key(ctx.tenant, order.supplier as SupplierName, order.orderNo));
    return stop ? stopView(stop as TrackedRecord<StopReport>) : null;
  }
}
