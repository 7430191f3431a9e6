import { Arg, Authorized, Ctx, FieldResolver, ID, Resolver, Root, Subscription } from "type-graphql";
import type { VoidEvent } from "../src/store/void-store.js";
import { voidView, type VoidEventPayload, type VoidOrderView } from "../src/tracking/topics.js";
import { VoidOrder } from "../schema/void-order.type.js";
import { VoidStatusEvent } from "../schema/void-status-event.type.js";
import { requireScope } from "../src/auth/index.js";
import type { GatewayContext } from "./context.js";
import { optionalEventId, optionalId } from "./validate.js";

/** An event as the schema shows it; `voidOrder` is present when it travelled with the event. */
type EventView = (VoidEvent | VoidEventPayload["event"]) & { voidOrder?: VoidOrderView };

@Resolver(() => VoidStatusEvent)
export class EventsResolver {
  @Authorized("read")
  @Subscription(() => VoidStatusEvent, {
    description: "all of the caller's voids, or one void / one order; afterEventId replays missed changes first",
    subscribe: ({ args, context }) => {
      const ctx = context as GatewayContext;
      const who = requireScope(ctx.principal, "read");
      return ctx.services.tracking.subscriptions.voidEvents(who.tenant, {
        voidCode: optionalId("voidCode", args.voidCode),
        orderNo: optionalId("orderNo", args.orderNo),
        afterEventId: optionalEventId("afterEventId", args.afterEventId),
      });
    },
  })
  voidStatusChanged(
    @Root() payload: VoidEventPayload,
    @Ctx() ctx: GatewayContext,
    @Arg("voidCode", () => String, { nullable: true, description: "Only this void" }) _voidCode?: string,
    @Arg("orderNo", () => String, { nullable: true, description: "Only this order's voids" }) _orderNo?: string,
    @Arg("afterEventId", () => ID, { nullable: true, description: "Replay the changes recorded after this event first, then continue live" })
    _afterEventId?: string,
  ): EventView {
    if (!payload.replayed) ctx.services.metrics.eventDelivered(payload.event.occurredAt);
    return { ...payload.event, voidOrder: payload.voidOrder };
  }

  @FieldResolver(() => VoidOrder, { description: "The void right after this change (for replayed and historical events: as it stands now)" })
  async voidOrder(@Root() event: EventView, @Ctx() ctx: GatewayContext): Promise<VoidOrderView> {
    if (event.voidOrder) return event.voidOrder;
    const record = await ctx.services.store.voids.get({ tenant: ctx.tenant, supplier: event.supplier, voidCode: event.voidCode });
    if (!record) throw new Error(`event ${event.id} has no void record`);
    return voidView(record);
  }
}
