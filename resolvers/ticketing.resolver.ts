import { Arg, Authorized, Args, Ctx, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import { stopView, type StopView } from "../src/tracking/topics.js";
import { StopArgs, StopTicketIssuanceInput } from "../schema/inputs.js";
import { TicketIssuanceStop } from "../schema/ticket-issuance-stop.type.js";
import { requireScope } from "../src/auth/index.js";
import type { GatewayContext } from "./context.js";
import { optionalId } from "./validate.js";

@Resolver(() => TicketIssuanceStop)
export class TicketingResolver {
  @Authorized("write")
  @Mutation(() => TicketIssuanceStop, {
    description:
      "Ask the supplier to try to stop ticket issuance of a paid order. PENDING means only that it will try; the gateway checks the outcome after checkAfter. Asking again for the same order returns the first request and calls nothing.",
  })
  async stopTicketIssuance(@Arg("input", () => StopTicketIssuanceInput) input: StopTicketIssuanceInput, @Ctx() ctx: GatewayContext): Promise<StopView> {
    const { idempotency, tracking } = ctx.services;
    return idempotency.run(ctx.tenant, "stopTicketIssuance", input.idempotencyKey, { ...input }, async () =>
      stopView(await tracking.stops.request(ctx.tenant, input.supplier, input.orderNo)),
    );
  }

  @Authorized("read")
  @Query(() => TicketIssuanceStop, { nullable: true, description: "The gateway's record of a stop request (yours only); null when there is none" })
  async ticketIssuanceStop(@Args(() => StopArgs) args: StopArgs, @Ctx() ctx: GatewayContext): Promise<StopView | null> {
    const s = await ctx.services.store.stops.get({ tenant: ctx.tenant, supplier: args.supplier, orderNo: args.orderNo });
    return s ? stopView(s) : null;
  }

  @Authorized("read")
  @Subscription(() => TicketIssuanceStop, {
    description: "Stop requests as they are made and resolved: all of the caller's, or one order's",
    subscribe: ({ args, context }) => {
      const ctx = context as GatewayContext;
      const who = requireScope(ctx.principal, "read");
      return ctx.services.tracking.subscriptions.stopChanges(who.tenant, optionalId("orderNo", args.orderNo));
    },
  })
  ticketIssuanceStopChanged(
    @Root() stop: StopView,
    @Arg("orderNo", () => String, { nullable: true, description: "Only this order" }) _orderNo?: string,
  ): StopView {
    return stop;
  }
}
