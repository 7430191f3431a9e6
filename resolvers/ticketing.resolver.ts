import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import { RequireScope } from "../src/auth/field-scopes.js";
import { StopArgs, StopTicketIssuanceInput } from "../schema/inputs.js";
import { TicketIssuanceStop } from "../schema/ticket-issuance-stop.type.js";
import { TicketIssuanceStopEvent } from "../schema/ticket-issuance-stop-event.type.js";
import { requireScope } from "../src/auth/index.js";
import type { TrackedEvent } from "../src/store/tracked-model.js";
import type { StopReport } from "../src/tracking/kinds/stop.js";
import { eventsUpTo, stopAt, stopEventView, stopView, type StopEventView, type StopView } from "../src/tracking/views.js";
import type { GatewayContext } from "./context.js";
import { optionalId, resumePoint } from "./validate.js";

@Resolver(() => TicketIssuanceStop)
export class TicketingResolver {
  @RequireScope("write")
  @Mutation(() => TicketIssuanceStop, {
    description:
      "Ask the supplier to try to stop ticket issuance of a paid order. PENDING means only that it will try; the gateway checks the outcome after checkAfter. Asking again for the same order returns the first request and calls nothing, unless the gateway does not know the supplier took it (its reply lost) and an answered check at least twice the supplier's delay after it still shows no stop: then the request is sent again and checkAfter moves. While another request's call for the order may still be in flight, REQUEST_IN_PROGRESS.",
  })
  async stopTicketIssuance(
    @Arg("input", () => StopTicketIssuanceInput) input: StopTicketIssuanceInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<StopView> {
    const { idempotency, tracking } = ctx.services;
    return idempotency.run(ctx.tenant, "stopTicketIssuance", input.idempotencyKey, { ...input }, async () =>
      stopView(await tracking.stopRequests.request(ctx.tenant, input.supplier, input.orderNo, { requestId: ctx.requestId })),
    );
  }

  @RequireScope("read")
  @Query(() => TicketIssuanceStop, {
    nullable: true,
    description: "The gateway's record of a stop request (yours only); null when there is none",
  })
  async ticketIssuanceStop(@Args(() => StopArgs) args: StopArgs, @Ctx() ctx: GatewayContext): Promise<StopView | null> {
    // A supplier without stop issuance: UNSUPPORTED_OPERATION naming who has it, as for voidOrder.
    ctx.services.registry.stopIssuance(args.supplier, ctx.tenant);
    const s = await ctx.services.tracking.stops.get(ctx.tenant, args.supplier, args.orderNo);
    return s ? stopView(s) : null;
  }

  @RequireScope("read")
  @Subscription(() => TicketIssuanceStop, {
    description:
      "Stop requests as they are made and resolved: all of the caller's, or one order's; afterEventId (an eventId or a history id) replays missed changes first",
    subscribe: ({ args, context }) => {
      const ctx = context as GatewayContext;
      const who = requireScope(ctx.principal, "read");
      return ctx.services.tracking.subscriptions.stream({
        kind: "stop",
        tenant: who.tenant,
        orderNo: optionalId("orderNo", args.orderNo),
        ...resumePoint(args.afterEventId, ctx.lastEventId, "TicketIssuanceStop.eventId or a history id"),
        onLastEventIdDropped: ctx.onLastEventIdDropped,
      });
    },
  })
  ticketIssuanceStopChanged(
    @Root() event: TrackedEvent<StopReport>,
    @Ctx() ctx: GatewayContext,
    @Arg("orderNo", () => String, { nullable: true, description: "Only this order" }) _orderNo?: string,
    @Arg("afterEventId", () => ID, {
      nullable: true,
      description: "Replay the changes recorded after this event first, then continue live",
    })
    _afterEventId?: string,
  ): StopView {
    if (!event.replayed) ctx.services.metrics.eventDelivered(event.occurredAt);
    return stopAt(event);
  }

  @FieldResolver(() => [TicketIssuanceStopEvent])
  async history(@Root() stop: StopView, @Ctx() ctx: GatewayContext): Promise<StopEventView[]> {
    if (stop.unrecorded) return []; // requested while the store was failing: nothing recorded yet (as a void's history)
    const key = ctx.services.tracking.stops.key(ctx.tenant, stop.supplier as StopArgs["supplier"], stop.orderNo);
    // Batched with the other history fields of the request (src/tracking/loaders.ts).
    // A stop announced by an event (eventId) is the stop right after it: its history ends there.
    const events = (await ctx.loaders.history.load(key)) as Array<TrackedEvent<StopReport>>;
    return eventsUpTo(events, stop.eventId ?? stop.asOfEventId).map(stopEventView);
  }
}
