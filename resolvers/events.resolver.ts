import { Arg, Ctx, FieldResolver, ID, Resolver, Root, Subscription } from "type-graphql";
import { RequireScope } from "../src/auth/field-scopes.js";
import type { VoidOrderData } from "../datasources/model.js";
import { VoidOrder } from "../schema/void-order.type.js";
import { VoidStatusEvent } from "../schema/void-status-event.type.js";
import { requireScope } from "../src/auth/index.js";
import type { TrackedEvent } from "../src/store/tracked-model.js";
import { voidEventView, type VoidEventView, type VoidOrderView } from "../src/tracking/views.js";
import type { GatewayContext } from "./context.js";
import { optionalId, optionalToken, resumePoint } from "./validate.js";

@Resolver(() => VoidStatusEvent)
export class EventsResolver {
  @RequireScope("read")
  @Subscription(() => VoidStatusEvent, {
    description: "all of the caller's voids, or one void / one order; afterEventId replays missed changes first",
    subscribe: ({ args, context }) => {
      const ctx = context as GatewayContext;
      const who = requireScope(ctx.principal, "read");
      return ctx.services.tracking.subscriptions.stream({
        kind: "void",
        tenant: who.tenant,
        ref: optionalToken("voidCode", args.voidCode),
        orderNo: optionalId("orderNo", args.orderNo),
        ...resumePoint(args.afterEventId, ctx.lastEventId),
        onLastEventIdDropped: ctx.onLastEventIdDropped,
      });
    },
  })
  voidStatusChanged(
    @Root() event: TrackedEvent<VoidOrderData>,
    @Ctx() ctx: GatewayContext,
    @Arg("voidCode", () => String, { nullable: true, description: "Only this void" }) _voidCode?: string,
    @Arg("orderNo", () => String, { nullable: true, description: "Only this order's voids" }) _orderNo?: string,
    @Arg("afterEventId", () => ID, {
      nullable: true,
      description: "Replay the changes recorded after this event first, then continue live",
    })
    _afterEventId?: string,
  ): VoidEventView {
    if (!event.replayed) ctx.services.metrics.eventDelivered(event.occurredAt);
    return voidEventView(event);
  }

  @FieldResolver(() => VoidOrder, { description: "The void right after this change; its history ends with it" })
  voidOrder(@Root() event: VoidEventView): VoidOrderView {
    return event.voidOrder;
  }
}
